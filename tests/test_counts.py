"""Kept counts stay right through every way posts and comments change, and as time passes.

A post's approved comments, its place in listings and each listing's size are kept on rows
(`blog.core.counts`) rather than counted for every page. After each change made here through
the real pages and commands, every kept value must equal what counting the rows again gives.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import delete, insert, literal, select, text

from blog.comments.spam import form_started_token
from blog.core import counts
from blog.core.models import Author, Comment, CommentStatus, Post, PostStatus, post_tags, utcnow
from blog.core.records import ListingCount
from blog.extensions import db
from blog.portability import importer
from tests.conftest import PostFactory, cheap_password_hash

FIXTURES = Path(__file__).parent / "fixtures"
WORDPRESS = FIXTURES / "wordpress.xml"
PASSWORD = "a long test passphrase"
HX = {"HX-Request": "true", "HX-Request-Type": "partial"}


def kept_values() -> tuple[list[Any], list[Any], dict[tuple[str, int], int]]:
    """Every kept value: (post, comment count, listed at), (post, tag, listed at), counts."""
    posts = db.session.execute(select(Post.id, Post.comment_count, Post.listed_at)).all()
    tags = db.session.execute(
        select(post_tags.c.post_id, post_tags.c.tag_id, post_tags.c.listed_at)
    ).all()
    listed = db.session.execute(
        select(ListingCount.scope, ListingCount.key, ListingCount.count)
    ).all()
    return (
        sorted(tuple(row) for row in posts),
        sorted(tuple(row) for row in tags),
        {(scope, key): n for scope, key, n in listed if n},
    )


def assert_kept_right() -> None:
    """Each kept value equals what counting the rows again (`counts.rebuild`) gives."""
    db.session.commit()
    kept = kept_values()
    months_kept = db.session.get(ListingCount, (counts.month_scope(), 0)) is not None
    counts.rebuild(db.session.connection())
    counted = kept_values()
    db.session.rollback()
    if not months_kept:  # not counted yet for this zone: they will be on first use
        counted[2].update({key: n for key, n in kept[2].items() if key[0].startswith("month ")})
        for key in [
            key for key in counted[2] if key[0].startswith("month ") and key not in kept[2]
        ]:
            del counted[2][key]
    assert kept == counted


def comment_count(post: Post) -> int:
    """The post's kept count of approved comments, as stored now."""
    db.session.expire_all()
    return int(db.session.scalar(select(Post.comment_count).where(Post.id == post.id)) or 0)


def comment_form(**overrides: Any) -> dict[str, Any]:
    """A filled-in comment form."""
    data = {
        "name": "Rowan",
        "email": "",
        "website": "",
        "body": "A remark.",
        "parent_id": "",
        "homepage": "",
        "started": form_started_token(),
    }
    return {**data, **overrides}


def comment_on(client: FlaskClient, post: Post, body: str, **overrides: Any) -> Comment:
    """Post a comment as a reader would; the stored comment."""
    response = client.post(
        f"/posts/{post.slug}/comments", data=comment_form(body=body, **overrides)
    )
    assert response.status_code == 303, response.text
    return db.session.scalars(select(Comment).where(Comment.body_source == body)).one()


@pytest.fixture
def moderator(app: Flask, client: FlaskClient, author: Author) -> FlaskClient:
    """A client signed in as the author of the posts `make_post` makes."""
    author.password_hash = cheap_password_hash(PASSWORD)
    db.session.commit()
    signed = app.test_client()
    response = signed.post("/account/sign-in", data={"email": author.email, "password": PASSWORD})
    assert response.status_code == 303
    return signed


def shown_count(client: FlaskClient, post: Post) -> str:
    """The "N Comments" an article page shows."""
    found = re.search(
        r'<span class="comment-count">([^<]+)</span>', client.get(f"/posts/{post.slug}").text
    )
    assert found
    return found.group(1)


# --- comments -------------------------------------------------------------------------------


