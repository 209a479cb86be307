"""Comments rendered once and reused (blog/comments/cards.py) never show anything out of date.

The page cache is off here, so every page is rendered and only the kept comment items could be
stale: each change a comment can go through must show on the very next page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from blog import create_app
from blog.comments.spam import form_started_token
from blog.core.models import Author, Comment, CommentStatus, Post
from blog.extensions import db
from tests.conftest import PostFactory

_SETTINGS = (
    "TESTING",
    "SECRET_KEY",
    "SQLALCHEMY_DATABASE_URI",
    "SQLALCHEMY_ENGINE_OPTIONS",
    "WTF_CSRF_ENABLED",
    "DEMO_CONTENT_ON_EMPTY",
    "SITE_URL",
)


@pytest.fixture
def uncached(app: Flask) -> Iterator[Flask]:
    """The same blog with the page cache off: every page is rendered."""
    off = create_app(
        {
            **{k: app.config[k] for k in _SETTINGS if k in app.config},
            "PAGE_CACHE": False,
            "COMMENT_MIN_SECONDS": 0,
        }
    )
    yield off
    with off.app_context():
        db.session.remove()
        db.engine.dispose()


def section(client: FlaskClient, post: Post) -> str:
    """The comment list of the article, as a reader gets it."""
    page = client.get(f"/posts/{post.slug}").text
    return page[page.index('id="comment-list"') : page.index('id="post-a-comment"')]


def test_every_change_to_a_comment_shows_at_once(
    uncached: Flask,
    make_post: PostFactory,
    make_comment: Callable[..., Comment],
    author: Author,
) -> None:
    post = make_post("Kept comments")
    kept = make_comment(post, "First words.", name="Wren")
    reader = uncached.test_client()
    for _ in range(2):
        assert "First words." in section(reader, post)

    kept.body_html = "<p>Second words.</p>"
    kept.author_name = "Wren Hollis"
    kept.author_website = "https://wren.example.org"
    db.session.commit()
    shown = section(reader, post)
    assert "Second words." in shown and "First words." not in shown
    assert 'href="https://wren.example.org"' in shown and ">Wren Hollis</a>" in shown

    # Times follow the site's zone.
    before = section(reader, post)
    uncached.config["TIMEZONE"] = "Asia/Tokyo"
    after = section(reader, post)
    assert "JST" in after and "JST" not in before

    # Written by the post's author, signed in: the badge.
    kept.author_id = author.id
    db.session.commit()
    assert "comment__badge" in section(reader, post)
    other = Author(email="other@example.org", name="Other Writer")
    db.session.add(other)
    db.session.flush()
    post.author_id = other.id
    db.session.commit()
    assert "comment__badge" not in section(reader, post)

    # Held for moderation: gone for readers; approved again: back.
    kept.status = CommentStatus.PENDING.value
    db.session.commit()
    assert "Second words." not in section(reader, post)
    kept.status = CommentStatus.APPROVED.value
    db.session.commit()
    assert "Second words." in section(reader, post)

    # Comments closed: no Reply link on the kept item.
    assert ">Reply<" in section(reader, post)
    post.comments_closed = True
    db.session.commit()
    assert ">Reply<" not in section(reader, post)


def test_a_commenters_own_controls_are_never_kept_for_others(
    uncached: Flask, make_post: PostFactory, make_comment: Callable[..., Comment]
) -> None:
    post = make_post("Own controls")
    make_comment(post, "Someone else's.")
    writer, reader = uncached.test_client(), uncached.test_client()
    section(reader, post)
    answer = writer.post(
        f"/posts/{post.slug}/comments",
        data={"name": "Rowan", "body": "My own remark.", "started": form_started_token()},
    )
    assert answer.status_code == 303
    for _ in range(2):
        mine = section(writer, post)
        assert mine.count(">Edit</a>") == 1 and "csrf_token" in mine
        theirs = section(reader, post)
        assert "My own remark." in theirs and ">Edit</a>" not in theirs
        assert "csrf_token" not in theirs
