"""Start and stop a real gunicorn serving the blog on 127.0.0.1, for tests and screenshots."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer at {url}:\n{log.read_text()}")


@contextmanager
def gunicorn_server(work: Path, workers: int = 2, extra_env: dict[str, str] | None = None
                    ) -> Iterator[str]:
    """Serve the blog from a fresh instance folder under `work`; yield the base URL."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("BLOG_") and key != "DATABASE_URL"
    }
    env.update({"BLOG_INSTANCE_PATH": str(work / "instance"), "WEB_CONCURRENCY": str(workers)})
    env.update(extra_env or {})
    log = work / "gunicorn.log"
    bin_dir = str(Path(sys.executable).parent)
    gunicorn = shutil.which("gunicorn", path=bin_dir) or "gunicorn"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [gunicorn, "--config", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base + "/", process, log)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
