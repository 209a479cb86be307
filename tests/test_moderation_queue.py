"""The moderation queue through the test client, and the dashboard's counts of waiting comments.

Why each comment waits, where its links go, replying from the queue, every endpoint as a page
and as an htmx fragment, and counts whose cost does not grow with the blog.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from blog.comments.spam import HELD_ALL, HELD_FIRST, HELD_NO_EMAIL
from blog.core.models import Author, Comment, CommentStatus, Post
from blog.extensions import db
from blog.moderation.links import Link, links_in
from tests.conftest import PostFactory, account, comment_form, signed_in_as

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}
QUEUE = "/editor/comments/"
BADGE = '<span class="comment__badge">Author<span class="visually-hidden"> of this post</span>'

CommentFactory = Callable[..., Comment]


@pytest.fixture
def other(app: Flask) -> Author:
    """Another author, whose posts are none of `wren`'s business."""
    return account("otto@example.org", "author")


def owned(post: Post, person: Author) -> Post:
    """`post`, handed to `person`."""
    post.author = person
    db.session.commit()
    return post


def stored(body: str) -> Comment:
    """The comment with this text, read afresh."""
    db.session.expire_all()
    return db.session.scalars(select(Comment).where(Comment.body_source == body)).one()


def count_comments() -> int:
    """Rows in the comments table."""
    return int(db.session.scalar(select(func.count(Comment.id))) or 0)


def item(page: str, comment: Comment) -> str:
    """The queue's entry for `comment`, from its <li> to the next one."""
    start = page.index(f'id="queue-comment-{comment.id}"')
    end = page.find('<li class="queue-item', start)
    return page[start : end if end != -1 else len(page)]


def field_error(page: str, comment: Comment) -> str | None:
    """The message under the reply box of `comment` in the queue."""
    found = re.search(rf'id="reply-{comment.id}-body-error">([^<]+)<', page)
    return html.unescape(found.group(1)) if found else None


# --- why a comment waits -------------------------------------------------------------------------


THREE_LINKS = "See [a](https://a.example) [b](https://b.example) [c](https://c.example)"


@pytest.mark.parametrize(
    ("mode", "body", "email", "reason"),
    [
        ("links", THREE_LINKS, "", "3 links"),
        ("first-time", "Hello there", "new@example.org", HELD_FIRST),
        ("first-time", "Hello there", "", HELD_NO_EMAIL),
        ("all", "Anything at all", "", HELD_ALL),
        ("links", "Only [one](https://one.example)", "", None),
        ("open", THREE_LINKS, "", None),
    ],
)
def test_held_reason_is_stored_and_shown(
    app: Flask,
    editor: Author,
    make_post: PostFactory,
    mode: str,
    body: str,
    email: str,
    reason: str | None,
) -> None:
    app.config.update(COMMENT_MIN_SECONDS=0, COMMENT_MODERATION=mode, COMMENT_MAX_LINKS=2)
    post = make_post("Reasons")
    reader = app.test_client()
    sent = reader.post(f"/posts/{post.slug}/comments", data=comment_form(body=body, email=email))
    assert sent.status_code == 303
    comment = stored(body)
    assert comment.held_reason == reason
    assert comment.status == ("pending" if reason else "approved")
    page = signed_in_as(app, editor).get(f"{QUEUE}?status=all").text
    entry = item(page, comment)
    if reason:
        assert f'<p class="queue-item__reason">Held because: {reason}</p>' in entry
    else:
        assert "Held because" not in entry


def test_edited_comment_held_again_says_why(
    app: Flask, editor: Author, make_post: PostFactory
) -> None:
    app.config.update(COMMENT_MIN_SECONDS=0, COMMENT_MODERATION="links", COMMENT_MAX_LINKS=2)
    post = make_post("Edits")
    reader = app.test_client()
    reader.post(f"/posts/{post.slug}/comments", data=comment_form(body="Plain words"))
    comment = stored("Plain words")
    assert (comment.status, comment.held_reason) == ("approved", None)
    edited = reader.post(f"/comments/{comment.id}/edit", data={"body": THREE_LINKS})
    assert edited.status_code == 303
    comment = stored(THREE_LINKS)
    assert (comment.status, comment.held_reason) == ("pending", "3 links")


