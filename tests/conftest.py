"""Shared fixtures: an app on a real SQLite file, data builders, and a live gunicorn server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from blog import create_app
from blog.comment_service import build_comment
from blog.database import prepare_database
from blog.extensions import db
from blog.markdown import render_post
from blog.models import Author, Comment, CommentStatus, Post, PostStatus, Tag, utcnow
from blog.text import slugify
from tests.liveserver import gunicorn_server

CHROMIUM = "/usr/bin/chromium"
IN_CI = bool(os.environ.get("CI"))


def skip_unless(available: bool, reason: str) -> None:
    """Skip a test whose tool is missing, except in CI, where a missing tool is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this is an error, not a skip)")
    pytest.skip(reason)


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """A fresh app on its own SQLite file, migrated with the real migrations, no demo posts."""
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path / "instance"))
    for name in list(os.environ):
        if (name.startswith("BLOG_") and name != "BLOG_INSTANCE_PATH") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite3'}",
            "WTF_CSRF_ENABLED": False,
            "DEMO_CONTENT_ON_EMPTY": False,
            "SITE_URL": "https://blog.example.test",
        }
    )
    prepare_database(application)
    with application.app_context():
        yield application
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """The Flask test client for `app`."""
    return app.test_client()


@pytest.fixture
def author(app: Flask) -> Author:
    """One author in the database."""
    person = Author(email="ada@example.org", name="Ada Quill", bio="Writes tests.")
    db.session.add(person)
    db.session.commit()
    return person


PostFactory = Callable[..., Post]


@pytest.fixture
def make_post(app: Flask, author: Author) -> PostFactory:
    """Build and store a post; published a day ago unless told otherwise."""
    counter = iter(range(1, 10_000))

    def build(
        title: str | None = None,
        *,
        status: PostStatus = PostStatus.PUBLISHED,
        published_at: datetime | None = None,
        body: str = "Opening paragraph.\n\n## A section\n\nMore text.",
        summary: str = "A short summary.",
        tags: list[str] | None = None,
    ) -> Post:
        number = next(counter)
        title = title or f"Post number {number}"
        when = published_at or (utcnow() - timedelta(days=1, minutes=number))
        post = Post(
            title=title,
            slug=slugify(title),
            summary=summary,
            body_source=body,
            body_html=render_post(body),
            status=status.value,
            published_at=None if status is PostStatus.DRAFT else when,
            author=author,
            tags=[_tag(name) for name in tags or []],
        )
        db.session.add(post)
        db.session.commit()
        return post

    return build


def _tag(name: str) -> Tag:
    slug = slugify(name)
    return db.session.scalar(db.select(Tag).where(Tag.slug == slug)) or Tag(name=name, slug=slug)


@pytest.fixture
def make_comment(app: Flask) -> Callable[..., Comment]:
    """Build and store a comment (approved unless told otherwise)."""
    counter = iter(range(1, 100_000))

    def build(
        post: Post,
        body: str | None = None,
        *,
        name: str = "Reader",
        status: CommentStatus = CommentStatus.APPROVED,
        parent: Comment | None = None,
        website: str | None = None,
        minutes_after: int = 5,
    ) -> Comment:
        assert post.published_at is not None
        comment = build_comment(
            post,
            name=name,
            body=body or f"Comment number {next(counter)}.",
            website=website,
            parent=parent,
            status=status,
            created_at=post.published_at + timedelta(minutes=minutes_after),
        )
        db.session.add(comment)
        db.session.commit()
        return comment

    return build


# --- a real server for browser and end-to-end tests -------------------------------------------


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Gunicorn (2 workers) on a fresh SQLite file with the demo posts; yields its base URL."""
    with gunicorn_server(tmp_path_factory.mktemp("live")) as base:
        yield base


# Comments from a test browser come fast and many: no minimum time, no rate limit, published
# at once, and three threads a page so that "Show more comments" appears.
COMMENTING_ENV = {
    "BLOG_COMMENT_MIN_SECONDS": "0",
    "BLOG_COMMENT_RATE_LIMIT": "100000",
    "BLOG_COMMENT_MODERATION": "open",
    "BLOG_COMMENTS_PER_PAGE": "3",
}


@pytest.fixture(scope="session")
def commenting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like `live_server`, set up for posting many comments quickly (see COMMENTING_ENV)."""
    with gunicorn_server(tmp_path_factory.mktemp("commenting"), extra_env=COMMENTING_ENV) as base:
        yield base


AUTHOR_EMAIL = "writer@example.org"
AUTHOR_PASSWORD = "a long test passphrase"


@pytest.fixture(scope="session")
def authoring_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live server with an author account and every comment held for moderation.

    The account (AUTHOR_EMAIL / AUTHOR_PASSWORD) is made with the real `flask author create`.
    """
    work = tmp_path_factory.mktemp("authoring")
    env = {**COMMENTING_ENV, "BLOG_COMMENT_MODERATION": "all"}
    with gunicorn_server(work, extra_env=env) as base:
        cli_env = {key: value for key, value in os.environ.items() if not key.startswith("BLOG_")}
        cli_env["BLOG_INSTANCE_PATH"] = str(work / "instance")
        flask = Path(sys.executable).parent / "flask"
        subprocess.run(
            [str(flask), "--app", "blog", "author", "create", AUTHOR_EMAIL, "--name",
             "Wren Writer", "--password-stdin"],
            input=AUTHOR_PASSWORD + "\n", text=True, env=cli_env, check=True, capture_output=True,
        )  # fmt: skip
        yield base


# --- Playwright with Debian's Chromium ---------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium (Playwright cannot download its own browser here)."""
    # Session fixtures start before function ones: skip here, before the launch fails.
    skip_unless(Path(CHROMIUM).exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def needs_chromium() -> None:
    """Skip (or, in CI, fail) when Debian's Chromium is not installed."""
    skip_unless(Path(CHROMIUM).exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
