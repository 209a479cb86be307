"""The commenter's comforts through the test client.

The "Author" mark, the message at the new comment, the remember box the server never fills,
and the hooks the browser script needs. Each endpoint is asked as a full page and as an htmx
fragment.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from blog.core.models import Author, Comment, CommentStatus, Post, Role
from blog.extensions import db
from tests.conftest import PostFactory, cheap_password_hash
from tests.test_comments import HX, send

PASSWORD = "correct horse battery staple"
BADGE = '<span class="comment__badge">Author<span class="visually-hidden"> of this post</span>'


@pytest.fixture(autouse=True)
def quick_commenting(app: Flask) -> None:
    """Tests post at machine speed: no minimum time, publish at once (unless a test says)."""
    app.config.update(COMMENT_MIN_SECONDS=0, COMMENT_MODERATION="open")


@pytest.fixture
def post(make_post: PostFactory) -> Post:
    """A published post by the `author` fixture (Ada Quill)."""
    return make_post("Open for comments")


def add_author(email: str, name: str, role: Role = Role.AUTHOR) -> Author:
    """An author account that can sign in with PASSWORD."""
    person = Author(
        email=email, name=name, password_hash=cheap_password_hash(PASSWORD), role=role.value
    )
    db.session.add(person)
    db.session.commit()
    return person


def signed_in_client(app: Flask, email: str) -> FlaskClient:
    """A fresh browser, signed in as the author with `email`."""
    browser = app.test_client()
    response = browser.post("/account/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return browser


@pytest.fixture
def post_author_client(app: Flask, author: Author) -> FlaskClient:
    """A browser signed in as the post's author (the `author` fixture)."""
    author.password_hash = cheap_password_hash(PASSWORD)
    db.session.commit()
    return signed_in_client(app, author.email)


def newest() -> Comment:
    """The comment stored last."""
    found = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert found is not None
    return found


def item_of(html: str, comment: Comment) -> str:
    """The list item of `comment` in `html`, up to its reply slot."""
    found = re.search(
        rf'<li class="comment[^"]*" id="comment-{comment.id}".*?id="reply-slot-{comment.id}"',
        html,
        re.S,
    )
    assert found, f"comment {comment.id} is not on the page"
    return found.group(0)


# --- the "Author" mark --------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
def test_post_author_reply_is_marked(
    post_author_client: FlaskClient,
    client: FlaskClient,
    post: Post,
    author: Author,
    make_comment: Callable[..., Comment],
    htmx: bool,
) -> None:
    parent = make_comment(post, "A reader asks something.", name="Curious Reader")
    response = send(
        post_author_client, post, htmx=htmx, name="Ada", body="Ada answers.", parent_id=parent.id
    )
    assert response.status_code == (200 if htmx else 303)
    reply = newest()
    assert reply.author_id == author.id and reply.parent_id == parent.id
    html = response.text if htmx else post_author_client.get(response.headers["Location"]).text
    assert BADGE in item_of(html, reply)
    assert 'aria-label="Comment by Ada, the author of this post"' in html
    assert BADGE not in item_of(html, parent)
    # Everyone sees the mark, and it is the only one on the page.
    public = client.get(f"/posts/{post.slug}").text
    assert public.count(BADGE) == 1 and BADGE in item_of(public, reply)
    fragment = client.get(f"/posts/{post.slug}", headers=HX).text
    assert fragment.count(BADGE) == 1


def test_a_typed_name_earns_no_mark(
    client: FlaskClient, post: Post, author: Author, make_comment: Callable[..., Comment]
) -> None:
    parent = make_comment(post, "Question")
    send(client, post, name=author.name, email=author.email, body="I am Ada, honest.")
    send(client, post, name=author.name, body="Me again.", parent_id=parent.id)
    assert [c.author_id for c in db.session.scalars(select(Comment))] == [None, None, None]
    html = client.get(f"/posts/{post.slug}").text
    assert "comment__badge" not in html
    assert "the author of this post" not in html


def test_another_author_is_linked_but_not_marked(
    app: Flask, post: Post, make_comment: Callable[..., Comment]
) -> None:
    other = add_author("bo@example.org", "Bo Other")
    browser = signed_in_client(app, other.email)
    parent = make_comment(post, "Question")
    assert send(browser, post, name="Bo", parent_id=parent.id).status_code == 303
    reply = newest()
    assert reply.author_id == other.id
    assert "comment__badge" not in browser.get(f"/posts/{post.slug}").text


