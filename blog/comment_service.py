"""Posting, editing and deleting comments: abuse checks, moderation and ownership."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, session
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from blog import queries, ratelimit
from blog.database import write_transaction
from blog.extensions import db
from blog.forms import CommentEditForm, CommentForm, form_started_token, seconds_since_shown
from blog.markdown import render_comment
from blog.models import Comment, CommentStatus, Post, utcnow
from blog.text import content_digest

OWN_COMMENTS_KEY = "own_comments"
DUPLICATE = "This comment has already been posted here."
RATE_BUCKET = "comment"


class CommentRejected(Exception):
    """A comment that is not stored, with what to tell its writer and the HTTP status."""

    def __init__(
        self, message: str, status: int, field: str | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field
        self.retry_after = retry_after


def build_comment(
    post: Post,
    *,
    name: str,
    body: str,
    status: CommentStatus,
    email: str | None = None,
    website: str | None = None,
    parent: Comment | None = None,
    created_at: datetime | None = None,
) -> Comment:
    """A new comment with its rendered HTML, duplicate fingerprint and thread root filled in."""
    return Comment(
        post=post,
        parent=parent,
        root_id=(parent.root_id or parent.id) if parent else None,
        author_name=name,
        author_email=email.lower() if email else None,
        author_website=website or None,
        body_source=body,
        body_html=render_comment(body),
        body_digest=content_digest(body),
        status=status.value,
        created_at=created_at or utcnow(),
    )


def _link_count(html: str) -> int:
    return len(re.findall(r"<a\s", html))


def _is_returning(email: str | None) -> bool:
    if not email:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Comment.author_email == email.lower(),
                    Comment.status == CommentStatus.APPROVED.value,
                )
            )
        )
    )


def moderation_status(body_html: str, email: str | None) -> CommentStatus:
    """Publish at once or hold for an author, as the site's moderation setting says."""
    mode = current_app.config["COMMENT_MODERATION"]
    if mode == "all":
        return CommentStatus.PENDING
    if mode == "links" and _link_count(body_html) > int(current_app.config["COMMENT_MAX_LINKS"]):
        return CommentStatus.PENDING
    if mode == "first-time" and not _is_returning(email):
        return CommentStatus.PENDING
    return CommentStatus.APPROVED


