"""What an article shows of its comments: the threads, the form and a status for the writer.

The article page asks this module for its comment section; the comment views render the
same section (or only its form) after a post, without going through the article view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from flask import current_app, get_flashed_messages, render_template

from blog.comments.forms import CommentForm
from blog.comments.ownership import editable_ids, own_comments
from blog.comments.queries import comment_threads
from blog.comments.spam import form_started_token
from blog.core.models import Comment, CommentStatus, Post
from blog.core.posts import comments_open, neighbours
from blog.core.web import render_fragment


@dataclass
class Status:
    """A message for the writer, announced to screen readers."""

    message: str
    kind: str = "success"  # or "error", "pending"
    link: str | None = None


def flashed_status() -> Status | None:
    """A status message left by a redirect (post/redirect/get without JavaScript)."""
    flashed = cast(list[tuple[str, str]], get_flashed_messages(with_categories=True))
    for category, message in flashed[-1:]:
        return Status(message, category)
    return None


def posted_status(comment: Comment) -> Status:
    """What the writer of a newly stored comment is told."""
    name = comment.author_name
    if comment.status == CommentStatus.APPROVED.value:
        return Status(f"Thanks, {name}! Your comment is posted.")
    return Status(
        f"Thanks, {name}! Your comment is awaiting moderation and will appear to everyone "
        "once an author approves it.",
        "pending",
    )


def new_comment_form(parent: Comment | None = None) -> CommentForm:
    """An empty form, stamped with when it was shown."""
    form = CommentForm(formdata=None)
    form.started.data = form_started_token()
    form.parent_id.data = str(parent.id) if parent else ""
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
        "status": status,
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
