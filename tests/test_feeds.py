"""Feeds, the sitemap and robots.txt, read the way feed readers and crawlers read them."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from datetime import timedelta
from typing import Any

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient

from blog.core.models import Author, PostStatus, utcnow
from blog.extensions import db
from blog.feeds import views
from tests.conftest import PostFactory, cheap_password_hash

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def blog(make_post: PostFactory, author: Author) -> dict[str, Any]:
    """Published posts with tags, plus a draft and a future post that must stay out."""
    made = {
        "first": make_post(
            "First light", tags=["Rivers"], body="Intro.\n\n![A weir](/media/x.png)"
        ),
        "second": make_post("Second thoughts", tags=["Rivers", "Bread"]),
        "third": make_post("Third time", tags=["Bread"]),
        "draft": make_post("Secret draft", status=PostStatus.DRAFT),
        "future": make_post(
            "Not yet", status=PostStatus.SCHEDULED, published_at=utcnow() + timedelta(days=3)
        ),
    }
    return made


def parse(client: FlaskClient, url: str) -> Any:
    """A feed as feedparser sees it; it must parse without complaint."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    return feed


def test_the_site_feed(client: FlaskClient, blog: dict[str, Any]) -> None:
    feed = parse(client, "/feed.xml")
    titles = [entry.title for entry in feed.entries]
    assert titles == ["First light", "Second thoughts", "Third time"]
    entry = feed.entries[0]
    assert entry.link == "https://blog.example.test/posts/first-light"
    assert entry.author == "Ada Quill"
    assert {tag.term for tag in entry.tags} == {"Rivers"}
    content = entry.content[0].value
    assert "Intro." in content
    # Relative links inside the body resolve against the post's address.
    assert "https://blog.example.test/media/x.png" in content
    assert feed.feed.link == "https://blog.example.test/"
    assert entry.id.startswith("tag:blog.example.test,") and entry.id.endswith(
        f":post-{blog['first'].id}"
    )


def test_tag_and_author_feeds(client: FlaskClient, blog: dict[str, Any], author: Author) -> None:
    bread = parse(client, "/tags/bread/feed.xml")
    assert [entry.title for entry in bread.entries] == ["Second thoughts", "Third time"]
    by_author = parse(client, f"/authors/{author.id}/feed.xml")
    assert len(by_author.entries) == 3
    assert client.get("/tags/nothing/feed.xml").status_code == 404
    assert client.get("/authors/999999/feed.xml").status_code == 404