def test_comments_stored_by_others_have_no_reason(
    app: Flask, editor: Author, make_post: PostFactory, make_comment: CommentFactory
) -> None:
    # As an import or the demo stores them: held, but nobody said why.
    held = make_comment(make_post(), "Imported and held", status=CommentStatus.PENDING)
    assert held.held_reason is None
    entry = item(signed_in_as(app, editor).get(QUEUE).text, held)
    assert "Imported and held" in entry and "Held because" not in entry


# --- what the queue shows of each comment ------------------------------------------------------


def test_links_are_read_from_the_sanitized_html() -> None:
    body = (
        '<p>See <a href="https://a.example/x?y=1&amp;z=2" rel="nofollow">the <em>docs</em></a>'
        ' and <a href="mailto:me@example.org">mail</a>, <a>no address</a>.</p>'
    )
    assert links_in(body) == [
        Link("the docs", "https://a.example/x?y=1&z=2"),
        Link("mail", "mailto:me@example.org"),
    ]
    assert links_in("<p>No links here.</p>") == []


def test_queue_shows_urls_email_and_website_escaped(
    app: Flask, editor: Author, make_post: PostFactory, make_comment: CommentFactory
) -> None:
    post = make_post("Links everywhere")
    comment = make_comment(
        post,
        'Read [the "><script>alert(1)</script> guide](https://docs.example/guide?a=1&b=2) now.',
        name="Linker",
        website='https://site.example/"><script>alert(2)</script>',
        status=CommentStatus.PENDING,
    )
    comment.author_email = "linker@example.org"
    # Sanitized HTML may still carry quotes and brackets in an address, as entities.
    comment.body_html += (
        '<p><a href="https://x.example/&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;">x</a></p>'
    )
    db.session.commit()
    page = signed_in_as(app, editor).get(QUEUE).text
    entry = item(page, comment)
    assert "<script>" not in page
    assert '<code class="queue-item__url">https://docs.example/guide?a=1&amp;b=2</code>' in entry
    assert "“the &#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt; guide”" in entry
    assert "https://x.example/&#34;&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in entry
    assert "linker@example.org" in entry
    website = "https://site.example/&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"
    assert f'<a href="{website}" rel="nofollow ugc noopener noreferrer">{website}</a>' in entry


def test_queue_says_when_there_is_no_email_or_website(
    app: Flask, editor: Author, make_post: PostFactory, make_comment: CommentFactory
) -> None:
    comment = make_comment(make_post(), "Anonymous words", status=CommentStatus.PENDING)
    entry = item(signed_in_as(app, editor).get(QUEUE).text, comment)
    assert entry.count("none given") == 2
    assert "Where its links go" not in entry


def test_queue_links_to_the_comment_in_place(
    app: Flask, editor: Author, make_post: PostFactory, make_comment: CommentFactory
) -> None:
    post = make_post("In place")
    approved = make_comment(post, "Out in the open")
    held = make_comment(post, "Still waiting", status=CommentStatus.PENDING)
    browser = signed_in_as(app, editor)
    page = browser.get(f"{QUEUE}?status=all").text
    in_place = f'href="/comments/{approved.id}"'
    assert in_place in item(page, approved) and "See it in place" in item(page, approved)
    # That lasting address leads to the page of comments that shows it, at the comment.
    found = app.test_client().get(f"/comments/{approved.id}")
    assert found.headers["Location"] == f"/posts/{post.slug}#comment-{approved.id}"
    # A held comment is on the article for its wren only: the link is to the post.
    assert f"#comment-{held.id}" not in item(page, held)
    assert f'<a href="/posts/{post.slug}">Open the post' in item(page, held)
    article = app.test_client().get(f"/posts/{post.slug}").text
    assert f'id="comment-{approved.id}"' in article


def test_queue_narrowed_to_one_post(
    app: Flask, wren: Author, make_post: PostFactory, make_comment: CommentFactory
) -> None:
    mine = owned(make_post("Mine"), wren)
    also_mine = owned(make_post("Also mine"), wren)
    someone_elses = make_post("Not mine")
    make_comment(mine, "On mine", status=CommentStatus.PENDING)
    make_comment(also_mine, "On also mine", status=CommentStatus.PENDING)
    make_comment(someone_elses, "On theirs", status=CommentStatus.PENDING)
    browser = signed_in_as(app, wren)
    for headers in ({}, HX):
        page = browser.get(f"{QUEUE}?post={mine.id}", headers=headers)
        assert page.status_code == 200
        assert "On mine" in page.text and "On also mine" not in page.text
        assert "Only the comments on “Mine”." in page.text
        assert f'<input type="hidden" name="post" value="{mine.id}">' in page.text
    assert page.text.lstrip().startswith('<div id="queue">')
    # Another author's post is out of reach: its comments stay hidden.
    theirs = browser.get(f"{QUEUE}?post={someone_elses.id}").text
    assert "On theirs" not in theirs and "Only the comments on" not in theirs


