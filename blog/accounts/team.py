"""The editors' side of accounts: one-time invitations, and removing an author."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final, cast

from sqlalchemy import CursorResult, delete, func, select, update

from blog.accounts.service import MIN_PASSWORD_LENGTH, editors_who_can_sign_in, hash_password
from blog.core.db import write_transaction
from blog.core.models import Author, Post, Role, utcnow
from blog.core.records import Invite
from blog.core.web import Refused
from blog.extensions import db

INVITE_VALID: Final = timedelta(hours=48)
INVITE_GONE: Final = (
    "This invitation has been used or has expired. Please ask an editor for a new link."
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _email_taken(email: str) -> bool:
    found = select(Author.id).where(func.lower(Author.email) == email).limit(1)
    return db.session.scalar(found) is not None


@dataclass(frozen=True)
class NewInvite:
    """An invitation just made: the token exists only here, to be shown to the editor once."""

    invite: Invite
    token: str


def invite(email: str, role: Role, editor: Author) -> NewInvite:
    """A one-time invitation for `email`, valid for 48 hours; earlier unused ones for it end."""
    email = email.strip().lower()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with write_transaction():
        if _email_taken(email):
            raise Refused(f"{email} has an account already.", 409, field="email")
        db.session.execute(delete(Invite).where(Invite.email == email, Invite.used_at.is_(None)))
        made = Invite(
            token_hash=_hash(token),
            email=email,
            role=role.value,
            created_by_id=editor.id,
            created_at=now,
            expires_at=now + INVITE_VALID,
        )
        db.session.add(made)
    return NewInvite(made, token)


def pending_invites() -> list[Invite]:
    """Invitations not used yet and not expired, the newest first."""
    return list(
        db.session.scalars(
            select(Invite)
            .where(Invite.used_at.is_(None), Invite.expires_at > utcnow())
            .order_by(Invite.created_at.desc())
        )
    )


def withdraw(invite_id: int) -> None:
    """Make an unused invitation's link useless."""
    with write_transaction():
        db.session.execute(delete(Invite).where(Invite.id == invite_id, Invite.used_at.is_(None)))


def open_invite(token: str) -> Invite:
    """The usable invitation behind a link, or Refused (410)."""
    if not token or len(token) > 100:
        raise Refused(INVITE_GONE, 410)
    found = db.session.scalar(select(Invite).where(Invite.token_hash == _hash(token)))
    if found is None or found.used_at is not None or found.expires_at <= utcnow():
        raise Refused(INVITE_GONE, 410)
    return found


def accept(token: str, *, name: str, password: str) -> Author:
    """Open the account an invitation offers; the link is spent in the same transaction.

    Two people sending the form at once: one UPDATE claims the invitation, the other finds
    it used.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Refused(
            f"Please choose at least {MIN_PASSWORD_LENGTH} characters.", 422, field="password"
        )
    now = utcnow()
    with write_transaction():
        invitation = open_invite(token)
        claimed = db.session.execute(
            update(Invite)
            .where(Invite.id == invitation.id, Invite.used_at.is_(None))
            .values(used_at=now)
        )
        if cast(CursorResult[Any], claimed).rowcount != 1:
            raise Refused(INVITE_GONE, 410)
        if _email_taken(invitation.email):
            raise Refused(f"{invitation.email} has an account already: please sign in.", 409)
        author = Author(
            email=invitation.email,
            name=name,
            password_hash=hash_password(password),
            role=invitation.role,
            created_at=now,
        )
        db.session.add(author)
    return author


def other_authors(author_id: int) -> list[Author]:
    """Every account but this one, by email: who could take over its posts."""
    return list(
        db.session.scalars(select(Author).where(Author.id != author_id).order_by(Author.email))
    )


def post_count(author: Author) -> int:
    """How many posts (of every status) the author has."""
    return int(
        db.session.scalar(select(func.count(Post.id)).where(Post.author_id == author.id)) or 0
    )


def remove_author(author_id: int, heir_id: int | None, editor: Author) -> tuple[str, int]:
    """Delete an account after giving its posts to `heir_id`; its name and the posts moved.

    Their comments stay, no longer marked as an author's; their sessions end with the account.
    """
    with write_transaction():
        author = db.session.get(Author, author_id)
        if author is None:
            raise Refused("There is no such author.", 404)
        if author.id == editor.id:
            raise Refused("You cannot remove your own account.", 409)
        if author.is_editor and author.password_hash and editors_who_can_sign_in() <= 1:
            raise Refused(f"{author.name} is the only editor who can sign in.", 409)
        moved = post_count(author)
        if moved:
            heir = db.session.get(Author, heir_id) if heir_id else None
            if heir is None or heir.id == author.id:
                raise Refused(
                    f"Please choose who takes over {author.name}'s posts.", 422, field="heir"
                )
            db.session.execute(
                update(Post).where(Post.author_id == author.id).values(author_id=heir.id)
            )
        name = author.name
        db.session.execute(delete(Author).where(Author.id == author.id))
    return name, moved
