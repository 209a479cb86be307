"""Scale-out as the deployment guide describes it: two app servers, one PostgreSQL, one nginx.

Each app server is its own serve.py (granian) with its own instance folder (as two machines
would have), sharing the database, the secret key and the media folder. nginx runs the shipped
deploy/nginx.conf with its placeholders filled in, TLS included (a throwaway certificate).
"""

from __future__ import annotations

import gzip
import http.client
import http.cookiejar
import io
import os
import re
import shutil
import signal
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import skip_unless
from tests.liveserver import ROOT, AppServer, create_author, flask_command, free_port

pytestmark = pytest.mark.e2e

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "a long enough password"


def render_nginx_conf(values: dict[str, str]) -> str:
    """deploy/nginx.conf with every ${NAME} replaced; a name left over is an error."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    left = re.findall(r"\$\{[A-Z_]+\}", text)
    assert not left, f"unfilled placeholders: {left}"
    return text


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class Browser:
    """A cookie-keeping client that does not follow redirects (TLS checks off: test cert)."""

    def __init__(self) -> None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE

        class Keep(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            urllib.request.HTTPSHandler(context=context),
            Keep(),
        )

    def open(
        self, url: str, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Message, bytes]:
        """Status, headers (names in any case, as HTTP has them) and body of one request."""
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read()

    def text(self, url: str) -> str:
        """A page that must answer 200."""
        status, _headers, body = self.open(url)
        assert status == 200, f"{url} answered {status}"
        return body.decode()

    def form(self, url: str, fields: dict[str, str]) -> tuple[int, Message, bytes]:
        """POST a form, from the page it is on (over https, CSRF checks the Referer too)."""
        return self.open(url, urllib.parse.urlencode(fields).encode(), {"Referer": url})


def hidden(page: str, name: str) -> str:
    """A hidden field's value in a page."""
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert found, f"no {name} in the page"
    return found.group(1)


