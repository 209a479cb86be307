"""Demo content and the start-up step: migrations, first-start seeding, the CLI command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select

from blog import create_app
from blog.cli.prepare import prepare_database
from blog.core.models import Comment, Post, PostStatus, Tag
from blog.demo import content
from blog.extensions import db

PUBLISHED = [p for p in content.posts() if p.status == PostStatus.PUBLISHED.value]


def count(model: type) -> int:
    """Rows in the model's table."""
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def fresh_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """An app on an empty database file that nothing has migrated yet."""
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"})


def test_first_start_migrates_and_seeds(fresh_app: Flask) -> None:
    prepare_database(fresh_app)
    with fresh_app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert {"authors", "posts", "tags", "post_tags", "comments", "alembic_version"} <= tables
        assert count(Post) == len(content.posts())
        assert count(Tag) >= 5
        assert count(Comment) > 0


def test_second_start_adds_nothing(fresh_app: Flask) -> None:
    prepare_database(fresh_app)
    prepare_database(fresh_app)
    with fresh_app.app_context():
        assert count(Post) == len(content.posts())


def test_no_seeding_into_a_blog_that_has_posts(app: Flask, make_post: object) -> None:
    make_post()  # type: ignore[operator]
    app.config["DEMO_CONTENT_ON_EMPTY"] = True
    prepare_database(app)
    assert count(Post) == 1


def test_seeding_can_be_switched_off(fresh_app: Flask) -> None:
    fresh_app.config["DEMO_CONTENT_ON_EMPTY"] = False
    prepare_database(fresh_app)
    with fresh_app.app_context():
        assert count(Post) == 0


def test_cli_loads_demo_on_demand(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert f"Added {len(content.posts())} demo post(s)." in result.output
    again = runner.invoke(args=["demo", "load"])
    assert "Added 0 demo post(s)." in again.output
    assert count(Post) == len(content.posts())


def test_demo_posts_read_like_articles(app: Flask) -> None:
    app.test_cli_runner().invoke(args=["demo", "load"])
    client = app.test_client()
    home = client.get("/").text
    first = re.search(r'href="(/posts/[^"#]+)"', home)
    assert first
    article = client.get(first.group(1)).text
    assert len(re.findall(r"<h2 id=\"[a-z0-9-]+\">", article)) >= 3
    assert 'rel="tag"' in article
    assert len(PUBLISHED) >= 5
    for post in PUBLISHED:
        assert len(post.body.split()) >= 400, post.slug


def test_demo_has_hidden_posts_that_stay_hidden(app: Flask) -> None:
    app.test_cli_runner().invoke(args=["demo", "load"])
    client = app.test_client()
    hidden = [p for p in content.posts() if p.status != PostStatus.PUBLISHED.value]
    assert {p.status for p in hidden} == {"draft", "scheduled"}
    for post in hidden:
        assert client.get(f"/posts/{post.slug}").status_code == 404


def test_cli_prepare_command(fresh_app: Flask) -> None:
    result = fresh_app.test_cli_runner().invoke(args=["prepare"])
    assert result.exit_code == 0, result.output
    with fresh_app.app_context():
        assert count(Post) == len(content.posts())
