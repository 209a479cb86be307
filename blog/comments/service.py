"""Posting, editing and deleting comments; nothing is stored unless every check passes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

from flask import current_app
from flask_login import current_user
from sqlalchemy import bindparam, exists, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from blog.comments import spam
from blog.comments.forms import CommentEditForm, CommentForm
from blog.comments.ownership import (
    changeable_comment,
    forget_own,
    new_owner_token,
    own_comments,
    owns,
    remember_own,
)
from blog.comments.queries import CommentView
from blog.core.db import write_transaction
from blog.core.markdown import render_comment
from blog.core.models import Author, Comment, CommentStatus, Post, utcnow
from blog.core.permissions import may_edit
from blog.core.posts import NOW, comments_open, is_visible, now_param
from blog.core.security import current_author
from blog.core.text import content_digest
from blog.core.web import Refused, parse_id
from blog.extensions import db

DUPLICATE = "This comment has already been posted here."
NOT_OPEN = "This article is not open for comments."
CLOSED = "Comments are closed on this article."
PARENT_GONE = "The comment you are replying to is no longer available."


class CommentFields(TypedDict, total=False):
    """What a new comment is made from, besides its post (see `comment_values`)."""

    name: Required[str]
    body: Required[str]
    status: Required[CommentStatus]
    email: str | None
    website: str | None
    parent: Comment | None
    created_at: datetime | None
    body_html: str | None  # when the caller has rendered it already
    body_digest: str | None  # likewise


def comment_values(**given: Unpack[CommentFields]) -> dict[str, Any]:
    """The columns of a new comment but its post: rendered HTML, fingerprint and thread root."""
    parent, body, email = given.get("parent"), given["body"], given.get("email")
    body_html, body_digest = given.get("body_html"), given.get("body_digest")
    return {
        "parent_id": parent.id if parent else None,
        "root_id": (parent.root_id or parent.id) if parent else None,
        "author_name": given["name"],
        "author_email": email.lower() if email else None,
        "author_website": given.get("website") or None,
        "body_source": body,
        "body_html": render_comment(body) if body_html is None else body_html,
        "body_digest": content_digest(body) if body_digest is None else body_digest,
        "status": given["status"].value,
        "created_at": given.get("created_at") or utcnow(),
    }


def build_comment(post: Post, **given: Unpack[CommentFields]) -> Comment:
    """A new comment object on `post` (which may not be stored yet); see `comment_values`."""
    return Comment(post=post, parent=given.get("parent"), **comment_values(**given))


def signed_in_author() -> Author | None:
    """The author signed in on this browser, if any: their comments are linked to them."""
    if current_user and current_user.is_authenticated:
        return current_author()
    return None


def _moderates(author: Author | None, post: Post) -> bool:
    """True when `author` could approve comments on `post` anyway: theirs need no waiting."""
    return author is not None and may_edit(author, post)


def reply_target(post: Post, comment_id: int) -> Comment | None:
    """The comment on `post` that this reader may reply to: approved, or their own held one."""
    parent = db.session.get(Comment, comment_id)
    if parent is None or parent.post_id != post.id:
        return None
    if parent.status == CommentStatus.APPROVED.value or owns(parent, own_comments()):
        return parent
    return None


def reply_target_of(post: Post, raw: str | None) -> Comment | None:
    """`reply_target` for a form's raw parent_id, which may be empty or garbage."""
    ident = parse_id(raw)
    return reply_target(post, ident) if ident is not None else None


@contextmanager
def _storing_comment(keep_loaded: bool = False) -> Iterator[None]:
    """A write transaction in which the unique index on the text means "a duplicate".

    `keep_loaded` (see `begin_write`) only where the block checks again what it relies on.
    """
    try:
        with write_transaction(keep_loaded):
            yield
    except IntegrityError as error:
        raise Refused(DUPLICATE, 409, field="body") from error


def _check_duplicate(post_id: int, digest: str, ignore_id: int | None = None) -> None:
    query = exists().where(Comment.post_id == post_id, Comment.body_digest == digest)
    if ignore_id is not None:
        query = query.where(Comment.id != ignore_id)
    if db.session.scalar(select(query)):
        raise Refused(DUPLICATE, 409, field="body")


