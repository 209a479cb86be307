"""The first visit of an article in Chromium: at most 30 KB of HTML, CSS and JS, all from here.

The article is the one the speed issue measures: a post of some 700 words in four sections
with 20 comments (the demo's first post, in real prose, which compresses as real posts do),
served as `make run` serves it. The bytes counted are those on the wire: the
compressed bodies and the response headers, as Chromium reports them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from blog import create_app
from blog.cli.prepare import prepare_database
from blog.comments.service import build_comment
from blog.core.markdown import render_post
from blog.core.models import Author, CommentStatus, Post, PostStatus, utcnow
from blog.core.posts import tags_named
from blog.demo import content
from blog.extensions import db
from tests.browserkit import BrowserProblems
from tests.liveserver import app_server

pytestmark = pytest.mark.browser

BUDGET = 30 * 1024
COUNTED = ("document", "stylesheet", "script")
COMMENTS = 20


def _comment_texts() -> list[tuple[str, str]]:
    """(name, body) of every demo comment and reply, in order."""
    found: list[tuple[str, str]] = []

    def walk(items: tuple[content.DemoComment, ...]) -> None:
        for item in items:
            found.append((item.name, item.body))
            walk(item.replies)

    for post in content.posts():
        walk(post.comments)
    return found


def build_article() -> str:
    """The measured article, with an image at the top and one far below; return its path."""
    demo = content.posts()[0]
    author = Author(email="mara@example.org", name="Mara Quill", bio="Writes the local news.")
    body = (
        "![The reading room on opening day](/static/favicon.svg)\n\n"
        + demo.body
        + "\n\n![The archive shelves](/static/favicon.svg?below)\n"
    )
    published = utcnow().replace(microsecond=0)
    post = Post(
        title=demo.title,
        slug=demo.slug,
        summary=demo.summary,
        body_source=body,
        body_html=render_post(body),
        status=PostStatus.PUBLISHED.value,
        published_at=published,
        author=author,
        tags=tags_named(list(demo.tags)),
    )
    db.session.add(post)
    texts = _comment_texts()
    for number in range(COMMENTS):
        name, text = texts[number % len(texts)]
        db.session.add(
            build_comment(
                post,
                name=name,
                body=text,
                status=CommentStatus.APPROVED,
                created_at=published,
            )
        )
    db.session.commit()
    return f"/posts/{post.slug}"


@pytest.fixture(scope="module")
def article(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The blog served as `make run` serves it, holding the article; yields (base URL, path)."""
    work = tmp_path_factory.mktemp("first-visit")
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in list(os.environ):
            if name.startswith("BLOG_") or name == "DATABASE_URL":
                monkeypatch.delenv(name)
        monkeypatch.setenv("BLOG_INSTANCE_PATH", str(work / "instance"))
        app = create_app({"DEMO_CONTENT_ON_EMPTY": False})
        prepare_database(app)
        with app.app_context():
            path = build_article()
            db.session.remove()
            db.engine.dispose()
    with app_server(Path(work), workers=1) as base:
        yield base, path


def on_the_wire(request: Request) -> int:
    """Bytes of a finished request's response: headers and (compressed) body."""
    sizes = request.sizes()
    return sizes["responseHeadersSize"] + sizes["responseBodySize"]


def test_first_visit_is_small_and_from_this_host_only(
    needs_chromium: None, article: tuple[str, str], page: Page
) -> None:
    base, path = article
    problems = BrowserProblems()
    problems.watch(page)
    asked: list[str] = []
    finished: list[Request] = []
    page.on("request", lambda request: asked.append(request.url))
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    expect(page.locator("#comments-heading")).to_have_text(f"{COMMENTS} Comments")
    assert page.evaluate("() => typeof window.htmx") == "object"

    host = urlsplit(base).netloc
    assert [url for url in asked if urlsplit(url).netloc != host] == []
    counted = [request for request in finished if request.resource_type in COUNTED]
    kinds = {request.resource_type for request in counted}
    assert kinds == set(COUNTED), kinds
    table = "\n".join(
        f"{request.resource_type:10} {on_the_wire(request):6} {request.url}" for request in counted
    )
    total = sum(on_the_wire(request) for request in counted)
    assert total <= BUDGET, f"{total} bytes of HTML, CSS and JS:\n{table}"
    for request in counted:
        response = request.response()
        assert response is not None
        assert response.headers.get("content-encoding") == "br", request.url
        if request.resource_type != "document":
            assert "immutable" in response.headers["cache-control"], request.url
    assert problems.unexpected() == []


def test_images_below_the_fold_wait_for_the_reader(
    needs_chromium: None, article: tuple[str, str], page: Page
) -> None:
    base, path = article
    page.set_viewport_size({"width": 360, "height": 640})
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    top = page.locator('#article-body img[src="/static/favicon.svg"]')
    below = page.locator('#article-body img[src="/static/favicon.svg?below"]')
    assert top.get_attribute("loading") is None and top.get_attribute("decoding") == "async"
    assert below.get_attribute("loading") == "lazy"
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", top.element_handle())
    assert not any(url.endswith("?below") for url in asked), "the lower image loaded at once"
    below.scroll_into_view_if_needed()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=below.element_handle()
    )
    assert any(url.endswith("?below") for url in asked)