def test_feeds_answer_304_when_nothing_changed(client: FlaskClient, blog: dict[str, Any]) -> None:
    first = client.get("/feed.xml")
    again = client.get("/feed.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/feed.xml", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    blog["first"].title = "First light, revised"
    blog["first"].updated_at = utcnow() + timedelta(seconds=5)
    db.session.commit()
    changed = client.get("/feed.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and b"revised" in changed.data


def test_pages_point_to_their_feeds(client: FlaskClient, blog: dict[str, Any]) -> None:
    home = client.get("/").text
    assert '<link rel="alternate" type="application/atom+xml"' in home
    assert 'href="/feed.xml">Subscribe (Atom feed)</a>' in home
    tag = client.get("/tags/bread").text
    assert 'href="/tags/bread/feed.xml"' in tag and "Feed for this tag" in tag


def sitemap_urls(client: FlaskClient, url: str) -> dict[str, str | None]:
    """The addresses in one sitemap file, with their lastmod."""
    root = ElementTree.fromstring(client.get(url).data)
    assert root.tag == f"{SITEMAP}urlset"
    found = {}
    for item in root.findall(f"{SITEMAP}url"):
        location = item.findtext(f"{SITEMAP}loc")
        assert location and location.startswith("https://blog.example.test/")
        found[location] = item.findtext(f"{SITEMAP}lastmod")
    return found


def test_sitemap_lists_what_readers_can_find(client: FlaskClient, blog: dict[str, Any]) -> None:
    urls = sitemap_urls(client, "/sitemap.xml")
    base = "https://blog.example.test"
    assert f"{base}/posts/first-light" in urls and f"{base}/tags/bread" in urls
    assert f"{base}/posts/secret-draft" not in urls and f"{base}/posts/not-yet" not in urls
    assert urls[f"{base}/posts/first-light"] is not None
    assert str(urls[f"{base}/posts/first-light"]).endswith("Z")
    robots = client.get("/robots.txt").text
    assert f"Sitemap: {base}/sitemap.xml" in robots


def test_a_large_sitemap_becomes_an_index(
    client: FlaskClient, blog: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "SITEMAP_LIMIT", 2)
    root = ElementTree.fromstring(client.get("/sitemap.xml").data)
    assert root.tag == f"{SITEMAP}sitemapindex"
    parts = [item.findtext(f"{SITEMAP}loc") for item in root.findall(f"{SITEMAP}sitemap")]
    assert len(parts) == 3  # the listings, then three posts two by two
    found: dict[str, str | None] = {}
    for part in parts:
        assert part
        found.update(sitemap_urls(client, part.removeprefix("https://blog.example.test")))
    assert sum("/posts/" in url for url in found) == 3
    assert client.get("/sitemap-9.xml").status_code == 404


def test_feeds_and_sitemap_never_list_pages_of_other_kinds(
    app: Flask, client: FlaskClient, blog: dict[str, Any]
) -> None:
    blog["third"].kind = "page"
    db.session.commit()
    feed = parse(client, "/feed.xml")
    assert "Third time" not in [entry.title for entry in feed.entries]
    assert "https://blog.example.test/third-time" in sitemap_urls(client, "/sitemap.xml")


# --- structured data on the article ------------------------------------------------------------


def json_ld(html: str) -> dict[str, Any]:
    """The page's JSON-LD, parsed."""
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD on the page"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_article_json_ld(client: FlaskClient, blog: dict[str, Any], make_comment: Any) -> None:
    post = blog["first"]
    parent = make_comment(post, "A <b>bold</b> claim </script> here")
    make_comment(post, "A reply", parent=parent, name="Replier")
    data = json_ld(client.get(f"/posts/{post.slug}").text)
    assert data["@context"] == "https://schema.org"
    posting, crumbs = data["@graph"]
    url = "https://blog.example.test/posts/first-light"
    assert posting["@type"] == "BlogPosting" and posting["url"] == url
    assert posting["headline"] == "First light"
    assert posting["author"] == {"@type": "Person", "name": "Ada Quill"}
    assert posting["datePublished"].endswith("Z") and posting["dateModified"].endswith("Z")
    assert posting["image"] == "https://blog.example.test/media/x.png"
    assert posting["commentCount"] == 2
    assert [comment["author"]["name"] for comment in posting["comment"]] == ["Reader", "Replier"]
    assert posting["comment"][0]["url"] == f"{url}#comment-{parent.id}"
    assert "</script> here" in posting["comment"][0]["text"]  # escaped in the page, intact here
    assert [item["position"] for item in crumbs["itemListElement"]] == [1, 2, 3]
    assert crumbs["itemListElement"][1]["item"] == "https://blog.example.test/tags/rivers"
    assert crumbs["itemListElement"][-1]["item"] == url


# --- the article's comforts --------------------------------------------------------------------


def test_author_pages_and_bylines(
    client: FlaskClient, blog: dict[str, Any], author: Author
) -> None:
    article = client.get("/posts/first-light").text
    assert f'href="/authors/{author.id}">Ada Quill</a>' in article
    assert "1 min read" in article
    assert '<span class="tags__label">Tags:</span>' in article
    page = client.get(f"/authors/{author.id}")
    assert page.status_code == 200
    assert "Posts by Ada Quill" in page.text and "Writes tests." in page.text
    assert "First light" in page.text and "Secret draft" not in page.text
    assert f'href="/authors/{author.id}/feed.xml"' in page.text
    assert client.get("/authors/999999").status_code == 404


def test_only_the_posts_writer_or_an_editor_sees_edit(
    app: Flask, client: FlaskClient, blog: dict[str, Any], author: Author
) -> None:
    assert ">Edit<" not in client.get("/posts/first-light").text
    author.password_hash = cheap_password_hash("long enough password")
    other = Author(
        email="o@example.org",
        name="Other",
        role="author",
        password_hash=cheap_password_hash("long enough password"),
    )
    db.session.add(other)
    db.session.commit()
    for person, sees in ((author, True), (other, False)):
        browser = app.test_client()
        form = {"email": person.email, "password": "long enough password"}
        assert browser.post("/account/sign-in", data=form).status_code == 303
        page = browser.get("/posts/first-light").text
        assert (f'href="/editor/posts/{blog["first"].id}">Edit' in page) is sees
