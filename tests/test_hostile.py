"""Hostile input: every field, every trick. Clear 4xx, nothing executable, nothing half-stored."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from blog.comments.spam import form_started_token
from blog.core.models import Author, Comment, Post, Tag
from blog.extensions import db
from tests.conftest import PostFactory, cheap_password_hash

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}
DANGEROUS_TAGS = {"iframe", "object", "embed", "style", "svg", "math", "base", "meta", "link"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")


class InertChecker(HTMLParser):
    """Collects what in a page could run: foreign scripts, handlers, bad URLs, hostile htmx."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_head = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_head = False
        values = dict(attrs)
        # A JSON-LD data block in the head is data, never run (its text is checked below).
        data_block = self.in_head and values.get("type") == "application/ld+json"
        if (
            tag == "script"
            and not data_block
            and not (values.get("src") or "").startswith("/static/")
        ):
            self.problems.append(f"script: {attrs}")
        if tag in DANGEROUS_TAGS and not (self.in_head and tag in {"meta", "link"}):
            self.problems.append(f"<{tag}> {attrs}")
        for name, value in attrs:
            plain = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
            if name.startswith("on"):
                self.problems.append(f"handler {name}={value!r}")
            if name in {"href", "src", "action", "formaction", "data-hx-get", "data-hx-post"} and (
                plain.startswith(BAD_SCHEMES)
            ):
                self.problems.append(f"{name}={value!r}")
            if ("hx-" in name and "XSS" in (value or "")) or "hx-on" in name:
                self.problems.append(f"htmx {name}={value!r}")
            if name == "style":
                self.problems.append(f"style={value!r}")


def assert_inert(html: str) -> None:
    """Nothing in `html` runs code or fetches from elsewhere because of what a user sent."""
    checker = InertChecker()
    checker.feed(html)
    assert checker.problems == [], checker.problems
    # What a user wrote reaches JSON-LD only escaped: no tag can end the block early.
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
        assert "<" not in block and ">" not in block, block[:200]


def rows(model: type) -> int:
    """Rows in a model's table."""
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture(autouse=True)
def open_comments(app: Flask) -> None:
    """No minimum time and no moderation in the way of what is being tested."""
    app.config.update(COMMENT_MIN_SECONDS=0, COMMENT_MODERATION="open", COMMENT_RATE_LIMIT=10_000)


def comment_form(**overrides: str) -> dict[str, str]:
    """A valid comment form with one field replaced."""
    data = {
        "name": "Tester",
        "email": "",
        "website": "",
        "body": "A fine comment.",
        "parent_id": "",
        "homepage": "",
        "started": form_started_token(),
    }
    data.update(overrides)
    return data


# --- comment fields: (field, payload, stored?) -------------------------------------------------

COMMENT_PAYLOADS: list[tuple[str, str, bool]] = [
    ("body", "<script>alert('XSS')</script>", True),
    ("body", "<img src=x onerror=alert('XSS')>", True),
    ("body", "<svg/onload=alert('XSS')>", True),
    ("body", "<iframe src=//evil.example/XSS></iframe>", True),
    ("body", "[click](javascript:alert('XSS'))", True),
    ("body", "[click](JAVASCRIPT:alert('XSS'))", True),
    ("body", "[click](&#106;avascript:alert('XSS'))", True),
    ("body", "[click](java\tscript:alert('XSS'))", True),
    ("body", "[click](%6Aavascript:alert('XSS'))", True),
    ("body", "[click](data:text/html;base64,PHNjcmlwdD5YU1M8L3NjcmlwdD4=)", True),
    ("body", "[click](vbscript:msgbox('XSS'))", True),
    ("body", "![x](javascript:alert('XSS'))", True),
    ("body", '<div hx-get="/XSS" hx-trigger="load">x</div>', True),
    ("body", '<p data-hx-post="/XSS" data-hx-trigger="load">x</p>', True),
    ("body", "<a hx-on:click=\"alert('XSS')\">x</a>", True),
    ("body", "<style>body{display:none}</style>XSS", True),
    ("body", '<a href="/" style="position:fixed;inset:0">XSS</a>', True),
    ("body", "'; DROP TABLE comments; -- XSS", True),
    ("body", '" OR 1=1 -- XSS', True),
    ("body", "<!--XSS--><script>alert(1)</script>", True),
    ("body", "x\x00XSS", False),
    ("body", "   \n\t  ", False),
    ("body", "y" * 5001, False),
    ("name", "<script>alert('XSS')</script>", True),
    ("name", '"><img src=x onerror=alert("XSS")>', True),
    ("name", "Robert'); DROP TABLE comments;--", True),
    ("name", "XSS\x00nul", False),
    ("name", "line\nbreak", False),
    ("name", "   ", False),
    ("website", "javascript:alert('XSS')", False),
    ("website", "JaVaScRiPt:alert('XSS')", False),
    ("website", " javascript:alert('XSS')", False),
    ("website", "java\tscript:alert('XSS')", False),
    ("website", "&#106;avascript:alert('XSS')", False),
    ("website", "data:text/html,<script>XSS</script>", False),
    ("website", "vbscript:msgbox('XSS')", False),
    ("website", "//evil.example/XSS", False),
    ("website", 'https://ok.example/" onmouseover="alert(1)', False),
    ("website", 'https://ok.example/XSS?q="><script>', True),
    ("email", "x@example.org\r\nBcc: victim@example.org", False),
    ("email", "<script>@example.org", True),
]