def test_post_authors_comments_need_no_moderation(
    app: Flask, post_author_client: FlaskClient, post: Post
) -> None:
    app.config["COMMENT_MODERATION"] = "all"
    send(post_author_client, post, name="Ada", body="From the author herself.")
    assert newest().status == CommentStatus.APPROVED.value
    # An author who could not approve it (someone else's post) waits like any reader.
    add_author("bo@example.org", "Bo Other")
    send(signed_in_client(app, "bo@example.org"), post, name="Bo", body="From Bo.")
    assert newest().status == CommentStatus.PENDING.value
    # An editor could approve it anyway.
    add_author("ed@example.org", "Ed Itor", Role.EDITOR)
    send(signed_in_client(app, "ed@example.org"), post, name="Ed", body="From the editor.")
    assert newest().status == CommentStatus.APPROVED.value


def test_deleting_the_author_keeps_the_comment(
    app: Flask, post: Post, make_comment: Callable[..., Comment]
) -> None:
    other = add_author("bo@example.org", "Bo Other")
    send(signed_in_client(app, other.email), post, name="Bo", body="Bo was here.")
    comment = newest()
    assert comment.author_id == other.id
    runner = app.test_cli_runner()
    result = runner.invoke(args=["author", "delete", other.email, "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Comment, comment.id) is not None
    assert newest().author_id is None


def test_signed_in_author_finds_their_name_filled_in(
    post_author_client: FlaskClient,
    client: FlaskClient,
    post: Post,
    author: Author,
    make_comment: Callable[..., Comment],
) -> None:
    parent = make_comment(post, "Question")
    page = post_author_client.get(f"/posts/{post.slug}").text
    assert f'id="new-name" name="name" value="{author.name}"' in page
    assert page.count(author.email) >= 1
    reply = post_author_client.get(
        f"/posts/{post.slug}/comments/{parent.id}/reply", headers=HX
    ).text
    # Their name is there, so the reply form puts the cursor in the text.
    assert f'id="reply-{parent.id}-body" name="body" autofocus' in reply
    # Nobody else gets it.
    anonymous = client.get(f"/posts/{post.slug}").text
    assert author.name not in re.sub(
        r"<footer.*", "", anonymous.split('id="comments"')[1], flags=re.S
    )
    assert 'id="new-name" name="name" value=""' in anonymous


# --- the message at the new comment -------------------------------------------------------------


def test_status_at_the_new_comment_without_js(client: FlaskClient, post: Post) -> None:
    response = send(client, post, name="Nell", body="Plain post.")
    comment = newest()
    assert response.headers["Location"] == f"/posts/{post.slug}#comment-{comment.id}"
    html = client.get(response.headers["Location"]).text
    item = item_of(html, comment)
    assert re.search(
        r'<p class="comment__status comment-status__message comment-status__message--success" '
        r'id="comment-status-here">Thanks, Nell! Your comment is posted.</p>',
        item,
    )
    # Announced by the live region, but shown once: at the comment, not at the top or bottom.
    assert html.count("Thanks, Nell!") == 2
    assert re.search(
        r'id="comment-status" role="status">\s*<p class="comment-status__message '
        r'comment-status__message--success visually-hidden">Thanks, Nell!',
        html,
    )
    messages = re.search(r'id="messages" role="status">(.*?)</div>', html, re.S)
    assert messages and "Thanks" not in messages.group(1)
    # Shown once only.
    assert "Thanks, Nell!" not in client.get(f"/posts/{post.slug}").text


def test_status_at_the_new_comment_with_htmx(
    client: FlaskClient, post: Post, make_comment: Callable[..., Comment]
) -> None:
    parent = make_comment(post, "Question")
    response = send(client, post, htmx=True, name="Hazel", body="Reply.", parent_id=parent.id)
    reply = newest()
    item = item_of(response.text, reply)
    assert f'id="comment-{reply.id}" tabindex="-1" autofocus' in item
    assert 'id="comment-status-here">Thanks, Hazel! Your comment is posted.</p>' in item
    assert 'data-hx-swap-oob="innerHTML"' in response.text
    assert "comment-status__message--success visually-hidden" in response.text


def test_held_comment_message_is_at_the_held_comment(
    app: Flask, client: FlaskClient, post: Post
) -> None:
    app.config["COMMENT_MODERATION"] = "all"
    for htmx in (False, True):
        response = send(client, post, htmx=htmx, body=f"Held {htmx}")
        held = newest()
        assert held.status == CommentStatus.PENDING.value
        html = response.text if htmx else client.get(response.headers["Location"]).text
        item = item_of(html, held)
        assert "comment-status__message--pending" in item
        assert "Thanks, Rowan! Your comment is awaiting moderation" in item
        assert "Only you can see this comment until an author approves it." in item


def test_status_with_no_comment_to_sit_at_is_shown_in_the_section(
    client: FlaskClient, post: Post
) -> None:
    send(client, post, body="Soon gone")
    comment = newest()
    response = client.post(f"/comments/{comment.id}/delete")
    html = client.get(response.headers["Location"]).text
    assert re.search(
        r'id="comment-status" role="status">\s*<p class="comment-status__message '
        r'comment-status__message--success">Your comment is deleted.</p>',
        html,
    )


def test_status_on_a_later_page_of_comments(
    app: Flask, client: FlaskClient, post: Post, make_comment: Callable[..., Comment]
) -> None:
    app.config["COMMENTS_PER_PAGE"] = 2
    for number in range(3):
        make_comment(post, f"Thread {number}", minutes_after=number)
    response = send(client, post, name="Late", body="On page two")
    comment = newest()
    location = response.headers["Location"]
    assert location == f"/posts/{post.slug}/comments?page=2#comment-{comment.id}"
    page = client.get(location).text
    assert 'id="comment-status-here">Thanks, Late! Your comment is posted.</p>' in item_of(
        page, comment
    )
    # As a fragment ("Show more comments") the page carries no message.
    send(client, post, name="Later", body="Also on page two")
    fragment = client.get(f"/posts/{post.slug}/comments?page=2", headers=HX).text
    assert "Thanks" not in fragment


def test_edit_without_js_says_so_at_the_comment(client: FlaskClient, post: Post) -> None:
    send(client, post, body="My words")
    comment = newest()
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "Better words"})
    html = client.get(response.headers["Location"]).text
    assert 'id="comment-status-here">Your comment is updated.</p>' in item_of(html, comment)


