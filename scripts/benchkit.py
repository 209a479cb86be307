"""What the benchmark scripts share: ports, stopping process groups, logs, signals and wrk."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

WRK = shutil.which("wrk") or "/usr/bin/wrk"


class Stop(Exception):
    """SIGTERM or SIGHUP: unwind like Ctrl-C, so every started process is stopped."""


def stop_on_signal(signum: int, _frame: object) -> None:
    """A signal handler raising Stop (install it for SIGTERM and SIGHUP)."""
    raise Stop(f"stopped by signal {signum}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_group(process: subprocess.Popen[bytes], first: signal.Signals, seconds: float) -> None:
    """Send `first` to the process group `process` leads, wait, then SIGKILL what is left."""
    group = process.pid
    with suppress(ProcessLookupError):
        os.killpg(group, first)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        process.poll()  # reap the leader, or the group never looks empty
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
    process.wait()


def run_wrk(
    url: str, threads: int, connections: int, seconds: int, script: Path, args: tuple[str, ...]
) -> dict[str, Any]:
    """One wrk run with a Lua script that prints its figures as a `BENCH_JSON {...}` line."""
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s"]
    command += ["-s", str(script), url, "--", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            figures: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
            return figures
    raise RuntimeError(f"wrk gave no figures for {url}:\n{done.stdout}\n{done.stderr}")


# serve.py's access log formatter: its pid tells which worker answered.
LOGGING = {
    "formatters": {
        "generic": {"()": "logging.Formatter", "fmt": "%(asctime)s [%(levelname)s] %(message)s"},
        "access": {"()": "logging.Formatter", "fmt": "%(message)s pid=%(process)d"},
    }
}
ACCESS_LOG_FORMAT = (
    '%(addr)s [%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).1fms'
)
# As serve.py serves the blog (and as `make run` starts it: WORKERS ?= 2).
WORKERS = 2
BLOCKING_THREADS = 1


class GranianServer:
    """A WSGI app (`target`, "module:app") served by `granian` as serve.py serves the blog.

    WSGI, WORKERS workers with one blocking thread each, no websockets, access log on.
    `ready_path` is a GET the app answers cheaply: start() returns once every worker has.
    `extra` are more granian options; `port` is a free one unless given.
    """

    def __init__(
        self,
        name: str,
        work: Path,
        granian: Path,
        target: str,
        ready_path: str,
        env: dict[str, str],
        extra: tuple[str, ...] = (),
        port: int | None = None,
    ) -> None:
        port = port or free_port()
        self.name = name
        self.base = f"http://127.0.0.1:{port}"
        self.ready_path = ready_path
        self.log = work / f"{name}.log"
        log_config = work / f"{name}-logging.json"
        log_config.write_text(json.dumps(LOGGING))
        self.command = [
            str(granian),
            *("--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", str(WORKERS), "--blocking-threads", str(BLOCKING_THREADS)),
            *("--no-ws", "--access-log", "--access-log-fmt", ACCESS_LOG_FORMAT),
            *("--log-config", str(log_config), *extra, target),
        ]
        # As serve.py does: granian copies its environment into every request's WSGI environ,
        # where an HTTP_* variable would look like a header the client sent.
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("HTTP_")}
        self.env.update(env)
        self.work = work
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start granian; return once every worker has answered `ready_path`."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.work,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group of its own: stopped as one
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{tail(self.log)}")
            with suppress(OSError):
                # A new connection each time: the workers take turns picking them up.
                with urllib.request.urlopen(self.base + self.ready_path, timeout=5) as answer:
                    answer.read()
                if len(self.answering_pids()) >= WORKERS:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name}: not all {WORKERS} workers answered:\n{tail(self.log)}")

    def answering_pids(self) -> set[str]:
        """The pids of the workers that have answered `ready_path` so far (from the access log)."""
        lines = self.log.read_text(errors="replace").splitlines()
        asked = f'"GET {self.ready_path} '
        return {line.rsplit("pid=", 1)[1] for line in lines if asked in line and "pid=" in line}

    def stop(self) -> None:
        """SIGTERM to granian and its workers (a graceful stop), SIGKILL after 30 s."""
        if self.process is not None:
            stop_group(self.process, signal.SIGTERM, 30)
            self.process = None


def main_alone(
    name: str,
    measure: Callable[[Path, int, int], dict[str, Any]],
    describe: Callable[[dict[str, Any]], str],
) -> int:
    """A script's main(): `measure(work, seconds, posters)` on its own, then its figures.

    BENCH_SECONDS (default 10) and BENCH_POSTERS (8) come from the environment; `work` is a
    temporary folder, removed after. Prints `describe(figures)` and the figures as JSON; 130
    when stopped (Ctrl-C, SIGTERM, SIGHUP), else 0.
    """
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    posters = int(os.environ.get("BENCH_POSTERS", "8"))
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGHUP, stop_on_signal)
    work = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    try:
        print(f"{name} posting: wrk -t{posters} -c{posters} -d{seconds}s ...", flush=True)
        figures = measure(work, seconds, posters)
    except (KeyboardInterrupt, Stop):
        print(f"\nstopped: {name} is stopped", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(describe(figures))
    print(json.dumps(figures, indent=2))
    return 0
