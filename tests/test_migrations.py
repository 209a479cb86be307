"""Migrations: they build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from blog import create_app
from blog.cli.prepare import prepare_database
from blog.extensions import db
from tests.conftest import skip_unless

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def schema_drift(app: Flask) -> list[object]:
    """Differences between the migrated database and the models (empty when they agree)."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, db.metadata))


def test_sqlite_migrations_match_models(app: Flask) -> None:
    assert schema_drift(app) == []


def _postgres_available() -> bool:
    try:
        import psycopg

        psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=3
        ).close()
    except Exception:
        return False
    return True


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL database on the local server."""
    skip_unless(_postgres_available(), "PostgreSQL is not running on 127.0.0.1:5432")
    import psycopg

    name = f"blog_test_{uuid.uuid4().hex[:10]}"
    admin = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgres_migrates_seeds_and_serves(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    app = create_app()
    prepare_database(app)
    assert schema_drift(app) == []
    client = app.test_client()
    home = client.get("/")
    assert home.status_code == 200
    article = re.search(r'href="(/posts/[^"#]+)"', home.text)
    assert article
    assert "Comment" in client.get(article.group(1)).text
    assert re.search(r"\d+ posts?</span>", client.get("/archive/").text)
    with app.app_context():
        db.engine.dispose()
