"""Default settings; `instance/config.py`, `BLOG_*` variables and `DATABASE_URL` override them.

Every setting is checked once, when the app is made: numbers become ints, the moderation mode an
enum, and a mistake stops the app with a message that names the setting.
"""

from __future__ import annotations

import enum
import functools
import os
import secrets
import time
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask


class Moderation(enum.StrEnum):
    """Which new comments wait for an author before readers see them."""

    OPEN = "open"  # none: publish at once
    LINKS = "links"  # those with more than COMMENT_MAX_LINKS links
    FIRST_TIME = "first-time"  # those from anyone without an approved comment under that email
    ALL = "all"  # every one


class ConfigError(ValueError):
    """A setting the blog cannot run with; the message names it and says what it takes."""


class DefaultConfig:
    """Settings a fresh install runs with."""

    SITE_NAME = "Riverside Ledger"
    SITE_TAGLINE = "Small news, told at length."
    # Absolute base for canonical and OpenGraph URLs; empty means "the host the request came to".
    SITE_URL = ""
    # Host names the site answers to (others get 400). Empty: SITE_URL's host (when set) plus
    # localhost and 127.0.0.1. Set it as a list, or as "a.example,b.example" in BLOG_TRUSTED_HOSTS.
    TRUSTED_HOSTS: list[str] = []
    POSTS_PER_PAGE = 5
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    # A comment or post never needs more than this; larger requests are refused before parsing.
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024  # the largest image upload, plus room for the form
    MAX_FORM_PARTS = 100  # no form of ours has more than a few dozen fields
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    # Extra links in the header after Home, Tags and Archive, e.g. pages: [["About", "/about"]].
    NAVIGATION: list[list[str]] = []
    # Load the demo posts when the server starts on an empty database.
    DEMO_CONTENT_ON_EMPTY = True
    # How many proxies in front of the app set X-Forwarded-For (0: clients connect directly).
    PROXY_COUNT = 0
    # The IANA time zone readers and authors see times in (stored times stay UTC), and whose
    # calendar months the archive follows, e.g. "Europe/Paris".
    TIMEZONE = "UTC"
    # The page cache (blog/core/pagecache.py): anonymous reader pages are rendered once and
    # served again until something on them changes. PAGE_CACHE_DIR (empty: none) also writes
    # whole pages as files there for nginx to serve (docs/deploy.md).
    PAGE_CACHE = True
    PAGE_CACHE_DIR = ""
    PAGE_CACHE_MEMORY_MB = 32  # per server process

    # Comments
    COMMENTS_PER_PAGE = 50  # top-level comments (with their replies) per page
    COMMENT_MAX_LENGTH = 5000
    # One of Moderation's values: "open", "links", "first-time" or "all".
    COMMENT_MODERATION = Moderation.LINKS
    COMMENT_MAX_LINKS = 2
    COMMENT_MIN_SECONDS = 3  # a person takes longer than this to read and write
    COMMENT_FORM_MAX_AGE = 6 * 3600  # a form's one-use stamp is good for this many seconds
    COMMENT_RATE_LIMIT = 5  # comments per commenter (a browser) ...
    COMMENT_RATE_WINDOW = 600  # ... per this many seconds
    COMMENT_ADDRESS_RATE_LIMIT = 60  # comments per address (shared by everyone behind it) ...
    COMMENT_ADDRESS_RATE_WINDOW = 600  # ... per this many seconds
    COMMENT_EDIT_SECONDS = 15 * 60
    COMMENTS_CLOSE_AFTER_DAYS = 0  # close comments on posts older than this (0: never)
    COMMENT_MAX_REQUEST_BYTES = 64 * 1024

    # Authors
    SIGNIN_CLIENT_LIMIT = 20  # failed sign-ins per client ...
    SIGNIN_WINDOW = 15 * 60  # ... per this many seconds
    # After this many failures on one account, each further attempt waits for a delay that
    # doubles with every failure, up to SIGNIN_MAX_DELAY seconds (no long lock-out).
    SIGNIN_FREE_FAILURES = 3
    SIGNIN_MAX_DELAY = 30
    UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    # Where uploaded images are kept; empty: instance/media. Several app servers share one
    # folder (a disk they all mount), and nginx can serve it directly.
    MEDIA_DIR = ""
    # Decoded size limits for uploaded images (a small file can hold a huge picture).
    IMAGE_MAX_PIXELS = 40_000_000
    IMAGE_MAX_SIDE = 12_000
    # A sign-in ends after this many days without a visit, and after this many days at most.
    SESSION_IDLE_DAYS = 14
    SESSION_MAX_DAYS = 90
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
    if not app.config.get("MEDIA_DIR"):
        app.config["MEDIA_DIR"] = str(Path(app.instance_path) / "media")
    validate_config(app.config)


