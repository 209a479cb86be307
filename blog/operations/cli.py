"""The operator's commands: backup, restore, doctor, maintain, recount, comments, cache."""

from __future__ import annotations

import os
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import Flask

from blog.core.cachestate import bump, bump_if_due
from blog.core.pagefiles import files_for
from blog.extensions import db
from blog.operations import backup as backups
from blog.operations.doctor import diagnose
from blog.operations.maintain import (
    close_comments,
    erase_commenter,
    maintain,
    open_comments,
    recount,
    rerender,
)


def _known_versions(app: Flask) -> set[str]:
    script = ScriptDirectory(app.extensions["migrate"].directory)
    return {revision.revision for revision in script.walk_revisions()}


def init_app(app: Flask) -> None:
    """Register the operator's commands."""

    @app.cli.group("cache")
    def cache_group() -> None:
        """The page cache (copies of reader pages; files for nginx in PAGE_CACHE_DIR)."""

    @cache_group.command("refresh")
    def cache_refresh() -> None:
        """Drop copies made before a scheduled post went live (run every minute by a timer)."""
        files_for(app).mark_watched()
        if bump_if_due():
            click.echo("A scheduled post went live: cached pages dropped.")

    @cache_group.command("clear")
    def cache_clear() -> None:
        """Drop every cached page, in every server process (after changing settings)."""
        with db.engine.begin() as connection:
            bump(connection)
        files_for(app).clear()
        click.echo("Cached pages dropped.")

    @app.cli.command("backup")
    @click.argument("folder", type=click.Path(path_type=Path))
    def backup_command(folder: Path) -> None:
        """Copy the live database and the uploaded media into FOLDER (owner-only)."""
        try:
            result = backups.backup(folder)
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from None
        counts = ", ".join(f"{count} {name}" for name, count in result.counts.items())
        click.echo(f"Backed up {counts} and {result.media_files} media file(s) to {folder}.")

    @app.cli.command("restore")
    @click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_command(folder: Path, yes: bool) -> None:
        """Replace the database and media with the backup in FOLDER (stop the server first)."""
        try:
            manifest = backups.check_backup(folder, _known_versions(app))
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from None
        if not yes:
            click.confirm(
                f"Replace this blog with the backup made at {manifest.get('made_at')}?",
                abort=True,
            )
        try:
            aside = backups.restore(folder, _known_versions(app))
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Restored. The database it replaced is kept as {aside}.")

    @app.cli.command("doctor")
    @click.option(
        "--listen",
        default=lambda: os.environ.get("HOST", "127.0.0.1"),
        help="The address the server listens on (default: $HOST, else 127.0.0.1).",
    )
    def doctor_command(listen: str) -> None:
        """Check the set-up for common mistakes; exit status 1 when anything is wrong."""
        findings = diagnose(app, listen)
        for finding in findings:
            mark = "ok     " if finding.ok else "PROBLEM"
            click.echo(f"{mark}  {finding.name}: {finding.detail}")
        if not all(finding.ok for finding in findings):
            raise SystemExit(1)

    @app.cli.command("maintain")
    def maintain_command() -> None:
        """Routine clean-up (run it daily, e.g. from a systemd timer)."""
        for what, count in maintain().items():
            click.echo(f"Removed {count} {what}.")

    @app.cli.command("rerender")
    def rerender_command() -> None:
        """Render every post again from its Markdown (after an upgrade of the renderer)."""
        click.echo(f"Rendered every post again: {rerender()} changed.")

    @app.cli.command("recount")
    def recount_command() -> None:
        """Count again every count kept on rows (after changing posts or comments in SQL)."""
        recount()
        click.echo("Counted comments, listings and months again.")

    @app.cli.group("comments")
    def comments_group() -> None:
        """Commenters' data."""

    @comments_group.command("close")
    @click.argument("slugs", nargs=-1)
    @click.option(
        "--older-than",
        type=click.IntRange(min=0),
        help="Also every post older than this many days.",
    )
    def close_command(slugs: tuple[str, ...], older_than: int | None) -> None:
        """Close comments on the posts SLUGS (and/or on old posts): no new comments or replies."""
        if not slugs and older_than is None:
            raise click.UsageError("Name the posts' slugs, or give --older-than DAYS.")
        click.echo(f"Closed comments on {close_comments(list(slugs), older_than)} post(s).")

    @comments_group.command("open")
    @click.argument("slugs", nargs=-1, required=True)
    def open_command(slugs: tuple[str, ...]) -> None:
        """Open comments again on the posts SLUGS."""
        click.echo(f"Opened comments on {open_comments(list(slugs))} post(s).")

    @comments_group.command("erase")
    @click.argument("email")
    def erase_command(email: str) -> None:
        """Remove a commenter's name, email and website from all their comments."""
        click.echo(f"Erased the personal data of {erase_commenter(email)} comment(s).")
