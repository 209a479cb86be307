"""Abuse limits hold across server processes: gunicorn with two workers on one SQLite file."""

from __future__ import annotations

import http.cookiejar
import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.liveserver import gunicorn_server

BASE_ENV = {
    "BLOG_COMMENT_MIN_SECONDS": "0",
    "BLOG_COMMENT_MODERATION": "open",
    "BLOG_COMMENT_RATE_WINDOW": "600",
}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep 303s as answers: they mean "stored"."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """A cookie-keeping HTTP client that has opened an article and holds its form."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )
        with self.opener.open(base + "/", timeout=10) as response:
            home = response.read().decode()
        found = re.search(r'href="(/posts/[^"#]+)"', home)
        assert found
        self.article = found.group(1)
        with self.opener.open(base + self.article, timeout=10) as response:
            page = response.read().decode()
        self.hidden = {
            name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            for name in ("csrf_token", "started")
        }

    def post_comment(self, body: str) -> int:
        """POST a comment; return the status code."""
        data = urllib.parse.urlencode(
            {**self.hidden, "name": "Load Tester", "body": body, "parent_id": "", "homepage": ""}
        ).encode()
        try:
            with self.opener.open(self.base + self.article + "/comments", data, timeout=30) as r:
                return int(r.status)
        except urllib.error.HTTPError as error:
            error.close()
            return int(error.code)


def stored(work: Path, like: str) -> int:
    """Comments in the server's database whose body starts with `like`."""
    with sqlite3.connect(work / "instance" / "blog.sqlite3") as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM comments WHERE body_source LIKE ?", (like + "%",)
        ).fetchone()
    return int(count)


def post_pids(work: Path) -> set[str]:
    """Worker pids that answered a comment POST, from the access log."""
    log = (work / "gunicorn.log").read_text()
    return set(re.findall(r'"POST /posts/[^"]+/comments HTTP/1.1" \d+ .*pid=<?(\d+)', log))


@pytest.mark.parametrize("attempts", [24])
def test_rate_limit_is_shared_by_both_workers(tmp_path: Path, attempts: int) -> None:
    env = {**BASE_ENV, "BLOG_COMMENT_RATE_LIMIT": "5"}
    with gunicorn_server(tmp_path, workers=2, extra_env=env) as base:
        browser = Browser(base)
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(browser.post_comment,
                                  [f"Rate test {n}" for n in range(attempts)]))  # fmt: skip
        pids = post_pids(tmp_path)
    assert Counter(codes) == {303: 5, 429: attempts - 5}, Counter(codes)
    assert stored(tmp_path, "Rate test") == 5
    assert len(pids) == 2, f"only one worker answered: {pids}"


def test_duplicates_are_refused_across_workers(tmp_path: Path) -> None:
    env = {**BASE_ENV, "BLOG_COMMENT_RATE_LIMIT": "1000"}
    with gunicorn_server(tmp_path, workers=2, extra_env=env) as base:
        browser = Browser(base)
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(browser.post_comment, ["The very same words"] * 16))
        pids = post_pids(tmp_path)
    assert Counter(codes) == {303: 1, 409: 15}, Counter(codes)
    assert stored(tmp_path, "The very same words") == 1
    assert len(pids) == 2, f"only one worker answered: {pids}"