def test_a_forged_status_in_the_session_is_ignored(client: FlaskClient, post: Post) -> None:
    for kept in (["Hi", "<script>", None], "text", ["Hi", "success"], [1, "success", None]):
        with client.session_transaction() as session:
            session["comment_status"] = kept
        html = client.get(f"/posts/{post.slug}").text
        assert "comment-status__message" not in html


# --- remembering, focus and Cancel: what the script needs from the page --------------------------


def test_remember_box_is_hidden_and_never_sent(
    client: FlaskClient, post: Post, make_comment: Callable[..., Comment]
) -> None:
    parent = make_comment(post, "Question")
    page = client.get(f"/posts/{post.slug}").text
    assert re.search(r'<script src="/static/js/comments\.[0-9a-f]{10}\.js" defer></script>', page)
    box = re.search(
        r"<div class=\"comment-form__remember\" data-commenter-remember hidden>.*?</div>",
        page,
        re.S,
    )
    assert box, "the remember box is not hidden until the script shows it"
    assert 'type="checkbox" id="new-remember">' in box.group(0)
    assert "name=" not in box.group(0)  # never part of the form's data
    assert "Remember my name, email and website on this browser" in box.group(0)
    for url, headers in [
        (f"/posts/{post.slug}/comments/{parent.id}/reply", {}),
        (f"/posts/{post.slug}/comments/{parent.id}/reply", HX),
    ]:
        reply = client.get(url, headers=headers).text
        assert f'type="checkbox" id="reply-{parent.id}-remember">' in reply
        assert 'data-commenter-form="reply"' in reply
    script = client.get("/static/js/comments.js")
    script.close()
    assert script.status_code == 200


def test_the_server_never_fills_in_a_readers_details(client: FlaskClient, post: Post) -> None:
    details: dict[str, Any] = {
        "name": "Private Person",
        "email": "private@example.org",
        "website": "https://private.example/",
    }
    send(client, post, body="First", **details)
    send(client, post, htmx=True, body="Second", **details)
    for headers in ({}, HX):
        html = client.get(f"/posts/{post.slug}", headers=headers).text
        assert 'value="Private Person"' not in html
        assert "private@example.org" not in html
        assert 'value="https://private.example/"' not in html


def test_cancel_links_close_in_place_or_go_back(
    client: FlaskClient, post: Post, make_comment: Callable[..., Comment]
) -> None:
    parent = make_comment(post, "Question")
    back = f'href="/posts/{post.slug}#comment-{parent.id}" data-comment-cancel="reply">Cancel</a>'
    for headers in ({}, HX):
        reply = client.get(f"/posts/{post.slug}/comments/{parent.id}/reply", headers=headers)
        assert back in reply.text
    send(client, post, body="Mine to edit")
    mine = newest()
    back = f'href="/posts/{post.slug}#comment-{mine.id}" data-comment-cancel="edit">Cancel</a>'
    for headers in ({}, HX):
        assert back in client.get(f"/comments/{mine.id}/edit", headers=headers).text
    article = client.get(f"/posts/{post.slug}").text
    assert 'data-hx-swap="innerHTML" data-comment-opens="edit">Edit</a>' in article
    assert 'data-hx-swap="innerHTML" data-comment-opens="reply">Reply' in article
