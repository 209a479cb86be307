"""The operator's `flask author create|list|set-password|delete` commands."""

from __future__ import annotations

import sys

import click
from flask import Flask
from sqlalchemy import delete, func, select

from blog.accounts.service import (
    MIN_PASSWORD_LENGTH,
    authors_with_post_counts,
    change_role,
    default_role,
    hash_password,
    prune_sessions,
)
from blog.core.models import Author, Limits, Post, Role
from blog.core.records import AuthSession
from blog.core.web import Refused
from blog.extensions import db


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
    """Register `flask author create|list|set-role|set-password|prune-sessions|delete`."""

    @app.cli.group("author")
    def author_group() -> None:
        """Author accounts."""

    @author_group.command("create")
    @click.argument("email")
    @click.option("--name", required=True, help="The name shown on the author's posts.")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    @click.option(
        "--role",
        type=click.Choice([role.value for role in Role]),
        help="editor: every post, every comment, the accounts; author: their own posts. "
        "Default: editor while no editor can sign in, else author.",
    )
    def create(email: str, name: str, password_stdin: bool, role: str | None) -> None:
        """Create an author account (asks for the password twice)."""
        email = email.strip().lower()
        if "@" not in email or len(email) > Limits.AUTHOR_EMAIL:
            raise click.ClickException("Please give a valid email address.")
        if not name.strip() or len(name) > Limits.AUTHOR_NAME:
            raise click.ClickException(
                f"Please give a name of 1 to {Limits.AUTHOR_NAME} characters."
            )
        if db.session.scalar(select(Author).where(func.lower(Author.email) == email)):
            raise click.ClickException(f"An author with the email {email} exists already.")
        password = _read_password(password_stdin)
        chosen = Role(role) if role else default_role()
        db.session.add(
            Author(
                email=email,
                name=name.strip(),
                password_hash=hash_password(password),
                role=chosen.value,
            )
        )
        db.session.commit()
        click.echo(f"Created {chosen.value} {name.strip()} <{email}>.")

    @author_group.command("list")
    def list_authors() -> None:
        """List author accounts with their post counts."""
        rows = authors_with_post_counts()
        if not rows:
            click.echo("No authors yet.")
        for author, posts in rows:
            can_sign_in = "" if author.password_hash else "  (no password: cannot sign in)"
            click.echo(
                f"{author.email}\t{author.name}\t{posts} post(s)\t{author.role}{can_sign_in}"
            )

    @author_group.command("set-role")
    @click.argument("email")
    @click.argument("role", type=click.Choice([role.value for role in Role]))
    def set_role(email: str, role: str) -> None:
        """Make an account an editor or an author."""
        author = _author_or_fail(email)
        try:
            change_role(author.id, Role(role))
        except Refused as refused:
            raise click.ClickException(refused.message) from None
        click.echo(f"{author.email} is now an {role}.")

    @author_group.command("set-password")
    @click.argument("email")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    def set_password(email: str, password_stdin: bool) -> None:
        """Set a new password; the author's open sessions are signed out."""
        author = _author_or_fail(email)
        author.password_hash = hash_password(_read_password(password_stdin))
        db.session.execute(delete(AuthSession).where(AuthSession.author_id == author.id))
        db.session.commit()
        click.echo(f"Password changed for {author.email}; their sessions are signed out.")

    @author_group.command("prune-sessions")
    def prune_sessions_command() -> None:
        """Delete sign-in sessions that have expired (signing in also does this)."""
        click.echo(f"Deleted {prune_sessions()} expired sign-in session(s).")

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
