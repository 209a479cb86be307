"""Defences against comment spam: the honeypot, one-use form stamps, rate limits, moderation."""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, has_request_context, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import exists, select

from blog.comments.forms import CommentForm
from blog.config import Moderation
from blog.core import ratelimit
from blog.core.models import Comment, CommentStatus
from blog.core.web import Refused
from blog.extensions import db

# Each browser that comments has an id, kept in its signed session: limits count per commenter,
# so people sharing one address (an office, a phone network) do not share one limit. A looser
# limit per address still stops one client that drops its cookie to look like many.
COMMENTER_KEY = "commenter"
COMMENTER_BUCKET = "comment"
ADDRESS_BUCKET = "comment-address"
# Each form's stamp is good for one comment: used stamps are remembered until they expire.
USED_FORM_BUCKET = "comment-form"

EXPIRED = "This form has expired. Please reload the page and try again."
CONFIRM = "Almost there: please look over your comment and post it again."
USED = "This form was already used to post a comment. Please post your comment again."

# Why a comment was held, as the moderation queue says it ("3 links" is made on the spot).
HELD_ALL = "all comments are held"
HELD_FIRST = "first comment from this email"
HELD_NO_EMAIL = "no email to know a returning commenter by"


def commenter_id() -> str:
    """The id of this browser as a commenter, made and kept in its session when first needed."""
    ident = session.get(COMMENTER_KEY)
    if not isinstance(ident, str) or not 16 <= len(ident) <= 32:
        ident = secrets.token_urlsafe(16)
        session[COMMENTER_KEY] = ident
    return ident


def _form_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="comment-form-shown")


def form_started_token() -> str:
    """A signed, one-use stamp of when the form was shown, to tell people from instant bots.

    All the per-visitor parts of the comment form (this stamp, the commenter id) come from here,
    so that a cached page could fetch them separately later.
    """
    if has_request_context():
        commenter_id()  # the browser gets its id with its first form
    return _form_signer().dumps({"nonce": secrets.token_urlsafe(12)})


@dataclass(frozen=True)
class Stamp:
    """What a valid form stamp says: its one-use nonce and how long ago the form was shown."""

    nonce: str
    age: float


def read_stamp(token: str) -> Stamp | None:
    """The stamp in `token`, or None if it is not ours or has expired."""
    try:
        data, shown = _form_signer().loads(
            token, max_age=current_app.config["COMMENT_FORM_MAX_AGE"], return_timestamp=True
        )
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("nonce"), str):
        return None  # an older kind of stamp
    return Stamp(data["nonce"], (datetime.now(UTC) - shown).total_seconds())


def seconds_since_shown(token: str) -> float | None:
    """How long ago the form carrying `token` was shown; None if the token is not ours."""
    stamp = read_stamp(token)
    return stamp.age if stamp else None


def check_not_a_bot(form: CommentForm) -> Stamp:
    """Refuse a filled-in honeypot, a form that is not ours, or one posted inhumanly fast."""
    if form.homepage.data:
        raise Refused(
            "Please leave the “Leave this field empty” field empty.", 422, field="homepage"
        )
    if not form.started.data:
        # Sent from a page every reader shares, before (or without) fetching its stamp.
        raise Refused(CONFIRM, 422, field="started")
    stamp = read_stamp(form.started.data)
    if stamp is None:
        raise Refused(EXPIRED, 422, field="started")
    if stamp.age < current_app.config["COMMENT_MIN_SECONDS"]:
        raise Refused(
            "That was quick! Please take a moment to read your comment over, then post it again.",
            422,
        )
    return stamp


def _wait_phrase(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


def _commenter_bucket(commenter: str) -> str:
    return f"{COMMENTER_BUCKET}:{ratelimit.private_key(commenter)}"


def check_limits(stamp: Stamp, commenter: str, client: str, now: datetime) -> None:
    """Refuse a used form stamp (422), or a commenter or address over its limit (429).

    One statement for the three; call inside the write transaction, with `record_comment`
    after the comment is stored, so no other process can slip in between.
    """
    config = current_app.config
    used, by_commenter, by_address = ratelimit.retry_afters(
        [
            (f"{USED_FORM_BUCKET}:{stamp.nonce}", 1, config["COMMENT_FORM_MAX_AGE"]),
            (
                _commenter_bucket(commenter),
                config["COMMENT_RATE_LIMIT"],
                config["COMMENT_RATE_WINDOW"],
            ),
            (
                f"{ADDRESS_BUCKET}:{client}",
                config["COMMENT_ADDRESS_RATE_LIMIT"],
                config["COMMENT_ADDRESS_RATE_WINDOW"],
            ),
        ],
        now,
    )
    if used is not None:
        raise Refused(USED, 422, field="started")
    if by_commenter is not None:
        raise Refused(
            f"You are posting comments faster than this blog allows. Please wait "
            f"{_wait_phrase(by_commenter)} and try again.",
            429,
            retry_after=by_commenter,
        )
    if by_address is not None:
        raise Refused(
            f"Very many comments are coming from your network right now. Please wait "
            f"{_wait_phrase(by_address)} and try again.",
            429,
            retry_after=by_address,
        )


def record_comment(commenter: str, client: str, stamp: Stamp, now: datetime) -> None:
    """Count a stored comment against its limits, and use up its form stamp."""
    config = current_app.config
    ratelimit.record_all(
        [
            (_commenter_bucket(commenter), config["COMMENT_RATE_WINDOW"]),
            (f"{ADDRESS_BUCKET}:{client}", config["COMMENT_ADDRESS_RATE_WINDOW"]),
            (f"{USED_FORM_BUCKET}:{stamp.nonce}", config["COMMENT_FORM_MAX_AGE"]),
        ],
        now,
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


@dataclass(frozen=True)
class Verdict:
    """Publish or hold a new comment, and if held why, in words for the moderation queue."""

    status: CommentStatus
    held_reason: str | None = None


def moderation_status(body_html: str, email: str | None) -> Verdict:
    """Publish at once or hold for an author, as the site's moderation setting says, and why."""
    mode = Moderation(current_app.config["COMMENT_MODERATION"])
    if mode is Moderation.ALL:
        return Verdict(CommentStatus.PENDING, HELD_ALL)
    links = _link_count(body_html)
    if mode is Moderation.LINKS and links > current_app.config["COMMENT_MAX_LINKS"]:
        return Verdict(CommentStatus.PENDING, f"{links} links")
    if mode is Moderation.FIRST_TIME and not _is_returning(email):
        return Verdict(CommentStatus.PENDING, HELD_FIRST if email else HELD_NO_EMAIL)
    return Verdict(CommentStatus.APPROVED)