# --- replying from the queue --------------------------------------------------------------------


def test_reply_publishes_at_once_as_the_authors_and_approves_the_held_comment(
    app: Flask, wren: Author, make_post: PostFactory, make_comment: CommentFactory
) -> None:
    post = owned(make_post("Answered"), wren)
    held = make_comment(post, "A question, held", name="Asker", status=CommentStatus.PENDING)
    browser = signed_in_as(app, wren)
    entry = item(browser.get(QUEUE).text, held)
    assert "Reply and approve</button>" in entry
    assert f'action="/editor/comments/{held.id}/reply"' in entry
    assert 'name="csrf_token"' in entry

    sent = browser.post(f"/editor/comments/{held.id}/reply", data={"body": "An **answer**."})
    assert sent.status_code == 303 and sent.headers["Location"].startswith(QUEUE)
    answer = stored("An **answer**.")
    assert answer.status == "approved"
    assert (answer.author_id, answer.author_name) == (wren.id, wren.name)
    assert (answer.parent_id, answer.root_id, answer.post_id) == (held.id, held.id, post.id)
    assert answer.body_html.strip() == "<p>An <strong>answer</strong>.</p>"
    assert stored("A question, held").status == "approved"
    assert "Reply published; the comment is approved." in browser.get(QUEUE).text

    article = app.test_client().get(f"/posts/{post.slug}").text
    assert "A question, held" in article and "An <strong>answer</strong>." in article
    question = article.index(f'id="comment-{held.id}"')
    reply_at = article.index(f'id="comment-{answer.id}"')
    assert question < reply_at
    assert BADGE in article[reply_at:]
    db.session.expire_all()
    assert db.session.get(Post, post.id).comment_count == 2  # type: ignore[union-attr]


def test_reply_to_a_reply_keeps_the_thread(
    app: Flask, editor: Author, make_post: PostFactory, make_comment: CommentFactory
) -> None:
    post = make_post("Threads")
    top = make_comment(post, "Top of the thread")
    middle = make_comment(post, "In the middle", parent=top)
    browser = signed_in_as(app, editor)
    entry = item(browser.get(f"{QUEUE}?status=approved").text, middle)
    assert ">Reply</button>" in entry and "Reply and approve" not in entry
    fragment = browser.post(
        f"/editor/comments/{middle.id}/reply?status=approved",
        data={"body": "Deep answer"},
        headers=HX,
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="queue">')
    assert "Reply published." in fragment.text
    assert '<option value="approved" selected>' in fragment.text
    answer = stored("Deep answer")
    assert (answer.parent_id, answer.root_id) == (middle.id, top.id)
    assert (answer.author_id, answer.author_name) == (editor.id, editor.name)


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Please write your reply before sending it."),
        ("   ", "Please write your reply before sending it."),
        ("x" * 51, "Please keep your reply under 50 characters (it is 51)."),
        ("Nul \x01 here", "Your reply contains characters that are not text."),
    ],
)
def test_reply_refused_when_empty_or_too_long(
    app: Flask,
    editor: Author,
    make_post: PostFactory,
    make_comment: CommentFactory,
    body: str,
    message: str,
    htmx: bool,
) -> None:
    app.config["COMMENT_MAX_LENGTH"] = 50
    held = make_comment(make_post(), "Held still", status=CommentStatus.PENDING)
    before = count_comments()
    browser = signed_in_as(app, editor)
    refused = browser.post(
        f"/editor/comments/{held.id}/reply", data={"body": body}, headers=HX if htmx else {}
    )
    assert refused.status_code == 422
    assert refused.text.lstrip().startswith('<div id="queue">' if htmx else "<!doctype html>")
    assert "Your reply was not sent: see below." in refused.text
    assert field_error(refused.text, held) == message
    entry = item(refused.text, held)
    assert '<details class="queue-reply" open>' in entry and 'aria-invalid="true"' in entry
    assert count_comments() == before and stored("Held still").status == "pending"


