"""Typed read queries for the moderation queue."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from blog.core.models import Author, Comment, CommentStatus
from blog.core.permissions import moderated_comments
from blog.extensions import db

FILTERS = {"held": "Held", "approved": "Approved", "spam": "Spam", "all": "All"}
PAGE_SIZE = 100


def comments_for(moderator: Author, shown: str, search: str) -> list[Comment]:
    """Comments `moderator` may act on, for a filter and a search over text and names."""
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
    if search:
        query = query.where(
            or_(
                Comment.body_source.icontains(search, autoescape=True),
                Comment.author_name.icontains(search, autoescape=True),
            )
        )
    return list(db.session.scalars(query.limit(PAGE_SIZE)))
