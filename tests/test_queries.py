"""A page costs a small, fixed number of SQL statements, however much content there is."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from blog.comments.spam import form_started_token
from blog.core.models import Author, Comment, Post, PostStatus, utcnow
from blog.extensions import db
from blog.feeds import views as feeds
from tests.conftest import PostFactory, cheap_password_hash


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """Collect every SQL statement the engine runs inside the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith("BEGIN"):  # transaction control, not a query
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def grow(
    make_post: PostFactory, make_comment: Callable[..., Comment], posts: int, per_post: int
) -> list[Post]:
    """Add posts, each with several tags and comments (some of them replies)."""
    made = []
    for number in range(posts):
        post = make_post(tags=[f"Tag {number % 7}", f"Tag {(number + 3) % 7}", "Everything"])
        parent = None
        for index in range(per_post):
            parent = make_comment(post, f"Comment {index}", parent=parent if index % 2 else None)
        made.append(post)
    return made


def cost(client: FlaskClient, url: str) -> int:
    """Statements run to serve `url` (with a fresh session, as a real request has)."""
    db.session.remove()
    with counted_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_query_counts_do_not_grow_with_content(
    app: Flask,
    client: FlaskClient,
    make_post: PostFactory,
    make_comment: Callable[..., Comment],
) -> None:
    small = grow(make_post, make_comment, posts=3, per_post=1)
    urls = ["/", f"/posts/{small[1].slug}", "/tags/", "/tags/everything", "/archive/"]
    before = {url: cost(client, url) for url in urls}

    big = grow(make_post, make_comment, posts=30, per_post=12)
    urls_big = ["/", f"/posts/{big[15].slug}", "/tags/", "/tags/everything", "/archive/"]
    after = {url: cost(client, url) for url in urls_big}

    assert list(before.values()) == list(after.values()), (before, after)
    # And small in absolute terms.
    assert max(after.values()) <= 6, after


def test_article_page_statement_budget(
    client: FlaskClient, make_post: PostFactory, make_comment: Callable[..., Comment]
) -> None:
    post = grow(make_post, make_comment, posts=5, per_post=20)[2]
    # post (+ author, comment count), its tags, top-level comments, their replies, and the
    # previous and the next post in one statement.
    assert cost(client, f"/posts/{post.slug}") == 5
    # count, page of posts (+ authors and comment counts), their tags.
    assert cost(client, "/") == 3


def posted(client: FlaskClient, slug: str, body: str) -> tuple[int, list[str]]:
    """POST a comment with htmx; the status and every statement it cost."""
    db.session.remove()
    data = {"name": "Rowan", "body": body, "started": form_started_token()}
    headers = {"HX-Request": "true", "HX-Request-Type": "partial"}
    with counted_queries() as statements:
        status = client.post(f"/posts/{slug}/comments", data=data, headers=headers).status_code
    return status, statements


def test_posting_a_comment_does_no_work_twice(
    app: Flask, client: FlaskClient, make_post: PostFactory, make_comment: Callable[..., Comment]
) -> None:
    app.config.update(COMMENT_MIN_SECONDS=0, COMMENT_MODERATION="open")
    post = grow(make_post, make_comment, posts=3, per_post=4)[1]
    slug_lookup = "WHERE posts.slug = "

    status, statements = posted(client, post.slug, "A first remark.")
    assert status == 200
    assert sum(slug_lookup in sql for sql in statements) == 1
    # The fragment shows no Previous/Next Post links, so it does not look them up.
    assert not [sql for sql in statements if "ORDER BY posts.published_at" in sql]

    status, statements = posted(client, post.slug, "A first remark.")  # a duplicate
    assert status == 409
    assert sum(slug_lookup in sql for sql in statements) == 1
    assert not [sql for sql in statements if "ORDER BY posts.published_at" in sql]


# --- cost that does not grow with the blog ------------------------------------------------------

# Tables that grow with the blog: reading all of one (or all of an index on one), or sorting
# what a range of it holds, is what makes a page slower as the archive grows.
GROWING = ("posts", "comments", "post_tags")
_RANGE = re.compile(r"\((?=[^)]*[<>])[^)]*\)")


def listing_urls(post: Post) -> list[str]:
    """Every reader page that lists posts (and the article, which finds its neighbours)."""
    when = post.published_at
    assert when is not None
    return [
        "/",
        "/?page=2",
        "/tags/everything",
        "/tags/everything?page=2",
        f"/authors/{post.author_id}",
        f"/authors/{post.author_id}?page=2",
        "/archive/",
        f"/archive/{when.year}/{when.month}",
        "/tags/",
        "/feed.xml",
        "/tags/everything/feed.xml",
        f"/authors/{post.author_id}/feed.xml",
        "/sitemap.xml",
        "/sitemap-0.xml",
        "/sitemap-1.xml",
        f"/posts/{post.slug}",
    ]


# One step of SQLite's plan: (its id, the id of the query level it belongs to, what it does).
Step = tuple[int, int, str]


def query_plans(client: FlaskClient, url: str) -> list[tuple[str, list[Step]]]:
    """Each SELECT a page runs, with SQLite's plan for it (EXPLAIN QUERY PLAN)."""
    db.session.remove()
    captured: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    with db.engine.connect() as connection:
        return [
            (
                statement,
                [
                    (row[0], row[1], row[3])
                    for row in connection.exec_driver_sql(
                        f"EXPLAIN QUERY PLAN {statement}", parameters
                    )
                ],
            )
            for statement, parameters in captured
        ]