@pytest.mark.parametrize(("field", "payload", "stored"), COMMENT_PAYLOADS)
@pytest.mark.parametrize("htmx", [False, True])
def test_hostile_comment_fields(
    client: FlaskClient,
    make_post: PostFactory,
    field: str,
    payload: str,
    stored: bool,
    htmx: bool,
) -> None:
    post = make_post()
    response = client.post(
        f"/posts/{post.slug}/comments",
        data=comment_form(**{field: payload}),
        headers=HX if htmx else {},
    )
    if stored:
        assert response.status_code == (200 if htmx else 303)
    else:
        assert response.status_code == 422
    assert rows(Comment) == (1 if stored else 0)
    assert_inert(response.text)
    page = client.get(f"/posts/{post.slug}").text
    assert_inert(page)
    if stored and field == "email":
        assert "<script>@example.org" not in page and "&lt;script&gt;@" not in page


# --- author fields -------------------------------------------------------------------------

EDITOR_PAYLOADS: list[tuple[str, str, int]] = [
    ("title", "<script>alert('XSS')</script>", 303),
    ("title", '"><svg onload=alert("XSS")>', 303),
    ("title", "XSS\x00", 422),
    ("summary", "<img src=x onerror=alert('XSS')>", 303),
    ("body", "<script>alert('XSS')</script>\n\n[x](javascript:alert('XSS'))", 303),
    ("body", '<div hx-get="/XSS" hx-trigger="load"></div>', 303),
    ("tags", "<script>XSS</script>, ok", 303),
    ("tags", "a\x00b", 422),
    ("slug", "../../etc/passwd", 422),
    ("slug", "..%2F..%2Fsecret_key", 422),
    ("slug", "<script>", 422),
    ("slug", "x' OR '1'='1", 422),
    ("slug", "UPPER-case", 303),  # lowercased, then valid
    ("title", "   ", 422),
]


@pytest.fixture
def author_client(app: Flask, author: Author) -> FlaskClient:
    """A client signed in as the author."""
    author.password_hash = cheap_password_hash("long enough password")
    db.session.commit()
    client = app.test_client()
    client.post(
        "/account/sign-in", data={"email": author.email, "password": "long enough password"}
    )
    return client


@pytest.mark.parametrize(("field", "payload", "code"), EDITOR_PAYLOADS)
def test_hostile_editor_fields(
    author_client: FlaskClient, field: str, payload: str, code: int
) -> None:
    data = {
        "title": "Safe title",
        "slug": "",
        "tags": "",
        "summary": "",
        "status": "published",
        "body": "Safe body",
        "publish_at": "",
    }
    data[field] = payload
    response = author_client.post("/editor/posts/new", data=data)
    assert response.status_code == code
    assert rows(Post) == (1 if code == 303 else 0)
    assert_inert(response.text)
    if code == 303:
        post = db.session.scalars(select(Post)).one()
        assert_inert(author_client.get(f"/posts/{post.slug}").text)
        assert_inert(author_client.get("/").text)
        assert_inert(author_client.get(f"/editor/posts/{post.id}").text)
        for tag in db.session.scalars(select(Tag)):
            assert re.fullmatch(r"[a-z0-9-]+", tag.slug)
    preview = author_client.post("/editor/preview", data=data, headers=HX)
    assert_inert(preview.text)


@pytest.mark.parametrize(
    "query", ["<script>alert('XSS')</script>", "%' OR 1=1 --", "\x00XSS", "_%_%", "a" * 5000]
)
def test_hostile_search(author_client: FlaskClient, query: str) -> None:
    response = author_client.get("/editor/comments/", query_string={"q": query, "status": "all"})
    assert response.status_code == 200
    assert_inert(response.text)
    assert "No comments here." in response.text


# --- transport-level abuse ----------------------------------------------------------------------


def test_oversized_comment_is_413_before_parsing(
    client: FlaskClient, make_post: PostFactory
) -> None:
    post = make_post()
    response = client.post(
        f"/posts/{post.slug}/comments", data=comment_form(body="z" * (70 * 1024))
    )
    assert response.status_code == 413
    assert "larger than this blog accepts" in response.text
    assert rows(Comment) == 0


