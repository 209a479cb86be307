"""Which comments this browser wrote, and the one rule for when it may still change them."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from flask import current_app, session
from sqlalchemy import exists, select

from blog.comments.queries import CommentNode
from blog.core.models import Comment, CommentStatus, utcnow
from blog.core.web import Refused
from blog.extensions import db

OWN_COMMENTS_KEY = "own_comments"


def remember_own(comment: Comment) -> None:
    """Note in the signed session cookie that this browser wrote `comment`."""
    window = current_app.config["COMMENT_EDIT_SECONDS"]
    now = utcnow().timestamp()
    own: dict[str, float] = dict(session.get(OWN_COMMENTS_KEY, {}))
    # Keep the cookie small: held comments are remembered for a day, others for the edit window.
    own = {key: when for key, when in own.items() if now - when < max(window, 86400)}
    own[str(comment.id)] = comment.created_at.timestamp()
    session[OWN_COMMENTS_KEY] = dict(sorted(own.items(), key=lambda item: item[1])[-20:])


def own_comment_ids() -> set[int]:
    """Ids of the comments this browser wrote (recently)."""
    return {int(key) for key in session.get(OWN_COMMENTS_KEY, {})}


def change_refusal(
    comment: Comment, own: Collection[int], has_replies: bool, now: datetime | None = None
) -> Refused | None:
    """Why this browser may not change `comment` (edit or delete), or None when it may."""
    if comment.status == CommentStatus.SPAM.value:
        return Refused("That comment does not exist.", 404)
    if comment.id not in own:
        return Refused("Only the person who wrote a comment can change it.", 403)
    window = current_app.config["COMMENT_EDIT_SECONDS"]
    if comment.created_at < (now or utcnow()) - timedelta(seconds=window):
        return Refused(
            f"Comments can be changed for {window // 60} minutes after posting; this one "
            "can no longer be changed.",
            403,
        )
    if has_replies:
        return Refused("This comment has replies now, so it can no longer be changed.", 403)
    return None


def editable_ids(nodes: Iterable[CommentNode]) -> set[int]:
    """Comments in these threads that this browser may still edit or delete."""
    own = own_comment_ids()
    if not own:
        return set()
    now = utcnow()
    found: set[int] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        stack.extend(node.replies)
        if change_refusal(node.comment, own, bool(node.replies), now) is None:
            found.add(node.comment.id)
    return found


def changeable_comment(comment_id: int) -> Comment:
    """The comment if this browser may still change it, else Refused (403/404)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise Refused("That comment does not exist.", 404)
    has_replies = bool(db.session.scalar(select(exists().where(Comment.parent_id == comment.id))))
    refusal = change_refusal(comment, own_comment_ids(), has_replies)
    if refusal is not None:
        raise refusal
    return comment
