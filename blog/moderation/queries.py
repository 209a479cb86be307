"""Typed read queries for the moderation queue and the counts of comments waiting in it."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from blog.core.models import Author, Comment, CommentStatus, Post
from blog.core.permissions import editable_posts, moderated_comments
from blog.extensions import db

FILTERS = {"held": "Held", "approved": "Approved", "spam": "Spam", "all": "All"}
PAGE_SIZE = 100


def comments_for(
    moderator: Author, shown: str, search: str, post_id: int | None = None
) -> list[Comment]:
    """Comments `moderator` may act on, for a filter, a search over text and names, a post."""
    query = (
        select(Comment)
        .where(moderated_comments(moderator))
        .options(joinedload(Comment.post))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    if shown == "held":
        query = query.where(Comment.status == CommentStatus.PENDING.value)
    elif shown != "all":
        query = query.where(Comment.status == shown)
    if post_id is not None:
        query = query.where(Comment.post_id == post_id)
    if search:
        query = query.where(
            or_(
                Comment.body_source.icontains(search, autoescape=True),
                Comment.author_name.icontains(search, autoescape=True),
            )
        )
    return list(db.session.scalars(query.limit(PAGE_SIZE)))


def moderated_post(moderator: Author, post_id: int) -> Post | None:
    """The post the queue is narrowed to, if `moderator` may moderate its comments."""
    return db.session.scalar(select(Post).where(Post.id == post_id, editable_posts(moderator)))


def moderated_comment(moderator: Author, comment_id: int) -> Comment | None:
    """One comment `moderator` may act on (with its post), or None."""
    return db.session.scalar(
        select(Comment)
        .where(Comment.id == comment_id, moderated_comments(moderator))
        .options(joinedload(Comment.post))
    )


def pending_counts(moderator: Author, post_ids: Collection[int]) -> dict[int, int]:
    """Held comments per post, for the listed posts `moderator` may moderate (absent: none).

    One grouped count over ix_comments_post_status_created, for the ids given only: its cost
    follows the listed posts (at most a dashboard's worth), never the size of the blog.
    """
    if not post_ids:
        return {}
    query = (
        select(Comment.post_id, func.count())
        .where(
            Comment.post_id.in_(list(post_ids)),
            Comment.status == CommentStatus.PENDING.value,
        )
        .group_by(Comment.post_id)
    )
    if not moderator.is_editor:
        query = query.join(Post, Post.id == Comment.post_id).where(editable_posts(moderator))
    return {post_id: int(count) for post_id, count in db.session.execute(query)}


def pending_total(moderator: Author) -> int:
    """How many held comments `moderator` may moderate, over all their posts."""
    query = select(func.count()).where(
        Comment.status == CommentStatus.PENDING.value, moderated_comments(moderator)
    )
    return int(db.session.scalar(query.select_from(Comment)) or 0)
