"""Abuse limits hold across server processes: the app server with two workers on one database.

Each test runs on SQLite (WAL, BEGIN IMMEDIATE) and on PostgreSQL (its write lock), the two
ways the blog makes parallel writers wait their turn.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from tests.httpclient import Commenter
from tests.liveserver import app_server

pytestmark = pytest.mark.e2e  # real app servers

BASE_ENV = {
    "BLOG_COMMENT_MIN_SECONDS": "0",
    "BLOG_COMMENT_MODERATION": "open",
    "BLOG_COMMENT_RATE_WINDOW": "600",
}


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> dict[str, str]:
    """The server's database: its own SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return {}
    return {"DATABASE_URL": request.getfixturevalue("postgres_url")}


def stored(work: Path, like: str, backend: dict[str, str]) -> int:
    """Comments in the server's database whose body starts with `like`."""
    query = "SELECT count(*) FROM comments WHERE body_source LIKE "
    if "DATABASE_URL" in backend:
        name = backend["DATABASE_URL"].rsplit("/", 1)[1]
        with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={name}") as conn:
            row = conn.execute(query + "%s", (like + "%",)).fetchone()
    else:
        with closing(sqlite3.connect(work / "instance" / "blog.sqlite3")) as conn:
            row = conn.execute(query + "?", (like + "%",)).fetchone()
    assert row is not None
    return int(row[0])


def post_pids(work: Path) -> set[str]:
    """Worker pids that answered a comment POST, from the access log."""
    log = (work / "server.log").read_text()
    return set(re.findall(r'"POST /posts/[^"]+/comments HTTP/1.1" \d+ .*pid=<?(\d+)', log))


@pytest.mark.parametrize("attempts", [24])
def test_rate_limit_is_shared_by_both_workers(
    tmp_path: Path, attempts: int, backend: dict[str, str]
) -> None:
    env = {**BASE_ENV, **backend, "BLOG_COMMENT_RATE_LIMIT": "5"}
    with app_server(tmp_path, workers=2, extra_env=env) as base:
        browser = Commenter(base)
        with ThreadPoolExecutor(8) as pool:
            codes = list(
                pool.map(browser.post_comment, [f"Rate test {n}" for n in range(attempts)])
            )
        pids = post_pids(tmp_path)
    assert Counter(codes) == {303: 5, 429: attempts - 5}, Counter(codes)
    assert stored(tmp_path, "Rate test", backend) == 5
    assert len(pids) == 2, f"only one worker answered: {pids}"


def test_duplicates_are_refused_across_workers(tmp_path: Path, backend: dict[str, str]) -> None:
    env = {**BASE_ENV, **backend, "BLOG_COMMENT_RATE_LIMIT": "1000"}
    with app_server(tmp_path, workers=2, extra_env=env) as base:
        browser = Commenter(base)
        with ThreadPoolExecutor(8) as pool:
            # Enough requests that both workers take some, whichever accepts faster.
            codes = list(pool.map(browser.post_comment, ["The very same words"] * 48))
        pids = post_pids(tmp_path)
    assert Counter(codes) == {303: 1, 409: 47}, Counter(codes)
    assert stored(tmp_path, "The very same words", backend) == 1
    assert len(pids) == 2, f"only one worker answered: {pids}"