def test_too_many_fields(client: FlaskClient, make_post: PostFactory) -> None:
    post = make_post()
    data = {f"f{n}": "x" for n in range(300)} | comment_form()
    response = client.post(
        f"/posts/{post.slug}/comments", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 413
    assert rows(Comment) == 0


def test_invalid_utf8(client: FlaskClient, make_post: PostFactory) -> None:
    post = make_post()
    raw = b"name=%FF%FE&body=%C3%28bad&started=" + form_started_token().encode()
    response = client.post(
        f"/posts/{post.slug}/comments", data=raw, content_type="application/x-www-form-urlencoded"
    )
    assert 200 <= response.status_code < 500
    assert_inert(response.text)


@pytest.mark.parametrize(
    "path",
    [
        "/static/../blog/config.py",
        "/static/%2e%2e/wsgi.py",
        "/static/..%2f..%2fetc/passwd",
        "/posts/..%2f..%2fetc%2fpasswd",
        "/media/..%2f..%2fsecret_key",
        "/tags/%00",
    ],
)
def test_path_traversal(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert b"SECRET" not in response.data and b"import" not in response.data


def test_wrong_host_is_refused(app: Flask) -> None:
    # SITE_URL is https://blog.example.test in these tests, so only that host (and localhost).
    response = app.test_client().get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "does not answer to that host name" in response.text
    assert app.test_client().get("/", headers={"Host": "blog.example.test"}).status_code == 200


def test_forged_htmx_headers_do_not_replace_csrf(app: Flask, make_post: PostFactory) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    post = make_post()
    headers = {
        **HX,
        "HX-Source": "form#x",
        "HX-Target": "section#comments",
        "HX-Current-URL": f"http://localhost/posts/{post.slug}",
    }
    response = app.test_client().post(
        f"/posts/{post.slug}/comments", data=comment_form(), headers=headers
    )
    assert response.status_code == 400
    assert rows(Comment) == 0


# --- error pages, full and as htmx fragments --------------------------------------------------


@pytest.fixture
def failing_routes(app: Flask) -> Flask:
    """Routes that fail in each way an error page exists for."""
    from flask import abort

    @app.get("/fail/<int:code>")
    def fail(code: int) -> str:
        if code == 500:
            raise RuntimeError("boom")
        abort(code)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


@pytest.mark.parametrize(
    ("code", "title"),
    [
        (400, "Bad request"),
        (403, "Forbidden"),
        (404, "Page not found"),
        (405, "Method not allowed"),
        (413, "Too large"),
        (422, "Could not be processed"),
        (429, "Too many requests"),
        (500, "Something went wrong"),
    ],
)
def test_error_pages(failing_routes: Flask, code: int, title: str) -> None:
    client = failing_routes.test_client()
    full = client.get(f"/fail/{code}")
    assert full.status_code == code
    assert full.text.startswith("<!doctype html>") and f">{title}</h1>" in full.text
    fragment = client.get(f"/fail/{code}", headers=HX)
    assert fragment.status_code == code
    assert fragment.text.lstrip().startswith('<p class="flash flash--error" role="alert">')
    assert f"<strong>{title}.</strong>" in fragment.text
    assert fragment.headers["HX-Retarget"] == "#messages"
    assert_inert(full.text)


def test_real_405_and_413_answer_in_the_site_look(client: FlaskClient) -> None:
    response = client.delete("/")
    assert response.status_code == 405 and "Method not allowed" in response.text


# --- headers and cookies ----------------------------------------------------------------------


def test_signed_in_pages_are_never_cached(
    author_client: FlaskClient, make_post: PostFactory
) -> None:
    post = make_post()
    for url in ("/", f"/posts/{post.slug}", "/editor/", "/editor/comments/"):
        assert author_client.get(url).headers["Cache-Control"] == "no-store", url


def test_reader_pages_may_be_cached(client: FlaskClient, make_post: PostFactory) -> None:
    post = make_post()
    assert "no-store" not in client.get(f"/posts/{post.slug}").headers.get("Cache-Control", "")


def test_session_cookie_flags(app: Flask, make_post: PostFactory) -> None:
    post = make_post()
    # The article is the same for everyone (no cookie); its form's parts come with one.
    parts = f"/posts/{post.slug}/comments/form-parts"
    assert "Set-Cookie" not in app.test_client().get(f"/posts/{post.slug}").headers
    plain = app.test_client().get(parts)
    cookie = plain.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    # The fixture's app context outlives requests; Flask-WTF keeps its token in `g` there.
    g.pop("csrf_token", None)
    secure = app.test_client().get(parts, base_url="https://blog.example.test")
    assert "Secure" in secure.headers["Set-Cookie"]
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/tags/",
        "/archive/",
        "/posts/none",
        "/editor/",
        "/account/sign-in",
        "/static/css/blog.css",
    ],
)
def test_every_response_has_the_security_headers(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    response.close()
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
