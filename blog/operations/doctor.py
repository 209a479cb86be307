"""`flask doctor`: the mistakes operators make, each found and explained with its fix."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from blog.core.security import LOCAL_HOSTS
from blog.extensions import db
from blog.search import schema as search_schema

# Keys people copy from examples and tutorials instead of making their own.
EXAMPLE_KEYS = {"dev", "secret", "changeme", "change-me", "your-secret-key", "secret-key", "key"}
MIN_KEY_LENGTH = 32


@dataclass(frozen=True)
class Finding:
    """One check: what was looked at, whether it is fine, and how to fix it if not."""

    name: str
    ok: bool
    detail: str


def _is_loopback(host: str) -> bool:
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_secret_key(app: Flask) -> Finding:
    """The secret key signs sessions and forms: long, random and the blog's own."""
    key = str(app.config.get("SECRET_KEY") or "")
    if not key:
        return Finding("secret key", False, "no SECRET_KEY: delete BLOG_SECRET_KEY to get one")
    if key.lower() in EXAMPLE_KEYS or len(key) < MIN_KEY_LENGTH:
        return Finding(
            "secret key",
            False,
            f"SECRET_KEY is short or an example ({len(key)} characters); unset it to have one "
            f"made in instance/secret_key, or set at least {MIN_KEY_LENGTH} random characters",
        )
    return Finding("secret key", True, f"{len(key)} characters")


def check_debug(app: Flask) -> Finding:
    """Debug mode shows tracebacks (and an interactive console) to anyone."""
    if app.debug or os.environ.get("FLASK_DEBUG", "").lower() in ("1", "true", "yes"):
        return Finding("debug", False, "debug is on: unset FLASK_DEBUG and never use --debug")
    return Finding("debug", True, "off")


def check_addresses(app: Flask, listen: str) -> Finding:
    """Serving beyond this machine needs the site's own name, or every visitor gets 400."""
    hosts = [host for host in app.config["TRUSTED_HOSTS"] if not _is_loopback(host)]
    if _is_loopback(listen) or hosts:
        return Finding("host names", True, ", ".join(app.config["TRUSTED_HOSTS"]))
    return Finding(
        "host names",
        False,
        f"the server listens on {listen} but answers only to {', '.join(LOCAL_HOSTS)}: set "
        "BLOG_SITE_URL=https://your.site (and BLOG_TRUSTED_HOSTS for other names)",
    )


def check_proxy(app: Flask) -> Finding:
    """An https SITE_URL usually means a proxy terminates TLS in front of the blog."""
    https = urlsplit(str(app.config.get("SITE_URL") or "")).scheme == "https"
    if https and not app.config["PROXY_COUNT"]:
        return Finding(
            "proxy",
            False,
            "SITE_URL is https but PROXY_COUNT is 0: behind nginx set BLOG_PROXY_COUNT=1, or "
            "every reader shares one rate limit and cookies are not marked Secure",
        )
    return Finding("proxy", True, f"PROXY_COUNT={app.config['PROXY_COUNT']}")


def check_database(app: Flask) -> list[Finding]:
    """The database answers, takes writes, and has every migration."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as error:
        return [Finding("database", False, f"cannot connect: {error.__class__.__name__}")]
    head = ScriptDirectory(app.extensions["migrate"].directory).get_current_head()
    pending = f"at {current}, newest is {head}: run `flask --app blog db upgrade` (make run does)"
    found = [
        Finding("migrations", current == head, f"at {current}" if current == head else pending)
    ]
    try:
        with db.engine.begin() as connection:
            connection.execute(text("CREATE TEMPORARY TABLE doctor_probe (x INTEGER)"))
            connection.execute(text("DROP TABLE doctor_probe"))
    except SQLAlchemyError as error:
        found.append(Finding("database", False, f"not writable: {error.__class__.__name__}"))
    else:
        found.append(Finding("database", True, "answers and takes writes"))
    return found


def check_search() -> Finding:
    """Search needs its index (a migration that rebuilt the posts table would drop it)."""
    try:
        with db.engine.connect() as connection:
            lacking = search_schema.missing(connection)
    except SQLAlchemyError as error:
        return Finding("search index", False, f"cannot read: {error.__class__.__name__}")
    if lacking:
        return Finding(
            "search index",
            False,
            f"missing {', '.join(lacking)}: run `flask --app blog search reindex`",
        )
    return Finding("search index", True, "in place")


def check_media(app: Flask) -> Finding:
    """Uploads go to instance/media, which the server must be able to write."""
    media = Path(app.config["MEDIA_DIR"])
    folder = media if media.exists() else Path(app.instance_path)
    if os.access(folder, os.W_OK | os.X_OK):
        return Finding("media folder", True, str(media))
    return Finding("media folder", False, f"{folder} is not writable by this user")


def diagnose(app: Flask, listen: str) -> list[Finding]:
    """Every check, in the order they are reported."""
    return [
        check_secret_key(app),
        check_debug(app),
        check_addresses(app, listen),
        check_proxy(app),
        *check_database(app),
        check_search(),
        check_media(app),
    ]
