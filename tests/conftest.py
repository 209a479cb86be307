"""Shared fixtures: an app on a real SQLite file, data builders, and a live app server."""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy.pool import NullPool
from werkzeug.security import generate_password_hash

from blog import create_app
from blog.cli.prepare import prepare_database
from blog.comments.service import build_comment
from blog.comments.spam import form_started_token
from blog.core.markdown import render_post
from blog.core.models import Author, Comment, CommentStatus, Post, PostStatus, utcnow
from blog.core.posts import tags_named
from blog.core.text import slugify
from blog.extensions import db
from tests.liveserver import app_server, create_author

CHROMIUM = "/usr/bin/chromium"
IN_CI = bool(os.environ.get("CI"))


def skip_unless(available: bool, reason: str) -> None:
    """Skip a test whose tool is missing, except in CI, where a missing tool is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this is an error, not a skip)")
    pytest.skip(reason)


def _clean_environment(monkeypatch: pytest.MonkeyPatch, instance: Path) -> None:
    """Point the app at `instance`, with no operator settings from this machine's environment."""
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(instance))
    for name in list(os.environ):
        if (name.startswith("BLOG_") and name != "BLOG_INSTANCE_PATH") or name == "DATABASE_URL":
            monkeypatch.delenv(name)


TEST_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "DEMO_CONTENT_ON_EMPTY": False,
    "SITE_URL": "https://blog.example.test",
}

# A cheap hash for the passwords fixtures set: check_password_hash reads the method from the
# hash, so sign-in works as in production without paying for scrypt in every test.
TEST_PASSWORD_METHOD = "pbkdf2:sha256:1"


def cheap_password_hash(password: str) -> str:
    """A password hash that is quick to make and check, for test fixtures only."""
    return generate_password_hash(password, method=TEST_PASSWORD_METHOD)


class SharedTemplateCache(BytecodeCache):
    """Compiled templates kept in memory for every app the tests make (keyed by source hash)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        """Hand a template its compiled code, if an earlier app compiled the same source."""
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a newly compiled template for the next app."""
        self.compiled[bucket.key] = bucket.bytecode_to_string()


# Each test makes its own app, and Jinja would otherwise parse and compile every template anew.
TEMPLATE_CACHE = SharedTemplateCache()


class FreshRequestClient(FlaskClient):
    """A test client whose every request loads the signed-in author afresh, as a real one does.

    The `app` fixture keeps one app context open for the whole test (so that tests can use
    `db.session`), and Flask reuses it for each request, `g` included: Flask-Login's per-request
    cache of the user would otherwise carry one request's author into the next.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        """Send the request with no user cached from an earlier one."""
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once with the real migrations; each test gets a copy of it."""
    work = tmp_path_factory.mktemp("migrated")
    path = work / "template.sqlite3"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _clean_environment(monkeypatch, work / "instance")
        template = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
        prepare_database(template)
        with template.app_context():
            db.engine.dispose()
    # Fold the write-ahead log into the file, so that copying the one file copies everything.
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    return path