def test_reply_refused_for_comments_out_of_reach(
    app: Flask,
    wren: Author,
    other: Author,
    make_post: PostFactory,
    make_comment: CommentFactory,
) -> None:
    theirs = make_comment(
        owned(make_post("Theirs"), other), "Not yours", status=CommentStatus.PENDING
    )
    browser = signed_in_as(app, wren)
    before = count_comments()
    for headers in ({}, HX):
        for url in (f"/editor/comments/{theirs.id}/reply", "/editor/comments/999999/reply"):
            assert browser.post(url, data={"body": "Sneaky"}, headers=headers).status_code == 404
    assert count_comments() == before and stored("Not yours").status == "pending"
    # Its post's author may.
    assert (
        signed_in_as(app, other)
        .post(f"/editor/comments/{theirs.id}/reply", data={"body": "Mine to answer"})
        .status_code
        == 303
    )


def test_reply_refused_under_spam_closed_or_twice(
    app: Flask, editor: Author, make_post: PostFactory, make_comment: CommentFactory
) -> None:
    post = make_post("Refusals")
    spam = make_comment(post, "Buy things", status=CommentStatus.SPAM)
    fine = make_comment(post, "A fine comment")
    browser = signed_in_as(app, editor)
    assert "Reply" not in item(browser.get(f"{QUEUE}?status=spam").text, spam)
    under_spam = browser.post(f"/editor/comments/{spam.id}/reply", data={"body": "Hi"})
    assert under_spam.status_code == 409
    assert field_error(under_spam.text, spam) is None  # no reply box under spam
    assert "Your reply was not sent" in under_spam.text
    first = browser.post(f"/editor/comments/{fine.id}/reply", data={"body": "Same words"})
    assert first.status_code == 303
    twice = browser.post(
        f"/editor/comments/{fine.id}/reply?status=all", data={"body": "Same words"}, headers=HX
    )
    assert twice.status_code == 409
    assert field_error(twice.text, fine) == "This comment has already been posted here."
    post.comments_closed = True
    db.session.commit()
    closed = browser.post(f"/editor/comments/{fine.id}/reply?status=all", data={"body": "Late"})
    assert closed.status_code == 403
    assert field_error(closed.text, fine) == "Comments are closed on this article."
    db.session.expire_all()
    assert count_comments() == 3


# --- every endpoint as a page and as a fragment ------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("endpoint", ["queue", "act", "bulk", "reply"])
def test_each_endpoint_as_page_and_fragment(
    app: Flask,
    editor: Author,
    make_post: PostFactory,
    make_comment: CommentFactory,
    endpoint: str,
    htmx: bool,
) -> None:
    post = make_post("Both ways")
    held = make_comment(post, "Waiting here", status=CommentStatus.PENDING)
    browser = signed_in_as(app, editor)
    headers = HX if htmx else {}
    response = {
        "queue": lambda: browser.get(f"{QUEUE}?post={post.id}", headers=headers),
        "act": lambda: browser.post(f"{QUEUE}{held.id}/approve?post={post.id}", headers=headers),
        "bulk": lambda: browser.post(
            f"{QUEUE}bulk",
            data={"ids": [held.id], "action": "spam", "post": post.id},
            headers=headers,
        ),
        "reply": lambda: browser.post(
            f"{QUEUE}{held.id}/reply", data={"body": "Answered", "post": post.id}, headers=headers
        ),
    }[endpoint]()
    if endpoint == "queue":
        assert response.status_code == 200
        text = response.text.lstrip()
        assert text.startswith('<div id="queue">') if htmx else text.startswith("<!doctype html>")
        assert ("/static/js/moderation." in text) is not htmx
    elif htmx:
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<div id="queue">')
        assert "Only the comments on “Both ways”." in response.text
    else:
        assert response.status_code == 303
        assert response.headers["Location"] == f"{QUEUE}?status=held&post={post.id}"


