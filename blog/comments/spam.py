"""Defences against comment spam: the honeypot, a minimum time, rate limits and moderation."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import exists, select

from blog.comments.forms import CommentForm
from blog.config import Moderation
from blog.core import ratelimit
from blog.core.models import Comment, CommentStatus
from blog.core.web import Refused
from blog.extensions import db

RATE_BUCKET = "comment"


def _form_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="comment-form-shown")


def form_started_token() -> str:
    """A signed note of when the form was shown, to tell people from instant bots."""
    return _form_signer().dumps("shown")


def seconds_since_shown(token: str) -> float | None:
    """How long ago the form carrying `token` was shown; None if the token is not ours."""
    try:
        _, shown = _form_signer().loads(
            token, max_age=current_app.config["COMMENT_FORM_MAX_AGE"], return_timestamp=True
        )
    except BadSignature:  # also SignatureExpired
        return None
    age: float = (datetime.now(UTC) - shown).total_seconds()
    return age


def check_not_a_bot(form: CommentForm) -> None:
    """Refuse a filled-in honeypot, a form that is not ours, or one posted inhumanly fast."""
    if form.homepage.data:
        raise Refused(
            "Please leave the “Leave this field empty” field empty.", 422, field="homepage"
        )
    age = seconds_since_shown(form.started.data or "")
    if age is None:
        raise Refused("This form has expired. Please reload the page and try again.", 422)
    if age < current_app.config["COMMENT_MIN_SECONDS"]:
        raise Refused(
            "That was quick! Please take a moment to read your comment over, then post it again.",
            422,
        )


def _wait_phrase(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


def check_rate(client: str, now: datetime) -> None:
    """Refuse (429) a client over the comment rate limit; call inside the write transaction."""
    config = current_app.config
    wait = ratelimit.retry_after(
        f"{RATE_BUCKET}:{client}", config["COMMENT_RATE_LIMIT"], config["COMMENT_RATE_WINDOW"], now
    )
    if wait is not None:
        raise Refused(
            f"You are posting comments faster than this blog allows. Please wait "
            f"{_wait_phrase(wait)} and try again.",
            429,
            retry_after=wait,
        )


def record_comment(client: str, now: datetime) -> None:
    """Count a stored comment against the client's rate limit."""
    ratelimit.record(f"{RATE_BUCKET}:{client}", current_app.config["COMMENT_RATE_WINDOW"], now)


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
    mode = Moderation(current_app.config["COMMENT_MODERATION"])
    if mode is Moderation.ALL:
        return CommentStatus.PENDING
    if (
        mode is Moderation.LINKS
        and _link_count(body_html) > current_app.config["COMMENT_MAX_LINKS"]
    ):
        return CommentStatus.PENDING
    if mode is Moderation.FIRST_TIME and not _is_returning(email):
        return CommentStatus.PENDING
    return CommentStatus.APPROVED
