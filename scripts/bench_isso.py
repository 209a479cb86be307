"""Isso's comment posting rate, measured on this machine: the reference of the posting target.

The issue asks the blog to post comments at ≥ 3 x Isso's rate "measured the same way in the same
run". `measure_isso(work, seconds, posters)` does that measuring, for scripts/bench.py or alone:

    .venv/bin/python scripts/bench_isso.py      # BENCH_SECONDS (default 10), BENCH_POSTERS (8)

1. Installs Isso (ISSO_VERSION) and the blog's own granian version in a venv of their own,
   `.bench/isso-venv` (git-ignored), once: Isso's pins must not touch the blog's venv.
2. Writes an isso.cfg in `work`: SQLite database there, no moderation, no rate limit (the guard
   off, as the blog's limits are off in its own posting test), no notifications.
3. Builds the database with Isso's own schema code, then one thread with POSTING_COMMENTS
   comments, the size of the blog's posting test (scripts/bench_data.py). The thread exists
   before the run, so Isso never fetches the page to learn its title.
4. Serves Isso's WSGI app (isso.run:application) with granian as serve.py serves the blog: WSGI,
   2 workers, 1 blocking thread each, no websockets, access log on. It waits until both
   workers have answered, or wrk's keep-alive connections could all land on one worker.
5. Drives `POST /new?uri=...` with wrk (scripts/bench_isso.lua), one connection per poster, JSON
   bodies and the headers Isso's embed.js sends; then counts the comments Isso stored.

Every process it starts is stopped again, also on an error or Ctrl-C. bench.py imports this
module, so this module cannot import bench.py: its few small helpers (free port, process group
stop, wrk run) are its own.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import BENCH_DIR, POSTING_COMMENTS, ROOT
from benchkit import (
    WORKERS,
    GranianServer,
    free_port,
    main_alone,
    run_wrk,
    tail,
)

ISSO_VERSION = "0.14.0"
ISSO_VENV = BENCH_DIR / "isso-venv"
ISSO_LUA = ROOT / "scripts" / "bench_isso.lua"
THREAD_URI = "/posts/bench-isso"
THREAD_TITLE = "Bench: the towpath"
SERVER = f"granian, {WORKERS} workers"
CONFIG = """\
[general]
dbpath = {database}
host = {site}/
max-age = 15m
notify =
reply-notifications = false
log-file =
gravatar = false
latest-enabled = false

[admin]
enabled = false

[moderation]
enabled = false

[server]
listen = http://127.0.0.1:{port}/
public-endpoint =
trusted-proxies =

[guard]
enabled = false
require-author = false
require-email = false

[hash]
salt = bench-isso-salt
algorithm = pbkdf2
"""
# Run by the Isso venv's Python: Isso's own schema set-up (tables, triggers, session key), then
# the thread and its comments in one transaction, rows as Isso's Comments.add writes them.
SEED = """\
import sqlite3, sys, time
from isso import config, db
from isso.utils import Bloomfilter

