"""A page costs a small, fixed number of SQL statements, however much content there is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from blog.comments.spam import form_started_token
from blog.core.models import Comment, Post
from blog.extensions import db
from tests.conftest import PostFactory


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
    # post (+ author, comment count), its tags, top-level comments, their replies, the
    # previous and the next post.
    assert cost(client, f"/posts/{post.slug}") == 6
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
