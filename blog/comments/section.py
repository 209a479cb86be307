"""What an article shows of its comments: the threads, the form and a status for the writer.

The article page asks this module for its comment section; the comment views render the
same section (or only its form) after a post, without going through the article view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, session

from blog.comments.forms import CommentForm
from blog.comments.ownership import editable_ids, own_comments
from blog.comments.queries import CommentNode, CommentView, comment_threads, thread_of
from blog.comments.service import signed_in_author
from blog.comments.spam import form_started_token
from blog.core.models import Comment, CommentStatus, Post
from blog.core.pagecache import page_is_shared
from blog.core.posts import comments_open, neighbours
from blog.core.web import render_fragment


@dataclass
class Status:
    """A message for the writer, announced to screen readers.

    A message about one comment (`comment_id`) is shown at that comment, where the writer's
    eyes are (on a phone the form is screens away); the live region only announces it.
    """

    message: str
    kind: str = "success"  # or "error", "pending"
    comment_id: int | None = None


STATUS_KEY = "comment_status"
STATUS_KINDS = ("success", "error", "pending")


def keep_status(status: Status) -> None:
    """Leave `status` for the page this browser is redirected to (post/redirect/get).

    Not a flashed message: the page's general message area would show it a second time,
    away from the comment it is about.
    """
    session[STATUS_KEY] = [status.message, status.kind, status.comment_id]


def flashed_status() -> Status | None:
    """The status left by `keep_status` for this page view, if any (it is shown once)."""
    kept = session.pop(STATUS_KEY, None)
    if not isinstance(kept, list) or len(kept) != 3:
        return None
    message, kind, comment_id = kept
    if not isinstance(message, str) or kind not in STATUS_KINDS:
        return None
    return Status(message, kind, comment_id if isinstance(comment_id, int) else None)


def posted_status(comment: CommentView) -> Status:
    """What the writer of a newly stored comment is told, next to that comment."""
    name = comment.author_name
    if comment.status == CommentStatus.APPROVED.value:
        return Status(f"Thanks, {name}! Your comment is posted.", comment_id=comment.id)
    return Status(
        f"Thanks, {name}! Your comment is awaiting moderation and will appear to everyone "
        "once an author approves it.",
        "pending",
        comment.id,
    )


def placed(status: Status | None, threads: list[CommentNode]) -> Status | None:
    """`status`, no longer tied to a comment when that comment is not among `threads`.

    The message then shows in the section's own status line instead of nowhere.
    """
    if status is None or status.comment_id is None:
        return status
    stack = list(threads)
    while stack:
        node = stack.pop()
        if node.comment.id == status.comment_id:
            return status
        stack.extend(node.replies)
    return Status(status.message, status.kind)


def new_comment_form(parent: Comment | None = None) -> CommentForm:
    """An empty form, stamped with when it was shown; a signed-in author's name is filled in.

    (Such a page is never cached: see `core.security`. A reader's remembered name is filled
    in by their browser, never by the server.)
    """
    form = CommentForm(formdata=None)
    # A page every reader shares gets no stamp (nor a commenter id): its form fetches them.
    form.started.data = None if page_is_shared() else form_started_token()
    form.parent_id.data = str(parent.id) if parent else ""
    author = signed_in_author()
    if author is not None:
        form.name.data = author.name
        form.email.data = author.email
    return form


def section_context(
    post: Post,
    *,
    form: CommentForm | None = None,
    status: Status | None = None,
    pages: int = 1,
    focus_id: int | None = None,
) -> dict[str, Any]:
    """Everything the comment section of an article needs, for page and fragment alike."""
    page = comment_threads(post, 1, pages, current_app.config["COMMENTS_PER_PAGE"], own_comments())
    return {
        "post": post,
        "open": comments_open(post, current_app.config["COMMENTS_CLOSE_AFTER_DAYS"]),
        "comments": page,
        "editable": editable_ids(page.threads),
        "form": form or new_comment_form(),
        "status": placed(status, page.threads),
        "focus_id": focus_id,
    }


def form_context(post: Post, form: CommentForm, status: Status) -> dict[str, Any]:
    """What the comment form alone needs, to show errors without redrawing the comments."""
    return {"post": post, "form": form, "status": status, "open": True}


SECTION_TEMPLATE = "comments/section.html"


def render_section(post: Post, **section: Any) -> str:
    """The comment section as an htmx fragment, with the count and status swapped out of band.

    `section` goes to `section_context`: a form, a status, pages to show, a comment to focus.
    """
    return render_fragment(
        SECTION_TEMPLATE,
        "comments",
        oob_blocks=("comment_count", "comment_status"),
        **section_context(post, **section),
    )


def render_form(post: Post, form: CommentForm, status: Status) -> str:
    """Only the "Post a Comment" form as an htmx fragment, with the status out of band."""
    return render_fragment(
        SECTION_TEMPLATE,
        "comment_form_section",
        oob_blocks=("comment_status",),
        **form_context(post, form, status),
    )


def render_article(post: Post, **section: Any) -> str:
    """The whole article page with its comment section (for browsers without JavaScript)."""
    older, newer = neighbours(post)
    return render_template(
        "reading/article.html", older=older, newer=newer, **section_context(post, **section)
    )


@dataclass(frozen=True)
class Posted:
    """The htmx answer to a stored comment, and where it goes when not the form's own target."""

    html: str
    retarget: str | None


def render_posted(post: Post, comment: CommentView, status: Status) -> Posted:
    """What changed when `comment` was stored, for htmx: never the whole comment section.

    A top-level comment is added at the end of the list, with a fresh form in place of the
    used one; a reply comes back with its thread. Counts and the status go out of band. The
    size of the answer is the new comment's (or its thread's), whatever the post holds.
    """
    own = own_comments()
    common: dict[str, Any] = {
        "post": post,
        "status": status,
        "open": True,
        "focus_id": comment.id,
    }
    if comment.parent_id is None:
        threads = [CommentNode(comment)]
        html = render_fragment(
            SECTION_TEMPLATE,
            "comment_form_section",
            oob_blocks=("new_comment", "comment_count", "comments_heading", "comment_status"),
            form=new_comment_form(),
            new_threads=threads,
            editable=editable_ids(threads),
            **common,
        )
        return Posted(html, None)
    threads = [thread_of(comment, own)]
    html = render_fragment(
        SECTION_TEMPLATE,
        "thread",
        oob_blocks=("comment_count", "comments_heading", "comment_status"),
        new_threads=threads,
        editable=editable_ids(threads),
        **common,
    )
    return Posted(html, f"#{threads[0].comment.anchor}")