settings, uri, title, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
conf = config.load(config.default_file(), settings)
database = db.SQLite3(conf.get("general", "dbpath"), conf)
thread = database.threads.new(uri, title)
address = "127.0.0.0"
voters = bytes(Bloomfilter(iterable=[address]).array)
start = time.time() - count * 60
rows = [
    (thread["id"], None, start + i * 60, None, 1, address,
     f"Comment {i}: the lock keeper says the towpath reopens on Friday, if the rain stops.",
     f"Reader {i % 50}", None, None, voters, 0)
    for i in range(count)
]
with sqlite3.connect(database.path) as con:
    con.executemany(
        "INSERT INTO comments (tid, parent, created, modified, mode, remote_addr, text, author,"
        " email, website, voters, notification) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
"""
VERSIONS = (
    "import json; from importlib.metadata import version; "
    "print(json.dumps({name: version(name) for name in ('isso', 'granian')}))"
)


def wanted_versions() -> dict[str, str]:
    """The Isso release compared with, and the granian release the blog's venv serves with."""
    try:
        granian = metadata.version("granian")
    except metadata.PackageNotFoundError:
        sys.exit("error: granian is not installed here: run this with the blog's .venv/bin/python")
    return {"isso": ISSO_VERSION, "granian": granian}


def installed_versions(python: Path) -> dict[str, str] | None:
    """The isso and granian versions in the venv of `python`; None when either is missing."""
    if not python.exists():
        return None
    done = subprocess.run([python, "-c", VERSIONS], capture_output=True, text=True)
    if done.returncode != 0:
        return None
    found: dict[str, str] = json.loads(done.stdout)
    return found


def ensure_isso() -> Path:
    """The Isso venv's Python, the venv made and Isso and granian installed first if needed."""
    python = ISSO_VENV / "bin" / "python"
    wanted = wanted_versions()
    if installed_versions(python) == wanted:
        return python
    print(f"  installing isso {wanted['isso']}, granian {wanted['granian']} in {ISSO_VENV} ...")
    if not python.exists():
        # The venv module of the blog's interpreter makes a venv of its base Python (3.11+).
        subprocess.run([sys.executable, "-m", "venv", str(ISSO_VENV)], check=True)
    pins = [f"{name}=={version}" for name, version in wanted.items()]
    subprocess.run([python, "-m", "pip", "install", "--quiet", *pins], check=True)
    if (found := installed_versions(python)) != wanted:
        raise RuntimeError(f"{ISSO_VENV} holds {found}, not {wanted}")
    return python


def write_config(work: Path, port: int, site: str) -> Path:
    """isso.cfg in `work`, for Isso on `port` commenting the pages of `site`."""
    settings = work / "isso.cfg"
    database = work / "isso.db"
    settings.write_text(CONFIG.format(database=database, site=site, port=port))
    return settings


def seed_database(python: Path, settings: Path, database: Path, count: int) -> None:
    """A fresh Isso database: its schema, and THREAD_URI with `count` comments."""
    database.unlink(missing_ok=True)
    command = [str(python), "-c", SEED, str(settings), THREAD_URI, THREAD_TITLE, str(count)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"seeding Isso's database failed:\n{done.stdout}\n{done.stderr}")


def thread_comments(database: Path, like: str = "%") -> int:
    """How many comments of THREAD_URI Isso's database holds whose text is LIKE `like`."""
    with sqlite3.connect(database) as con:
        row = con.execute(
            "SELECT count(*) FROM comments JOIN threads ON threads.id = comments.tid "
            "WHERE threads.uri = ? AND comments.text LIKE ?",
            (THREAD_URI, like),
        ).fetchone()
    con.close()
    return int(row[0])


def measure_isso(work: Path, seconds: int, posters: int) -> dict[str, Any]:
    """Isso's comment posting rate: `posters` wrk connections POSTing /new for `seconds`.

    `work` is an existing folder for Isso's config, database and log (kept; the caller cleans
    up). posts_per_second counts the posts Isso answered 201 (created); `statuses` has every
    answer. Raises RuntimeError when Isso created nothing or stored fewer comments than it
    acknowledged: no figure is better than a wrong one.
    """
    python = ensure_isso()
    versions = installed_versions(python) or {}
    port = free_port()
    # The site whose pages Isso comments ([general] host): nothing listens there, so Isso's
    # start-up check of it fails at once (a warning in its log) instead of waiting 5 s on
    # itself; posting never fetches it, the thread existing already.
    site = f"http://127.0.0.1:{free_port()}"
    settings = write_config(work, port, site)
    database = work / "isso.db"
    seed_database(python, settings, database, POSTING_COMMENTS)
    existing = thread_comments(database)
    tag = f"i{int(time.time())}"
    post_path = "/new?uri=" + urllib.parse.quote(THREAD_URI, safe="")
    server = GranianServer(
        "isso",
        work,
        python.parent / "granian",
        "isso.run:application",
        "/info",
        {"ISSO_SETTINGS": str(settings)},
        port=port,
    )
    try:
        server.start()
        figures = run_wrk(
            server.base + "/",
            posters,
            posters,
            seconds,
            ISSO_LUA,
            (post_path, site, THREAD_URI, tag),
        )
    finally:
        server.stop()
    statuses = {int(status): count for status, count in figures["statuses"].items()}
    created = statuses.get(201, 0)
    stored = thread_comments(database, f"bench {tag} %")
    if not created:
        raise RuntimeError(f"Isso created no comment: answers {statuses}\n{tail(server.log)}")
    if stored < created:
        raise RuntimeError(f"Isso acknowledged {created} comments but stored {stored}")
    figures.update(
        {
            "posts_per_second": created / figures["seconds"],
            "answers_per_second": figures["posts"] / figures["seconds"],
            "statuses": statuses,
            "created": created,
            "stored": stored,
            "existing_comments": existing,
            "server_errors": sum(count for status, count in statuses.items() if status >= 500),
            "posters": posters,
            "server": SERVER,
            "isso_version": versions.get("isso", "?"),
            "granian_version": versions.get("granian", "?"),
            "request": f"POST {post_path}",
        }
    )
    return figures


def describe(figures: dict[str, Any]) -> str:
    """What Isso did, in three lines."""
    statuses = ", ".join(f"{code}: {count}" for code, count in sorted(figures["statuses"].items()))
    return (
        f"isso {figures['isso_version']} ({figures['server']}, granian"
        f" {figures['granian_version']}), thread with {figures['existing_comments']:,} comments\n"
        f"  {figures['posts_per_second']:.1f} posts/s created; p50 {figures['p50_ms']:.2f} ms,"
        f" p99 {figures['p99_ms']:.2f} ms at {figures['posters']} connections\n"
        f"  answers {statuses}; stored {figures['stored']} of {figures['created']} created;"
        f" answer {figures['answer_bytes_max']} bytes at most"
    )


if __name__ == "__main__":
    sys.exit(main_alone("isso", measure_isso, describe))
