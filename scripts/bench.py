"""Speed and memory benchmark: `make bench` (`SCALE=large make bench` for 100,000 posts).

What it does, every process it starts being stopped again at the end (also on Ctrl-C or an error):

1. Builds the benchmark blog by bulk SQL through the blog's schema (scripts/bench_data.py), or
   reuses the one kept under `.bench/<scale>/`, and serves a fresh copy of it.
2. Starts the blog exactly as `make run` does (same command, same server settings) on a free port
   of 127.0.0.1, and Debian's nginx twice: once serving a saved copy of the article page as a
   plain file (the reference every figure is divided by), once as the documented reverse proxy
   (deploy/nginx.conf, TLS included) in front of the blog, which serves the page files the blog
   writes. That row's target is a ratio to the same file served by the same nginx over the same
   TLS (at 172 KB a page, encryption on both ends is most of the cost); the table shows the
   ratio to the plain-HTTP reference too.
3. Drives each page with `wrk`: throughput with 32 connections, then latency with 1 (a page's
   p50 at 1 connection is its own cost, never time spent queueing: 2 connections land on the
   same worker as often as not, which doubled some p50s from one run to the next). Then htmx
   comment posting (scripts/bench_post.lua) on the post with 1,000 comments, and Isso's
   `POST /new` the same way (scripts/bench_isso.py: Isso 0.14 in .bench/isso-venv, same
   server, same connections) for the posting target, and the fixed stack's own floor the same
   way (scripts/bench_floor.py: Flask, Flask-WTF, SQLAlchemy and Jinja doing the least a
   comment form can do; no blog on this stack posts faster). Counts each page's SQL statements
   in-process, times the import of a 50 MB WordPress export, and measures the app server's memory.
4. Prints a table with the issue's targets beside the figures, and writes it all as JSON to
   `.bench/results-<scale>.json`. With SCALE=large, the default-scale blog is served too (page
   cache off) and each page's cost there is measured right after its large twin: the "≤ 1.5 x
   default scale" targets compare figures of the same run (on a shared machine, two runs minutes
   apart differ by more than that margin allows); cache hits compare with the last default run.

Settings (environment): SCALE=default|large, BENCH_SECONDS (each throughput run, default 10),
BENCH_ROWS=home,search,... (only the rows whose names contain one of these words),
BENCH_IMPORT=0 (skip the import), BENCH_STRICT=1 (exit 1 when a target is missed),
BLOG_PAGE_CACHE (passed to the blog like any BLOG_* setting).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import BENCH_DIR, POSTING_COMMENTS, ROOT, Dataset, dataset
from bench_floor import measure_floor
from bench_isso import measure_isso
from benchkit import WRK, Stop, free_port, run_wrk, stop_group, stop_on_signal, tail
from sqlalchemy import event, text

from blog import create_app
from blog.extensions import db
from tests.wxr import write_wxr

SCALE = os.environ.get("SCALE", "default")
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROWS = [word for word in os.environ.get("BENCH_ROWS", "").split(",") if word]
CONNECTIONS = 32  # throughput: as the issue measured (wrk -t2 -c32)
LATENCY_CONNECTIONS = 1  # latency: a page's own cost (see the docstring)
POSTERS = 8  # posting: as Isso was measured (wrk -c8)
# Isso's rate in the issue's own measurement; used only when Isso cannot be measured here.
ISSO_POSTS_PER_SECOND = 171.0
IMPORT_BYTES = 50 * 1024 * 1024
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
MAKE = shutil.which("make") or "/usr/bin/make"
REPORT_LUA = ROOT / "scripts" / "bench_report.lua"
POST_LUA = ROOT / "scripts" / "bench_post.lua"
# No spam defences in the way of the posting test: it measures the server, not the limits.
BLOG_ENV = {
    "BLOG_DEMO_CONTENT_ON_EMPTY": "false",
    "BLOG_PROXY_COUNT": "1",  # the documented set-up: one nginx in front
    "BLOG_COMMENT_MIN_SECONDS": "0",
    "BLOG_COMMENT_RATE_LIMIT": "1000000000",
    "BLOG_COMMENT_ADDRESS_RATE_LIMIT": "1000000000",
    "BLOG_COMMENT_MODERATION": "open",
}


_UNVERIFIED = ssl.create_default_context()
_UNVERIFIED.check_hostname = False
_UNVERIFIED.verify_mode = ssl.CERT_NONE  # our own throwaway certificate


def fetch(url: str, timeout: float = 30) -> tuple[int, bytes]:
    """Status and body of a GET (certificate not checked: the benchmark's own)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=_UNVERIFIED) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def wait_until(url: str, alive: Callable[[], bool], what: str, log: Path) -> None:
    """Wait for `url` to answer 200 while `alive()`; fail with the log's end otherwise."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"{what} exited early:\n{tail(log)}")
        try:
            if fetch(url, timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer at {url}:\n{tail(log)}")


def _children() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        found.setdefault(parent, []).append(int(entry.name))
    return found


def _memory_kib(pid: int) -> tuple[int, int]:
    """Resident (RSS) and proportional (PSS, shared pages split) memory of one process."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


class AppServer:
    """The blog started the way `make run` starts it, on a free port of 127.0.0.1."""

    def __init__(self, work: Path, name: str, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = work / f"{name}.log"
        self.name = name
        self.env = env
        self.make_args = ["HOST=127.0.0.1", f"PORT={self.port}"]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """`make run` with HOST and PORT set; return once /healthz answers."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [MAKE, "--no-print-directory", "-C", str(ROOT), "run", *self.make_args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group of its own: stopped as one
            )
        process = self.process
        wait_until(self.base + "/healthz", lambda: process.poll() is None, self.name, self.log)

    def server_pids(self) -> list[int]:
        """Every process under `make` (the server and its workers), `make` left out."""
        if self.process is None:
            return []
        children = _children()
        found, stack = [], list(children.get(self.process.pid, []))
        while stack:
            pid = stack.pop()
            found.append(pid)
            stack.extend(children.get(pid, []))
        return found

    def command(self) -> str:
        """The command line `make run` started (the server's main process)."""
        children = _children().get(self.process.pid, []) if self.process else []
        for pid in children:
            with suppress(OSError):
                words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                return " ".join(word.decode() for word in words if word)
        return "?"

    def memory_mib(self) -> tuple[float, float]:
        """RSS and PSS of all the server's processes together, in MiB."""
        rss = pss = 0
        for pid in self.server_pids():
            one_rss, one_pss = _memory_kib(pid)
            rss += one_rss
            pss += one_pss
        return rss / 1024, pss / 1024

    def stop(self) -> None:
        """SIGTERM to make and the server (a graceful stop), SIGKILL after 30 s."""
        if self.process is not None:
            stop_group(self.process, signal.SIGTERM, 30)
            self.process = None


class Nginx:
    """Debian's nginx with its own config, pid file, logs and temporary folders."""

    def __init__(self, run_dir: Path, name: str, config: str, check_url: str) -> None:
        self.run_dir = run_dir
        self.name = name
        self.conf = run_dir / f"{name}.conf"
        self.conf.write_text(config)
        self.error_log = run_dir / f"{name}-error.log"
        self.check_url = check_url
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Check the config (`nginx -t`), start nginx in the foreground, wait for an answer."""
        base = [NGINX, "-c", str(self.conf), "-e", str(self.error_log)]
        checked = subprocess.run([*base, "-t"], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t refused {self.conf}:\n{checked.stderr}")
        self.process = subprocess.Popen(
            [*base, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        process = self.process
        wait_until(self.check_url, lambda: process.poll() is None, self.name, self.error_log)

    def stop(self) -> None:
        """SIGQUIT (finish what is in flight), SIGKILL after 20 s."""
        if self.process is not None:
            stop_group(self.process, signal.SIGQUIT, 20)
            self.process = None


# The same saved article served by the documented nginx set-up as a static file, over its TLS.
TLS_STATIC = "nginx static file over TLS (deploy conf)"
# deploy/nginx.conf's placeholder for the folder of pages the app writes for nginx, if it has one.
PAGE_FILES = "${PAGE_CACHE_DIR}"
# The reference: nginx serving the saved article as a file (settings as in deploy/nginx.conf).
STATIC_CONF = """
worker_processes auto;
pid {run}/static.pid;
error_log {run}/static-error.log;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {run}/static-access.log;
    client_body_temp_path {run}/static-client_body;
    proxy_temp_path {run}/static-proxy;
    fastcgi_temp_path {run}/static-fastcgi;
    uwsgi_temp_path {run}/static-uwsgi;
    scgi_temp_path {run}/static-scgi;
    server_tokens off;
    sendfile on;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""


def render_deploy_conf(values: dict[str, str]) -> str:
    """deploy/nginx.conf with its ${NAME} placeholders filled, as docs/deploy.md says."""
    text_ = (ROOT / "deploy" / "nginx.conf").read_text()
    for name, value in values.items():
        text_ = text_.replace("${" + name + "}", value)
    left = sorted(set(re.findall(r"\$\{[A-Z_]+\}", text_)))
    if left:
        raise RuntimeError(
            f"deploy/nginx.conf has placeholders the benchmark does not fill: {left}; "
            "add them to the values in scripts/bench.py (proxy_nginx)"
        )
    return text_


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    subprocess.run(
        [OPENSSL, *request, "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


# --- load ----------------------------------------------------------------------------------------


def wrk(
    url: str, connections: int, seconds: int, script: Path = REPORT_LUA, args: tuple[str, ...] = ()
) -> dict[str, Any]:
    """One wrk run; the figures its Lua script printed as JSON."""
    threads = min(connections, 2) if script == REPORT_LUA else connections
    return run_wrk(url, threads, connections, seconds, script, args)


@dataclass
class Row:
    """One line of the table."""

    name: str
    url: str
    target: str = ""
    ratio_target: float | None = None
    # The row whose rate the target is a ratio of, when not the plain reference (rows[0]).
    against: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)


def measure(
    row: Row,
    server: AppServer | None,
    uncached: AppServer | None = None,
    at_default: str | None = None,
) -> None:
    """Throughput at 32 connections, latency at 1, the page's size and the server's memory.

    With `uncached` (the same blog, page cache off), the page's latency there too: what the page
    costs to make, which is what must not grow with the size of the blog. With `at_default`
    (the same page of the default-scale blog, page cache off), its latency there right after:
    the reference of the SCALE=large targets, measured in the same run.
    """
    status, body = fetch(row.url)
    if status != 200:
        raise RuntimeError(f"{row.name}: {row.url} answered {status}")
    for _ in range(20):  # warm: templates compiled, pages cached, the database in memory
        fetch(row.url)
    load = wrk(row.url, CONNECTIONS, SECONDS)
    latency = wrk(row.url, LATENCY_CONNECTIONS, max(3, SECONDS // 2))
    row.figures = {
        "requests_per_second": load["requests"] / load["seconds"],
        "p50_ms": latency["p50_ms"],
        "p99_ms": latency["p99_ms"],
        "p50_ms_at_32": load["p50_ms"],
        "p99_ms_at_32": load["p99_ms"],
        "bytes": len(body),
        "non_2xx": load["non_2xx"] + latency["non_2xx"],
        "errors": sum(load[key] + latency[key] for key in ("connect_errors", "timeouts"))
        + load["read_errors"]
        + latency["read_errors"],
    }
    if server is not None:
        rss, pss = server.memory_mib()
        row.figures.update({"server_rss_mib": rss, "server_pss_mib": pss})
    if uncached is not None:
        url = uncached.base + row.url.removeprefix(server.base if server else "")
        for _ in range(3):
            fetch(url)
        cost = wrk(url, LATENCY_CONNECTIONS, max(3, SECONDS // 2))
        row.figures.update({"p50_ms_cache_off": cost["p50_ms"], "p99_ms_cache_off": cost["p99_ms"]})
    if at_default is not None:
        for _ in range(3):
            fetch(at_default)
        cost = wrk(at_default, LATENCY_CONNECTIONS, max(3, SECONDS // 2))
        row.figures["p50_ms_cache_off_default"] = cost["p50_ms"]


def measure_again(*rows: Row) -> None:
    """Each row's throughput once more, in turn; each keeps the better of its two runs.

    For a target that is a ratio of two rows measured one after the other (the proxied article
    over the same file over the same TLS): this machine's speed drifts within seconds, so one
    run each put the same two nginx answers 0.78x apart in one run and 1.19x in another.
    """
    for row in rows:
        again = wrk(row.url, CONNECTIONS, SECONDS)
        rate = again["requests"] / again["seconds"]
        row.figures["requests_per_second"] = max(row.figures["requests_per_second"], rate)


def comments_stored(instance: Path, slug: str, tag: str) -> int:
    """How many of this run's bench comments the database holds."""
    engine_app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'blog.sqlite3'}"})
    with engine_app.app_context():
        found = db.session.execute(
            text(
                "SELECT count(*) FROM comments JOIN posts ON posts.id = comments.post_id "
                "WHERE posts.slug = :slug AND comments.body_source LIKE :like"
            ),
            {"slug": slug, "like": f"bench {tag} %"},
        ).scalar_one()
        db.engine.dispose()
    return int(found)


# --- where a fresh comment form comes from -------------------------------------------------------
# The ONE place (with read_form in scripts/bench_post.lua) that knows where a reader gets the
# per-visitor parts of the comment form (CSRF token, one-use stamp, the session they belong to):
# the small endpoint a cached page's form fetches them from, where the blog has it, else the
# article page itself, which carried them before the page cache.


def form_source(article_path: str, status_of: Callable[[str], int]) -> str:
    """The path a reader GETs for a fresh comment form; `status_of(path)` GETs a path."""
    parts = f"{article_path}/comments/form-parts"
    return parts if status_of(parts) == 200 else article_path


def hidden_fields(page: str, action: str) -> dict[str, str]:
    """The hidden inputs of the form posting to `action` (of the whole page if none does)."""
    found = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>.*?</form>', page, re.S)
    chunk = found.group(0) if found else page
    fields = {}
    for tag in re.findall(r"<input[^>]*>", chunk):
        name = re.search(r'name="([^"]*)"', tag)
        if 'type="hidden"' in tag and name:
            value = re.search(r'value="([^"]*)"', tag)
            fields[name.group(1)] = html.unescape(value.group(1) if value else "")
    return fields


def measure_posting(server: AppServer, data: Dataset, instance: Path) -> dict[str, Any]:
    """Comment posting with htmx by POSTERS readers at once, each fetching a fresh form per post."""
    article = f"/posts/{data.posting_slug}"
    tag = f"r{int(time.time())}"
    source = form_source(article, lambda path: fetch(server.base + path)[0])
    args = (source, f"{article}/comments", server.base, tag)
    figures = wrk(server.base + article, POSTERS, SECONDS, POST_LUA, args)
    statuses = {int(status): count for status, count in figures["statuses"].items()}
    acknowledged = sum(count for status, count in statuses.items() if 200 <= status < 400)
    figures.update(
        {
            "form_source": source,
            "posts_per_second": figures["posts"] / figures["seconds"],
            "acknowledged": acknowledged,
            "stored": comments_stored(instance, data.posting_slug, tag),
            "server_errors": sum(count for status, count in statuses.items() if status >= 500),
        }
    )
    rss, pss = server.memory_mib()
    figures.update({"server_rss_mib": rss, "server_pss_mib": pss})
    return figures


# --- SQL statements per request -----------------------------------------------------------------


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """os.environ with `values` set (and other BLOG_* settings out), restored afterwards."""
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.startswith("BLOG_") or key == "DATABASE_URL":
            del os.environ[key]
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def count_statements(
    env: dict[str, str], paths: dict[str, str], posting: str | None
) -> dict[str, Any]:
    """SQL statements each page costs, in-process: first request, then the same again."""
    with environment(env):
        app = create_app()
    counted = [0]

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            counted[0] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    client = app.test_client()
    results: dict[str, Any] = {}
    try:
        for name, path in paths.items():
            per_request = []
            for _ in range(2):
                counted[0] = 0
                answer = client.get(path)
                per_request.append(counted[0])
                if answer.status_code != 200:
                    raise RuntimeError(f"{name}: {path} answered {answer.status_code} in-process")
            results[name] = {"first": per_request[0], "again": per_request[1]}
        if posting is None:
            return results
        reader = app.test_client()
        source = form_source(posting, lambda path: reader.get(path).status_code)
        page = reader.get(source).get_data(as_text=True)
        fields = hidden_fields(page, f"{posting}/comments")
        fields.update({"name": "Bench Reader", "body": f"bench counting {time.time_ns()}"})
        counted[0] = 0
        answer = reader.post(
            f"{posting}/comments",
            data=fields,
            headers={"HX-Request": "true", "Origin": "http://localhost"},
        )
        results["posting"] = {
            "first": counted[0],
            "again": counted[0],
            "status": answer.status_code,
            "form_source": source,
        }
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", count)
            db.engine.dispose()
    return results


# --- the 50 MB import -----------------------------------------------------------------------------


def measure_import(work: Path, env: dict[str, str]) -> dict[str, Any]:
    """Import a synthetic 50 MB WordPress export into a fresh blog; the export is kept."""
    export = BENCH_DIR / "wordpress-50mb.xml"
    facts = BENCH_DIR / "wordpress-50mb.json"
    maker = (ROOT / "tests" / "wxr.py").read_text()
    if not export.exists() or not facts.exists() or json.loads(facts.read_text())["maker"] != maker:
        posts = write_wxr(export, IMPORT_BYTES)
        facts.write_text(json.dumps({"maker": maker, "posts": posts}))
    posts = json.loads(facts.read_text())["posts"]
    flask = str(Path(sys.executable).parent / "flask")
    env = {**env, "BLOG_INSTANCE_PATH": str(work / "import-instance")}
    subprocess.run(
        [flask, "--app", "blog", "prepare"], env=env, check=True, capture_output=True, cwd=ROOT
    )
    started = time.perf_counter()
    subprocess.run(
        [flask, "--app", "blog", "import", "wordpress", str(export)],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
        timeout=1800,
    )
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "posts": posts, "bytes": export.stat().st_size}


# --- the run --------------------------------------------------------------------------------------


def wanted(name: str) -> bool:
    """Whether BENCH_ROWS asks for this row (all rows when it is empty)."""
    return not ROWS or any(word in name for word in ROWS)


def check_tools() -> None:
    """Stop at once, with a message that says what to install, when a tool is missing."""
    missing = [
        f"{path} (apt-get install {package})"
        for path, package in ((WRK, "wrk"), (NGINX, "nginx"), (OPENSSL, "openssl"))
        if not Path(path).exists()
    ]
    if missing:
        sys.exit("error: the benchmark needs " + ", ".join(missing))


def run() -> dict[str, Any]:
    """Everything, in one ExitStack: whatever happens, what was started is stopped."""
    data = dataset(SCALE)
    base_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("BLOG_") and key != "DATABASE_URL"
    }
    base_env.update(BLOG_ENV)
    base_env.update({key: value for key, value in os.environ.items() if key == "BLOG_PAGE_CACHE"})
    results: dict[str, Any] = {
        "scale": SCALE,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()},
        "dataset": asdict(data),
        "settings": {
            "seconds": SECONDS,
            "connections": CONNECTIONS,
            "latency_connections": LATENCY_CONNECTIONS,
            "posters": POSTERS,
            "page_cache": os.environ.get("BLOG_PAGE_CACHE", "(the blog's default)"),
        },
    }
    with ExitStack() as stack:
        work = Path(tempfile.mkdtemp(prefix="blog-bench-"))
        stack.callback(shutil.rmtree, work, True)
        work.chmod(0o755)  # nginx's workers (an unprivileged user) read what they serve
        # The blog writes (comments, caches): it serves a copy, the kept dataset stays as built.
        instance = BENCH_DIR / SCALE / "run"
        shutil.rmtree(instance, ignore_errors=True)
        shutil.copytree(data.instance, instance)
        stack.callback(shutil.rmtree, instance, True)
        env = {**base_env, "BLOG_INSTANCE_PATH": str(instance)}
        if PAGE_FILES in (ROOT / "deploy" / "nginx.conf").read_text():
            # The documented set-up has nginx serve the pages the app writes as files.
            (work / "page-files").mkdir(mode=0o755)
            env["BLOG_PAGE_CACHE_DIR"] = str(work / "page-files")

        article = f"/posts/{data.article_slug}"
        pages = reader_pages(data)
        print("counting SQL statements per page (in-process) ...")
        results["sql"] = count_statements(env, pages, f"/posts/{data.posting_slug}")
        off = count_statements({**env, "BLOG_PAGE_CACHE": "off"}, {"article": article}, None)
        results["sql"]["article, page cache off"] = off["article"]

        server = AppServer(work, "app", env)
        stack.callback(server.stop)
        server.start()
        # The same blog with the page cache switched off (BLOG_PAGE_CACHE=off): what pages cost.
        cache_off = {**env, "BLOG_PAGE_CACHE": "off"}
        cache_off.pop("BLOG_PAGE_CACHE_DIR", None)
        uncached = AppServer(work, "app-cache-off", cache_off)
        stack.callback(uncached.stop)
        uncached.start()
        # Beside a larger blog, the default-scale one (page cache off): the pages the SCALE=large
        # targets compare with are measured in this same run, each right after its large twin.
        reference_pages: dict[str, str] = {}
        if SCALE != "default":
            small = dataset("default")
            small_instance = BENCH_DIR / SCALE / "run-default"
            shutil.rmtree(small_instance, ignore_errors=True)
            shutil.copytree(small.instance, small_instance)
            stack.callback(shutil.rmtree, small_instance, True)
            at_default = AppServer(
                work, "default-cache-off", {**cache_off, "BLOG_INSTANCE_PATH": str(small_instance)}
            )
            stack.callback(at_default.stop)
            at_default.start()
            reference_pages = {
                name: at_default.base + path for name, path in reader_pages(small).items()
            }
        results["server_command"] = server.command().replace(str(ROOT) + "/", "")
        status, saved = fetch(server.base + article)
        assert status == 200, f"the article answered {status}"
        reference_root = work / "reference"
        reference_root.mkdir(mode=0o755)
        (reference_root / "article.html").write_bytes(saved)
        (reference_root / "article.html").chmod(0o644)

        static_port = free_port()
        static = Nginx(
            work,
            "static",
            STATIC_CONF.format(run=work, port=static_port, root=reference_root),
            f"http://127.0.0.1:{static_port}/article.html",
        )
        stack.callback(static.stop)
        static.start()

        proxy = proxy_nginx(work, server, saved)
        stack.callback(proxy.stop)
        proxy.start()
        https = proxy.check_url.rsplit("/", 1)[0]

        rows = [
            Row("nginx static file (reference)", static.check_url, "= 1"),
            Row(TLS_STATIC, https + "/static/bench-article.html"),
            Row(
                "article via nginx proxy (deploy conf)",
                https + article,
                "≥ 0.8x the same file over the same TLS, on a cache hit",
                0.8,
                against=TLS_STATIC,
            ),
            Row("article, make run", server.base + article, "≥ 0.15x on a cache hit", 0.15),
        ]
        listed = [Row(name, server.base + path) for name, path in pages.items() if path != article]
        rows += [
            *listed,
            Row("article, page cache off", uncached.base + article, "≥ 0.012x", 0.012),
        ]
        chosen = [row for row in rows if wanted(row.name)]
        needed = {row.against for row in chosen}
        rows = [row for row in rows if row is rows[0] or row in chosen or row.name in needed]
        for row in rows:
            print(f"  {row.name} ...", flush=True)
            twin = reference_pages.get(_page_name(row.name))
            if row.url.startswith(uncached.base + "/"):
                measure(row, uncached, at_default=twin)
            elif row.url.startswith(server.base + "/"):
                measure(row, server, uncached if row in listed else None, twin)
            else:
                measure(row, None)
            named = {other.name: other for other in rows}
            if row.against in named:
                print(f"  {row.against} and {row.name}, again in turn ...", flush=True)
                measure_again(named[row.against], row)
        results["rows"] = [asdict(row) for row in rows]
        uncached.stop()
        if reference_pages:
            at_default.stop()

        if wanted("posting"):
            print("  posting comments (htmx) ...", flush=True)
            results["posting"] = measure_posting(server, data, instance)
        server.stop()
        if wanted("posting"):
            print("  Isso posting comments, the same way (scripts/bench_isso.py) ...", flush=True)
            isso_work = work / "isso"
            isso_work.mkdir()
            try:
                results["isso"] = measure_isso(isso_work, SECONDS, POSTERS)
            except (OSError, RuntimeError, subprocess.SubprocessError) as error:
                # No PyPI, say: the report says so and falls back on the issue's figure.
                results["isso"] = {"error": f"{type(error).__name__}: {error}"[:300]}
            print("  the stack's own posting floor (scripts/bench_floor.py) ...", flush=True)
            floor_work = work / "floor"
            floor_work.mkdir()
            results["floor"] = measure_floor(floor_work, SECONDS, POSTERS)
        if wanted("import") and os.environ.get("BENCH_IMPORT", "1") != "0":
            print("  importing a 50 MB WordPress export ...", flush=True)
            results["import"] = measure_import(work, base_env)
    results["machine"]["load_after"] = os.getloadavg()
    return results


def reader_pages(data: Dataset) -> dict[str, str]:
    """The reader pages measured, by row name, as paths of the blog `data` holds."""
    return {
        "home": "/",
        "home page 100": "/?page=100",
        "article, 200 comments": f"/posts/{data.article_slug}",
        "tag page": f"/tags/{data.tag_slug}",
        "archive": "/archive/",
        "search, rare word": f"/search?q={data.rare_word}",
        "search, common word": f"/search?q={data.common_word}",
        "feed": "/feed.xml",
    }


def _page_name(row_name: str) -> str:
    """The reader page a row measures ("article, page cache off" is the article's)."""
    return "article, 200 comments" if row_name == "article, page cache off" else row_name


def proxy_nginx(work: Path, server: AppServer, saved: bytes) -> Nginx:
    """An nginx running deploy/nginx.conf in front of `server`, TLS with a throwaway certificate."""
    static_dir = work / "static"
    shutil.copytree(ROOT / "static", static_dir)
    (static_dir / "bench-article.html").write_bytes(saved)
    media = work / "media"
    media.mkdir()
    for path in [static_dir, media, *static_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    proxy_dir = work / "proxy"
    proxy_dir.mkdir()
    cert, key = self_signed(proxy_dir)
    https_port, http_port = free_port(), free_port()
    values = {
        "RUN_DIR": str(proxy_dir),
        "LISTEN_HTTPS": f"127.0.0.1:{https_port}",
        "LISTEN_HTTP": f"127.0.0.1:{http_port}",
        "SERVER_NAME": "127.0.0.1",
        "CERTIFICATE": str(cert),
        "CERTIFICATE_KEY": str(key),
        "STATIC_DIR": str(static_dir),
        "MEDIA_DIR": str(media),
        "APP_SERVERS": f"server 127.0.0.1:{server.port};",
        PAGE_FILES[2:-1]: server.env.get("BLOG_PAGE_CACHE_DIR", ""),
    }
    return Nginx(
        proxy_dir, "proxy", render_deploy_conf(values), f"https://127.0.0.1:{https_port}/healthz"
    )


# --- the report -----------------------------------------------------------------------------------


@dataclass
class Verdict:
    """One target, what was measured against it, and whether it holds."""

    target: str
    measured: str
    met: bool


def isso_rate(results: dict[str, Any]) -> float:
    """Isso's posting rate: measured in this run when it could be, else the issue's figure."""
    measured = results.get("isso", {}).get("posts_per_second")
    return float(measured) if measured else ISSO_POSTS_PER_SECOND


def isso_source(results: dict[str, Any]) -> str:
    """Where `isso_rate` came from, for the report."""
    if results.get("isso", {}).get("posts_per_second"):
        return "Isso measured in this run"
    return "the issue's Isso figure: " + results.get("isso", {}).get("error", "not measured")


def verdicts(results: dict[str, Any]) -> list[Verdict]:
    """The issue's targets, checked against this run (and the default run, for SCALE=large)."""
    found: list[Verdict] = []
    rows = results.get("rows", [])
    reference = rows[0]["figures"]["requests_per_second"] if rows else 0.0
    rates = {row["name"]: row["figures"]["requests_per_second"] for row in rows}
    for row in rows:
        if row["ratio_target"] is None or not reference:
            continue
        rate = row["figures"]["requests_per_second"]
        against = rates.get(row.get("against") or "", reference)
        ratio = rate / against
        measured = f"{ratio:.4f}x"
        if against != reference:
            measured += f" ({rate / reference:.4f}x the plain-HTTP reference)"
        found.append(
            Verdict(f"{row['name']}: {row['target']}", measured, ratio >= row["ratio_target"])
        )
    memory = [
        figures["server_rss_mib"]
        for figures in [row["figures"] for row in rows] + [results.get("posting", {})]
        if "server_rss_mib" in figures
    ]
    if memory:
        found.append(
            Verdict("app server memory ≤ 300 MiB", f"{max(memory):.0f} MiB", max(memory) <= 300)
        )
    posting = results.get("posting")
    if posting:
        floor = 3 * isso_rate(results)
        found.append(
            Verdict(
                f"posting ≥ 3 x Isso ({floor:.0f}/s, {isso_source(results)})",
                f"{posting['posts_per_second']:.0f}/s",
                posting["posts_per_second"] >= floor,
            )
        )
        found.append(
            Verdict(
                "posting answer < 10 KB",
                f"{posting['answer_bytes_max'] / 1024:.1f} KB",
                posting["answer_bytes_max"] < 10 * 1024,
            )
        )
        found.append(
            Verdict(
                "posting: no 5xx, every acknowledged comment stored",
                f"{posting['server_errors']} 5xx, {posting['stored']}/{posting['acknowledged']}",
                posting["server_errors"] == 0 and posting["stored"] >= posting["acknowledged"],
            )
        )
    imported = results.get("import")
    if imported:
        found.append(
            Verdict(
                "50 MB import ≤ 120 s", f"{imported['seconds']:.0f} s", imported["seconds"] <= 120
            )
        )
    if results["scale"] == "large":
        found.extend(_scale_verdicts(rows))
    return found


def _scale_verdicts(rows: list[dict[str, Any]]) -> list[Verdict]:
    found = []
    default_file = BENCH_DIR / "results-default.json"
    default_rows = {}
    if default_file.exists():
        default_rows = {
            row["name"]: row["figures"] for row in json.loads(default_file.read_text())["rows"]
        }
    for row in rows:
        name, figures = row["name"], row["figures"]
        if name.startswith("nginx"):
            continue
        # What a page costs to make (cache off) where measured, else what it costs to serve.
        key = "p50_ms_cache_off" if "p50_ms_cache_off" in figures else "p50_ms"
        how = " (cache off)" if key == "p50_ms_cache_off" else ""
        p50 = figures[key]
        if name == "search, common word":  # its own target, whatever the scale
            found.append(Verdict(f"{name}: p50{how} ≤ 200 ms", f"{p50:.1f} ms", p50 <= 200))
        elif "p50_ms_cache_off_default" in figures:  # the row's cost, cache off either way
            ratio = p50 / figures["p50_ms_cache_off_default"]
            found.append(
                Verdict(
                    f"{name}: p50{how} ≤ 1.5 x default scale (measured in this run)",
                    f"{ratio:.2f}x",
                    ratio <= 1.5,
                )
            )
        elif key in default_rows.get(name, {}):
            ratio = p50 / default_rows[name][key]
            found.append(
                Verdict(f"{name}: p50{how} ≤ 1.5 x default scale", f"{ratio:.2f}x", ratio <= 1.5)
            )
    if not default_rows:
        found.append(
            Verdict(
                "p50 ≤ 1.5 x default scale", "no .bench/results-default.json: run make bench", False
            )
        )
    return found


def report(results: dict[str, Any]) -> list[Verdict]:
    """Print the table and the targets; return the verdicts."""
    rows = results.get("rows", [])
    reference = rows[0]["figures"]["requests_per_second"] if rows else 0.0
    sql = results.get("sql", {})
    data = results["dataset"]
    print()
    print(
        f"scale {results['scale']}: {data['posts']:,} posts, {data['comments']:,} comments; "
        f"server: make run ({results.get('server_command', '?')})"
    )
    print(
        f"req/s: wrk -t2 -c{CONNECTIONS} -d{SECONDS}s; p50/p99: wrk -c{LATENCY_CONNECTIONS}; "
        f"p50 off: the same with the page cache off (BLOG_PAGE_CACHE=off); "
        f"x static: req/s over the nginx static file's; SQL: statements, first/again; "
        f"load average before {results['machine']['load_before'][0]:.1f}"
    )
    header = f"{'what':42} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'p50 off':>8} {'x static':>9}"
    header += f" {'SQL':>7} {'app MiB':>8} {'KB':>6}  target"
    print(header)
    print("-" * len(header))
    for row in rows:
        figures = row["figures"]
        statements = sql.get(_sql_name(row["name"]))
        print(
            f"{row['name']:42} {figures['requests_per_second']:9,.0f} {figures['p50_ms']:8.2f}"
            f" {figures['p99_ms']:8.2f} {_off(row):>8}"
            f" {figures['requests_per_second'] / reference:9.4f}"
            f" {_statements(statements):>7} {_mib(figures):>8} {figures['bytes'] / 1024:6.1f}"
            f"  {row['target']}"
            + (f"  ({figures['non_2xx']} non-2xx!)" if figures["non_2xx"] else "")
        )
    posting = results.get("posting")
    if posting:
        statuses = ", ".join(
            f"{code}: {count}" for code, count in sorted(posting["statuses"].items())
        )
        name = f"posting (htmx), post with {POSTING_COMMENTS}+ comments"
        rate, answer = posting["posts_per_second"], posting["answer_bytes_max"] / 1024
        print(
            f"{name:42} {rate:9,.0f} {posting['p50_ms']:8.2f} {posting['p99_ms']:8.2f} {'':>8}"
            f" {rate / reference:9.4f} {_statements(sql.get('posting')):>7} {_mib(posting):>8}"
            f" {answer:6.1f}  >= {3 * isso_rate(results):.0f}/s, < 10 KB"
        )
        isso = results.get("isso")
        if isso and "posts_per_second" in isso:
            name = f"Isso POST /new, thread with {isso['existing_comments']}+ comments"
            print(
                f"{name:42} {isso['posts_per_second']:9,.0f} {isso['p50_ms']:8.2f}"
                f" {isso['p99_ms']:8.2f} {'':>8} {isso['posts_per_second'] / reference:9.4f}"
                f" {'':>7} {'':>8} {isso['answer_bytes_max'] / 1024:6.1f}  (the comparison)"
            )
        floor = results.get("floor")
        if floor:
            name = "floor: the fixed stack alone (floor_app)"
            times = floor["posts_per_second"] / isso_rate(results)
            print(
                f"{name:42} {floor['posts_per_second']:9,.0f} {floor['p50_ms']:8.2f}"
                f" {floor['p99_ms']:8.2f} {'':>8} {floor['posts_per_second'] / reference:9.4f}"
                f" {'':>7} {'':>8} {floor['answer_bytes_max'] / 1024:6.1f}"
                f"  (the most this stack posts: {times:.2f} x Isso)"
            )
        print(
            f"{'':42} {POSTERS} readers, each fetching a fresh form per post; p50/p99: the"
            f" POSTs at {POSTERS} connections; answers {statuses}; stored {posting['stored']}"
            f" of {posting['acknowledged']} acknowledged; failed form fetches"
            f" {posting['form_failures']}"
        )
    imported = results.get("import")
    if imported:
        print(
            f"{'import, 50 MB WordPress export':42} {imported['seconds']:8.1f} s "
            f"({imported['posts']:,} posts, 5 comments each)  target ≤ 120 s"
        )
    found = verdicts(results)
    print()
    print("targets (issue 12):")
    for verdict in found:
        print(f"  {'ok    ' if verdict.met else 'MISSED'} {verdict.target}: {verdict.measured}")
    return found


def _sql_name(row_name: str) -> str:
    if row_name.startswith("article") and "cache off" not in row_name:
        return "article, 200 comments"
    return row_name


def _off(row: dict[str, Any]) -> str:
    """The page's p50 with the page cache off: measured for it, or the row is that already."""
    figures = row["figures"]
    if "p50_ms_cache_off" in figures:
        return f"{figures['p50_ms_cache_off']:.2f}"
    return f"{figures['p50_ms']:.2f}" if "cache off" in row["name"] else "-"


def _statements(counts: dict[str, Any] | None) -> str:
    return f"{counts['first']}/{counts['again']}" if counts else "-"


def _mib(figures: dict[str, Any]) -> str:
    return f"{figures['server_rss_mib']:.0f}" if "server_rss_mib" in figures else "-"


def main() -> int:
    """Run the benchmark, print the table, write the JSON; 1 on a missed target if BENCH_STRICT."""
    if SCALE not in ("default", "large"):
        sys.exit(f"error: SCALE must be default or large, not {SCALE!r}")
    check_tools()
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGHUP, stop_on_signal)
    try:
        results = run()
    except (KeyboardInterrupt, Stop):
        print("\nstopped: every process the benchmark started is stopped", file=sys.stderr)
        return 130
    found = report(results)
    results["targets"] = [asdict(verdict) for verdict in found]
    # Only a whole run is what SCALE=large compares itself with.
    out = BENCH_DIR / (f"results-{SCALE}.json" if not ROWS else f"results-{SCALE}-some-rows.json")
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten: {out.relative_to(ROOT)}")
    missed = [verdict for verdict in found if not verdict.met]
    return 1 if missed and os.environ.get("BENCH_STRICT") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
