"""Applying a moderation decision to comments, in one write transaction."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, update

from blog.core.db import write_transaction
from blog.core.models import Comment, CommentStatus
from blog.core.web import Refused
from blog.extensions import db

ACTIONS = {"approve": "approved", "spam": "marked as spam", "delete": "deleted"}


def apply(action: str, ids: list[int]) -> int:
    """Approve, mark as spam or delete the comments with these ids; how many changed."""
    if action not in ACTIONS:
        raise Refused("That is not something the queue can do.", 400)
    with write_transaction():
        where = Comment.id.in_(ids)
        if action == "delete":
            statement: Any = delete(Comment).where(where)
        else:
            status = CommentStatus.APPROVED if action == "approve" else CommentStatus.SPAM
            statement = update(Comment).where(where).values(status=status.value)
        # A bulk UPDATE or DELETE answers with a cursor result, which knows its row count.
        result = cast(CursorResult[Any], db.session.execute(statement))
    return int(result.rowcount or 0)
