"""Which comments this browser wrote, and the one rule for when it may still change them.

Ownership rests on a secret, never on an id: each new comment gets a random token that only its
writer's browser keeps (in the signed session), and the comment row keeps only its hash. An id
in someone else's session, or an id the database handed out again, proves nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from flask import current_app, session
from sqlalchemy import exists, select

from blog.comments.queries import CommentNode, CommentView
from blog.core.models import Comment, CommentStatus, utcnow
from blog.core.web import Refused
from blog.extensions import db

OWN_COMMENTS_KEY = "own_comments"
# Held comments are remembered for a day (their writer sees them marked as waiting).
REMEMBER_SECONDS = 86400
REMEMBER_AT_MOST = 20


def new_owner_token() -> tuple[str, str]:
    """A fresh secret for a new comment, and the hash of it that the comment row keeps."""
    token = secrets.token_urlsafe(18)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """What the database keeps of an owner token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _remembered() -> dict[str, tuple[float, str]]:
    """The session's own-comment entries: id -> (created timestamp, token); others dropped."""
    found: dict[str, tuple[float, str]] = {}
    for key, value in dict(session.get(OWN_COMMENTS_KEY, {})).items():
        if (
            isinstance(key, str)
            and key.isdigit()
            and isinstance(value, list)
            and len(value) == 2
            and isinstance(value[0], int | float)
            and isinstance(value[1], str)
        ):
            found[key] = (float(value[0]), value[1])
    return found


def _keep(own: dict[str, tuple[float, str]]) -> None:
    session[OWN_COMMENTS_KEY] = {key: list(value) for key, value in own.items()}


def remember_own(comment: Comment | CommentView, token: str) -> None:
    """Keep the secret of `comment` in this browser's signed session cookie."""
    window = max(current_app.config["COMMENT_EDIT_SECONDS"], REMEMBER_SECONDS)
    now = utcnow().timestamp()
    own = {key: value for key, value in _remembered().items() if now - value[0] < window}
    own[str(comment.id)] = (comment.created_at.timestamp(), token)
    _keep(dict(sorted(own.items(), key=lambda item: item[1][0])[-REMEMBER_AT_MOST:]))


def forget_own(comment_id: int) -> None:
    """Drop a (deleted) comment from this browser's own comments."""
    own = _remembered()
    if own.pop(str(comment_id), None) is not None:
        _keep(own)


def own_comments() -> dict[int, str]:
    """The comments this browser wrote (recently): id -> the hash its row must carry."""
    return {int(key): token_hash(token) for key, (_when, token) in _remembered().items()}


def owns(comment: Comment | CommentView, own: Mapping[int, str]) -> bool:
    """True when this browser holds the secret of `comment`."""
    expected = own.get(comment.id)
    return (
        expected is not None
        and comment.owner_hash is not None
        and hmac.compare_digest(expected, comment.owner_hash)
    )


def change_refusal(
    comment: Comment | CommentView,
    own: Mapping[int, str],
    has_replies: bool,
    now: datetime | None = None,
) -> Refused | None:
    """Why this browser may not change `comment` (edit or delete), or None when it may."""
    if comment.status == CommentStatus.SPAM.value:
        return Refused("That comment does not exist.", 404)
    if not owns(comment, own):
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
    own = own_comments()
    if not own:
        return set()
    now = utcnow()
    everything: list[CommentNode] = []
    stack = list(nodes)
    while stack:
        node = stack.pop()
        stack.extend(node.replies)
        everything.append(node)
    # A flattened deep reply is listed beside its replies, not above them: ask the parent ids.
    answered = {node.comment.parent_id for node in everything}
    return {
        node.comment.id
        for node in everything
        if change_refusal(node.comment, own, node.comment.id in answered, now) is None
    }


def changeable_comment(comment_id: int) -> Comment:
    """The comment if this browser may still change it, else Refused (403/404)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise Refused("That comment does not exist.", 404)
    has_replies = bool(db.session.scalar(select(exists().where(Comment.parent_id == comment.id))))
    refusal = change_refusal(comment, own_comments(), has_replies)
    if refusal is not None:
        raise refusal
    return comment