@pytest.fixture
def cluster(postgres_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Two app servers on one PostgreSQL database, and nginx in front of them."""
    skip_unless(Path(NGINX).exists(), f"{NGINX} is not installed (apt-get install nginx)")
    served = Path(os.environ.get("TMPDIR", "/tmp")) / f"blog-deploy-{os.getpid()}-{time.time_ns()}"
    media = served / "media"
    media.mkdir(parents=True)
    pages = served / "pages"  # the page files, shared by both servers like the media
    pages.mkdir()
    shutil.copytree(ROOT / "static", served / "static")
    # nginx's workers run as an unprivileged user: what they serve must be readable by all.
    for path in [served, *served.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    https_port, http_port = free_port(), free_port()
    env = {
        "DATABASE_URL": postgres_url,
        "BLOG_SECRET_KEY": "x" * 64,  # every app server signs with the same key
        "BLOG_MEDIA_DIR": str(media),
        "BLOG_PAGE_CACHE_DIR": str(pages),
        "BLOG_PROXY_COUNT": "1",
        "BLOG_SITE_URL": f"https://127.0.0.1:{https_port}",
        "BLOG_COMMENT_MIN_SECONDS": "0",
        "BLOG_COMMENT_RATE_LIMIT": "3",
        "BLOG_COMMENT_MODERATION": "links",  # more than two links: held for an author
    }
    first = AppServer(tmp_path / "a", workers=1, extra_env=env)
    second = AppServer(tmp_path / "b", workers=1, extra_env=env)
    for server in (first, second):
        server.work.mkdir()
    run_dir = tmp_path / "nginx"
    run_dir.mkdir()
    cert, key = self_signed(run_dir)
    nginx_process = None
    try:
        first.start()  # the first migrates the database; the second finds it up to date
        second.start()
        conf = run_dir / "nginx.conf"
        conf.write_text(
            render_nginx_conf(
                {
                    "RUN_DIR": str(run_dir),
                    "LISTEN_HTTPS": f"127.0.0.1:{https_port}",
                    "LISTEN_HTTP": f"127.0.0.1:{http_port}",
                    "SERVER_NAME": "127.0.0.1",
                    "CERTIFICATE": str(cert),
                    "CERTIFICATE_KEY": str(key),
                    "STATIC_DIR": str(served / "static"),
                    "MEDIA_DIR": str(media),
                    "PAGE_CACHE_DIR": str(pages),
                    "APP_SERVERS": " ".join(
                        f"server 127.0.0.1:{server.port};" for server in (first, second)
                    ),
                }
            )
        )
        checked = subprocess.run(
            [NGINX, "-t", "-c", str(conf), "-e", str(run_dir / "error.log")],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stderr
        nginx_process = subprocess.Popen(
            [NGINX, "-c", str(conf), "-e", str(run_dir / "error.log"), "-g", "daemon off;"]
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status, _headers, _body = Browser().open(f"https://127.0.0.1:{https_port}/healthz")
            if status == 200:
                break
            time.sleep(0.2)
        create_author(
            first.work,
            "editor@example.org",
            PASSWORD,
            name="Eda Editor",
            extra_env={"DATABASE_URL": postgres_url},
        )
        # deploy/blog-cache.timer's command, every minute in production: with it running, page
        # files are written even while a scheduled post (the demo has one) is pending.
        flask_command(first.work, ["cache", "refresh"], env)
        assert first.process is not None
        yield {
            "a": first.base,
            "a_pid": str(first.process.pid),
            "a_log": str(first.log),
            "b": second.base,
            "proxy": f"https://127.0.0.1:{https_port}",
            "plain": f"http://127.0.0.1:{http_port}",
            "media": str(media),
            "pages": str(pages),
        }
    finally:
        if nginx_process is not None:
            nginx_process.send_signal(signal.SIGQUIT)
            nginx_process.wait(timeout=20)
        first.stop()
        second.stop()
        shutil.rmtree(served, ignore_errors=True)


def first_article(browser: Browser, base: str) -> str:
    """The address of the newest article."""
    found = re.search(r'href="(/posts/[^"#]+)"', browser.text(base + "/"))
    assert found
    return found.group(1)


def post_comment(browser: Browser, base: str, article: str, body: str, **extra: str) -> int:
    """Open the article on `base`, then post a comment with its form (its parts fetched)."""
    browser.text(base + article)
    page = browser.text(base + article + "/comments/form-parts")
    fields = {
        "csrf_token": hidden(page, "csrf_token"),
        "started": hidden(page, "started"),
        "name": "Reader",
        "body": body,
        **extra,
    }
    status, _headers, _body = browser.form(base + article + "/comments", fields)
    return status


def test_two_app_servers_behind_nginx(cluster: dict[str, str]) -> None:
    a, b, proxy = cluster["a"], cluster["b"], cluster["proxy"]
    reader = Browser()
    article = first_article(reader, a)

    # A comment posted through one server is on the page the other serves, at once.
    assert post_comment(reader, a, article, "Seen from the other side") == 303
    assert "Seen from the other side" in Browser().text(b + article)

    # A held comment shows to its writer, whichever server answers, and to nobody else.
    held = Browser()
    links = " ".join(f"[link {n}](https://example.org/{n})" for n in range(3))
    assert post_comment(held, a, article, f"Waiting for approval {links}") == 303
    assert "Waiting for approval" in held.text(b + article)
    assert "Waiting for approval" not in Browser().text(b + article)

    # One commenter's limit counts on both servers (3 here): the fourth comment waits.
    quick = Browser()
    codes = [
        post_comment(quick, server, article, f"Limit {n}") for n, server in enumerate([a, b, a, b])
    ]
    assert codes == [303, 303, 303, 429]

    # Signed in on one server, signed in on the other.
    editor = Browser()
    page = editor.text(a + "/account/sign-in")
    status, _headers, _body = editor.form(
        a + "/account/sign-in",
        {
            "csrf_token": hidden(page, "csrf_token"),
            "email": "editor@example.org",
            "password": PASSWORD,
        },
    )
    assert status == 303
    assert "Your posts" in editor.text(b + "/editor/")

    # An image uploaded through one server is served by the other, and by nginx from disk.
    picture = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 90, 160)).save(picture, format="PNG")
    editor_page = editor.text(a + "/editor/posts/new")
    boundary = "----blogtest"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{hidden(editor_page, 'csrf_token')}\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + picture.getvalue()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _headers, uploaded = editor.open(
        a + "/editor/images", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert status == 201
    # Stored cleaned (decoded, written again) under a name that carries its size.
    media_url = re.search(r"/media/[0-9a-f]{32}-30x20\.png", uploaded.decode())
    assert media_url
    for base in (b, proxy):
        status, headers, data = Browser().open(base + media_url.group(0))
        assert status == 200 and headers["Content-Type"] == "image/png"
        with Image.open(io.BytesIO(data)) as served:
            assert served.size == (30, 20)

    # Through nginx: TLS, the app sees https (HSTS), static files from disk, health checks.
    status, headers, _body = Browser().open(proxy + article)
    assert status == 200 and headers["Strict-Transport-Security"].startswith("max-age=")
    status, headers, _body = Browser().open(proxy + "/static/css/blog.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert headers["Cache-Control"] == "max-age=3600"  # a plain address: kept an hour
    # Pages link static files by content hash; nginx serves those itself, kept a year, gzipped.
    hashed = re.search(
        r'href="(/static/css/blog\.[0-9a-f]{10}\.css)"', Browser().text(proxy + article)
    )
    assert hashed, "the article links no hashed stylesheet"
    status, headers, body = Browser().open(
        proxy + hashed.group(1), headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Encoding"] == "gzip" and headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == (ROOT / "static" / "css" / "blog.css").read_bytes()
    assert "Content-Security-Policy" not in headers  # from disk: the app would have added it
    assert Browser().open(proxy + "/healthz")[0] == 200
    status, headers, _body = Browser().open(cluster["plain"] + article)
    assert status == 301 and headers["Location"].startswith("https://")
    assert post_comment(Browser(), proxy, article, "Through the proxy") == 303


def test_nginx_serves_page_files_that_never_go_stale(cluster: dict[str, str]) -> None:
    """Anonymous pages come from the files the app wrote; any change on any server ends them."""
    b, proxy = cluster["b"], cluster["proxy"]
    article = first_article(Browser(), proxy)

    def through_nginx(path: str, headers: dict[str, str] | None = None) -> tuple[int, Message, str]:
        status, got, body = Browser().open(proxy + path, headers=headers)
        if got.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return status, got, body.decode()

    first = through_nginx(article)  # the app renders it and writes the file
    assert first[0] == 200 and first[1].get("X-Page-Cache") != "file"
    assert (Path(cluster["pages"]) / article.lstrip("/") / "index.html").is_file()
    status, headers, body = through_nginx(article)
    assert status == 200 and headers["X-Page-Cache"] == "file"
    assert body == first[2]
    # The file carries the headers the app sends with the page.
    for name in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "X-Frame-Options",
        "Cross-Origin-Opener-Policy",
        "Strict-Transport-Security",
    ):
        assert headers[name] == first[1][name], name
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    # Compressed once by the app, sent as is.
    status, headers, body = through_nginx(article, {"Accept-Encoding": "gzip"})
    assert headers["X-Page-Cache"] == "file" and headers["Content-Encoding"] == "gzip"
    assert body == first[2]
    # Conditional GET, each encoding by its own ETag.
    for encoding in ("gzip", "identity"):
        status, headers, _body = Browser().open(
            proxy + article, headers={"Accept-Encoding": encoding}
        )
        status, _headers, _body = Browser().open(
            proxy + article, headers={"Accept-Encoding": encoding, "If-None-Match": headers["ETag"]}
        )
        assert status == 304, encoding

    # A comment posted on the other server, not through nginx: the next reader sees it.
    assert post_comment(Browser(), b, article, "Straight to server b") == 303
    assert not (Path(cluster["pages"]) / article.lstrip("/") / "index.html").exists()
    status, headers, body = through_nginx(article)
    assert "Straight to server b" in body and headers.get("X-Page-Cache") != "file"
    assert through_nginx(article)[1]["X-Page-Cache"] == "file"
    assert "Straight to server b" in through_nginx(article)[2]

    # Not from a file: a query string, an htmx request, a trailing slash, a session, a POST.
    assert through_nginx(article + "?page=1")[1].get("X-Page-Cache") != "file"
    status, headers, body = through_nginx(article, {"HX-Request": "true"})
    assert headers.get("X-Page-Cache") != "file" and "<html" not in body
    status, headers, _body = Browser().open(proxy + article + "/")
    assert status in (301, 308) and headers["Location"].endswith(article)
    editor = Browser()
    page = editor.text(proxy + "/account/sign-in")
    status, _headers, _body = editor.form(
        proxy + "/account/sign-in",
        {
            "csrf_token": hidden(page, "csrf_token"),
            "email": "editor@example.org",
            "password": PASSWORD,
        },
    )
    assert status == 303
    status, headers, body = editor.open(proxy + article)
    assert headers.get("X-Page-Cache") != "file" and b"Sign out" in body
    assert post_comment(Browser(), proxy, article, "Posted through nginx") == 303
    assert "Posted through nginx" in through_nginx(article)[2]


def test_reloading_an_app_server_drops_no_page(cluster: dict[str, str]) -> None:
    """`systemctl reload` (SIGHUP) while readers read through nginx: every page answers 200."""
    proxy, log = cluster["proxy"], Path(cluster["a_log"])
    article = first_article(Browser(), proxy)
    answers: Counter[object] = Counter()
    lock = threading.Lock()
    stop = threading.Event()

    def read() -> None:
        browser = Browser()
        while not stop.is_set():
            try:
                status: object = browser.open(proxy + article)[0]
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
            with lock:
                answers[status] += 1

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        time.sleep(1)
        os.kill(int(cluster["a_pid"]), signal.SIGHUP)
        deadline = time.monotonic() + 90
        while "Stopped old worker-1" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)  # and read on for a moment from the new worker
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
    assert "Stopped old worker-1" in log.read_text(), "the server did not reload"
    assert set(answers) == {200} and answers[200] > 20, answers
    assert Browser().open(cluster["a"] + article)[0] == 200


# --- the guide's other files -------------------------------------------------------------------

SYSTEMD_ANALYZE = shutil.which("systemd-analyze") or "/usr/bin/systemd-analyze"
UNITS = ["blog.service", "blog-maintain.service", "blog-maintain.timer"]


def render_unit(name: str, values: dict[str, str]) -> str:
    """A unit file from deploy/ with its placeholders filled in."""
    text = (ROOT / "deploy" / name).read_text()
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    assert not re.findall(r"\$\{[A-Z_]+\}", text), name
    return text


@pytest.mark.parametrize("broken", [False, True])
def test_systemd_units_verify(tmp_path: Path, broken: bool) -> None:
    skip_unless(Path(SYSTEMD_ANALYZE).exists(), "systemd-analyze is not installed")
    values = {
        "BLOG_ROOT": str(ROOT),
        "BLOG_USER": "root",
        "PORT": "8001",
        "BACKUP_DIR": str(tmp_path),
    }
    for name in UNITS:
        text = render_unit(name, values)
        if broken:  # the check itself must catch a mistake
            text = text.replace("ExecStart=" + str(ROOT), "ExecStart=relative")
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", *[str(tmp_path / name) for name in UNITS]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode != 0) is broken, result.stderr


def test_the_shipped_nginx_conf_passes_nginx_t(tmp_path: Path) -> None:
    skip_unless(Path(NGINX).exists(), f"{NGINX} is not installed (apt-get install nginx)")
    cert, key = self_signed(tmp_path)
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        render_nginx_conf(
            {
                "RUN_DIR": str(tmp_path),
                "LISTEN_HTTPS": "127.0.0.1:8443",
                "LISTEN_HTTP": "127.0.0.1:8080",
                "SERVER_NAME": "blog.example.org",
                "CERTIFICATE": str(cert),
                "CERTIFICATE_KEY": str(key),
                "STATIC_DIR": str(ROOT / "static"),
                "MEDIA_DIR": str(tmp_path / "media"),
                "PAGE_CACHE_DIR": str(tmp_path / "pages"),
                "APP_SERVERS": "server 127.0.0.1:8001; server 127.0.0.1:8002;",
            }
        )
    )
    result = subprocess.run(
        [NGINX, "-t", "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
