"""Backups of a live blog and their restore: the database and the uploaded media.

On SQLite the copy is made with SQLite's online backup API, page by page while the site keeps
serving and taking comments: never a plain file copy, which could catch a half-written page.
Everything written is readable by its owner only (files 0600, folders 0700).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from blog.core.cachestate import bump
from blog.core.models import Author, Comment, Post, Tag, utcnow
from blog.core.pagefiles import files_for
from blog.extensions import db

DATABASE_FILE = "blog.sqlite3"
MANIFEST_FILE = "manifest.json"
COUNTED = {"authors": Author, "posts": Post, "tags": Tag, "comments": Comment}


class BackupError(Exception):
    """A backup or restore that cannot be done, with what to do about it."""


def sqlite_path() -> Path | None:
    """The database file, or None when the blog runs on another database."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    return Path(url.database)


def pg_dump_command() -> str:
    """How to back up a PostgreSQL blog instead."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    host = url.host or "localhost"
    return (
        f"pg_dump --format=custom --file=blog.dump --host={host} --port={url.port or 5432} "
        f"--username={url.username or 'postgres'} {url.database}"
    )


def row_counts() -> dict[str, int]:
    """How many authors, posts, tags and comments the blog holds."""
    return {
        name: int(db.session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in COUNTED.items()
    }


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def _copy_private(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    target.chmod(0o600)


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote."""

    folder: Path
    counts: dict[str, int]
    media_files: int


def backup(folder: Path) -> BackupResult:
    """Copy the live database and the media into `folder` (new or empty)."""
    source = sqlite_path()
    if source is None:
        raise BackupError(
            "This blog runs on PostgreSQL: back it up with pg_dump, e.g.\n  " + pg_dump_command()
        )
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty; give a new folder for the backup.")
    _private_dir(folder)
    target = folder / DATABASE_FILE
    # Created owner-only before SQLite writes a byte into it.
    target.touch(mode=0o600)
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
        # In one step: a backup made in slices restarts whenever a comment lands meanwhile, and
        # on a busy blog might never end. One step reads one snapshot (WAL lets writers go on).
        live.backup(copy)
    with closing(sqlite3.connect(target)) as copy:
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        counts = {
            name: int(copy.execute(f"SELECT count(*) FROM {name}").fetchone()[0])
            for name in COUNTED
        }
        version = copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    target.chmod(0o600)
    media = Path(current_app.config["MEDIA_DIR"])
    copied = 0
    if media.is_dir():
        _private_dir(folder / "media")
        for item in sorted(media.iterdir()):
            if item.is_file() and not item.name.endswith(".part"):
                _copy_private(item, folder / "media" / item.name)
                copied += 1
    manifest = {
        "made_at": utcnow().isoformat(timespec="seconds") + "Z",
        "schema": version,
        "counts": counts,
        "media_files": copied,
    }
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    (folder / MANIFEST_FILE).chmod(0o600)
    return BackupResult(folder, counts, copied)


def check_backup(folder: Path, known_versions: set[str]) -> dict[str, object]:
    """The manifest of a sound backup in `folder`, else BackupError saying what is wrong."""
    database = folder / DATABASE_FILE
    if not database.is_file() or not (folder / MANIFEST_FILE).is_file():
        raise BackupError(f"{folder} is not a backup made by `backup` (no {DATABASE_FILE}).")
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as copy:
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
            version = copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{database} is not a readable SQLite database: {error}") from None
    if check != "ok":
        raise BackupError(f"{database} is damaged: integrity_check says {check!r}.")
    if version not in known_versions:
        raise BackupError(
            f"{database} has schema {version!r}, which this version of the blog does not know."
        )
    return dict(manifest)


def restore(folder: Path, known_versions: set[str]) -> Path:
    """Put the backup in `folder` in place of the blog's database and media (server stopped).

    The current database and media are kept aside; their new name is returned.
    """
    target = sqlite_path()
    if target is None:
        raise BackupError("This blog runs on PostgreSQL: restore it with pg_restore.")
    check_backup(folder, known_versions)
    db.session.remove()
    db.engine.dispose()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = target.with_name(f"{target.name}.before-restore-{stamp}")
    if target.exists():
        target.rename(aside)
    for suffix in ("-wal", "-shm"):
        # A log left beside the old file would be replayed into the restored one.
        old = target.with_name(target.name + suffix)
        if old.exists():
            old.rename(aside.with_name(aside.name + suffix))
    _copy_private(folder / DATABASE_FILE, target)
    media = Path(current_app.config["MEDIA_DIR"])
    if (folder / "media").is_dir():
        if media.exists():
            media.rename(media.with_name(f"media.before-restore-{stamp}"))
        shutil.copytree(folder / "media", media)
        # Served to everyone (perhaps by a web server under its own user): readable again.
        media.chmod(0o755)
        for item in media.iterdir():
            item.chmod(0o644)
    # Pages written from the replaced database must not outlive it (nginx would serve them).
    files_for(current_app).clear()
    with db.engine.begin() as connection:
        bump(connection)
    return aside
