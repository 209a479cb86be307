"""Author accounts: password checks with throttling, and sign-in sessions kept on the server."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from flask import current_app, request
from flask_login import UserMixin
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from blog.core import ratelimit
from blog.core.db import write_transaction
from blog.core.models import Author, AuthSession
from blog.core.web import Refused
from blog.extensions import db, login_manager

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """A salted scrypt hash of `password`."""
    return generate_password_hash(password, method="scrypt")


@cache
def _dummy_hash() -> str:
    # Checked against when the email is unknown, so both failures take the same time. Made on
    # first use, not at import: every worker and every command would pay for it otherwise.
    return hash_password("not-a-real-password-" + secrets.token_hex(8))


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


@login_manager.user_loader
def _load(token_hash: str) -> SignedIn | None:
    session = db.session.scalar(select(AuthSession).where(AuthSession.token_hash == token_hash))
    return SignedIn(session) if session else None


def start_session(author: Author) -> SignedIn:
    """A new sign-in session for `author` (a new id each time: no fixation)."""
    session = AuthSession(token_hash=_hash_token(secrets.token_urlsafe(32)), author_id=author.id)
    with write_transaction():
        db.session.add(session)
    return SignedIn(session)


def end_session(signed_in: SignedIn) -> None:
    """Forget the session on the server: a copy of its cookie no longer signs anyone in."""
    session_id = signed_in.session.id
    with write_transaction():
        db.session.execute(delete(AuthSession).where(AuthSession.id == session_id))


WRONG = "That email and password do not match an author account."


def _buckets(email: str, client: str) -> list[tuple[str, int]]:
    config = current_app.config
    account = hashlib.sha256(email.encode()).hexdigest()[:32]
    return [
        (f"signin-account:{account}", config["SIGNIN_ACCOUNT_LIMIT"]),
        (f"signin-client:{client}", config["SIGNIN_CLIENT_LIMIT"]),
    ]


def authenticate(email: str, password: str, client: str) -> Author:
    """The author with these credentials, or Refused (401, or 429 when throttled)."""
    email = email.strip().lower()
    window = current_app.config["SIGNIN_WINDOW"]
    # The failure is recorded (and committed) before it is reported, so it always counts.
    with write_transaction():
        for bucket, limit in _buckets(email, client):
            wait = ratelimit.retry_after(bucket, limit, window)
            if wait is not None:
                minutes = max(1, round(wait / 60))
                raise Refused(
                    f"Too many failed sign-ins. Please wait {minutes} minute"
                    f"{'s' if minutes != 1 else ''} and try again.",
                    429,
                    retry_after=wait,
                )
        author = db.session.scalar(select(Author).where(func.lower(Author.email) == email))
        stored = author.password_hash if author and author.password_hash else _dummy_hash()
        matched = check_password_hash(stored, password) and author is not None
        if not matched:
            for bucket, _limit in _buckets(email, client):
                ratelimit.record(bucket, window)
    if not matched or author is None:
        raise Refused(WRONG, 401)
    return author
