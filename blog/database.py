"""Database connection settings and the start-up step that migrates and seeds it."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Engine, event


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turn on foreign keys and WAL so readers never wait on a writer."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def prepare_database(app: Flask) -> None:
    """Bring the schema to the newest migration and, on an empty blog, load the demo posts."""
    from blog import demo

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        if app.config["DEMO_CONTENT_ON_EMPTY"] and demo.blog_is_empty():
            demo.load_demo_content()


def init_app(app: Flask) -> None:
    """Register the `flask prepare` command used by `make run` and the server's start hook."""

    @app.cli.command("prepare")
    def prepare_command() -> None:
        """Migrate the database and load demo content if the blog is empty."""
        prepare_database(app)