# `make test` runs the in-process tests twice: on SQLite, then with TEST_DATABASE=postgres on
# the PostgreSQL server at 127.0.0.1:5432 (one database for the run, emptied after each test).
TEST_DATABASE = os.environ.get("TEST_DATABASE", "sqlite")
ON_POSTGRES = TEST_DATABASE == "postgres"
POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, leave out what only SQLite has (its file, AUTOINCREMENT, online backup)."""
    if not ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="SQLite only (this run is on PostgreSQL)")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def postgres_test_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL database for the whole run, migrated once with the real migrations."""
    import psycopg

    name = f"blog_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            _clean_environment(monkeypatch, tmp_path_factory.mktemp("pg") / "instance")
            template = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
            prepare_database(template)
            with template.app_context():
                db.engine.dispose()
        yield url
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_postgres() -> None:
    """Remove every row a test wrote, and restart the ids (as a fresh SQLite copy would)."""
    tables = ", ".join(
        f'"{table.name}"' for table in db.metadata.sorted_tables if table.name != "alembic_version"
    )
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(db.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Flask]:
    """A fresh app on its own database, migrated with the real migrations, no demo posts.

    SQLite: a copy of a file migrated once. PostgreSQL: the run's database, emptied afterwards.
    """
    _clean_environment(monkeypatch, tmp_path / "instance")
    if ON_POSTGRES:
        uri = request.getfixturevalue("postgres_test_database")
    else:
        database = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("migrated_database"), database)
        uri = f"sqlite:///{database}"
    settings: dict[str, Any] = {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri}
    if ON_POSTGRES:
        # No pool: every connection closes with its session, also in the extra apps some tests
        # make from this one's settings (an unclosed connection warns, and warnings fail tests).
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"poolclass": NullPool}
    application = create_app(settings)
    application.jinja_env.bytecode_cache = TEMPLATE_CACHE
    application.test_client_class = FreshRequestClient
    with application.app_context():
        try:
            yield application
        finally:
            if ON_POSTGRES:
                _empty_postgres()
            db.session.remove()
            db.engine.dispose()


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
            tags=tags_named(tags or []),
        )
        db.session.add(post)
        db.session.commit()
        return post

    return build


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


# --- a real server for browser and end-to-end tests -------------------------------------------


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app server (2 workers) on a fresh SQLite file with the demo posts; yields its URL."""
    with app_server(tmp_path_factory.mktemp("live")) as base:
        yield base


# Comments from a test browser come fast and many: no minimum time, no rate limit, published
# at once, and three threads a page so that "Show more comments" appears.
COMMENTING_ENV = {
    "BLOG_COMMENT_MIN_SECONDS": "0",
    "BLOG_COMMENT_RATE_LIMIT": "100000",
    "BLOG_COMMENT_ADDRESS_RATE_LIMIT": "100000",
    "BLOG_COMMENT_MODERATION": "open",
    "BLOG_COMMENTS_PER_PAGE": "3",
}


@pytest.fixture(scope="session")
def commenting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like `live_server`, set up for posting many comments quickly (see COMMENTING_ENV)."""
    with app_server(tmp_path_factory.mktemp("commenting"), extra_env=COMMENTING_ENV) as base:
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
    with app_server(work, extra_env=env) as base:
        create_author(work, AUTHOR_EMAIL, AUTHOR_PASSWORD, name="Wren Writer")
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


# --- accounts ---------------------------------------------------------------------------------


def account(email: str, role: str, password: str | None = "long enough password") -> Author:
    """An account that can sign in (unless `password` is None)."""
    person = Author(
        email=email,
        name=email.split("@")[0].title(),
        role=role,
        password_hash=cheap_password_hash(password) if password else None,
    )
    db.session.add(person)
    db.session.commit()
    return person


def signed_in_as(app: Flask, person: Author) -> FlaskClient:
    """A new test client signed in as `person`."""
    browser = app.test_client()
    form = {"email": person.email, "password": "long enough password"}
    assert browser.post("/account/sign-in", data=form).status_code == 303
    return browser


@pytest.fixture
def editor(app: Flask) -> Author:
    """An editor who can sign in: ed@example.org (every post, every comment, the accounts)."""
    return account("ed@example.org", "editor")


@pytest.fixture
def wren(app: Flask) -> Author:
    """An author (not an editor) who can sign in: wren@example.org."""
    return account("wren@example.org", "author")


@pytest.fixture
def author_client(app: Flask, wren: Author) -> FlaskClient:
    """A test client signed in as `wren`."""
    return signed_in_as(app, wren)


def comment_form(**overrides: Any) -> dict[str, Any]:
    """A reader's filled-in comment form, as a browser would send it (call it in an app context)."""
    data = {
        "name": "Rowan",
        "email": "",
        "website": "",
        "body": "A thoughtful remark.",
        "parent_id": "",
        "homepage": "",
        "started": form_started_token(),
    }
    data.update(overrides)
    return data