def test_queue_page_has_select_all_and_its_script(
    app: Flask, editor: Author, make_post: PostFactory, make_comment: CommentFactory
) -> None:
    held = make_comment(make_post(), "Tick me", status=CommentStatus.PENDING)
    page = signed_in_as(app, editor).get(QUEUE).text
    assert re.search(r'<script src="/static/js/moderation\.[0-9a-f]{10}\.js" defer></script>', page)
    assert '<label class="select-all" data-select-all hidden>' in page
    assert (
        f'<input type="checkbox" name="ids" value="{held.id}" id="tick-{held.id}" form="bulk-form">'
        in page
    )
    assert "<script>" not in page  # the CSP allows no inline script
    assert app.test_client().get("/static/js/moderation.js").status_code == 200


# --- the dashboard's counts ------------------------------------------------------------------


def held_on(make_comment: CommentFactory, post: Post, count: int) -> None:
    """`count` held comments on `post`, and an approved one that never counts."""
    for n in range(count):
        make_comment(post, f"Held {n} on {post.title}", status=CommentStatus.PENDING)
    make_comment(post, f"Approved on {post.title}")


def waiting_link(post: Post, count: int) -> str:
    """How the dashboard links a post's waiting comments."""
    return (
        f'<a class="waiting-link" href="/editor/comments/?post={post.id}">{count} waiting'
        f'<span class="visually-hidden"> on “{post.title}”</span></a>'
    )


def test_dashboard_counts_for_an_editor(
    app: Flask,
    editor: Author,
    wren: Author,
    make_post: PostFactory,
    make_comment: CommentFactory,
) -> None:
    own = owned(make_post("Editor post"), editor)
    theirs = owned(make_post("Writer post"), wren)
    quiet = owned(make_post("Quiet post"), editor)
    held_on(make_comment, own, 2)
    held_on(make_comment, theirs, 1)
    browser = signed_in_as(app, editor)
    for query, headers in (("", {}), ("?show=all", {}), ("?show=all", HX)):
        page = browser.get(f"/editor/{query}", headers=headers).text
        assert waiting_link(own, 2) in page
        assert f'href="/editor/comments/?post={quiet.id}"' not in page
        # An editor may moderate every comment: the header counts them all.
        assert '<span id="comments-waiting">(3 waiting)</span>' in page
        assert 'aria-describedby="comments-waiting">Comments</a>' in page
    assert waiting_link(theirs, 1) in page
    assert waiting_link(theirs, 1) not in browser.get("/editor/").text  # not listed there


def test_dashboard_counts_for_an_author(
    app: Flask,
    wren: Author,
    other: Author,
    make_post: PostFactory,
    make_comment: CommentFactory,
) -> None:
    mine = owned(make_post("My post"), wren)
    theirs = owned(make_post("Their post"), other)
    held_on(make_comment, mine, 1)
    held_on(make_comment, theirs, 4)
    page = signed_in_as(app, wren).get("/editor/").text
    assert waiting_link(mine, 1) in page
    assert f"?post={theirs.id}" not in page and "4 waiting" not in page
    assert '<span id="comments-waiting">(1 waiting)</span>' in page
    # Nothing waiting: the plain button.
    clean = signed_in_as(app, account("new@example.org", "author")).get("/editor/").text
    assert 'href="/editor/comments/">Comments</a>' in clean
    assert "waiting" not in clean


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def dashboard_statements(browser: FlaskClient) -> list[str]:
    """The statements of one dashboard request listing every post."""
    with statements() as seen:
        assert browser.get("/editor/?show=all").status_code == 200
    return seen


def test_the_counts_cost_the_same_for_5_or_50_posts(
    app: Flask, editor: Author, make_post: PostFactory, make_comment: CommentFactory
) -> None:
    browser = signed_in_as(app, editor)
    posts = [make_post() for _ in range(5)]
    for post in posts:
        make_comment(post, status=CommentStatus.PENDING)
    few = dashboard_statements(browser)
    posts += [make_post() for _ in range(45)]
    for post in posts[5:]:
        make_comment(post, status=CommentStatus.PENDING)
    many = dashboard_statements(browser)
    assert len(few) == len(many)
    grouped = [sql for sql in many if "GROUP BY comments.post_id" in sql]
    assert len(grouped) == 1 and "comments.post_id IN" in grouped[0]
    page = browser.get("/editor/?show=all").text
    assert page.count('class="waiting-link"') == 50
    assert '<span id="comments-waiting">(50 waiting)</span>' in page