# Whole-number settings and the smallest value each may take.
WHOLE_NUMBERS: dict[str, int] = {
    "POSTS_PER_PAGE": 1,
    "MAX_CONTENT_LENGTH": 1024,
    "MAX_FORM_PARTS": 1,
    "PROXY_COUNT": 0,
    "COMMENTS_PER_PAGE": 1,
    "COMMENT_MAX_LENGTH": 1,
    "COMMENT_MAX_LINKS": 0,
    "COMMENT_MIN_SECONDS": 0,
    "COMMENT_FORM_MAX_AGE": 1,
    "COMMENT_RATE_LIMIT": 1,
    "COMMENT_RATE_WINDOW": 1,
    "COMMENT_ADDRESS_RATE_LIMIT": 1,
    "COMMENT_ADDRESS_RATE_WINDOW": 1,
    "COMMENT_EDIT_SECONDS": 0,
    "COMMENTS_CLOSE_AFTER_DAYS": 0,
    "COMMENT_MAX_REQUEST_BYTES": 1024,
    "PAGE_CACHE_MEMORY_MB": 1,
    "SIGNIN_FREE_FAILURES": 0,
    "SESSION_IDLE_DAYS": 1,
    "SESSION_MAX_DAYS": 1,
    "SIGNIN_MAX_DELAY": 1,
    "SIGNIN_CLIENT_LIMIT": 1,
    "SIGNIN_WINDOW": 1,
    "UPLOAD_MAX_BYTES": 1,
    "IMAGE_MAX_PIXELS": 1,
    "IMAGE_MAX_SIDE": 1,
}
YES_NO = ("DEMO_CONTENT_ON_EMPTY", "PAGE_CACHE")


def _whole_number(name: str, value: Any, minimum: int) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not (isinstance(value, int) or text.isdigit()):
        raise ConfigError(f"{name} must be a whole number, not {value!r}.")
    number = int(text)
    if number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {number}.")
    return number


def _yes_no(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}.")


def _navigation(value: Any) -> list[tuple[str, str]]:
    links = value or []
    if not isinstance(links, list | tuple) or not all(
        isinstance(link, list | tuple)
        and len(link) == 2
        and all(isinstance(part, str) and part.strip() for part in link)
        and str(link[1]).startswith("/")
        and not str(link[1]).startswith("//")
        for link in links
    ):
        raise ConfigError(
            f'NAVIGATION must be a list of [label, path] pairs like [["About", "/about"]], '
            f"not {value!r}."
        )
    return [(str(label).strip(), str(path).strip()) for label, path in links]


def _host_names(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not all(isinstance(name, str) for name in names):
        raise ConfigError(f"TRUSTED_HOSTS must be a list of host names, not {value!r}.")
    return [name.strip().lower() for name in names if name.strip()]


@functools.lru_cache(maxsize=8)
def time_zone(name: str) -> tzinfo:
    """The time zone called `name` (read from the system's database once per name)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        if name == "UTC":
            return UTC  # the default works even where no time zone database is installed
        raise ConfigError(
            f"TIMEZONE must be an IANA time zone name such as Europe/Paris or America/New_York, "
            f"not {name!r}."
        ) from None


def _time_zone_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"TIMEZONE must be an IANA time zone name such as UTC, not {value!r}.")
    name = value.strip()
    time_zone(name)
    return name


def validate_config(config: dict[str, Any]) -> None:
    """Check and convert the settings in place; ConfigError names the first one that is wrong."""
    for name, minimum in WHOLE_NUMBERS.items():
        config[name] = _whole_number(name, config[name], minimum)
    for name in YES_NO:
        config[name] = _yes_no(name, config[name])
    config["TRUSTED_HOSTS"] = _host_names(config["TRUSTED_HOSTS"])
    config["NAVIGATION"] = _navigation(config["NAVIGATION"])
    config["TIMEZONE"] = _time_zone_name(config["TIMEZONE"])
    site_url = str(config["SITE_URL"] or "")
    if site_url and (
        urlsplit(site_url).scheme not in ("http", "https") or not urlsplit(site_url).hostname
    ):
        raise ConfigError(
            f"SITE_URL must be a full address such as https://blog.example.org, not {site_url!r}."
        )
    try:
        config["COMMENT_MODERATION"] = Moderation(str(config["COMMENT_MODERATION"]).strip())
    except ValueError:
        choices = ", ".join(mode.value for mode in Moderation)
        raise ConfigError(
            f"COMMENT_MODERATION must be one of {choices}, not {config['COMMENT_MODERATION']!r}."
        ) from None


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
