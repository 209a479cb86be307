"""Default settings; `instance/config.py`, `BLOG_*` variables and `DATABASE_URL` override them."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

from flask import Flask


class DefaultConfig:
    """Settings a fresh install runs with."""

    SITE_NAME = "Riverside Ledger"
    SITE_TAGLINE = "Small news, told at length."
    # Absolute base for canonical and OpenGraph URLs; empty means "the host the request came to".
    SITE_URL = ""
    # Host names the site answers to; None means any (set from SITE_URL when that is given).
    TRUSTED_HOSTS: list[str] | None = None
    POSTS_PER_PAGE = 5
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    # A comment or post never needs more than this; larger requests are refused before parsing.
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024  # the largest image upload, plus room for the form
    MAX_FORM_PARTS = 100  # no form of ours has more than a few dozen fields
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    # Load the demo posts when the server starts on an empty database.
    DEMO_CONTENT_ON_EMPTY = True
    # How many proxies in front of the app set X-Forwarded-For (0: clients connect directly).
    PROXY_COUNT = 0

    # Comments
    COMMENTS_PER_PAGE = 50  # top-level comments (with their replies) per page
    COMMENT_MAX_LENGTH = 5000
    # "open": publish at once; "links": hold comments with more than COMMENT_MAX_LINKS links;
    # "first-time": hold comments from anyone without an approved comment under that email;
    # "all": hold every comment for an author to approve.
    COMMENT_MODERATION = "links"
    COMMENT_MAX_LINKS = 2
    COMMENT_MIN_SECONDS = 3  # a person takes longer than this to read and write
    COMMENT_FORM_MAX_AGE = 2 * 24 * 3600
    COMMENT_RATE_LIMIT = 5  # comments per client ...
    COMMENT_RATE_WINDOW = 600  # ... per this many seconds
    COMMENT_EDIT_SECONDS = 15 * 60
    COMMENT_MAX_REQUEST_BYTES = 64 * 1024

    # Authors
    SIGNIN_ACCOUNT_LIMIT = 5  # failed sign-ins per account ...
    SIGNIN_CLIENT_LIMIT = 20  # ... and per client ...
    SIGNIN_WINDOW = 15 * 60  # ... per this many seconds
    UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    # Flask-Login: refuse a session cookie that moved to another browser fingerprint.
    SESSION_PROTECTION = "strong"


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill `app.config` from defaults, the instance file, the environment and `test_config`."""
    app.config.from_object(DefaultConfig)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(
        Path(app.instance_path) / "blog.sqlite3"
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("BLOG")
    if database_url := os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(database_url)
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))


def _normalise_database_url(url: str) -> str:
    """Accept the `postgres://` URLs hosting providers hand out, with the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def instance_secret_key(instance: Path) -> str:
    """Return the key kept in `instance/secret_key`, creating it on first start."""
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when several workers start at once exactly one of them writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.02)  # another process created the file and is about to write it
        raise RuntimeError(f"{path} is empty; delete it and a new key is made") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
