"""The operator's commands and the health check: backup and restore, doctor, maintain, demo."""

from __future__ import annotations

import sqlite3
import stat
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from blog.cli.prepare import prepare_database
from blog.comments.spam import form_started_token
from blog.core import ratelimit
from blog.core.db import write_transaction
from blog.core.models import Author, Comment, Post, Tag, utcnow
from blog.core.records import RateLimitHit
from blog.extensions import db
from tests.background import comments_arriving
from tests.conftest import PostFactory


def count(model: type) -> int:
    """Rows in a model's table."""
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """The app's command-line runner."""
    return app.test_cli_runner()


def database_file(app: Flask) -> Path:
    """The test app's SQLite file."""
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


# --- /healthz ----------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_healthz_answers_while_the_database_does(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.text == "ok\n"
    db.session.remove()
    db.engine.dispose()
    database_file(app).rename(tmp_path / "moved-away.sqlite3")
    # A missing file would be made anew by SQLite: point the app at a folder it cannot open.
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path}/no/such/folder/x.db"
    broken = _app_like(app)
    assert broken.test_client().get("/healthz").status_code == 503


def _app_like(app: Flask) -> Flask:
    from blog import create_app

    settings = {key: value for key, value in app.config.items() if key != "TRUSTED_HOSTS"}
    return create_app(settings)


