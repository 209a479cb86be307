"""Bounded load and crash tests: the app server, 4 workers, one SQLite file, 127.0.0.1 only."""

from __future__ import annotations

import http.client
import sqlite3
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.httpclient import AuthorBrowser, Commenter
from tests.liveserver import AppServer, create_author

pytestmark = pytest.mark.e2e  # real app servers

CLIENTS = 20
COMMENTS_EACH = 25
AUTHORS = 3
SAVES_EACH = 10
# No spam defences in the way: this measures the database under parallel writers.
LOAD_ENV = {
    "BLOG_COMMENT_MIN_SECONDS": "0",
    "BLOG_COMMENT_RATE_LIMIT": "1000000",
    "BLOG_COMMENT_ADDRESS_RATE_LIMIT": "1000000",
    "BLOG_COMMENT_MODERATION": "open",
}


def database(work: Path) -> Path:
    """The server's SQLite file."""
    return work / "instance" / "blog.sqlite3"


def bodies_stored(work: Path, prefix: str) -> Counter[str]:
    """How many times each comment body starting with `prefix` is stored."""
    with sqlite3.connect(database(work)) as conn:
        rows = conn.execute(
            "SELECT body_source FROM comments WHERE body_source LIKE ?", (prefix + "%",)
        ).fetchall()
    return Counter(body for (body,) in rows)


def test_parallel_comments_and_saves_are_all_stored_exactly_once(tmp_path: Path) -> None:
    server = AppServer(tmp_path, workers=4, extra_env=LOAD_ENV)
    base = server.start()
    try:
        create_author(tmp_path, "load@example.org", "load test password")
        commenters = [Commenter(base) for _ in range(CLIENTS)]
        authors = [
            AuthorBrowser(base, "load@example.org", "load test password") for _ in range(AUTHORS)
        ]

        def write(number: int) -> list[int]:
            commenter = commenters[number]
            return [commenter.post_comment(f"load {number}-{n}") for n in range(COMMENTS_EACH)]

        def save(number: int) -> list[int]:
            author = authors[number]
            code, location = author.save("/editor/posts/new", f"Load post {number}", "First.")
            codes = [code]
            for n in range(SAVES_EACH):
                codes.append(author.save(location, f"Load post {number}", f"Version {n}.")[0])
            return codes

        with ThreadPoolExecutor(CLIENTS + AUTHORS) as pool:
            comment_jobs = [pool.submit(write, n) for n in range(CLIENTS)]
            save_jobs = [pool.submit(save, n) for n in range(AUTHORS)]
            codes = Counter(code for job in comment_jobs for code in job.result())
            saves = Counter(code for job in save_jobs for code in job.result())
    finally:
        server.stop()
    assert codes == {303: CLIENTS * COMMENTS_EACH}, codes
    assert saves == {303: AUTHORS * (SAVES_EACH + 1)}, saves
    stored = bodies_stored(tmp_path, "load ")
    assert len(stored) == CLIENTS * COMMENTS_EACH
    assert set(stored.values()) == {1}
    with sqlite3.connect(database(tmp_path)) as conn:
        query = "SELECT count(*) FROM posts WHERE title LIKE 'Load post %'"
        (posts,) = conn.execute(query).fetchone()
        (revisions,) = conn.execute("SELECT count(*) FROM post_revisions").fetchone()
    assert posts == AUTHORS and revisions == AUTHORS * SAVES_EACH
    log = server.log.read_text()
    assert "database is locked" not in log and "Traceback" not in log


def test_sigkill_during_writes_loses_nothing_acknowledged(tmp_path: Path) -> None:
    server = AppServer(tmp_path, workers=4, extra_env=LOAD_ENV)
    base = server.start()
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    commenters = [Commenter(base, timeout=5) for _ in range(8)]

    def write(number: int) -> None:
        for n in range(400):  # bounded: the kill comes long before this runs out
            if stop.is_set():
                return
            body = f"crash {number}-{n}"
            try:
                code = commenters[number].post_comment(body)
            except (OSError, http.client.HTTPException):
                return  # the server is gone (perhaps in the middle of a page)
            if code == 303:
                with lock:
                    acknowledged.append(body)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(len(commenters))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()  # SIGKILL master and workers in the middle of writes
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acknowledged) >= 150, "the load never got going"

    with sqlite3.connect(database(tmp_path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = bodies_stored(tmp_path, "crash ")
    missing = [body for body in acknowledged if body not in stored]
    assert missing == [], f"{len(missing)} acknowledged comments lost: {missing[:5]}"
    assert set(stored.values()) == {1}

    # The site serves again at once after a restart, with every acknowledged comment.
    started = time.monotonic()
    server.start()
    try:
        assert time.monotonic() - started < 30
        with urllib.request.urlopen(base + "/", timeout=10) as response:
            assert response.status == 200
        page = Commenter(base).get(commenters[0].article)
        assert "crash 0-0" in page or "Show more comments" in page
    finally:
        server.stop()
