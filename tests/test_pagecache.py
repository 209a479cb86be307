"""The page cache: anonymous reader pages served again, never stale, never someone else's.

Each test changes the blog the way its users do (a comment, an edit, a scheduled post's time
arriving, another app server's write) and checks that the very next request shows it.
"""

from __future__ import annotations

import gzip
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, update

from blog import create_app
from blog.authoring.service import save_post
from blog.comments.spam import form_started_token
from blog.core.models import Author, Comment, Post, PostStatus, Redirect, utcnow
from blog.core.pagecache import forget_copies
from blog.core.pagefiles import WATCH_SECONDS, PageFiles
from blog.extensions import db
from tests.conftest import ON_POSTGRES, PostFactory, cheap_password_hash

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def quick_commenters(app: Flask) -> None:
    """Comments in these tests come straight after their form: no minimum time."""
    app.config["COMMENT_MIN_SECONDS"] = 0


def hit(response: Any) -> bool:
    """True when the answer came from a stored copy."""
    return bool(response.headers.get("X-Page-Cache") == "hit")


def comment(client: FlaskClient, post: Post, body: str, **headers: str) -> Any:
    """Post a comment as a reader's browser does."""
    data = {"name": "Rowan", "body": body, "started": form_started_token(), "parent_id": ""}
    return client.post(f"/posts/{post.slug}/comments", data=data, headers=headers)


def test_anonymous_pages_are_served_again(client: FlaskClient, make_post: PostFactory) -> None:
    post = make_post("Cached story")
    for path in (
        "/",
        f"/posts/{post.slug}",
        "/tags/",
        "/archive/",
        "/feed.xml",
        "/search?q=cached",
    ):
        first = client.get(path)
        again = client.get(path)
        assert first.status_code == again.status_code == 200, path
        assert not hit(first) and hit(again), path
        assert first.data == again.data, path
        assert "Set-Cookie" not in first.headers and "Set-Cookie" not in again.headers
    # Not kept: errors, and pages that are one visitor's.
    for _ in range(2):
        assert not hit(client.get("/posts/no-such-post"))
        assert not hit(client.get("/account/sign-in"))


def test_a_new_comment_shows_at_once(client: FlaskClient, make_post: PostFactory) -> None:
    post = make_post("Talk of the town")
    reader = client.application.test_client()
    for path in (f"/posts/{post.slug}", "/"):
        reader.get(path)
        assert hit(reader.get(path))
    assert comment(client, post, "Fresh words").status_code == 303
    page = reader.get(f"/posts/{post.slug}")
    assert not hit(page)
    assert "Fresh words" in page.text and "1 Comment" in page.text
    assert "1 Comment" in reader.get("/").text


def test_edits_and_bulk_changes_show_at_once(
    client: FlaskClient, make_post: PostFactory, author: Author
) -> None:
    post = make_post("Old headline", tags=["News"])
    paths = ("/", f"/posts/{post.slug}", "/tags/news", "/feed.xml")
    for path in paths:
        client.get(path)
    save_post(
        author,
        post,
        title="New headline",
        slug=post.slug,
        summary="",
        body="Changed.",
        tags=["News"],
        status=PostStatus.PUBLISHED,
        publish_at=None,
    )
    for path in paths:
        assert "New headline" in client.get(path).text, path
    # A bulk UPDATE (as `flask comments close` does) bypasses the ORM's flush: still seen.
    client.get(f"/posts/{post.slug}")
    db.session.execute(update(Post).where(Post.id == post.id).values(comments_closed=True))
    db.session.commit()
    assert "Comments are closed" in client.get(f"/posts/{post.slug}").text


def test_a_scheduled_post_goes_live_on_time(client: FlaskClient, make_post: PostFactory) -> None:
    make_post("Already out")
    soon = utcnow() + timedelta(seconds=1.5)
    make_post("Coming soon", status=PostStatus.SCHEDULED, published_at=soon)
    client.get("/")
    assert hit(client.get("/")) and "Coming soon" not in client.get("/").text
    time.sleep(max(0.0, (soon - utcnow()).total_seconds()) + 0.2)
    page = client.get("/")
    assert not hit(page) and "Coming soon" in page.text


