"""Reader pages through the test client: listings, articles, visibility, errors, fragments."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from blog.core.models import Comment, CommentStatus, PostStatus, utcnow
from tests.conftest import PostFactory

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}


def titles(html: str) -> list[str]:
    """Post titles in a listing, in page order."""
    return re.findall(r'class="post-card__title"><a href="[^"]+">([^<]+)</a>', html)


def test_empty_blog_home(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Nothing has been published here yet." in response.text


def test_home_lists_newest_first_with_details(
    client: FlaskClient, make_post: PostFactory, make_comment: Callable[..., Comment]
) -> None:
    now = utcnow()
    older = make_post("Older story", published_at=now - timedelta(days=3), tags=["Rivers"])
    make_post("Newer story", published_at=now - timedelta(days=1), summary="Fresh news.")
    make_comment(older)
    make_comment(older)
    make_comment(older, status=CommentStatus.PENDING)
    html = client.get("/").text
    assert titles(html) == ["Newer story", "Older story"]
    assert "Fresh news." in html
    assert re.search(
        r'By <a class="byline__author" rel="author" href="/authors/\d+">Ada Quill</a>', html
    )
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">', html)
    assert '<a class="tag" rel="tag" href="/tags/rivers">Rivers</a>' in html
    assert "2 Comments" in html  # the pending one is not counted
    assert "0 Comments" in html


@pytest.mark.parametrize(
    ("count", "page", "expected"),
    [(5, 1, 5), (6, 1, 5), (6, 2, 1), (11, 2, 5), (11, 3, 1), (10, 2, 5)],
)
def test_pagination_pages(
    client: FlaskClient, make_post: PostFactory, count: int, page: int, expected: int
) -> None:
    for _ in range(count):
        make_post()
    response = client.get(f"/?page={page}")
    assert response.status_code == 200
    assert len(titles(response.text)) == expected


@pytest.mark.parametrize(("count", "page"), [(5, 2), (6, 3), (11, 4), (1, 0)])
def test_pages_past_the_end_are_404(
    client: FlaskClient, make_post: PostFactory, count: int, page: int
) -> None:
    for _ in range(count):
        make_post()
    assert client.get(f"/?page={page}").status_code == 404


@pytest.mark.parametrize("page", ["abc", "-1", "1.5", "", "9999999", "\uff11"])
def test_nonsense_page_numbers_are_404(
    client: FlaskClient, make_post: PostFactory, page: str
) -> None:
    make_post()
    assert client.get(f"/?page={page}").status_code == 404


def test_pager_links(client: FlaskClient, make_post: PostFactory) -> None:
    for _ in range(11):
        make_post()
    first = client.get("/").text
    assert "Page 1 of 3" in first
    assert 'href="/?page=2"' in first and "Newer posts" not in first
    middle = client.get("/?page=2").text
    assert 'href="/?page=3"' in middle
    assert 'rel="prev" href="/"' in middle  # page 1 is the plain home URL
    last = client.get("/?page=3").text
    assert "Older posts" not in last


def test_single_page_has_no_pager(client: FlaskClient, make_post: PostFactory) -> None:
    make_post()
    assert 'class="pager"' not in client.get("/").text


def test_article_page_has_every_part(
    client: FlaskClient, make_post: PostFactory, make_comment: Callable[..., Comment]
) -> None:
    now = utcnow()
    before = make_post("Before", published_at=now - timedelta(days=5))
    post = make_post(
        "The river & the road",
        published_at=now - timedelta(days=3),
        body="Opening words.\n\n## What happened\n\nDetails.\n\n## What next\n\nMore.",
        summary="A summary for search engines.",
        tags=["Transport", "Local News"],
    )
    after = make_post("After", published_at=now - timedelta(days=1))
    first = make_comment(post, "First *comment*", name="Iris")
    make_comment(post, "A reply", name="Olu", parent=first, website="https://example.com/olu")
    make_comment(post, "Held back", status=CommentStatus.PENDING)
    make_comment(post, "Buy pills", status=CommentStatus.SPAM)

    response = client.get(f"/posts/{post.slug}")
    assert response.status_code == 200
    html = response.text
    assert '<h1 class="post__title" id="post-title">The river &amp; the road</h1>' in html
    assert re.search(r'<time datetime="[^"]+Z">', html)
    assert "Ada Quill" in html
    assert '<h2 id="what-happened">What happened <a class="heading-anchor"' in html
    assert '<h2 id="what-next">What next <a class="heading-anchor"' in html
    assert 'href="/tags/transport"' in html and 'href="/tags/local-news"' in html
    assert '<span class="comment-count">2 Comments</span>' in html
    assert "<em>comment</em>" in html
    assert "Held back" not in html and "Buy pills" not in html
    # The reply sits in a list nested inside its parent's list item.
    assert re.search(r'<ol class="comment-replies">\s*<li class="comment" id="comment-\d+">', html)
    assert 'href="https://example.com/olu" rel="nofollow ugc noopener noreferrer"' in html
    assert 'id="post-a-comment"' in html and "Post a Comment" in html
    assert f'rel="prev" href="/posts/{before.slug}"' in html and "Previous Post" in html
    assert f'rel="next" href="/posts/{after.slug}"' in html and "Next Post" in html
    canonical = f"https://blog.example.test/posts/{post.slug}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert '<meta name="description" content="A summary for search engines.">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:title" content="The river &amp; the road">' in html
    assert '<meta property="article:tag" content="Transport">' in html


def test_updated_date_shown_only_when_later(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    from blog.extensions import db

    post = make_post(published_at=utcnow() - timedelta(days=10))
    post.updated_at = post.published_at  # type: ignore[assignment]
    db.session.commit()
    assert "Updated" not in client.get(f"/posts/{post.slug}").text
    post.updated_at = utcnow()
    db.session.commit()
    html = client.get(f"/posts/{post.slug}").text
    assert re.search(r'Updated <time datetime="[^"]+Z">', html)


def test_one_comment_is_singular(
    client: FlaskClient, make_post: PostFactory, make_comment: Callable[..., Comment]
) -> None:
    post = make_post()
    make_comment(post)
    assert '<span class="comment-count">1 Comment</span>' in client.get(f"/posts/{post.slug}").text


def test_prev_next_follow_publication_order(client: FlaskClient, make_post: PostFactory) -> None:
    now = utcnow()
    # Created out of order on purpose: order comes from published_at, not id.
    middle = make_post("Middle", published_at=now - timedelta(days=2))
    newest = make_post("Newest", published_at=now - timedelta(days=1))
    oldest = make_post("Oldest", published_at=now - timedelta(days=3))

    def links(slug: str) -> tuple[str | None, str | None]:
        html = client.get(f"/posts/{slug}").text
        prev = re.search(r'<a class="[^"]*" rel="prev" href="/posts/([^"]+)"', html)
        nxt = re.search(r'<a class="[^"]*" rel="next" href="/posts/([^"]+)"', html)
        return (prev.group(1) if prev else None, nxt.group(1) if nxt else None)

    assert links(oldest.slug) == (None, middle.slug)
    assert links(middle.slug) == (oldest.slug, newest.slug)
    assert links(newest.slug) == (middle.slug, None)


def test_same_publication_time_still_orders(client: FlaskClient, make_post: PostFactory) -> None:
    when = utcnow() - timedelta(days=1)
    first = make_post("Twin one", published_at=when)
    second = make_post("Twin two", published_at=when)
    html = client.get(f"/posts/{first.slug}").text
    assert f'rel="next" href="/posts/{second.slug}"' in html
    assert titles(client.get("/").text) == ["Twin two", "Twin one"]


@pytest.fixture
def hidden_and_shown(make_post: PostFactory) -> dict[str, str]:
    """One visible post between a draft, a future scheduled post and a future 'published' one."""
    now = utcnow()
    shown = make_post("Shown", published_at=now - timedelta(days=2), tags=["Common"])
    make_post("Secret draft", status=PostStatus.DRAFT, tags=["Common"])
    make_post(
        "Future scheduled",
        status=PostStatus.SCHEDULED,
        published_at=now + timedelta(days=2),
        tags=["Common"],
    )
    make_post("Future dated", published_at=now + timedelta(hours=1), tags=["Common"])
    return {"shown": shown.slug}


HIDDEN = ["Secret draft", "Future scheduled", "Future dated"]


def test_hidden_posts_never_listed(client: FlaskClient, hidden_and_shown: dict[str, str]) -> None:
    month = utcnow() - timedelta(days=2)
    pages = [
        "/",
        "/tags/common",
        f"/archive/{month.year}/{month.month}",
        f"/posts/{hidden_and_shown['shown']}",
    ]
    for url in pages:
        html = client.get(url).text
        for title in HIDDEN:
            assert title not in html, (url, title)
    assert "(1)" in client.get("/tags/").text


@pytest.mark.parametrize("slug", ["secret-draft", "future-scheduled", "future-dated"])
def test_hidden_posts_are_404_by_url(
    client: FlaskClient, hidden_and_shown: dict[str, str], slug: str
) -> None:
    assert client.get(f"/posts/{slug}").status_code == 404


def test_scheduled_post_appears_once_due(client: FlaskClient, make_post: PostFactory) -> None:
    post = make_post(
        "Was scheduled", status=PostStatus.SCHEDULED, published_at=utcnow() - timedelta(minutes=1)
    )
    assert client.get(f"/posts/{post.slug}").status_code == 200
    assert "Was scheduled" in client.get("/").text


def test_unknown_slug_is_a_404_in_site_look(client: FlaskClient) -> None:
    response = client.get("/posts/no-such-thing")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert 'class="site-header"' in response.text
    assert "<title>Page not found · Riverside Ledger</title>" in response.text


@pytest.mark.parametrize("url", ["/nowhere", "/posts/", "/posts/../../etc/passwd", "/tags/nope"])
def test_other_unknown_urls_are_404(client: FlaskClient, url: str) -> None:
    assert client.get(url).status_code == 404


def test_method_not_allowed_page(client: FlaskClient) -> None:
    response = client.post("/")
    assert response.status_code == 405
    assert "Method not allowed" in response.text
    assert "GET" in response.headers["Allow"]


def test_400_and_500_pages(app: Flask) -> None:
    from flask import abort

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("kaboom")

    @app.get("/bad")
    def bad() -> str:
        abort(400)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "kaboom" not in response.text
    assert 'class="site-header"' in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response = client.get("/bad")
    assert response.status_code == 400
    assert "Bad request" in response.text


def test_tag_page_lists_its_posts_and_paginates(
    client: FlaskClient, make_post: PostFactory
) -> None:
    for _ in range(6):
        make_post(tags=["Rail"])
    make_post("Untagged")
    first = client.get("/tags/rail")
    assert first.status_code == 200
    assert "Posts tagged “Rail”" in first.text
    assert len(titles(first.text)) == 5
    assert "Untagged" not in first.text
    assert 'href="/tags/rail?page=2"' in first.text
    assert len(titles(client.get("/tags/rail?page=2").text)) == 1
    assert client.get("/tags/rail?page=3").status_code == 404


def test_tags_index(client: FlaskClient, make_post: PostFactory) -> None:
    make_post(tags=["Rail", "Weather"])
    make_post(tags=["Rail"])
    html = client.get("/tags/").text
    assert re.search(r'href="/tags/rail">Rail <span class="tag__count">\(2\)', html)
    assert re.search(r'href="/tags/weather">Weather <span class="tag__count">\(1\)', html)


def test_monthly_archive(client: FlaskClient, make_post: PostFactory) -> None:
    make_post("March one", published_at=utcnow().replace(year=2025, month=3, day=10))
    make_post("March two", published_at=utcnow().replace(year=2025, month=3, day=31, hour=23))
    make_post("April one", published_at=utcnow().replace(year=2025, month=4, day=1, hour=0))
    make_post("December", published_at=utcnow().replace(year=2024, month=12, day=31))
    index = client.get("/archive/").text
    assert index.index("April 2025") < index.index("March 2025") < index.index("December 2024")
    assert re.search(r"March 2025</a> <span class=\"archive-list__count\">2 posts", index)
    march = client.get("/archive/2025/3").text
    assert titles(march) == ["March two", "March one"]
    assert "Posts from March 2025" in march
    assert titles(client.get("/archive/2024/12").text) == ["December"]


@pytest.mark.parametrize(
    "url",
    [
        "/archive/2025/13",
        "/archive/2025/0",
        "/archive/1900/1",
        "/archive/2025/5",
        "/archive/2025/march",
    ],
)
def test_archive_bad_or_empty_months_are_404(
    client: FlaskClient, make_post: PostFactory, url: str
) -> None:
    make_post(published_at=utcnow().replace(year=2025, month=3, day=10))
    assert client.get(url).status_code == 404


def test_archive_month_paginates(client: FlaskClient, make_post: PostFactory) -> None:
    for day in range(1, 8):
        make_post(published_at=utcnow().replace(year=2025, month=6, day=day))
    assert len(titles(client.get("/archive/2025/6").text)) == 5
    assert len(titles(client.get("/archive/2025/6?page=2").text)) == 2
    assert client.get("/archive/2025/6?page=3").status_code == 404


# --- one template, two renderings ---------------------------------------------------------------


def test_home_as_htmx_fragment(client: FlaskClient, make_post: PostFactory) -> None:
    for _ in range(7):
        make_post()
    full = client.get("/?page=2")
    fragment = client.get("/?page=2", headers=HX)
    assert full.text.startswith("<!doctype html>")
    assert fragment.status_code == 200
    title, body = fragment.text.split("\n", 1)
    assert title == "<title>Page 2 · Riverside Ledger</title>"
    assert body.startswith('<section id="post-list"')
    assert "<html" not in fragment.text and "site-header" not in fragment.text
    assert titles(fragment.text) == titles(full.text)
    assert "Vary" in fragment.headers and "HX-Request" in fragment.headers["Vary"]
    assert "HX-Request" in full.headers["Vary"]


@pytest.mark.parametrize(
    "headers",
    [
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},
        {"HX-Request": "true", "HX-Request-Type": "full"},
    ],
)
def test_history_restore_and_full_htmx_requests_get_the_page(
    client: FlaskClient, make_post: PostFactory, headers: dict[str, str]
) -> None:
    make_post()
    assert client.get("/", headers=headers).text.startswith("<!doctype html>")


def test_article_fragment_is_the_comment_section(
    client: FlaskClient, make_post: PostFactory, make_comment: Callable[..., Comment]
) -> None:
    post = make_post()
    make_comment(post, "Hello there")
    fragment = client.get(f"/posts/{post.slug}", headers=HX)
    assert fragment.text.lstrip().startswith('<section class="comments" id="comments"')
    assert "Hello there" in fragment.text and "1 Comment" in fragment.text
    assert "<html" not in fragment.text and "post__body" not in fragment.text


@pytest.mark.parametrize("url", ["/tags/", "/archive/"])
def test_index_pages_as_fragments(client: FlaskClient, make_post: PostFactory, url: str) -> None:
    make_post(tags=["Rail"])
    full = client.get(url)
    fragment = client.get(url, headers=HX)
    assert full.text.startswith("<!doctype html>")
    assert fragment.text.lstrip().startswith('<section class="index-page" id="content"')
    assert "<html" not in fragment.text


def test_tag_and_month_pages_as_fragments(client: FlaskClient, make_post: PostFactory) -> None:
    post = make_post(tags=["Rail"])
    assert post.published_at is not None
    month = f"/archive/{post.published_at.year}/{post.published_at.month}"
    for url in ("/tags/rail", month):
        fragment = client.get(url, headers=HX).text
        assert fragment.split("\n", 1)[1].startswith('<section id="post-list"'), url
        assert titles(fragment) == [post.title]


def test_error_as_htmx_fragment(client: FlaskClient) -> None:
    response = client.get("/posts/missing", headers=HX)
    assert response.status_code == 404
    assert response.text.lstrip().startswith('<p class="flash flash--error" role="alert">')
    assert "Page not found." in response.text
    # Whatever the request targeted, the message lands in the page's message area.
    assert response.headers["HX-Retarget"] == "#messages"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "<html" not in response.text


# --- headers, assets ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/posts/missing", "/static/css/blog.css", "/archive/"])
def test_security_headers_everywhere(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    response.close()
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP here


def test_hsts_over_tls(client: FlaskClient) -> None:
    headers = client.get("/", base_url="https://blog.example.test").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_load_nothing_from_other_hosts(client: FlaskClient, make_post: PostFactory) -> None:
    post = make_post()
    for url in ("/", f"/posts/{post.slug}"):
        html = client.get(url).text
        sources = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html)
        loaded = [s for s in sources if 'rel="canonical"' not in s]
        assert all(s.startswith("/") for s in loaded if not s.startswith("https://blog.")), loaded
        assert "<script>" not in html and " on" + "click=" not in html
        assert re.search(r"/static/vendor/htmx/htmx\.min\.[0-9a-f]{10}\.js", html)


def test_htmx_is_installed_and_served(client: FlaskClient) -> None:
    response = client.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200
    assert "javascript" in response.content_type
    assert b"htmx" in response.data[:5000]
    response.close()


def test_favicon_and_robots(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.headers["Location"] == "/static/favicon.svg"
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.content_type == "image/svg+xml; charset=utf-8"
    icon.close()
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and "User-agent: *" in robots.text
