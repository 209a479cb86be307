"""Migrations: they build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from blog import create_app
from blog.cli.prepare import prepare_database
from blog.core.models import PostRevision
from blog.extensions import db
from blog.search.schema import include_object
from tests.conftest import ON_POSTGRES, PostFactory

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def schema_drift(app: Flask) -> list[object]:
    """Differences between the migrated database and the models (empty when they agree)."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        return list(compare_metadata(context, db.metadata))


def test_sqlite_migrations_match_models(app: Flask) -> None:
    assert schema_drift(app) == []


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


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite only (it migrates down and up again)")
def test_revisions_from_before_0018_get_their_posts_cover(
    app: Flask, make_post: PostFactory
) -> None:
    """Revisions kept no cover before 0018: they take their post's, so restoring keeps it."""
    post = make_post("Covered")
    post.cover_image, post.cover_alt = "/media/" + "a" * 64 + "-40x20.jpg", "The weir"
    db.session.add(PostRevision(post_id=post.id, title="Older", slug="covered", body_source="x"))
    db.session.commit()
    directory = app.extensions["migrate"].directory
    downgrade(directory=directory, revision="0017")
    upgrade(directory=directory)
    db.session.expire_all()
    revision = db.session.scalars(select(PostRevision)).one()
    assert (revision.cover_image, revision.cover_alt) == (post.cover_image, "The weir")
    assert schema_drift(app) == []
