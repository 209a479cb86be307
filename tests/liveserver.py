"""Start and stop the real app server (serve.py) on 127.0.0.1, for tests and screenshots."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppServer:
    """serve.py (as `make run` starts it) over an instance folder under `work`, kept on restarts."""

    def __init__(
        self,
        work: Path,
        workers: int = 2,
        extra_env: dict[str, str] | None = None,
        port: int | None = None,
    ) -> None:
        self.work = work
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = work / "server.log"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("BLOG_") and key != "DATABASE_URL"
        }
        self.env.update(
            {"BLOG_INSTANCE_PATH": str(work / "instance"), "WEB_CONCURRENCY": str(workers)}
        )
        self.env.update(extra_env or {})
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        """Start serving; return the base URL once the home page answers."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "serve.py"), "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() reaches the workers
            )
        self._wait_until_serving()
        return self.base

    def _wait_until_serving(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.base + "/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not answer at {self.base}:\n{self.log.read_text()}")

    def stop(self) -> None:
        """A graceful stop (SIGTERM), then SIGKILL if it lingers."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def kill(self) -> None:
        """SIGKILL the main process and every worker at once, as a crash would."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None


@contextmanager
def app_server(
    work: Path, workers: int = 2, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """Serve the blog from a fresh instance folder under `work`; yield the base URL."""
    server = AppServer(work, workers, extra_env)
    try:
        yield server.start()
    finally:
        server.stop()


# The names from when the app server was gunicorn, for branches still using them.
GunicornServer = AppServer
gunicorn_server = app_server


def flask_command(
    work: Path, args: list[str], extra_env: dict[str, str] | None = None, stdin: str = ""
) -> str:
    """Run `flask --app blog ARGS` as an operator would, in the server's instance; its output."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BLOG_")}
    env["BLOG_INSTANCE_PATH"] = str(work / "instance")
    env.update(extra_env or {})
    done = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "blog", *args],
        input=stdin,
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    return done.stdout


def create_author(
    work: Path,
    email: str,
    password: str,
    name: str = "Load Author",
    extra_env: dict[str, str] | None = None,
) -> None:
    """Make an author account with the real command line, in the server's instance."""
    flask_command(
        work,
        ["author", "create", email, "--name", name, "--password-stdin"],
        extra_env,
        stdin=password + "\n",
    )