def test_comment_counts_follow_posting_editing_and_deleting(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    app.config.update(COMMENT_MIN_SECONDS=0, COMMENT_MODERATION="open")
    post = make_post("Talked about")
    first = comment_on(client, post, "First words")
    second = comment_on(client, post, "Second words")
    assert comment_count(post) == 2
    assert shown_count(client, post) == "2 Comments"
    assert "2 Comments" in client.get("/").text
    assert_kept_right()

    app.config.update(COMMENT_MODERATION="all")
    comment_on(client, post, "Held words")  # held: not counted
    assert comment_count(post) == 2
    # An edited comment is moderated again: back to held, out of the count.
    edited = client.post(f"/comments/{second.id}/edit", data={"body": "Second, better"})
    assert edited.status_code == 303
    assert comment_count(post) == 1
    assert shown_count(client, post) == "1 Comment"
    assert_kept_right()

    deleted = client.post(f"/comments/{first.id}/delete", headers=HX)
    assert deleted.status_code == 200
    assert '<span class="comment-count">0 Comments</span>' in deleted.text
    assert comment_count(post) == 0
    assert_kept_right()


def test_moderation_moves_the_count(
    app: Flask,
    client: FlaskClient,
    moderator: FlaskClient,
    make_post: PostFactory,
    make_comment: Callable[..., Comment],
) -> None:
    post = make_post("Moderated")
    held = [
        make_comment(post, f"Held {n}", status=CommentStatus.PENDING, name=f"N{n}")
        for n in range(4)
    ]
    top = make_comment(post, "Approved top")
    make_comment(post, "Approved reply", parent=top)
    assert comment_count(post) == 2
    assert_kept_right()

    ids = [held[0].id, held[1].id, held[2].id]
    assert moderator.post("/editor/comments/bulk", data={"ids": ids, "action": "approve"})
    assert comment_count(post) == 5
    assert moderator.post(f"/editor/comments/{held[0].id}/spam").status_code == 303
    assert comment_count(post) == 4
    assert_kept_right()
    # Deleting a comment takes its replies with it (the database cascades): both leave the count.
    assert moderator.post(f"/editor/comments/{top.id}/delete").status_code == 303
    assert comment_count(post) == 2
    assert shown_count(client, post) == "2 Comments"
    assert_kept_right()
    held_ids = [held[1].id, held[2].id, held[3].id]
    moderator.post("/editor/comments/bulk", data={"ids": held_ids, "action": "delete"})
    assert comment_count(post) == 0
    assert_kept_right()


# --- posts ----------------------------------------------------------------------------------


def editor_form(**overrides: Any) -> dict[str, Any]:
    """The post editor's form, filled in."""
    data = {
        "title": "Flood gates tested",
        "slug": "",
        "tags": "Rivers, Local News",
        "summary": "The gates held.",
        "body": "Opening.\n\n## What happened\n\nThe water rose.",
        "status": "published",
        "publish_at": "",
    }
    return {**data, **overrides}


def tag_counts(client: FlaskClient) -> dict[str, str]:
    """Tag name -> count, as the tag index shows them."""
    html = client.get("/tags/").text
    return dict(re.findall(r'rel="tag"[^>]*>([^<]+) <span class="tag__count">\((\d+)\)', html))


def archive_counts(client: FlaskClient) -> list[tuple[str, str]]:
    """(month, count) of each archive entry, in order."""
    html = client.get("/archive/").text
    return re.findall(r'">(\w+ \d{4})</a> <span class="archive-list__count">(\d+) posts?', html)


def test_saving_publishing_and_deleting_posts_move_listing_counts(
    client: FlaskClient, moderator: FlaskClient, make_post: PostFactory
) -> None:
    make_post("Older", tags=["Rivers"], published_at=datetime(2025, 3, 10, 12, 0))
    created = moderator.post("/editor/posts/new", data=editor_form())
    assert created.status_code == 303
    post = db.session.scalars(select(Post).where(Post.slug == "flood-gates-tested")).one()
    assert tag_counts(client) == {"Local News": "1", "Rivers": "2"}
    assert_kept_right()

    moderator.post(f"/editor/posts/{post.id}", data=editor_form(tags="Local News, Weather"))
    assert tag_counts(client) == {"Local News": "1", "Rivers": "1", "Weather": "1"}
    assert_kept_right()

    moderator.post(f"/editor/posts/{post.id}", data=editor_form(status="draft"))
    assert tag_counts(client) == {"Rivers": "1"}
    assert client.get("/tags/weather").status_code == 404
    assert archive_counts(client) == [("March 2025", "1")]
    assert_kept_right()

    moderator.post(f"/editor/posts/{post.id}", data=editor_form())
    assert len(archive_counts(client)) == 2
    assert moderator.post(f"/editor/posts/{post.id}/delete").status_code == 303
    assert tag_counts(client) == {"Rivers": "1"}
    assert archive_counts(client) == [("March 2025", "1")]
    assert_kept_right()


def test_scheduled_post_comes_due_without_a_write(
    app: Flask, client: FlaskClient, author: Author, make_post: PostFactory
) -> None:
    app.config["POSTS_PER_PAGE"] = 1
    for number in range(3):
        make_post(f"Out already {number}", tags=["Old"])
    due = utcnow() + timedelta(seconds=3)
    make_post("Coming soon", status=PostStatus.SCHEDULED, published_at=due, tags=["Soon", "Old"])
    assert_kept_right()

    def seen() -> dict[str, Any]:
        home = client.get("/").text
        return {
            "home": "Coming soon" in home,
            "pages": re.search(r"Page 1 of (\d+)", home).group(1),  # type: ignore[union-attr]
            "tags": tag_counts(client),
            "soon": client.get("/tags/soon").status_code,
            "archive": sum(int(n) for _, n in archive_counts(client)),
            "author": client.get(f"/authors/{author.id}?page=4").status_code,
            "feed": "Coming soon" in client.get("/feed.xml").text,
            "article": client.get("/posts/coming-soon").status_code,
        }

    assert seen() == {
        "home": False,
        "pages": "3",
        "tags": {"Old": "3"},
        "soon": 404,
        "archive": 3,
        "author": 404,
        "feed": False,
        "article": 404,
    }
    time.sleep(max(0.0, (due - utcnow()).total_seconds()) + 0.2)
    # Its time has come: nothing was written, and every listing and count shows it.
    assert seen() == {
        "home": True,
        "pages": "4",
        "tags": {"Old": "4", "Soon": "1"},
        "soon": 200,
        "archive": 4,
        "author": 200,
        "feed": True,
        "article": 200,
    }
    assert_kept_right()


# --- deep pages -----------------------------------------------------------------------------


def titles(html: str) -> list[str]:
    """Post titles of a listing page, in order."""
    return re.findall(r'<h2 class="post-card__title"><a href="[^"]+">([^<]+)</a>', html)


def walk(client: FlaskClient, url: str) -> list[str]:
    """Every title of a listing, page after page, checking the pager says where it is."""
    found: list[str] = []
    page = 1
    while True:
        separator = "&" if "?" in url else "?"
        response = client.get(url if page == 1 else f"{url}{separator}page={page}")
        assert response.status_code == 200, (url, page)
        found += titles(response.text)
        pages = re.search(r"Page (\d+) of (\d+)", response.text)
        if pages is None or pages.group(1) == pages.group(2):
            break
        page += 1
    following = client.get(f"{url}{'&' if '?' in url else '?'}page={page + 1}")
    assert following.status_code == 404
    return found


def test_every_page_of_every_listing_in_order(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    app.config["POSTS_PER_PAGE"] = 3
    moment = datetime(2025, 6, 15, 9, 0)
    expected = []
    for number in range(14):
        # Pairs published at the same second: the id decides, the same way on every page.
        when = moment - timedelta(hours=number // 2)
        tags = ["Even"] if number % 2 == 0 else ["Odd"]
        expected.append((when, make_post(f"Post {number:02}", published_at=when, tags=tags)))
    make_post("A draft", status=PostStatus.DRAFT, tags=["Even"])
    make_post("Later", status=PostStatus.SCHEDULED, published_at=utcnow() + timedelta(days=3))
    order = [
        post.title for when, post in sorted(expected, key=lambda p: (p[0], p[1].id), reverse=True)
    ]

    assert walk(client, "/") == order
    assert walk(client, "/tags/even") == [t for t in order if int(t[-2:]) % 2 == 0]
    assert walk(client, "/tags/odd") == [t for t in order if int(t[-2:]) % 2 == 1]
    assert walk(client, f"/authors/{expected[0][1].author_id}") == order
    assert walk(client, "/archive/2025/6") == order
    # Out of range, or not a page number: 404 or the first page, never a 500.
    for url in ("/?page=0", "/?page=6", "/tags/even?page=4", "/archive/2025/6?page=99"):
        assert client.get(url).status_code == 404, url
    fragment = client.get("/?page=2", headers=HX)
    assert fragment.status_code == 200 and titles(fragment.text) == order[3:6]


# --- imports, the demo, a migrated blog ---------------------------------------------------------


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """The app's command-line runner."""
    return app.test_cli_runner()


def run(runner: FlaskCliRunner, *args: str) -> None:
    """Invoke a command; fail with its output if it does not succeed."""
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output


def test_imports_keep_counts(
    runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(runner, "import", "wordpress", str(WORDPRESS))
    assert_kept_right()
    with_comments = db.session.scalars(select(Post).where(Post.comment_count > 0)).all()
    assert with_comments
    for post in with_comments:
        assert f"{post.comment_count} Comment" in shown_count(client, post)

    # A failed import takes back what it wrote: its counts go with it.
    before = kept_values()
    monkeypatch.setattr(importer, "POSTS_PER_TRANSACTION", 1)
    real = importer._store_post
    calls = {"n": 0}

    def fails_on_the_third(*args: Any, **kwargs: Any) -> Post:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "_store_post", fails_on_the_third)
    result = runner.invoke(args=["import", "blogger", str(FIXTURES / "blogger-atom.xml")])
    assert result.exit_code != 0 and calls["n"] == 3
    assert "the disk is full" in str(result.exception)
    assert kept_values() == before
    monkeypatch.setattr(importer, "_store_post", real)

    # The JSON export, loaded into an emptied blog.
    export = tmp_path / "blog.json"
    run(runner, "export", str(export))
    db.session.execute(delete(Post))
    db.session.commit()
    assert_kept_right()
    assert db.session.scalars(select(ListingCount).where(ListingCount.count != 0)).all() == []
    run(runner, "import", "json", str(export))
    assert_kept_right()
    assert kept_values()[2] == before[2]


def test_demo_load_and_remove_keep_counts(runner: FlaskCliRunner, client: FlaskClient) -> None:
    run(runner, "demo", "load")
    assert_kept_right()
    assert db.session.scalars(select(Post).where(Post.comment_count > 0)).first() is not None
    run(runner, "demo", "remove", "--yes")
    assert_kept_right()
    assert "Nothing has been published here yet." in client.get("/").text
    assert client.get("/archive/").status_code == 200


def test_recount_repairs_counts_changed_by_hand(
    runner: FlaskCliRunner,
    client: FlaskClient,
    make_post: PostFactory,
    make_comment: Callable[..., Comment],
) -> None:
    post = make_post("Edited by hand", tags=["Rivers"])
    make_comment(post)
    # SQL on a bare connection goes around the app, and so around its kept counts.
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE posts SET comment_count = 7, listed_at = NULL"))
        connection.execute(text("DELETE FROM listing_counts"))
    assert "Edited by hand" not in client.get("/").text
    run(runner, "recount")
    assert_kept_right()
    assert comment_count(post) == 1
    assert "Edited by hand" in client.get("/tags/rivers").text


def comment_rows(post: Post, *statuses: CommentStatus) -> list[dict[str, Any]]:
    """Rows for a bulk INSERT of comments on `post`, one per status."""
    return [
        {
            "post_id": post.id,
            "author_name": "Reader",
            "body_source": f"Bulk comment {n} on {post.slug}.",
            "body_html": f"<p>Bulk comment {n}.</p>",
            "body_digest": f"{post.id}-{n}",
            "status": status.value,
        }
        for n, status in enumerate(statuses)
    ]


def test_bulk_inserted_comments_keep_counts(make_post: PostFactory) -> None:
    # As an import stores them: INSERT statements with rows, no ORM flush.
    first, second = make_post("First"), make_post("Second")
    approved, held = CommentStatus.APPROVED, CommentStatus.PENDING
    db.session.execute(insert(Comment), comment_rows(first, approved, approved, held))
    db.session.execute(insert(Comment), comment_rows(second, held))
    db.session.commit()
    assert (comment_count(first), comment_count(second)) == (2, 0)
    assert_kept_right()
    # Rows that cannot be read before they go in (INSERT ... SELECT): every count is rebuilt.
    copies = select(
        literal(second.id),
        Comment.author_name,
        Comment.body_source,
        Comment.body_html,
        Comment.body_digest,
        Comment.status,
        Comment.created_at,
    ).where(Comment.post_id == first.id)
    columns = ["post_id", "author_name", "body_source", "body_html", "body_digest", "status"]
    db.session.execute(insert(Comment).from_select([*columns, "created_at"], copies))
    db.session.commit()
    assert comment_count(second) == 2
    assert_kept_right()