# --- backup and restore ------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_backup_while_comments_arrive_then_restore(
    app: Flask, runner: FlaskCliRunner, make_post: PostFactory, tmp_path: Path
) -> None:
    post = make_post("Busy post")
    media = Path(app.instance_path) / "media"
    media.mkdir(parents=True)
    (media / ("a" * 32 + ".png")).write_bytes(b"not really a png")
    with comments_arriving(app, post.slug) as posted:
        result = runner.invoke(args=["backup", str(tmp_path / "backup")])
        assert result.exit_code == 0, result.output
    assert set(posted) == {303}
    folder = tmp_path / "backup"
    copy = folder / "blog.sqlite3"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "media" / ("a" * 32 + ".png")).stat().st_mode) == 0o600
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        saved = connection.execute("SELECT count(*) FROM comments").fetchone()[0]
    assert 20 <= saved <= len(posted)

    # More happens after the backup; restoring brings back the backup's state.
    with write_transaction():  # this session read before the writer thread wrote: start afresh
        db.session.add(Tag(name="After the backup", slug="after-the-backup"))
    (media / ("a" * 32 + ".png")).unlink()
    restored = runner.invoke(args=["restore", str(folder), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "The database it replaced is kept as" in restored.output
    assert count(Comment) == saved
    assert db.session.scalar(select(Tag).where(Tag.slug == "after-the-backup")) is None
    assert (media / ("a" * 32 + ".png")).read_bytes() == b"not really a png"
    assert list(database_file(app).parent.glob("*.before-restore-*"))


@pytest.mark.sqlite_only
def test_restore_refuses_what_is_not_a_sound_backup(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, make_post: PostFactory
) -> None:
    make_post("Still here")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "not a backup" in runner.invoke(args=["restore", str(empty), "--yes"]).output
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "blog.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    (broken / "manifest.json").write_text("{}")
    result = runner.invoke(args=["restore", str(broken), "--yes"])
    assert result.exit_code != 0 and "blog.sqlite3" in result.output
    assert count(Post) == 1  # nothing changed


@pytest.mark.sqlite_only
def test_backup_refuses_a_folder_in_use(runner: FlaskCliRunner, tmp_path: Path) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "something").write_text("x")
    result = runner.invoke(args=["backup", str(tmp_path / "used")])
    assert result.exit_code != 0 and "is not empty" in result.output


def test_backup_on_postgres_names_pg_dump(
    app: Flask, runner: FlaskCliRunner, postgres_url: str, tmp_path: Path
) -> None:
    app.config["SQLALCHEMY_DATABASE_URI"] = postgres_url
    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert result.exit_code != 0
    assert "back it up with pg_dump" in result.output and "pg_dump --format=custom" in result.output
    assert not (tmp_path / "backup").exists()


# --- doctor ------------------------------------------------------------------------------------


def test_doctor_passes_a_sound_set_up(app: Flask, runner: FlaskCliRunner) -> None:
    app.config["PROXY_COUNT"] = 1  # the test SITE_URL is https: as behind nginx
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    assert "PROBLEM" not in result.output


@pytest.mark.parametrize(
    ("config", "args", "problem"),
    [
        ({"SECRET_KEY": "dev"}, [], "secret key: SECRET_KEY is short or an example"),
        (
            {"SITE_URL": "", "TRUSTED_HOSTS": ["localhost", "127.0.0.1"]},
            ["--listen", "0.0.0.0"],
            "host names: the server listens on 0.0.0.0",
        ),
        (
            {"SITE_URL": "https://blog.example.test", "PROXY_COUNT": 0},
            [],
            "proxy: SITE_URL is https",
        ),
    ],
)
def test_doctor_names_each_mistake(
    app: Flask, config: dict[str, Any], args: list[str], problem: str
) -> None:
    app.config.update(config)
    result = app.test_cli_runner().invoke(args=["doctor", *args])
    assert result.exit_code == 1
    assert f"PROBLEM  {problem}" in result.output


def test_doctor_finds_pending_migrations(app: Flask) -> None:
    head = db.session.scalar(db.text("SELECT version_num FROM alembic_version"))
    db.session.execute(db.text("UPDATE alembic_version SET version_num = '0004'"))
    db.session.commit()
    try:
        result = app.test_cli_runner().invoke(args=["doctor"])
        assert result.exit_code == 1 and "PROBLEM  migrations: at 0004" in result.output
    finally:
        # The PostgreSQL run shares one database between tests: leave it as it was.
        db.session.execute(db.text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        db.session.commit()


# --- maintain, comments erase ------------------------------------------------------------------


def test_maintain_prunes_what_no_longer_counts(
    app: Flask, runner: FlaskCliRunner, author: Author
) -> None:
    old = utcnow() - timedelta(days=3)
    db.session.add_all(
        [
            RateLimitHit(bucket="comment:old", created_at=old),
            RateLimitHit(bucket="comment-form:old", created_at=old),
            RateLimitHit(bucket="comment:new", created_at=utcnow()),
        ]
    )
    db.session.commit()
    result = runner.invoke(args=["maintain"])
    assert result.exit_code == 0, result.output
    assert "Removed 2 spent counters." in result.output
    assert "expired sign-in sessions" in result.output
    assert [hit.bucket for hit in db.session.scalars(select(RateLimitHit))] == ["comment:new"]


def test_counting_clears_old_hits_now_and_then(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between daily runs of `flask maintain`, counting clears a kind's old hits once a minute."""
    monkeypatch.setattr(ratelimit, "_pruned_at", {})
    old = utcnow() - timedelta(days=3)
    db.session.add_all([RateLimitHit(bucket=f"comment:{n}", created_at=old) for n in range(3)])
    db.session.commit()
    ratelimit.record("comment:a", 60)
    db.session.commit()
    assert [hit.bucket for hit in db.session.scalars(select(RateLimitHit))] == ["comment:a"]
    # Within the minute, no clearing: a post costs no DELETE (old hits are ignored anyway).
    db.session.add(RateLimitHit(bucket="comment:old", created_at=old))
    ratelimit.record("comment:b", 60)
    db.session.commit()
    assert len(db.session.scalars(select(RateLimitHit)).all()) == 3
    assert ratelimit.retry_after("comment:old", 1, 60) is None
    monkeypatch.setitem(
        ratelimit._pruned_at, "comment:", time.monotonic() - ratelimit.PRUNE_EVERY_SECONDS
    )
    ratelimit.record("comment:c", 60)
    db.session.commit()
    assert sorted(hit.bucket for hit in db.session.scalars(select(RateLimitHit))) == [
        "comment:a",
        "comment:b",
        "comment:c",
    ]


def test_erase_a_commenters_personal_data(
    app: Flask, runner: FlaskCliRunner, make_post: PostFactory, make_comment: Any
) -> None:
    post = make_post()
    mine = make_comment(post, "Please forget me", name="Quentin", website="https://q.example")
    mine.author_email = "q@example.org"
    other = make_comment(post, "Keep me", name="Rosa")
    db.session.commit()
    result = runner.invoke(args=["comments", "erase", "Q@Example.org"])
    assert "Erased the personal data of 1 comment(s)." in result.output
    db.session.refresh(mine)
    db.session.refresh(other)
    assert (mine.author_name, mine.author_email, mine.author_website) == (
        "(name removed)",
        None,
        None,
    )
    assert mine.body_source == "Please forget me" and other.author_name == "Rosa"


# --- leaving the demo --------------------------------------------------------------------------


def test_demo_remove_deletes_the_demo_and_nothing_else(
    app: Flask, runner: FlaskCliRunner, make_post: PostFactory, author: Author
) -> None:
    runner.invoke(args=["demo", "load"])
    mine = make_post("My own post", tags=["Local News", "Mine"])
    result = runner.invoke(args=["demo", "remove", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Removed 2 authors, 10 posts" in result.output
    assert list(db.session.scalars(select(Post.title))) == ["My own post"]
    assert set(db.session.scalars(select(Author.email))) == {author.email}
    assert set(db.session.scalars(select(Tag.slug))) == {"local-news", "mine"}
    assert count(Comment) == 0 and mine.id
    # An empty blog stays empty after the demo was removed, even on a fresh start.
    db.session.delete(mine)
    db.session.commit()
    app.config["DEMO_CONTENT_ON_EMPTY"] = True
    prepare_database(app)
    assert count(Post) == 0


# --- closing comments ---------------------------------------------------------------------------


def test_closed_comments_take_no_more(
    app: Flask,
    runner: FlaskCliRunner,
    client: FlaskClient,
    make_post: PostFactory,
    make_comment: Any,
) -> None:
    app.config.update(COMMENT_MIN_SECONDS=0, COMMENT_MODERATION="open")
    post = make_post("Closing soon")
    old = make_post("Old news", published_at=utcnow() - timedelta(days=400))
    parent = make_comment(post, "Before closing")
    result = runner.invoke(args=["comments", "close", post.slug, "--older-than", "365"])
    assert "Closed comments on 2 post(s)." in result.output
    page = client.get(f"/posts/{post.slug}").text
    assert "Comments are closed on this article." in page
    assert "Before closing" in page and "/reply" not in page
    data = {"name": "Late", "body": "Too late", "started": form_started_token()}
    for slug in (post.slug, old.slug):
        assert client.post(f"/posts/{slug}/comments", data=data).status_code == 403
    assert client.get(f"/posts/{post.slug}/comments/{parent.id}/reply").status_code == 403
    runner.invoke(args=["comments", "open", post.slug])
    assert client.post(f"/posts/{post.slug}/comments", data=data).status_code == 303


def test_comments_close_by_age_setting(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    app.config.update(
        COMMENT_MIN_SECONDS=0, COMMENT_MODERATION="open", COMMENTS_CLOSE_AFTER_DAYS=30
    )
    fresh = make_post("Fresh")
    stale = make_post("Stale", published_at=utcnow() - timedelta(days=31))
    data = {"name": "R", "body": "Hello", "started": form_started_token()}
    assert client.post(f"/posts/{fresh.slug}/comments", data=data).status_code == 303
    assert "Comments are closed" in client.get(f"/posts/{stale.slug}").text
    data = {"name": "R", "body": "Hello again", "started": form_started_token()}
    assert client.post(f"/posts/{stale.slug}/comments", data=data).status_code == 403
