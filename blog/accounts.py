"""Author accounts: the operator's CLI, password checks with throttling, sign-in sessions."""

from __future__ import annotations

import hashlib
import secrets
import sys

import click
from flask import Flask, current_app
from flask_login import UserMixin
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from blog import ratelimit
from blog.database import write_transaction
from blog.extensions import db, login_manager
from blog.models import Author, AuthSession, Post

MIN_PASSWORD_LENGTH = 10
# Checked against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password-" + secrets.token_hex(8))


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


class SignInRefused(Exception):
    """Sign-in failed; `retry_after` is set when the throttle says to wait."""

    def __init__(self, message: str, status: int, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


WRONG = "That email and password do not match an author account."


def _buckets(email: str, client: str) -> list[tuple[str, int]]:
    config = current_app.config
    account = hashlib.sha256(email.encode()).hexdigest()[:32]
    return [
        (f"signin-account:{account}", int(config["SIGNIN_ACCOUNT_LIMIT"])),
        (f"signin-client:{client}", int(config["SIGNIN_CLIENT_LIMIT"])),
    ]


def authenticate(email: str, password: str, client: str) -> Author:
    """The author with these credentials, or SignInRefused (401, or 429 when throttled)."""
    email = email.strip().lower()
    window = int(current_app.config["SIGNIN_WINDOW"])
    # The failure is recorded (and committed) before it is reported, so it always counts.
    with write_transaction():
        for bucket, limit in _buckets(email, client):
            wait = ratelimit.retry_after(bucket, limit, window)
            if wait is not None:
                minutes = max(1, round(wait / 60))
                raise SignInRefused(
                    f"Too many failed sign-ins. Please wait {minutes} minute"
                    f"{'s' if minutes != 1 else ''} and try again.",
                    429,
                    retry_after=wait,
                )
        author = db.session.scalar(select(Author).where(func.lower(Author.email) == email))
        stored = author.password_hash if author and author.password_hash else _DUMMY_HASH
        matched = check_password_hash(stored, password) and author is not None
        if not matched:
            for bucket, _limit in _buckets(email, client):
                ratelimit.record(bucket, window)
    if not matched or author is None:
        raise SignInRefused(WRONG, 401)
    return author


# --- the operator's command line ----------------------------------------------------------------


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
        )
    return password


def _author_or_fail(email: str) -> Author:
    author = db.session.scalar(select(Author).where(func.lower(Author.email) == email.lower()))
    if author is None:
        raise click.ClickException(f"No author with the email {email}.")
    return author


def init_app(app: Flask) -> None:
    """Register `flask author create|list|set-password|delete`."""

    @app.cli.group("author")
    def author_group() -> None:
        """Author accounts."""

    @author_group.command("create")
    @click.argument("email")
    @click.option("--name", required=True, help="The name shown on the author's posts.")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    def create(email: str, name: str, password_stdin: bool) -> None:
        """Create an author account (asks for the password twice)."""
        email = email.strip().lower()
        if "@" not in email or len(email) > 254:
            raise click.ClickException("Please give a valid email address.")
        if not name.strip() or len(name) > 100:
            raise click.ClickException("Please give a name of 1 to 100 characters.")
        if db.session.scalar(select(Author).where(func.lower(Author.email) == email)):
            raise click.ClickException(f"An author with the email {email} exists already.")
        password = _read_password(password_stdin)
        db.session.add(
            Author(email=email, name=name.strip(), password_hash=generate_password_hash(password))
        )
        db.session.commit()
        click.echo(f"Created author {name.strip()} <{email}>.")

    @author_group.command("list")
    def list_authors() -> None:
        """List author accounts with their post counts."""
        rows = db.session.execute(
            select(Author, func.count(Post.id))
            .outerjoin(Post, Post.author_id == Author.id)
            .group_by(Author.id)
            .order_by(Author.email)
        ).all()
        if not rows:
            click.echo("No authors yet.")
        for author, posts in rows:
            can_sign_in = "" if author.password_hash else "  (no password: cannot sign in)"
            click.echo(f"{author.email}\t{author.name}\t{posts} post(s){can_sign_in}")

    @author_group.command("set-password")
    @click.argument("email")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    def set_password(email: str, password_stdin: bool) -> None:
        """Set a new password; the author's open sessions are signed out."""
        author = _author_or_fail(email)
        author.password_hash = generate_password_hash(_read_password(password_stdin))
        db.session.execute(delete(AuthSession).where(AuthSession.author_id == author.id))
        db.session.commit()
        click.echo(f"Password changed for {author.email}; their sessions are signed out.")

    @author_group.command("delete")
    @click.argument("email")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def delete_author(email: str, yes: bool) -> None:
        """Delete an author account that has no posts."""
        author = _author_or_fail(email)
        posts = db.session.scalar(select(func.count(Post.id)).where(Post.author_id == author.id))
        if posts:
            raise click.ClickException(
                f"{author.email} has {posts} post(s); delete them (or give them to another "
                "author) first."
            )
        if not yes:
            click.confirm(f"Delete the author {author.email}?", abort=True)
        db.session.delete(author)
        db.session.commit()
        click.echo(f"Deleted author {author.email}.")
