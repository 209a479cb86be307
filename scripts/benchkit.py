"""What the benchmark scripts share: ports, stopping process groups, logs, signals and wrk."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
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