def growing_scans(steps: list[Step]) -> list[str]:
    """The steps that read a growing table (or an index of it) from end to end."""
    return [what for _, _, what in steps if re.match(rf"SCAN ({'|'.join(GROWING)})\b", what)]


def plan_problems(statement: str, plan: list[Step]) -> list[str]:
    """Why this statement would cost more as the blog grows (empty when it would not)."""
    problems = []
    scans = growing_scans(plan)
    # A walk along an index in the order asked for, stopped by a LIMIT, costs its page only.
    if scans and ("LIMIT" not in statement or any("TEMP B-TREE" in what for *_, what in plan)):
        problems += scans
    for _, level, what in plan:
        if what != "USE TEMP B-TREE FOR ORDER BY":
            continue
        # A sort is fine over rows looked up one by one (a page's tags), never over a range, a
        # scan, or all the posts of a status: it sorts all of them before the LIMIT.
        problems += [
            what
            for _, parent, what in plan
            if parent == level and _READS_GROWING.match(what) and _reads_many(what)
        ]
    return problems


_READS_GROWING = re.compile(rf"(SCAN|SEARCH) ({'|'.join(GROWING)})\b")


def _reads_many(step: str) -> bool:
    """True for a step that reads a range (or all) of a growing table, not a row by key."""
    if step.startswith("SCAN") or _RANGE.search(step):
        return True
    # post_tags is read by post: a page's posts' tags. Posts and comments only by their id.
    return step.startswith(("SEARCH posts", "SEARCH comments")) and "PRIMARY KEY" not in step


@pytest.mark.sqlite_only
def test_listings_walk_an_index_and_never_sort_the_table(
    app: Flask,
    client: FlaskClient,
    author: Author,
    make_post: PostFactory,
    make_comment: Callable[..., Comment],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app.config["POSTS_PER_PAGE"] = 2
    monkeypatch.setattr(feeds, "SITEMAP_LIMIT", 3)  # an index of sitemaps, as a large blog has
    posts = grow(make_post, make_comment, posts=8, per_post=3)
    make_post("Later", status=PostStatus.SCHEDULED, published_at=utcnow() + timedelta(days=1))
    author.password_hash = cheap_password_hash("a long passphrase")
    db.session.commit()
    editor = app.test_client()
    signed = editor.post(
        "/account/sign-in", data={"email": author.email, "password": "a long passphrase"}
    )
    assert signed.status_code == 303
    pages = [(client, url) for url in listing_urls(posts[3])] + [(editor, "/editor/")]
    for who, url in pages:
        for statement, plan in query_plans(who, url):
            assert not plan_problems(statement, plan), (url, statement, plan)


def test_the_plan_check_catches_a_sorted_listing() -> None:
    # What the home page did before listings walked their own index: SQLite's plan for it.
    old_home = [
        (3, 0, "SEARCH posts USING INDEX ix_posts_kind_status_published (kind=? AND status=?)"),
        (9, 0, "USE TEMP B-TREE FOR ORDER BY"),
    ]
    assert plan_problems("SELECT ... ORDER BY posts.published_at DESC LIMIT ?", old_home)
    by_time = [(3, 0, "SEARCH posts USING INDEX ix_posts_listed (listed_at<?)"), old_home[1]]
    assert plan_problems("SELECT ... ORDER BY posts.title LIMIT ?", by_time)
    assert plan_problems("SELECT count(*) FROM posts", [(2, 0, "SCAN posts")])
    tags_of_a_page = [
        (3, 0, "SEARCH post_tags USING COVERING INDEX sqlite_autoindex_post_tags_1 (post_id=?)"),
        (7, 0, "SEARCH tags USING INTEGER PRIMARY KEY (rowid=?)"),
        (9, 0, "USE TEMP B-TREE FOR ORDER BY"),
    ]
    assert not plan_problems("SELECT ... ORDER BY tags.name", tags_of_a_page)


@contextmanager
def counted_steps() -> Iterator[list[int]]:
    """Count the SQLite virtual machine's steps for the statements run inside the block."""
    steps = [0]
    every = 50

    def tick() -> int:
        steps[0] += every
        return 0

    def hook(conn: Any, *_args: Any) -> None:
        conn.connection.driver_connection.set_progress_handler(tick, every)

    event.listen(db.engine, "before_cursor_execute", hook)
    try:
        yield steps
    finally:
        event.remove(db.engine, "before_cursor_execute", hook)
        db.session.remove()
        db.engine.dispose()  # no connection keeps the counting handler


def steps_for(client: FlaskClient, url: str) -> int:
    """The database work (SQLite VM steps) to serve `url`, warm."""
    client.get(url)
    db.session.remove()
    with counted_steps() as steps:
        assert client.get(url).status_code == 200, url
    return steps[0]


@pytest.mark.sqlite_only
def test_database_work_per_page_does_not_grow_with_the_blog(
    app: Flask, client: FlaskClient, make_post: PostFactory, make_comment: Callable[..., Comment]
) -> None:
    app.config["POSTS_PER_PAGE"] = 3
    first = grow(make_post, make_comment, posts=12, per_post=2)
    # The whole sitemap below its limit lists every post: its work grows with them, rightly.
    urls = [url for url in listing_urls(first[4]) if not url.startswith("/sitemap")]
    small = {url: steps_for(client, url) for url in urls}
    grow(make_post, make_comment, posts=120, per_post=2)
    large = {url: steps_for(client, url) for url in urls}
    # Ten times the posts; the same pages cost about the same (a little for deeper B-trees).
    grown = {url: (small[url], large[url]) for url in urls if large[url] > 1.3 * small[url] + 500}
    assert not grown, grown