def _wait_phrase(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


def _check_not_a_bot(form: CommentForm) -> None:
    if form.homepage.data:
        raise CommentRejected(
            "Please leave the “Leave this field empty” field empty.", 422, field="homepage"
        )
    age = seconds_since_shown(form.started.data or "")
    if age is None:
        raise CommentRejected(
            "This form has expired. Please reload the page and try again.", 422
        )
    if age < float(current_app.config["COMMENT_MIN_SECONDS"]):
        raise CommentRejected(
            "That was quick! Please take a moment to read your comment over, then post it "
            "again.",
            422,
        )


def reply_target(post: Post, comment_id: int) -> Comment | None:
    """The comment on `post` that this reader may reply to: approved, or their own held one."""
    parent = db.session.get(Comment, comment_id)
    if parent is None or parent.post_id != post.id:
        return None
    if parent.status == CommentStatus.APPROVED.value or parent.id in own_comment_ids():
        return parent
    return None


def reply_target_of(post: Post, raw: str | None) -> Comment | None:
    """`reply_target` for a form's raw parent_id, which may be empty or garbage."""
    raw = raw or ""
    return reply_target(post, int(raw)) if raw.isascii() and raw.isdigit() else None


def _reply_parent(post: Post, raw: str | None) -> Comment | None:
    if not raw:
        return None
    parent = reply_target_of(post, raw)
    if parent is None:
        raise CommentRejected("The comment you are replying to is no longer available.", 422)
    return parent


def _check_rate(client: str, now: datetime) -> None:
    config = current_app.config
    wait = ratelimit.retry_after(
        f"{RATE_BUCKET}:{client}", int(config["COMMENT_RATE_LIMIT"]),
        int(config["COMMENT_RATE_WINDOW"]), now,
    )  # fmt: skip
    if wait is not None:
        raise CommentRejected(
            f"You are posting comments faster than this blog allows. Please wait "
            f"{_wait_phrase(wait)} and try again.",
            429,
            retry_after=wait,
        )


@contextmanager
def _storing_comment() -> Iterator[None]:
    """A write transaction in which the unique index on the text means "a duplicate"."""
    try:
        with write_transaction():
            yield
    except IntegrityError as error:
        raise CommentRejected(DUPLICATE, 409, field="body") from error


def _check_duplicate(post: Post, digest: str, ignore_id: int | None = None) -> None:
    query = exists().where(Comment.post_id == post.id, Comment.body_digest == digest)
    if ignore_id is not None:
        query = query.where(Comment.id != ignore_id)
    if db.session.scalar(select(query)):
        raise CommentRejected(DUPLICATE, 409, field="body")


def submit_comment(slug: str, form: CommentForm, client: str) -> Comment:
    """Store a valid form's comment, or raise CommentRejected having stored nothing."""
    _check_not_a_bot(form)
    now = utcnow()
    with _storing_comment():
        post = queries.visible_post(slug)
        if post is None:
            raise CommentRejected("This article is not open for comments.", 404)
        parent = _reply_parent(post, form.parent_id.data)
        _check_rate(client, now)
        body = form.body.data or ""
        _check_duplicate(post, content_digest(body))
        html = render_comment(body)
        comment = build_comment(
            post,
            name=form.name.data or "",
            body=body,
            email=form.email.data,
            website=form.website.data,
            parent=parent,
            status=moderation_status(html, form.email.data),
            created_at=now,
        )
        db.session.add(comment)
        ratelimit.record(f"{RATE_BUCKET}:{client}", int(current_app.config["COMMENT_RATE_WINDOW"]))
    remember_own(comment)
    return comment


# --- the writer's own comments ----------------------------------------------------------------


def remember_own(comment: Comment) -> None:
    """Note in the signed session cookie that this browser wrote `comment`."""
    window = int(current_app.config["COMMENT_EDIT_SECONDS"])
    now = utcnow().timestamp()
    own: dict[str, float] = dict(session.get(OWN_COMMENTS_KEY, {}))
    # Keep the cookie small: held comments are remembered for a day, others for the edit window.
    own = {key: when for key, when in own.items() if now - when < max(window, 86400)}
    own[str(comment.id)] = comment.created_at.timestamp()
    session[OWN_COMMENTS_KEY] = dict(sorted(own.items(), key=lambda item: item[1])[-20:])


def own_comment_ids() -> set[int]:
    """Ids of the comments this browser wrote (recently)."""
    return {int(key) for key in session.get(OWN_COMMENTS_KEY, {})}


def editable_ids(nodes: list[queries.CommentNode]) -> set[int]:
    """Comments in these threads that this browser may still edit or delete."""
    own = own_comment_ids()
    if not own:
        return set()
    deadline = utcnow() - timedelta(seconds=int(current_app.config["COMMENT_EDIT_SECONDS"]))
    found: set[int] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        stack.extend(node.replies)
        comment = node.comment
        if comment.id in own and comment.created_at > deadline and not node.replies:
            found.add(comment.id)
    return found


def changeable_comment(comment_id: int) -> Comment:
    """The comment if this browser may still change it, else CommentRejected (403/404)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status == CommentStatus.SPAM.value:
        raise CommentRejected("That comment does not exist.", 404)
    if comment.id not in own_comment_ids():
        raise CommentRejected("Only the person who wrote a comment can change it.", 403)
    window = int(current_app.config["COMMENT_EDIT_SECONDS"])
    if comment.created_at < utcnow() - timedelta(seconds=window):
        raise CommentRejected(
            f"Comments can be changed for {window // 60} minutes after posting; this one "
            "can no longer be changed.",
            403,
        )
    has_replies = db.session.scalar(select(exists().where(Comment.parent_id == comment.id)))
    if has_replies:
        raise CommentRejected("This comment has replies now, so it can no longer be changed.", 403)
    return comment


def edit_comment(comment_id: int, form: CommentEditForm) -> Comment:
    """Replace the body of one's own comment; it is moderated again like a new one."""
    with _storing_comment():
        comment = changeable_comment(comment_id)
        body = form.body.data or ""
        _check_duplicate(comment.post, content_digest(body), ignore_id=comment.id)
        comment.body_source = body
        comment.body_html = render_comment(body)
        comment.body_digest = content_digest(body)
        comment.edited_at = utcnow()
        if comment.status == CommentStatus.APPROVED.value:
            comment.status = moderation_status(comment.body_html, comment.author_email).value
    return comment


def delete_comment(comment_id: int) -> Post:
    """Delete one's own comment; returns its post."""
    with write_transaction():
        comment = changeable_comment(comment_id)
        post = comment.post
        db.session.delete(comment)
    return post


# --- what the comment section shows ------------------------------------------------------------


@dataclass
class Status:
    """A message for the writer, announced to screen readers."""

    message: str
    kind: str = "success"  # or "error"
    link: str | None = None


def page_of(comment: Comment) -> int:
    """The page of the comment section that shows `comment` (replies live with their root)."""
    root_id = comment.root_id or comment.id
    root = comment if root_id == comment.id else db.session.get(Comment, root_id)
    assert root is not None
    visible = queries.visible_comments(own_comment_ids())
    before = db.session.scalar(
        select(func.count(Comment.id)).where(
            Comment.post_id == comment.post_id,
            Comment.parent_id.is_(None),
            visible,
            (Comment.created_at < root.created_at)
            | ((Comment.created_at == root.created_at) & (Comment.id < root.id)),
        )
    )
    return int(before or 0) // int(current_app.config["COMMENTS_PER_PAGE"]) + 1


def section_context(
    post: Post,
    *,
    form: CommentForm | None = None,
    status: Status | None = None,
    pages: int = 1,
    focus_id: int | None = None,
) -> dict[str, Any]:
    """Everything the comment section of an article needs, for page and fragment alike."""
    page = queries.comment_threads(
        post, 1, pages, int(current_app.config["COMMENTS_PER_PAGE"]), own_comment_ids()
    )
    return {
        "post": post,
        "comments": page,
        "editable": editable_ids(page.threads),
        "form": form or new_comment_form(),
        "status": status,
        "focus_id": focus_id,
    }


def new_comment_form(parent: Comment | None = None) -> CommentForm:
    """An empty form, stamped with when it was shown."""
    form = CommentForm(formdata=None)
    form.started.data = form_started_token()
    form.parent_id.data = str(parent.id) if parent else ""
    return form