def test_personal_pages_are_never_shared(
    app: Flask, client: FlaskClient, make_post: PostFactory, author: Author
) -> None:
    post = make_post("Mine and yours")
    reader = app.test_client()
    reader.get(f"/posts/{post.slug}")
    # A commenter sees Edit/Delete on their own comment; nobody else does, cache or not.
    assert comment(client, post, "My own remark").status_code == 303
    own = client.get(f"/posts/{post.slug}")
    assert not hit(own) and ">Edit</a>" in own.text and ">Delete</a>" in own.text
    for _ in range(2):
        other = reader.get(f"/posts/{post.slug}")
        assert "My own remark" in other.text and ">Delete</a>" not in other.text
    assert hit(other)
    # A signed-in author gets fresh pages with their Edit link, never a shared copy.
    author.password_hash = cheap_password_hash("a long test passphrase")
    db.session.commit()
    writer = app.test_client()
    signed = writer.post(
        "/account/sign-in",
        data={"email": author.email, "password": "a long test passphrase"},
    )
    assert signed.status_code in (302, 303)
    for _ in range(2):
        page = writer.get(f"/posts/{post.slug}")
        assert not hit(page) and "post__edit" in page.text
    assert "post__edit" not in reader.get(f"/posts/{post.slug}").text


def test_the_shared_form_fetches_its_own_parts(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    post = make_post("Form test")
    page = client.get(f"/posts/{post.slug}")
    assert 'name="csrf_token"' not in page.text and 'name="started"' not in page.text
    assert "Set-Cookie" not in page.headers
    parts = client.get(f"/posts/{post.slug}/comments/form-parts")
    assert "Set-Cookie" in parts.headers  # the commenter id and the CSRF token live there
    # Holding a session with just those is still anonymous: the copy is still served.
    assert hit(client.get(f"/posts/{post.slug}"))


def test_query_strings_and_fragments_are_kept_apart(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    app.config["POSTS_PER_PAGE"] = 1
    first = make_post("Newest", published_at=utcnow() - timedelta(hours=1))
    make_post("Older", published_at=utcnow() - timedelta(hours=2))
    client.get("/")
    assert hit(client.get("/"))
    second = client.get("/?page=2")
    assert not hit(second) and "Older" in second.text and "Newest" not in second.text
    # WordPress's /?p=ID still redirects although / is cached.
    db.session.add(Redirect(old_path="/?p=7", post_id=first.id))
    db.session.commit()
    client.get("/")
    moved = client.get("/?p=7")
    assert moved.status_code == 301 and moved.headers["Location"] == f"/posts/{first.slug}"
    page = client.get(f"/posts/{first.slug}")
    fragment = client.get(f"/posts/{first.slug}", headers=HX)
    assert "<html" in page.text and "<html" not in fragment.text
    assert "<html" not in client.get(f"/posts/{first.slug}", headers=HX).text
    assert "<html" in client.get(f"/posts/{first.slug}").text


def test_conditional_get_on_cached_pages(client: FlaskClient, make_post: PostFactory) -> None:
    post = make_post("Tagged")
    first = client.get(f"/posts/{post.slug}")
    etag = first.headers["ETag"]
    assert client.get(f"/posts/{post.slug}", headers={"If-None-Match": etag}).status_code == 304
    comment(client.application.test_client(), post, "Changes the page")
    changed = client.get(f"/posts/{post.slug}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_another_app_server_sees_the_change(app: Flask, make_post: PostFactory) -> None:
    """Two servers on one database: a write through one, and the other's copy is dropped."""
    post = make_post("Shared database")
    other = create_app({**{k: app.config[k] for k in _SETTINGS}})
    try:
        reader = other.test_client()
        reader.get(f"/posts/{post.slug}")
        assert hit(reader.get(f"/posts/{post.slug}"))
        assert comment(app.test_client(), post, "Written on server A").status_code == 303
        page = reader.get(f"/posts/{post.slug}")
        assert not hit(page) and "Written on server A" in page.text
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


_SETTINGS = (
    "TESTING",
    "SECRET_KEY",
    "SQLALCHEMY_DATABASE_URI",
    "SQLALCHEMY_ENGINE_OPTIONS",
    "WTF_CSRF_ENABLED",
    "DEMO_CONTENT_ON_EMPTY",
    "SITE_URL",
    "COMMENT_MIN_SECONDS",
)


def test_settings_changed_while_running_need_forget_copies(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    make_post("Zone test")
    client.get("/")
    app.config["SITE_NAME"] = "Renamed Ledger"
    forget_copies(app)
    assert "Renamed Ledger" in client.get("/").text


def test_cache_off_serves_every_page_fresh(app: Flask, make_post: PostFactory) -> None:
    make_post("No cache")
    off = create_app({**{k: app.config[k] for k in _SETTINGS}, "PAGE_CACHE": False})
    try:
        reader = off.test_client()
        assert not hit(reader.get("/")) and not hit(reader.get("/"))
        slug = db.session.scalars(db.select(Post.slug)).first()
        assert 'name="csrf_token"' in reader.get(f"/posts/{slug}").text
    finally:
        with off.app_context():
            db.session.remove()
            db.engine.dispose()


# --- files for nginx ---------------------------------------------------------------------------


@pytest.fixture
def files_app(app: Flask, tmp_path: Path) -> Flask:
    """The app writing whole pages under a folder, as behind the documented nginx set-up."""
    folder = tmp_path / "pages"
    configured = create_app(
        {**{k: app.config[k] for k in _SETTINGS}, "PAGE_CACHE_DIR": str(folder)}
    )
    yield configured
    with configured.app_context():
        db.session.remove()
        db.engine.dispose()


def test_page_files_for_nginx_are_written_and_removed(
    files_app: Flask, make_post: PostFactory
) -> None:
    folder = Path(files_app.config["PAGE_CACHE_DIR"])
    post = make_post("On disk")
    reader = files_app.test_client()
    reader.get("/")
    reader.get(f"/posts/{post.slug}")
    reader.get("/?page=1")  # a query: never a file
    reader.get("/", headers={"Accept-Encoding": "gzip"})
    home, article = folder / "index.html", folder / "posts" / post.slug / "index.html"
    assert home.read_bytes() == reader.get("/").data
    assert "On disk" in article.read_text()
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html")) == [
        "index.html",
        f"posts/{post.slug}/index.html",
    ]
    with files_app.app_context():
        comment(files_app.test_client(), post, "Out goes the file")
    assert not home.exists() and not article.exists()


def test_page_files_wait_for_a_scheduled_post_only_when_watched(
    files_app: Flask, make_post: PostFactory
) -> None:
    """Nothing wakes the app when nginx serves a file: `flask cache refresh` must be running."""
    soon = utcnow() + timedelta(seconds=2)
    make_post("Later", status=PostStatus.SCHEDULED, published_at=soon)
    make_post("Now")
    folder = Path(files_app.config["PAGE_CACHE_DIR"])
    reader = files_app.test_client()
    reader.get("/")
    assert hit(reader.get("/"))
    assert not list(folder.rglob("*.html"))  # no timer: no file

    # The timer's command has run (deploy/blog-cache.timer, every minute): files are written.
    refresh = files_app.test_cli_runner().invoke(args=["cache", "refresh"])
    assert refresh.exit_code == 0, refresh.output
    forget_copies(files_app)
    reader.get("/")
    assert "Later" not in (folder / "index.html").read_text()
    assert gzip.decompress((folder / "index.html.gz").read_bytes()) == reader.get("/").data

    # The post's time comes; the next run of the timer's command removes them.
    time.sleep(max(0.0, (soon - utcnow()).total_seconds()) + 0.2)
    with files_app.app_context():  # the command's own app (the tests hold another one's)
        refresh = files_app.test_cli_runner().invoke(args=["cache", "refresh"])
    assert "went live" in refresh.output
    assert not (folder / "index.html").exists() and not (folder / "index.html.gz").exists()
    assert "Later" in reader.get("/").text
    assert "Later" in (folder / "index.html").read_text()  # nothing pending: written again

    # A timer that stopped (its mark older than WATCH_SECONDS): no files while a post waits.
    make_post("Much later", status=PostStatus.SCHEDULED, published_at=utcnow() + timedelta(hours=1))
    stale = time.time() - WATCH_SECONDS - 1
    os.utime(folder.with_name(folder.name + ".watched"), (stale, stale))
    reader.get("/")
    assert not (folder / "index.html").exists()


@pytest.mark.skipif(ON_POSTGRES, reason="one check is enough")
def test_page_file_paths_stay_inside_the_folder(files_app: Flask) -> None:
    files = PageFiles(files_app.config["PAGE_CACHE_DIR"])
    assert files.path_for("/posts/a-b_c.d") is not None
    for bad in ("/../etc", "/posts/%2e%2e", "/a//b", "/ü", "relative", "/a b"):
        assert files.path_for(bad) is None, bad


def test_held_comments_and_rollbacks(client: FlaskClient, make_post: PostFactory) -> None:
    post = make_post("Quiet post")
    client.get(f"/posts/{post.slug}")
    db.session.add(
        Comment(
            post=post,
            author_name="X",
            body_source="x",
            body_html="x",
            body_digest="d" * 64,
            status="approved",
        )
    )
    db.session.rollback()
    assert hit(client.get(f"/posts/{post.slug}"))


def test_a_bulk_insert_shows_at_once(client: FlaskClient, make_post: PostFactory) -> None:
    # An import stores comments as INSERT statements with rows, without the ORM's flush.
    post = make_post("Imported talk")
    client.get(f"/posts/{post.slug}")
    assert hit(client.get(f"/posts/{post.slug}"))
    row = {
        "post_id": post.id,
        "author_name": "Reader",
        "body_source": "Words from the old blog.",
        "body_html": "<p>Words from the old blog.</p>",
        "body_digest": "bulk-inserted",
        "status": "approved",
    }
    db.session.execute(insert(Comment), [row])
    db.session.commit()
    page = client.get(f"/posts/{post.slug}")
    assert not hit(page) and "Words from the old blog." in page.text
