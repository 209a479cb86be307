"""The posting floor of the blog's fixed stack, measured as the blog's posting is.

`measure_floor(work, seconds, posters)` serves scripts/floor_app.py (Flask, Flask-WTF, SQLAlchemy
and Jinja doing the least a comment form can do) with granian as serve.py serves the blog, on a
post that already has POSTING_COMMENTS comments, and drives it with scripts/bench_post.lua: the
same readers, each fetching a fresh form then posting it. scripts/bench.py reports its rate next
to the blog's and Isso's: no blog on this stack posts faster on this machine. Alone:

    .venv/bin/python scripts/bench_floor.py      # BENCH_SECONDS (default 10), BENCH_POSTERS (8)

Every process it starts is stopped again, also on an error or Ctrl-C.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import POSTING_COMMENTS, ROOT
from benchkit import WORKERS, GranianServer, main_alone, run_wrk, tail
from floor_app import ADD, COMMENTS, METADATA, POSTS, SLUG, database
from sqlalchemy import func, insert, select

POST_LUA = ROOT / "scripts" / "bench_post.lua"
SERVER = f"granian, {WORKERS} workers"


def build_database(path: Path, comments: int) -> None:
    """A fresh floor database: one post with `comments` comments and its count kept."""
    path.unlink(missing_ok=True)
    engine = database(str(path))
    METADATA.create_all(engine)
    with engine.begin() as connection:
        post = connection.execute(
            insert(POSTS).values(slug=SLUG, title="The towpath", comment_count=comments)
        ).lastrowid
        rows = [
            {
                "post_id": post,
                "author_name": f"Reader {number % 50}",
                "body": f"Comment {number}: the lock keeper says the towpath reopens on Friday.",
                "created_at": "2025-06-01 12:00:00",
            }
            for number in range(comments)
        ]
        connection.execute(ADD, rows)
    engine.dispose()


def stored(path: Path, tag: str) -> tuple[int, int]:
    """How many of this run's comments the floor database holds, and the post's kept count."""
    engine = database(str(path))
    with engine.connect() as connection:
        found = connection.execute(
            select(func.count()).where(COMMENTS.c.body.like(f"bench {tag} %"))
        ).scalar_one()
        count = connection.execute(select(POSTS.c.comment_count)).scalar_one()
    engine.dispose()
    return int(found), int(count)


def measure_floor(work: Path, seconds: int, posters: int) -> dict[str, Any]:
    """The floor app's posting rate: `posters` wrk connections, each form then post, `seconds`.

    `work` is an existing folder for its database and log (the caller cleans up). Raises
    RuntimeError when it stored nothing or fewer comments than it acknowledged.
    """
    path = work / "floor.sqlite3"
    build_database(path, POSTING_COMMENTS)
    granian = Path(sys.executable).parent / "granian"
    server = GranianServer(
        "floor",
        work,
        granian,
        "floor_app:create_app",
        "/ping",
        {"FLOOR_DATABASE": str(path)},
        extra=("--factory", "--working-dir", str(ROOT / "scripts")),
    )
    tag = f"f{int(time.time())}"
    article = f"/posts/{SLUG}"
    try:
        server.start()
        figures = run_wrk(
            server.base + article,
            posters,
            posters,
            seconds,
            POST_LUA,
            (f"{article}/comments/form-parts", f"{article}/comments", server.base, tag),
        )
    finally:
        server.stop()
    statuses = {int(status): count for status, count in figures["statuses"].items()}
    acknowledged = sum(count for status, count in statuses.items() if 200 <= status < 400)
    found, count = stored(path, tag)
    if not acknowledged:
        raise RuntimeError(f"the floor app stored nothing: answers {statuses}\n{tail(server.log)}")
    if found < acknowledged:
        raise RuntimeError(f"the floor app acknowledged {acknowledged} comments, stored {found}")
    figures.update(
        {
            "posts_per_second": acknowledged / figures["seconds"],
            "statuses": statuses,
            "acknowledged": acknowledged,
            "stored": found,
            "kept_count": count,
            "existing_comments": POSTING_COMMENTS,
            "server_errors": sum(count for status, count in statuses.items() if status >= 500),
            "posters": posters,
            "server": SERVER,
        }
    )
    return figures


def describe(figures: dict[str, Any]) -> str:
    """One line of what the floor did."""
    return (
        f"floor ({figures['server']}): {figures['posts_per_second']:.1f} posts/s;"
        f" p50 {figures['p50_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms at"
        f" {figures['posters']} readers; stored {figures['stored']} of"
        f" {figures['acknowledged']} acknowledged"
    )


if __name__ == "__main__":
    sys.exit(main_alone("floor", measure_floor, describe))
