"""The app server for `make run`, systemd and the end-to-end tests: granian, every setting here.

    python serve.py [--host 127.0.0.1] [--port 5000] [--workers N]

`--workers` defaults to WEB_CONCURRENCY, else 2. Why granian: on this workload it serves a
cheap page several times faster than gunicorn's sync workers (it keeps connections alive and does
the HTTP work in Rust) and an expensive one no slower; docs/deploy.md has the figures.

- Before any worker starts, the main process brings the database up to date (and loads the demo
  posts into an empty blog) by running `flask prepare` in a process of its own, so workers never
  race each other over the schema. The main process imports nothing of the blog: workers started
  by a reload (SIGHUP) load the code as it is on disk then.
- Forwarded headers (X-Forwarded-For, -Proto, -Host) are trusted by the app alone, and only when
  the operator declares a proxy (PROXY_COUNT > 0: werkzeug's ProxyFix, see blog/__init__.py);
  granian passes them through untouched. Behind a proxy, bind to 127.0.0.1 only.
- SIGTERM stops gracefully; SIGHUP replaces the workers one at a time (zero-downtime reload).
- The access log goes to standard output, each line ending with the worker's pid.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from granian import Granian
from granian.constants import Interfaces

ROOT = Path(__file__).resolve().parent
# One request at a time per worker, as gunicorn's sync workers did: the app and SQLite are used
# from one thread per process, and memory stays flat. Throughput comes from the workers.
BLOCKING_THREADS = 1
# A worker that has not finished its requests this many seconds after SIGTERM is killed (under
# systemd's TimeoutStopSec=30 in deploy/blog.service).
WORKER_KILL_TIMEOUT = 20
# On a reload, granian starts a new worker, waits this long, then stops the old one; it does not
# wait for the new one to be ready, so this must exceed a worker's start-up time (about a second,
# longer on a busy machine), or the port goes unanswered for a moment.
RESPAWN_SECONDS = 10
ACCESS_LOG_FORMAT = (
    '%(addr)s [%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).1fms'
)
LOGGING = {
    "formatters": {
        "generic": {"()": "logging.Formatter", "fmt": "%(asctime)s [%(levelname)s] %(message)s"},
        # %(process)d is the worker's pid: tests check that every worker answered.
        "access": {"()": "logging.Formatter", "fmt": "%(message)s pid=%(process)d"},
    }
}


def prepare_database() -> None:
    """Migrate the database (and load the demo into an empty blog) in a fresh process."""
    command = [sys.executable, "-m", "flask", "--app", "blog", "prepare"]
    subprocess.run(command, cwd=ROOT, check=True)


def main() -> None:
    """Parse the command line and serve until stopped."""
    parser = argparse.ArgumentParser(description="Serve the blog with granian.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    args = parser.parse_args()
    # granian copies the process environment into every request's WSGI environ: an HTTP_*
    # variable there would look like a header the client sent.
    for name in [name for name in os.environ if name.startswith("HTTP_")]:
        del os.environ[name]
    server = Granian(
        "wsgi:app",
        address=args.host,
        port=args.port,
        interface=Interfaces.WSGI,
        workers=args.workers,
        blocking_threads=BLOCKING_THREADS,
        websockets=False,
        log_access=True,
        log_access_format=ACCESS_LOG_FORMAT,
        log_dictconfig=LOGGING,
        workers_kill_timeout=WORKER_KILL_TIMEOUT,
        respawn_interval=RESPAWN_SECONDS,
        working_dir=ROOT,
    )
    server.on_startup(prepare_database)
    server.serve()


if __name__ == "__main__":
    main()