# Built once (see core.posts): whether a visible post is closed (no row: not visible), the new
# comment's row, and the post's count after it.
_CLOSED = select(Post.comments_closed).where(Post.id == bindparam("post"), is_visible(now_param()))
_INSERT = insert(Comment).returning(Comment.id)
_COUNT = select(Post.comment_count).where(Post.id == bindparam("post"))


def submit_comment(post: Post, form: CommentForm, client: str, commenter: str) -> CommentView:
    """Store a valid form's comment on `post`, or raise Refused having stored nothing.

    `client` names the sender's address and `commenter` their browser, for the rate limits.
    The row goes in as one INSERT, not through the ORM's unit of work: what the answer shows
    of it is known here, and nothing else changes it before the commit.
    """
    if not comments_open(post, current_app.config["COMMENTS_CLOSE_AFTER_DAYS"]):
        raise Refused(CLOSED, 403)
    stamp = spam.check_not_a_bot(form)
    body = form.body.data or ""
    html = render_comment(body)
    post_id = post.id
    token, owner_hash = new_owner_token()
    author = signed_in_author()
    approved_at_once = _moderates(author, post)
    now = utcnow()
    # The post read to find it is not read again: what matters of it (still visible, still
    # open) is asked again under the lock, as are the parent, the limits and duplicates.
    with _storing_comment(keep_loaded=True):
        # Checked again under the write lock: the post may have been unpublished or closed
        # meanwhile (no row: not visible any more).
        closed = db.session.scalar(_CLOSED, {"post": post_id, NOW: now})
        if closed is None:
            raise Refused(NOT_OPEN, 404)
        if closed:
            raise Refused(CLOSED, 403)
        parent = None
        if form.parent_id.data:
            parent = reply_target_of(post, form.parent_id.data)
            if parent is None:
                raise Refused(PARENT_GONE, 422)
        spam.check_limits(stamp, commenter, client, now)
        verdict = (
            spam.Verdict(CommentStatus.APPROVED)
            if approved_at_once
            else spam.moderation_status(html, form.email.data)
        )
        values = comment_values(
            name=form.name.data or "",
            body=body,
            email=form.email.data,
            website=form.website.data,
            parent=parent,
            status=verdict.status,
            created_at=now,
            body_html=html,
        )
        values.update(
            post_id=post_id,
            held_reason=verdict.held_reason,
            owner_hash=owner_hash,
            # Only a signed-in session links a comment to an author, whatever name was typed.
            author_id=author.id if author else None,
        )
        # A duplicate is refused here by the unique index on (post, text): no lookup first.
        ident = db.session.execute(_INSERT, [values]).scalar_one()
        spam.record_comment(commenter, client, stamp, now)
    # The post stayed loaded past the commit (keep_loaded): of what the answer shows of it,
    # only its count has moved, and that alone is read again.
    set_committed_value(post, "comment_count", db.session.scalar(_COUNT, {"post": post_id}))
    comment = CommentView.of_values(post, ident, values)
    remember_own(comment, token)
    return comment


def edit_comment(comment_id: int, form: CommentEditForm) -> Comment:
    """Replace the body of one's own comment; it is moderated again like a new one."""
    body = form.body.data or ""
    html = render_comment(body)
    digest = content_digest(body)
    author = signed_in_author()
    with _storing_comment():
        comment = changeable_comment(comment_id)
        _check_duplicate(comment.post_id, digest, ignore_id=comment.id)
        comment.body_source = body
        comment.body_html = html
        comment.body_digest = digest
        comment.edited_at = utcnow()
        if comment.status == CommentStatus.APPROVED.value and not _moderates(author, comment.post):
            verdict = spam.moderation_status(html, comment.author_email)
            comment.status = verdict.status.value
            comment.held_reason = verdict.held_reason
    return comment


def delete_comment(comment_id: int) -> Post:
    """Delete one's own comment; returns its post."""
    with write_transaction():
        comment = changeable_comment(comment_id)
        post = comment.post
        db.session.delete(comment)
    forget_own(comment_id)
    return post
