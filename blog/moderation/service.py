"""Applying a moderation decision to comments, in one write transaction."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, update

from blog.core.db import write_transaction
from blog.core.models import Author, Comment, CommentStatus
from blog.core.permissions import moderated_comments
from blog.core.web import Refused
from blog.extensions import db

ACTIONS = {"approve": "approved", "spam": "marked as spam", "delete": "deleted"}


def apply(moderator: Author, action: str, ids: list[int]) -> int:
    """Approve, mark as spam or delete those of these comments `moderator` may act on.

    How many changed; ids beyond the moderator's reach are left alone.
    """
    if action not in ACTIONS:
        raise Refused("That is not something the queue can do.", 400)
    with write_transaction():
        where = and_(Comment.id.in_(ids), moderated_comments(moderator))
        if action == "delete":
            statement: Any = delete(Comment).where(where)
        else:
            status = CommentStatus.APPROVED if action == "approve" else CommentStatus.SPAM
            statement = update(Comment).where(where).values(status=status.value)
        # A bulk UPDATE or DELETE answers with a cursor result, which knows its row count.
        result = cast(CursorResult[Any], db.session.execute(statement))
    return int(result.rowcount or 0)
