"""Author accounts: password checks with throttling, and sign-in sessions kept on the server."""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from flask import current_app, request
from flask_login import UserMixin
from sqlalchemy import ColumnElement, CursorResult, delete, func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from blog.core import ratelimit
from blog.core.db import write_transaction
from blog.core.models import Author, Limits, Post, Role, utcnow
from blog.core.records import AuthSession
from blog.core.web import Refused
from blog.extensions import db, login_manager

MIN_PASSWORD_LENGTH = Limits.PASSWORD_MIN


def hash_password(password: str) -> str:
    """A salted scrypt hash of `password`."""
    return generate_password_hash(password, method="scrypt")


@cache
def _dummy_hash() -> str:
    # Checked against when the email is unknown, so both failures take the same time. Made on
    # first use, not at import: every worker and every command would pay for it otherwise.
    return hash_password("not-a-real-password-" + secrets.token_hex(8))


def editors_who_can_sign_in() -> int:
    """How many editors have a password (the blog needs at least one)."""
    return int(
        db.session.scalar(
            select(func.count(Author.id)).where(
                Author.role == Role.EDITOR.value, Author.password_hash.is_not(None)
            )
        )
        or 0
    )


def default_role() -> Role:
    """The first account that can sign in runs the blog; later ones write for it."""
    return Role.EDITOR if editors_who_can_sign_in() == 0 else Role.AUTHOR


def change_role(author_id: int, role: Role) -> Author:
    """Give an account another role; the last editor who can sign in stays an editor."""
    with write_transaction():
        author = db.session.get(Author, author_id)
        if author is None:
            raise Refused("There is no such author.", 404)
        losing_an_editor = author.is_editor and role is not Role.EDITOR
        if losing_an_editor and author.password_hash and editors_who_can_sign_in() <= 1:
            raise Refused(
                f"{author.name} is the only editor who can sign in; make another editor first.",
                409,
            )
        author.role = role.value
    return author


def authors_with_post_counts() -> list[tuple[Author, int]]:
    """Every account, by email, with how many posts it has."""
    rows = db.session.execute(
        select(Author, func.count(Post.id))
        .outerjoin(Post, Post.author_id == Author.id)
        .group_by(Author.id)
        .order_by(Author.email)
    ).all()
    return [(author, int(posts)) for author, posts in rows]


class SignedIn(UserMixin):
    """The signed-in author as Flask-Login sees them: one author in one browser session."""

    def __init__(self, session: AuthSession) -> None:
        self.session = session
        self.author = session.author

    def get_id(self) -> str:
        """What the cookie carries: the session's token, never the author's id."""
        return str(self.session.token_hash)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_fingerprint() -> str:
    """What "strong" session protection compares: the client's address and browser.

    Flask-Login's own version reads X-Forwarded-For as sent, so anyone replaying a stolen cookie
    could claim the owner's address. `remote_addr` is the socket's peer, or what ProxyFix read
    from the trusted proxies when PROXY_COUNT says there are some.
    """
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(f"{request.remote_addr}|{agent}".encode()).hexdigest()


login_manager._session_identifier_generator = session_fingerprint


# How stale `last_seen_at` may get before a request refreshes it (one write an hour, at most).
SEEN_PRECISION = timedelta(hours=1)


def _expired(now: datetime) -> ColumnElement[bool]:
    """Sessions idle for longer than SESSION_IDLE_DAYS, or older than SESSION_MAX_DAYS."""
    config = current_app.config
    return or_(
        AuthSession.last_seen_at < now - timedelta(days=config["SESSION_IDLE_DAYS"]),
        AuthSession.created_at < now - timedelta(days=config["SESSION_MAX_DAYS"]),
    )


@login_manager.user_loader
def _load(token_hash: str) -> SignedIn | None:
    session = db.session.scalar(
        select(AuthSession).where(AuthSession.token_hash == token_hash, ~_expired(utcnow()))
    )
    return SignedIn(session) if session else None


def note_activity(signed_in: SignedIn) -> None:
    """Keep an active session alive: move its last-seen time on, once an hour at most."""
    now = utcnow()
    if signed_in.session.last_seen_at > now - SEEN_PRECISION:
        return
    session_id = signed_in.session.id
    with write_transaction():
        db.session.execute(
            update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now)
        )


def prune_sessions() -> int:
    """Delete every expired session; how many there were."""
    with write_transaction():
        result = db.session.execute(delete(AuthSession).where(_expired(utcnow())))
    return int(cast(CursorResult[Any], result).rowcount or 0)


def start_session(author: Author) -> SignedIn:
    """A new sign-in session for `author` (a new id each time: no fixation)."""
    now = utcnow()
    session = AuthSession(
        token_hash=_hash_token(secrets.token_urlsafe(32)),
        author_id=author.id,
        created_at=now,
        last_seen_at=now,
    )
    with write_transaction():
        # Signing in is rare: a good moment to forget the sessions nobody can use any more.
        db.session.execute(delete(AuthSession).where(_expired(now)))
        db.session.add(session)
    return SignedIn(session)


def end_session(signed_in: SignedIn) -> None:
    """Forget the session on the server: a copy of its cookie no longer signs anyone in."""
    session_id = signed_in.session.id
    with write_transaction():
        db.session.execute(delete(AuthSession).where(AuthSession.id == session_id))


WRONG = "That email and password do not match an author account."


def _account_bucket(email: str) -> str:
    return "signin-account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def account_delay(failures: int) -> int:
    """Seconds an account must wait after its last failed sign-in.

    A few typos cost nothing; then the wait doubles with each failure up to SIGNIN_MAX_DELAY.
    Guessing stays slow, yet the owner is never locked out for longer than that.
    """
    config = current_app.config
    over = failures - config["SIGNIN_FREE_FAILURES"]
    if over < 0:
        return 0
    return int(min(config["SIGNIN_MAX_DELAY"], 2 ** (over + 1)))


def _wait_phrase(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _throttled(message: str, wait: int) -> Refused:
    return Refused(
        f"{message} Please wait {_wait_phrase(wait)} and try again.", 429, retry_after=wait
    )


def authenticate(email: str, password: str, client: str) -> Author:
    """The author with these credentials, or Refused (401, or 429 when throttled)."""
    email = email.strip().lower()
    config = current_app.config
    window = config["SIGNIN_WINDOW"]
    account = _account_bucket(email)
    client_bucket = f"signin-client:{client}"
    now = utcnow()
    # The failure is recorded (and committed) before it is reported, so it always counts.
    with write_transaction():
        wait = ratelimit.retry_after(client_bucket, config["SIGNIN_CLIENT_LIMIT"], window, now)
        if wait is not None:
            raise _throttled("Too many failed sign-ins from this address.", wait)
        failures, last = ratelimit.recent(account, window, now)
        if last is not None and (delay := account_delay(failures)):
            wait = math.ceil((last + timedelta(seconds=delay) - now).total_seconds())
            if wait > 0:
                raise _throttled("Too many failed sign-ins for this account.", wait)
        author = db.session.scalar(select(Author).where(func.lower(Author.email) == email))
        stored = author.password_hash if author and author.password_hash else _dummy_hash()
        matched = check_password_hash(stored, password) and author is not None
        if matched:
            ratelimit.forget(account)
        else:
            ratelimit.record_all([(account, window), (client_bucket, window)], now)
    if not matched or author is None:
        raise Refused(WRONG, 401)
    return author
