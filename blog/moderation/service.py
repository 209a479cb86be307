"""Applying a moderation decision to comments, and an author's reply, in one write transaction."""

from __future__ import annotations

from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, and_, delete, update
from sqlalchemy.exc import IntegrityError

from blog.comments.service import CLOSED, DUPLICATE, build_comment
from blog.core.db import write_transaction
from blog.core.markdown import render_comment
from blog.core.models import Author, Comment, CommentStatus, Limits
from blog.core.permissions import moderated_comments
from blog.core.posts import comments_open
from blog.core.text import content_digest
from blog.core.web import Refused
from blog.extensions import db
from blog.moderation.queries import moderated_comment

ACTIONS = {"approve": "approved", "spam": "marked as spam", "delete": "deleted"}
GONE = "That comment is no longer there to reply to."
SPAM_FIRST = "This comment is marked as spam: approve it before replying."


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


def reply(moderator: Author, comment_id: int, body: str) -> Comment:
    """Publish `moderator`'s reply under a comment at once, approving the comment if held.

    Raises Refused having stored nothing: the comment is gone or out of reach (404), is spam,
    or its post is closed to comments, or the same text is already on the post.
    """
    html = render_comment(body)
    digest = content_digest(body)
    try:
        with write_transaction():
            # Read again under the lock: it may have been deleted or moderated meanwhile.
            parent = moderated_comment(moderator, comment_id)
            if parent is None:
                raise Refused(GONE, 404)
            if parent.status == CommentStatus.SPAM.value:
                raise Refused(SPAM_FIRST, 409, field="body")
            post = parent.post
            if not comments_open(post, current_app.config["COMMENTS_CLOSE_AFTER_DAYS"]):
                raise Refused(CLOSED, 403, field="body")
            # Answering a held comment publishes it: a reply under a hidden comment would
            # hang alone at the top of its thread.
            parent.status = CommentStatus.APPROVED.value
            answer = build_comment(
                post,
                name=moderator.name[: Limits.COMMENT_NAME],
                body=body,
                status=CommentStatus.APPROVED,
                parent=parent,
                body_html=html,
                body_digest=digest,
            )
            # The account, not the typed name, is what marks a comment as an author's.
            answer.author_id = moderator.id
            db.session.add(answer)
    except IntegrityError as error:
        raise Refused(DUPLICATE, 409, field="body") from error
    return answer
