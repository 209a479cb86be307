"""A small first visit: compressed answers, static files named by their content, lazy images.

What a browser gets over the wire, read with the test client: `Content-Encoding` and `Vary` on
pages, feeds and static files; hashed static addresses cached for a year while plain and older
addresses keep working; precompressed copies sent only while they hold their file; images
below the fold marked to load lazily. The whole first visit in Chromium, with its byte budget,
is in test_first_visit_browser.py.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import feedparser
import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from blog import create_app
from blog.core.assets import IMMUTABLE, SHORT_LIVED, Assets
from blog.core.compression import negotiated_encoding
from blog.core.markdown import lazy_images, render_post, sanitize
from blog.core.precompress import precompress
from blog.extensions import db
from tests.conftest import PostFactory

# What Chromium sends.
BROWSER = "gzip, deflate, br, zstd"
HX = {"HX-Request": "true", "HX-Request-Type": "partial"}
HASHED = r"\.[0-9a-f]{10}\."


def decoded(response: TestResponse) -> bytes:
    """The body as the browser reads it, whatever its Content-Encoding."""
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return bytes(brotli.decompress(response.data))
    if encoding == "gzip":
        return gzip.decompress(response.data)
    assert encoding is None, encoding
    return response.data


def static_links(html: str) -> list[str]:
    """The static files a page links."""
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def vary(response: TestResponse) -> set[str]:
    """The header names in `Vary`."""
    return {name.strip().lower() for name in response.headers.get("Vary", "").split(",") if name}


def static_url(app: Flask, filename: str) -> str:
    """The address pages link `filename` by."""
    with app.test_request_context():
        return url_for("static", filename=filename)


# --- hashed names, long caching ----------------------------------------------------------------


def test_pages_link_every_static_file_by_its_content(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    post = make_post()
    links = static_links(client.get(f"/posts/{post.slug}").text)
    for name in ("favicon", "css/blog", "vendor/htmx/htmx.min", "js/comments"):
        assert any(
            re.fullmatch(rf"/static/{re.escape(name)}{HASHED}\w+", link) for link in links
        ), (
            name,
            links,
        )
    folder = Path(app.static_folder or "")
    for link in links:
        response = client.get(link, headers={"Accept-Encoding": BROWSER})
        assert response.status_code == 200, link
        assert response.headers["Cache-Control"] == IMMUTABLE
        plain = re.sub(HASHED, ".", link.removeprefix("/static/"), count=1)
        assert decoded(response) == (folder / plain).read_bytes(), link


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [
        (BROWSER, "br"),
        ("gzip, deflate", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("identity", None),
        ("", None),
    ],
)
def test_a_hashed_file_in_each_encoding(
    app: Flask, client: FlaskClient, accept: str, encoding: str | None
) -> None:
    url = static_url(app, "css/blog.css")
    source = Path(app.static_folder or "", "css/blog.css").read_bytes()
    response = client.get(url, headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == encoding
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.mimetype == "text/css"
    assert decoded(response) == source
    # Caches keep one copy per encoding, and the stylesheet does not depend on cookies.
    assert vary(response) == {"accept-encoding"}
    assert "Set-Cookie" not in response.headers
    again = client.get(
        url, headers={"Accept-Encoding": accept, "If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    head = client.head(url, headers={"Accept-Encoding": accept})
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == str(len(response.data))


def test_encodings_of_one_file_have_their_own_etags(app: Flask, client: FlaskClient) -> None:
    url = static_url(app, "vendor/htmx/htmx.min.js")
    tags = {
        client.get(url, headers={"Accept-Encoding": accept}).headers["ETag"]
        for accept in ("br", "gzip", "")
    }
    assert len(tags) == 3


def test_plain_and_older_addresses_still_work_briefly_cached(
    app: Flask, client: FlaskClient
) -> None:
    source = Path(app.static_folder or "", "css/blog.css").read_bytes()
    for url in ("/static/css/blog.css", "/static/css/blog.0000000000.css"):
        response = client.get(url, headers={"Accept-Encoding": BROWSER})
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == SHORT_LIVED, url
        assert decoded(response) == source
    assert client.get("/static/vendor/htmx/htmx.min.js.map").status_code == 200
    assert client.get("/static/css/none.0123456789.css").status_code == 404
    assert client.get("/static/css/none.css").status_code == 404
    # Outside the folder, hashed or not: nothing.
    assert client.get("/static/../blog/config.0123456789.py").status_code == 404
    icon = client.get("/favicon.ico")
    assert icon.headers["Location"] == "/static/favicon.svg"  # permanent: the plain address


def test_precompressed_copies_are_sent_only_while_they_hold_their_file(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    css = folder / "css" / "site.css"
    css.write_text(
        "".join(f".rule-{n} {{ margin: {n}px; color: #{n:06x}; }}\n" for n in range(200))
    )
    (folder / "tiny.js").write_text("let a = 1;\n")
    made = precompress(folder)
    assert sorted(path.name for path in made) == ["site.css.br", "site.css.gz"]  # not tiny.js
    assert precompress(folder) == []  # up to date: nothing to do
    app.static_folder = str(folder)
    app.extensions["assets"] = Assets(folder)  # as a server starting with this folder would
    url = static_url(app, "css/site.css")
    assert re.fullmatch(rf"/static/css/site{HASHED}css", url)

    response = client.get(url, headers={"Accept-Encoding": BROWSER})
    assert response.headers["Content-Encoding"] == "br"
    assert response.data == (folder / "css" / "site.css.br").read_bytes()  # the copy itself
    assert (
        client.get(url, headers={"Accept-Encoding": "gzip"}).data
        == (folder / "css" / "site.css.gz").read_bytes()
    )

    # The file changes and the copies are stale: never sent, the answer is compressed anew.
    css.write_text(css.read_text() + ".new { color: red; }\n")
    app.extensions["assets"] = Assets(folder)
    fresh = client.get(static_url(app, "css/site.css"), headers={"Accept-Encoding": BROWSER})
    assert fresh.headers["Content-Encoding"] == "br"
    assert decoded(fresh) == css.read_bytes()
    assert len(precompress(folder)) == 2

    css.unlink()  # copies of a file that is gone go too
    precompress(folder)
    assert sorted(path.name for path in folder.rglob("*")) == ["css", "tiny.js"]


def test_in_debug_mode_an_edited_file_gets_its_new_address_at_once(
    app: Flask, tmp_path: Path
) -> None:
    (tmp_path / "app.js").write_text("console.log(1);\n")
    app.static_folder = str(tmp_path)
    app.debug = True
    before = static_url(app, "app.js")
    (tmp_path / "app.js").write_text("console.log(2);\n")
    after = static_url(app, "app.js")
    assert before != after and app.test_client().get(after).data == b"console.log(2);\n"


# --- compressed pages and feeds ----------------------------------------------------------------


def test_pages_and_fragments_are_compressed_for_browsers(
    client: FlaskClient, make_post: PostFactory
) -> None:
    post = make_post("Compressed words", body="A paragraph of words. " * 200)
    # The page, and the article's htmx fragment (its comment section).
    for headers, text in (({}, b"Compressed words"), (HX, b'id="comments"')):
        response = client.get(
            f"/posts/{post.slug}", headers={**headers, "Accept-Encoding": BROWSER}
        )
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "br"
        assert {"accept-encoding", "hx-request"} <= vary(response)
        assert text in decoded(response)
        assert len(response.data) < len(decoded(response)) / 2
        plain = client.get(f"/posts/{post.slug}", headers=headers)
        assert "Content-Encoding" not in plain.headers
        assert "accept-encoding" in vary(plain)


def test_the_feed_is_compressed_and_still_answers_304(
    client: FlaskClient, make_post: PostFactory
) -> None:
    for number in range(5):
        make_post(f"Feed entry {number}", body="Words for the feed reader. " * 40)
    first = client.get("/feed.xml", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in vary(first)
    feed = feedparser.parse(decoded(first))
    assert not feed.bozo and len(feed.entries) == 5
    again = client.get(
        "/feed.xml", headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    # A reader that kept the uncompressed answer's ETag gets its 304 too.
    plain = client.get("/feed.xml")
    assert "Content-Encoding" not in plain.headers
    assert (
        client.get("/feed.xml", headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304
    )


def test_small_answers_redirects_and_errors_go_uncompressed(
    client: FlaskClient, make_post: PostFactory
) -> None:
    post = make_post()
    for url in ("/robots.txt", "/favicon.ico", f"/posts/{post.slug}/", "/static/favicon.svg"):
        response = client.get(url, headers={"Accept-Encoding": BROWSER})
        assert response.status_code in (200, 301, 308), url
        assert "Content-Encoding" not in response.headers, url
    missing = client.get("/posts/not-there", headers={"Accept-Encoding": BROWSER})
    assert missing.status_code == 404 and "Content-Encoding" not in missing.headers


def test_compressing_can_be_left_to_a_proxy(app: Flask) -> None:
    # BLOG_COMPRESS_REGISTER=false, as docs/deploy.md says for nginx doing it.
    plain = create_app({**app.config, "COMPRESS_REGISTER": False})
    with plain.app_context():
        response = plain.test_client().get("/", headers={"Accept-Encoding": BROWSER})
        assert response.status_code == 200 and "Content-Encoding" not in response.headers
        db.engine.dispose()


@pytest.mark.parametrize(
    "accept", [BROWSER, "gzip", "br", "br;q=0, gzip", "gzip;q=0.5, br;q=0.9", "identity", "*", ""]
)
def test_the_encoding_a_cache_would_key_on_is_the_one_sent(
    client: FlaskClient, make_post: PostFactory, accept: str
) -> None:
    post = make_post(body="Enough words to be worth compressing. " * 60)
    response = client.get(f"/posts/{post.slug}", headers={"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == negotiated_encoding(accept)


# --- images below the fold ---------------------------------------------------------------------


def test_only_images_below_the_fold_load_lazily(
    client: FlaskClient, make_post: PostFactory
) -> None:
    words = " ".join(f"word{n}" for n in range(150))
    post = make_post(
        body=f"Short opening.\n\n![Top](/media/top.png)\n\n{words}\n\n![Lower](/media/lower.png)"
    )
    html = client.get(f"/posts/{post.slug}").text
    assert '<img decoding="async" src="/media/top.png" alt="Top">' in html
    assert '<img loading="lazy" decoding="async" src="/media/lower.png" alt="Lower">' in html
    # After a long opening even the first image is below the fold.
    late = make_post(body=f"{words}\n\n![Late](/media/late.png)")
    assert (
        '<img loading="lazy" decoding="async" src="/media/late.png"'
        in client.get(f"/posts/{late.slug}").text
    )
    # The stored HTML (which feeds carry) stays as sanitized.
    assert "loading=" not in post.body_html
    assert "loading=" not in client.get("/feed.xml").text


def test_writers_cannot_set_these_attributes_themselves() -> None:
    # Markdown with raw HTML is text; and the allow-list drops the attributes from any HTML.
    assert "<img" not in render_post('<img src="/a.png" loading="eager">')
    cleaned = sanitize(
        '<img src="/a.png" alt="a" loading="eager" decoding="sync" fetchpriority="high">'
    )
    assert cleaned == '<img src="/a.png" alt="a">'
    # "<img" in alt or title text is escaped by nh3, so only real tags are marked.
    tricky = render_post('![<img src=x onerror=alert(1)>](/a.png "<img title>")')
    marked = lazy_images(tricky)
    assert marked.count("<img") == 1 and marked.count("decoding=") == 1
