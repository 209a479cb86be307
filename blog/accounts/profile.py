"""What a signed-in author changes about themselves: name, bio, password, other sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select

from blog.accounts.service import MIN_PASSWORD_LENGTH, SignedIn, authenticate, hash_password
from blog.core.db import write_transaction
from blog.core.models import Author
from blog.core.records import AuthSession
from blog.core.web import Refused
from blog.extensions import db


@dataclass(frozen=True)
class OpenSession:
    """One browser where the author is signed in, as the profile page lists it."""

    created_at: datetime
    last_seen_at: datetime
    current: bool


def open_sessions(signed_in: SignedIn) -> list[OpenSession]:
    """The author's sign-in sessions, this one first, then the most recently seen."""
    sessions = db.session.scalars(
        select(AuthSession)
        .where(AuthSession.author_id == signed_in.author.id)
        .order_by(AuthSession.last_seen_at.desc())
    )
    listed = [
        OpenSession(found.created_at, found.last_seen_at, found.id == signed_in.session.id)
        for found in sessions
    ]
    return sorted(listed, key=lambda found: not found.current)


def update_profile(author: Author, *, name: str, bio: str) -> None:
    """The name shown on the author's posts, and the bio under them."""
    with write_transaction():
        author.name = name
        author.bio = bio


def _sign_out_others(signed_in: SignedIn) -> int:
    result = db.session.execute(
        delete(AuthSession).where(
            AuthSession.author_id == signed_in.author.id,
            AuthSession.id != signed_in.session.id,
        )
    )
    return int(cast(CursorResult[Any], result).rowcount or 0)


def sign_out_others(signed_in: SignedIn) -> int:
    """End every session of the author but this one; how many there were."""
    with write_transaction():
        return _sign_out_others(signed_in)


def change_password(signed_in: SignedIn, current: str, new: str, client: str) -> int:
    """Set a new password after checking the current one; the other sessions end.

    The current password is checked (and throttled) as a sign-in is, so this form is no
    quicker way to guess it. Returns how many other sessions were signed out.
    """
    author = signed_in.author
    try:
        authenticate(author.email, current, client)
    except Refused as refused:
        wrong = refused.status == 401
        raise Refused(
            "That is not your current password." if wrong else refused.message,
            422 if wrong else refused.status,
            field="current_password",
            retry_after=refused.retry_after,
        ) from None
    if len(new) < MIN_PASSWORD_LENGTH:
        raise Refused(
            f"Please choose at least {MIN_PASSWORD_LENGTH} characters.", 422, field="new_password"
        )
    if new == current:
        raise Refused("That is your current password.", 422, field="new_password")
    with write_transaction():
        author.password_hash = hash_password(new)
        return _sign_out_others(signed_in)
