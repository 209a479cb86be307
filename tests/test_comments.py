"""The comment box through the test client: every endpoint as a page and as an htmx fragment."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from blog.comments.spam import form_started_token
from blog.core.models import Comment, CommentStatus, Post, PostStatus, utcnow
from blog.core.records import RateLimitHit
from blog.extensions import db
from tests.conftest import PostFactory
from tests.conftest import comment_form as form

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}


@pytest.fixture(autouse=True)
def quick_commenting(app: Flask) -> None:
    """Tests post at machine speed: no minimum time, publish at once (unless a test says)."""
    app.config.update(COMMENT_MIN_SECONDS=0, COMMENT_MODERATION="open")


@pytest.fixture
def post(make_post: PostFactory) -> Post:
    """A published post to comment on."""
    return make_post("Open for comments")


def comments_stored() -> int:
    """Rows in the comments table."""
    return int(db.session.scalar(select(func.count(Comment.id))) or 0)


def send(client: FlaskClient, post: Post, htmx: bool = False, **overrides: Any) -> Any:
    """POST the comment form for `post`."""
    return client.post(
        f"/posts/{post.slug}/comments", data=form(**overrides), headers=HX if htmx else {}
    )


def field_error(html: str, key: str, field: str) -> str | None:
    """The message shown under a field of the form `key` ("new", "reply-<id>")."""
    found = re.search(rf'<p class="field-error" id="{key}-{field}-error">([^<]+)</p>', html)
    return found.group(1) if found else None


# --- posting ------------------------------------------------------------------------------------


def test_form_is_on_the_article(client: FlaskClient, post: Post) -> None:
    html = client.get(f"/posts/{post.slug}").text
    for field in ("name", "email", "website", "body"):
        assert f'id="new-{field}" name="{field}"' in html
    assert 'name="homepage"' in html
    # The page is the same for every reader: the form fetches its token and stamp when used.
    assert 'data-hx-get="/posts/open-for-comments/comments/form-parts"' in html
    assert 'name="started"' not in html and 'name="csrf_token"' not in html
    parts = client.get(f"/posts/{post.slug}/comments/form-parts")
    assert parts.status_code == 200 and parts.headers["Cache-Control"] == "no-store"
    assert 'name="csrf_token"' in parts.text and 'name="started" value="' in parts.text
    assert f'action="/posts/{post.slug}/comments"' in html
    assert f'data-hx-post="/posts/{post.slug}/comments"' in html


def test_post_without_js_redirects_to_the_new_comment(client: FlaskClient, post: Post) -> None:
    response = send(client, post, body="Plain *form* post")
    assert response.status_code == 303
    comment = db.session.scalars(select(Comment)).one()
    assert response.headers["Location"] == f"/posts/{post.slug}#comment-{comment.id}"
    page = client.get(response.headers["Location"]).text
    assert "Thanks, Rowan! Your comment is posted." in page
    assert "Plain <em>form</em> post" in page
    assert '<span class="comment-count">1 Comment</span>' in page
    assert comment.status == CommentStatus.APPROVED.value


def test_post_with_htmx_returns_what_changed(client: FlaskClient, post: Post) -> None:
    response = send(client, post, htmx=True, body="Via htmx")
    assert response.status_code == 200
    rest = response.text.lstrip()
    # The main swap: a fresh form in place of the used one (the form's own target).
    assert rest.startswith('<section class="comment-form" id="post-a-comment"')
    assert "HX-Retarget" not in response.headers
    assert "<title>" not in rest  # an in-place swap leaves the tab's title alone
    assert "<html" not in response.text
    comment = db.session.scalars(select(Comment)).one()
    # The new comment goes at the end of the list, out of band, and takes the focus.
    assert re.search(
        r'<ol data-hx-swap-oob="beforeend:#comment-list">\s*<li class="comment" '
        rf'id="comment-{comment.id}" tabindex="-1" autofocus>',
        rest,
    )
    assert '<div id="comments-empty" data-hx-swap-oob="true" hidden></div>' in rest
    assert re.search(
        r'id="comments-heading" data-hx-swap-oob="true"><span class="comment-count">'
        r"1 Comment</span>",
        rest,
    )
    # The count by the byline and the status line are swapped out of band.
    assert re.search(
        r'id="comment-count-link" data-hx-swap-oob="true"><a href="#comments">'
        r"1 Comment</a>",
        rest,
    )
    assert 'id="comment-status" role="status" data-hx-swap-oob="innerHTML"' in rest
    assert "Thanks, Rowan! Your comment is posted." in rest
    # A fresh form: nothing of what was typed is left in it, and it has its own parts.
    assert 'value="Rowan"' not in rest and "Via htmx</textarea>" not in rest
    assert 'name="started" value="' in rest and 'name="csrf_token"' in rest
    assert "HX-Request" in response.headers["Vary"]


def test_the_answer_does_not_grow_with_the_post(
    client: FlaskClient, post: Post, make_comment: Callable[..., Comment]
) -> None:
    """Whatever the post holds, the answer is the new comment, the counts and a form."""
    send(client, post, htmx=True, body="The first")
    small = len(send(client, post, htmx=True, body="The second").text)
    for number in range(120):
        make_comment(post, f"Older remark {number} " + "words " * 40)
    big = send(client, post, htmx=True, body="The last")
    assert "Older remark" not in big.text
    assert len(big.text) < small + 200
    assert len(big.text.encode()) < 10_000


def test_a_reply_comes_back_with_its_thread(
    client: FlaskClient, post: Post, make_comment: Callable[..., Comment]
) -> None:
    first = make_comment(post, "Top of the thread", name="Iris")
    make_comment(post, "Another thread entirely", name="Olu")
    response = send(client, post, htmx=True, body="A reply", parent_id=str(first.id))
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == f"#comment-{first.id}"
    assert response.headers["HX-Reswap"] == "outerHTML"
    rest = response.text.lstrip()
    assert rest.startswith(f'<li class="comment" id="comment-{first.id}"')
    assert "Top of the thread" in rest and "A reply" in rest
    assert "Another thread entirely" not in rest
    assert re.search(r'id="comments-heading" data-hx-swap-oob="true">', rest)


def test_email_is_never_shown(client: FlaskClient, post: Post) -> None:
    send(client, post, email="Rowan@Example.org", website="https://rowan.example/")
    html = client.get(f"/posts/{post.slug}").text
    assert "rowan@example.org" not in html.lower()
    assert 'href="https://rowan.example/" rel="nofollow ugc noopener noreferrer"' in html
    assert db.session.scalars(select(Comment.author_email)).one() == "rowan@example.org"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Please tell us your name."),
        ({"name": "   "}, "name", "Please tell us your name."),
        ({"name": "x" * 81}, "name", "Please keep your name under 80 characters."),
        ({"name": "Line\nbreak"}, "name", "Please use plain text on one line."),
        ({"body": ""}, "body", "Please write a comment before posting."),
        ({"body": " \n\t "}, "body", "Please write a comment before posting."),
        ({"body": "y" * 5001}, "body", "Please keep your comment under 5,000 characters"),
        ({"body": "nul\x00byte"}, "body", "Your comment contains characters that are not text."),
        ({"email": "not-an-email"}, "email", "That does not look like an email address."),
        ({"website": "javascript:alert(1)"}, "website", "Please give a full web address"),
        ({"website": "JaVaScRiPt:alert(1)"}, "website", "Please give a full web address"),
        ({"website": "data:text/html,hi"}, "website", "Please give a full web address"),
        ({"website": "ftp://files.example"}, "website", "Please give a full web address"),
        ({"website": "example.com"}, "website", "Please give a full web address"),
        ({"website": "https://" + "a" * 300 + ".com"}, "website", "Please keep the web address"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_validation_errors_keep_the_text(
    client: FlaskClient,
    post: Post,
    htmx: bool,
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    data = {"email": "kept@example.org", "body": "Kept body text", **overrides}
    response = send(client, post, htmx=htmx, **data)
    assert response.status_code == 422
    shown = field_error(response.text, "new", field)
    assert shown is not None and shown.startswith(message), shown
    assert f'id="new-{field}" name="{field}" aria-invalid="true"' in response.text
    if "email" not in overrides:
        assert 'value="kept@example.org"' in response.text
    if "body" not in overrides:
        assert "Kept body text</textarea>" in response.text
    if htmx:
        # Only the form is redrawn, so comments the reader loaded stay where they are.
        assert response.text.lstrip().startswith('<section class="comment-form" id="post-a-')
        assert response.headers["HX-Retarget"] == "#post-a-comment"
        assert response.headers["HX-Reswap"] == "outerHTML"
        assert 'id="comment-status" role="status" data-hx-swap-oob="innerHTML"' in response.text
    else:
        assert response.text.startswith("<!doctype html>")
    assert comments_stored() == 0


def test_honeypot(client: FlaskClient, post: Post) -> None:
    response = send(client, post, homepage="https://spam.example")
    assert response.status_code == 422
    assert "Leave this field empty" in response.text
    assert comments_stored() == 0


def test_too_quick(app: Flask, client: FlaskClient, post: Post) -> None:
    app.config["COMMENT_MIN_SECONDS"] = 30
    response = send(client, post, htmx=True)
    assert response.status_code == 422
    assert "That was quick!" in response.text
    assert comments_stored() == 0


@pytest.mark.parametrize("started", ["forged", "InNob3duIg.bad.sig"])
def test_forged_form_stamp(client: FlaskClient, post: Post, started: str) -> None:
    response = send(client, post, started=started)
    assert response.status_code == 422
    assert "This form has expired. Please reload the page and try again." in response.text
    assert comments_stored() == 0


def test_a_form_without_its_stamp_asks_to_confirm(
    app: Flask, client: FlaskClient, post: Post
) -> None:
    """Sent from a cached page before its stamp came (or without JS): shown again to confirm."""
    app.config["COMMENT_MIN_SECONDS"] = 0
    for htmx in (False, True):
        response = send(client, post, htmx=htmx, started="", body=f"Unstamped {htmx}")
        assert response.status_code == 422
        assert "Almost there: please look over your comment and post it again." in response.text
        assert f"Unstamped {htmx}" in response.text  # what was typed is kept
        stamp = re.search(r'name="started" value="([^"]+)"', response.text)
        assert stamp, "the form comes back with a stamp of its own"
        assert comments_stored() == 0
    again = send(client, post, started=stamp.group(1), body="Unstamped True")
    assert again.status_code == 303
    assert comments_stored() == 1


def test_rate_limit(app: Flask, client: FlaskClient, post: Post) -> None:
    app.config.update(COMMENT_RATE_LIMIT=3, COMMENT_RATE_WINDOW=600)
    for number in range(3):
        assert send(client, post, body=f"Comment {number}").status_code == 303
    response = send(client, post, htmx=True, body="One too many")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 600
    assert "You are posting comments faster than this blog allows" in response.text
    assert "One too many</textarea>" in response.text
    assert comments_stored() == 3
    # Another client is not affected.
    other = app.test_client()
    response = other.post(
        f"/posts/{post.slug}/comments",
        data=form(body="Other"),
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert response.status_code == 303


def test_rate_limit_window_passes(app: Flask, client: FlaskClient, post: Post) -> None:
    app.config.update(COMMENT_RATE_LIMIT=1, COMMENT_RATE_WINDOW=60)
    assert send(client, post, body="First").status_code == 303
    assert send(client, post, body="Second").status_code == 429
    for hit in db.session.scalars(select(RateLimitHit)):
        hit.created_at -= timedelta(seconds=61)
    db.session.commit()
    assert send(client, post, body="Second").status_code == 303


@pytest.mark.parametrize("again", ["Same words here", "  same   WORDS here ", "SAME WORDS HERE"])
def test_duplicates_refused(client: FlaskClient, post: Post, again: str) -> None:
    assert send(client, post, body="Same words here").status_code == 303
    response = send(client, post, htmx=True, body=again, name="Someone else")
    assert response.status_code == 409
    assert field_error(response.text, "new", "body") == "This comment has already been posted here."
    assert comments_stored() == 1


def test_same_words_on_another_post_are_fine(
    client: FlaskClient, post: Post, make_post: PostFactory
) -> None:
    other = make_post("Another")
    assert send(client, post, body="Me too").status_code == 303
    assert send(client, other, body="Me too").status_code == 303


@pytest.mark.parametrize("status", [PostStatus.DRAFT, PostStatus.SCHEDULED])
def test_hidden_posts_take_no_comments(
    client: FlaskClient, make_post: PostFactory, status: PostStatus
) -> None:
    hidden = make_post("Hidden", status=status, published_at=utcnow() + timedelta(days=1))
    response = client.post(f"/posts/{hidden.slug}/comments", data=form())
    assert response.status_code == 404
    assert client.post("/posts/no-such-post/comments", data=form()).status_code == 404
    assert comments_stored() == 0


# --- moderation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "body", "email", "held"),
    [
        (
            "open",
            "See [a](https://a.example) [b](https://b.example) [c](https://c.example)",
            "",
            False,
        ),
        ("links", "Two [a](https://a.example) [b](https://b.example)", "", False),
        (
            "links",
            "Three [a](https://a.example) [b](https://b.example) [c](https://c.example)",
            "",
            True,
        ),
        ("all", "Anything", "", True),
        ("first-time", "Hello", "new@example.org", True),
        ("first-time", "Hello", "", True),
    ],
)
def test_moderation_modes(
    app: Flask, client: FlaskClient, post: Post, mode: str, body: str, email: str, held: bool
) -> None:
    app.config.update(COMMENT_MODERATION=mode, COMMENT_MAX_LINKS=2)
    response = send(client, post, htmx=True, body=body, email=email)
    assert response.status_code == 200
    comment = db.session.scalars(select(Comment)).one()
    assert comment.status == (CommentStatus.PENDING if held else CommentStatus.APPROVED).value
    if held:
        assert "Your comment is awaiting moderation" in response.text
        assert '<span class="comment-count">0 Comments</span>' in response.text
        # Its writer sees it, marked; nobody else does.
        assert "Only you can see this comment until an author approves it." in response.text
        assert (
            body.split()[0]
            not in client.application.test_client()
            .get(f"/posts/{post.slug}")
            .text.split('id="comments"')[1]
            .split('id="post-a-comment"')[0]
        )
    else:
        assert "Your comment is posted." in response.text


def test_returning_commenter_is_published(
    app: Flask, client: FlaskClient, post: Post, make_comment: Callable[..., Comment]
) -> None:
    app.config["COMMENT_MODERATION"] = "first-time"
    earlier = make_comment(post, "Approved before")
    earlier.author_email = "regular@example.org"
    db.session.commit()
    send(client, post, email="Regular@Example.org", body="Back again")
    latest = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert latest is not None and latest.status == CommentStatus.APPROVED.value


def test_held_comment_without_js_says_so(app: Flask, client: FlaskClient, post: Post) -> None:
    app.config["COMMENT_MODERATION"] = "all"
    response = send(client, post)
    page = client.get(response.headers["Location"]).text
    assert "Thanks, Rowan! Your comment is awaiting moderation" in page


# --- replies ------------------------------------------------------------------------------------


def test_reply_form_page_and_fragment(
    client: FlaskClient, post: Post, make_comment: Callable[..., Comment]
) -> None:
    parent = make_comment(post, "Parent words", name="Parent")
    url = f"/posts/{post.slug}/comments/{parent.id}/reply"
    page = client.get(url)
    assert page.status_code == 200 and page.text.startswith("<!doctype html>")
    assert "Reply to Parent" in page.text and "Parent words" in page.text
    assert f'name="parent_id" value="{parent.id}"' in page.text
    fragment = client.get(url, headers=HX)
    body = fragment.text.lstrip()
    assert body.lstrip().startswith(f'<div class="reply-form" id="reply-form-{parent.id}">')
    # The first empty required field has focus (the browser moves it on if it fills a name).
    assert f'id="reply-{parent.id}-name" name="name" autofocus' in body
    assert f'id="reply-{parent.id}-body" name="body" autofocus' not in body
    assert "<html" not in fragment.text
    # The article links each comment's Reply to it, for htmx and without JS alike.
    article = client.get(f"/posts/{post.slug}").text
    assert f'href="{url}" data-hx-get="{url}" data-hx-target="#reply-slot-{parent.id}"' in article


def test_reply_is_nested_two_levels(
    client: FlaskClient, post: Post, make_comment: Callable[..., Comment]
) -> None:
    top = make_comment(post, "Top level")
    assert send(client, post, body="First reply", parent_id=str(top.id)).status_code == 303
    first = db.session.scalars(select(Comment).where(Comment.parent_id == top.id)).one()
    assert first.root_id == top.id
    response = send(client, post, htmx=True, body="Second level", parent_id=str(first.id))
    assert response.status_code == 200
    second = db.session.scalars(select(Comment).where(Comment.parent_id == first.id)).one()
    assert second.root_id == top.id
    html = response.text
    top_at = html.index(f'id="comment-{top.id}"')
    first_at = html.index(f'id="comment-{first.id}"')
    second_at = html.index(f'id="comment-{second.id}"')
    assert top_at < first_at < second_at
    between = html[top_at:second_at]
    assert between.count('<ol class="comment-replies">') == 2
    assert '<span class="comment-count">3 Comments</span>' in html


def test_reply_errors_stay_in_the_reply_form(
    client: FlaskClient, post: Post, make_comment: Callable[..., Comment]
) -> None:
    parent = make_comment(post, "Parent")
    response = send(client, post, htmx=True, body="", parent_id=str(parent.id))
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#reply-slot-{parent.id}"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert field_error(response.text, f"reply-{parent.id}", "body")
    page = send(client, post, body="", parent_id=str(parent.id))
    assert page.status_code == 422 and "Reply to Reader" in page.text
    assert "HX-Retarget" not in page.headers


@pytest.mark.parametrize("case", ["pending", "other-post", "missing", "garbage"])
def test_reply_to_unavailable_comment(
    client: FlaskClient,
    post: Post,
    make_post: PostFactory,
    make_comment: Callable[..., Comment],
    case: str,
) -> None:
    if case == "pending":
        parent_id = str(make_comment(post, "Held", status=CommentStatus.PENDING).id)
    elif case == "other-post":
        parent_id = str(make_comment(make_post("Elsewhere"), "Elsewhere").id)
    else:
        parent_id = "999999" if case == "missing" else "1 OR 1=1"
    before = comments_stored()
    response = send(client, post, parent_id=parent_id)
    assert response.status_code == 422
    assert "The comment you are replying to is no longer available." in response.text
    assert comments_stored() == before
    if case in ("pending", "missing"):
        assert client.get(f"/posts/{post.slug}/comments/{parent_id}/reply").status_code == 404


# --- long threads -------------------------------------------------------------------------------


@pytest.fixture
def long_thread(app: Flask, post: Post, make_comment: Callable[..., Comment]) -> list[Comment]:
    """Seven top-level comments (three a page), the first with a reply."""
    app.config["COMMENTS_PER_PAGE"] = 3
    tops = [make_comment(post, f"Thread {n}", minutes_after=n) for n in range(7)]
    make_comment(post, "Reply in thread 0", parent=tops[0], minutes_after=30)
    return tops


def test_first_page_and_show_more(
    client: FlaskClient, post: Post, long_thread: list[Comment]
) -> None:
    html = client.get(f"/posts/{post.slug}").text
    assert all(f"Thread {n}" in html for n in range(3))
    assert "Thread 3" not in html
    assert "Reply in thread 0" in html
    assert '<span class="comment-count">8 Comments</span>' in html
    more = f"/posts/{post.slug}/comments?page=2"
    assert f'<a class="button button--quiet" href="{more}" data-hx-get="{more}"' in html
    assert 'data-hx-target="#comment-more" data-hx-swap="outerHTML"' in html


def test_more_comments_as_fragment_and_page(
    client: FlaskClient, post: Post, long_thread: list[Comment]
) -> None:
    fragment = client.get(f"/posts/{post.slug}/comments?page=2", headers=HX)
    assert fragment.status_code == 200
    items = fragment.text.lstrip()
    assert items.lstrip().startswith('<li class="comment" id="comment-')
    assert [f"Thread {n}" in items for n in range(7)] == [False] * 3 + [True] * 3 + [False]
    assert f"/posts/{post.slug}/comments?page=3" in items
    last = client.get(f"/posts/{post.slug}/comments?page=3", headers=HX).text
    assert "Thread 6" in last and 'id="comment-more"' not in last
    page = client.get(f"/posts/{post.slug}/comments?page=2")
    assert page.text.startswith("<!doctype html>")
    assert "Comments, page 2" in page.text and "Thread 4" in page.text
    assert client.get(f"/posts/{post.slug}/comments?page=4").status_code == 404
    assert client.get(f"/posts/{post.slug}/comments?page=x").status_code == 404


def test_posting_to_a_long_thread_shows_the_new_comment(
    client: FlaskClient, post: Post, long_thread: list[Comment]
) -> None:
    response = send(client, post, body="Newest of all")
    assert response.status_code == 303
    new = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert new is not None
    assert response.headers["Location"] == f"/posts/{post.slug}/comments?page=3#comment-{new.id}"
    htmx = send(client, post, htmx=True, body="And one more")
    # Only the new comment comes back (added after what the reader has), not page 1 to 3.
    assert "And one more" in htmx.text and "Thread 0" not in htmx.text


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.fixture
def csrf_app(app: Flask) -> Flask:
    """The same app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def form_token(client: FlaskClient, post: Post) -> str | None:
    """The CSRF token the article's comment form fetches when first used."""
    parts = client.get(f"/posts/{post.slug}/comments/form-parts").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', parts)
    return found.group(1) if found else None


def test_csrf_enforced(csrf_app: Flask, post: Post) -> None:
    client = csrf_app.test_client()
    token = form_token(client, post)
    assert token
    for htmx in (False, True):
        response = send(client, post, htmx=htmx, body=f"No token {htmx}")
        assert response.status_code == 400
        assert "Please reload the page and try again." in response.text
        assert "No token" in response.text  # what was typed is still in the box
        if htmx:
            assert response.text.lstrip().startswith('<section class="comment-form"')
    stale = send(client, post, csrf_token="stale-token-from-an-old-page", body="Stale")
    assert stale.status_code == 400
    # A forged htmx header does not stand in for the token.
    forged = client.post(
        f"/posts/{post.slug}/comments",
        data=form(),
        headers={**HX, "HX-Source": "form#x", "X-Requested-With": "x"},
    )
    assert forged.status_code == 400
    assert comments_stored() == 0
    # Another site's page cannot send one, whatever it claims in the body.
    for site in ("cross-site", "same-site"):
        response = client.post(
            f"/posts/{post.slug}/comments",
            data=form(body=f"From {site}"),
            headers={"Sec-Fetch-Site": site, "Origin": "https://blog.example.test"},
        )
        assert response.status_code == 400
    evil = client.post(
        f"/posts/{post.slug}/comments",
        data=form(body="From elsewhere"),
        headers={"Origin": "https://evil.example"},
    )
    assert evil.status_code == 400
    assert comments_stored() == 0
    ok = send(client, post, csrf_token=token, body="With token")
    assert ok.status_code == 303
    assert comments_stored() == 1
    # A page from the cache carries no token: the browser's own headers vouch for it.
    for headers in ({"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://localhost"}):
        vouched = client.post(
            f"/posts/{post.slug}/comments", data=form(body=f"Vouched {headers}"), headers=headers
        )
        assert vouched.status_code == 303, vouched.text
    assert comments_stored() == 3


def test_csrf_on_other_forms(csrf_app: Flask, post: Post) -> None:
    client = csrf_app.test_client()
    token = form_token(client, post)
    assert token
    send(client, post, csrf_token=token, body="Mine")
    comment = db.session.scalars(select(Comment)).one()
    for url in (f"/comments/{comment.id}/edit", f"/comments/{comment.id}/delete"):
        response = client.post(url, data={"body": "changed"})
        assert response.status_code == 400
        assert "Please reload the page and try again." in response.text
    assert db.session.scalars(select(Comment)).one().body_source == "Mine"


# --- editing and deleting one's own comment ----------------------------------------------------


@pytest.fixture
def mine(client: FlaskClient, post: Post) -> Comment:
    """A comment this test client posted (so its session owns it)."""
    send(client, post, body="My own words")
    return db.session.scalars(select(Comment)).one()


def test_own_comment_offers_edit_and_delete(
    app: Flask, client: FlaskClient, post: Post, mine: Comment
) -> None:
    html = client.get(f"/posts/{post.slug}").text
    assert f'href="/comments/{mine.id}/edit"' in html
    assert f'href="/comments/{mine.id}/delete"' in html
    stranger = app.test_client().get(f"/posts/{post.slug}").text
    assert f"/comments/{mine.id}/edit" not in stranger


def test_edit_as_page_and_fragment(client: FlaskClient, post: Post, mine: Comment) -> None:
    page = client.get(f"/comments/{mine.id}/edit")
    assert page.status_code == 200 and "Edit your comment" in page.text
    assert "My own words</textarea>" in page.text
    fragment = client.get(f"/comments/{mine.id}/edit", headers=HX).text.lstrip()
    assert fragment.lstrip().startswith('<form class="comment-form__form comment-edit"')
    saved = client.post(f"/comments/{mine.id}/edit", data={"body": "Better *words*"}, headers=HX)
    assert saved.status_code == 200
    assert "Better <em>words</em>" in saved.text and "(edited)" in saved.text
    redirect = client.post(f"/comments/{mine.id}/edit", data={"body": "Best words"})
    assert redirect.status_code == 303
    assert redirect.headers["Location"] == f"/posts/{post.slug}#comment-{mine.id}"
    db.session.refresh(mine)
    assert mine.body_source == "Best words" and mine.edited_at is not None


def test_edit_errors(client: FlaskClient, post: Post, mine: Comment) -> None:
    for htmx in (False, True):
        response = client.post(
            f"/comments/{mine.id}/edit", data={"body": " "}, headers=HX if htmx else {}
        )
        assert response.status_code == 422
        assert "A comment cannot be empty; delete it instead." in response.text
    db.session.refresh(mine)
    assert mine.body_source == "My own words"


def test_delete_confirm_page_and_post(client: FlaskClient, post: Post, mine: Comment) -> None:
    confirm = client.get(f"/comments/{mine.id}/delete")
    assert confirm.status_code == 200 and "Delete your comment?" in confirm.text
    assert "My own words" in confirm.text
    response = client.post(f"/comments/{mine.id}/delete")
    assert response.status_code == 303
    assert comments_stored() == 0
    assert "Your comment is deleted." in client.get(response.headers["Location"]).text


def test_delete_with_htmx(client: FlaskClient, post: Post, mine: Comment) -> None:
    response = client.post(f"/comments/{mine.id}/delete", headers=HX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="comments"')
    assert "Your comment is deleted." in response.text
    assert '<span class="comment-count">0 Comments</span>' in response.text
    assert comments_stored() == 0


def test_others_cannot_change_it(app: Flask, post: Post, mine: Comment) -> None:
    stranger = app.test_client()
    for method, url in [("get", "edit"), ("post", "edit"), ("get", "delete"), ("post", "delete")]:
        response = getattr(stranger, method)(f"/comments/{mine.id}/{url}", data={"body": "x"})
        assert response.status_code == 403
        assert "Only the person who wrote a comment can change it." in response.text
    fragment = stranger.post(f"/comments/{mine.id}/delete", headers=HX)
    assert fragment.status_code == 403
    assert fragment.headers["HX-Retarget"] == f"#comment-{mine.id}-actions"
    assert comments_stored() == 1


def test_edit_window_closes(client: FlaskClient, post: Post, mine: Comment) -> None:
    mine.created_at -= timedelta(minutes=16)
    db.session.commit()
    response = client.post(f"/comments/{mine.id}/edit", data={"body": "Too late"})
    assert response.status_code == 403
    assert "can no longer be changed" in response.text
    assert f"/comments/{mine.id}/edit" not in client.get(f"/posts/{post.slug}").text


def test_no_changes_once_replied_to(
    client: FlaskClient, post: Post, mine: Comment, make_comment: Callable[..., Comment]
) -> None:
    make_comment(post, "A reply to you", parent=mine)
    assert client.post(f"/comments/{mine.id}/delete").status_code == 403
    assert comments_stored() == 2


def test_unknown_comment_is_404(client: FlaskClient) -> None:
    assert client.get("/comments/424242/edit").status_code == 404
    assert client.post("/comments/424242/delete").status_code == 404


def test_rate_limit_behind_a_proxy_counts_the_real_client(app: Flask, post: Post) -> None:
    from blog import create_app

    proxied = create_app({**app.config, "PROXY_COUNT": 1})
    # The per-address limit is the one an address can reach (one browser, several addresses).
    proxied.config.update(
        COMMENT_ADDRESS_RATE_LIMIT=1,
        COMMENT_RATE_LIMIT=100,
        COMMENT_MIN_SECONDS=0,
        COMMENT_MODERATION="open",
    )
    client = proxied.test_client()

    def from_client(address: str, body: str) -> int:
        with proxied.app_context():
            data = form(body=body)
        return client.post(
            f"/posts/{post.slug}/comments", data=data, headers={"X-Forwarded-For": address}
        ).status_code

    assert from_client("203.0.113.5", "From five") == 303
    assert from_client("203.0.113.5", "Five again") == 429
    assert from_client("203.0.113.6", "From six") == 303
    # A forged extra address in front does not make a new client.
    assert from_client("198.51.100.1, 203.0.113.5", "Forged") == 429


def test_form_parts_only_where_comments_are_taken(
    app: Flask, client: FlaskClient, post: Post, make_post: PostFactory
) -> None:
    """A form asks for its token and stamp: refused with the reason the post gives."""

    def parts(slug: str) -> Any:
        return client.get(f"/posts/{slug}/comments/form-parts")

    assert parts(post.slug).status_code == 200
    post.comments_closed = True
    db.session.commit()
    closed = parts(post.slug)
    assert closed.status_code == 403 and "Comments are closed on this article." in closed.text
    aged = make_post("Old news", published_at=utcnow() - timedelta(days=40))
    assert parts(aged.slug).status_code == 200
    app.config["COMMENTS_CLOSE_AFTER_DAYS"] = 30
    assert parts(aged.slug).status_code == 403
    for status in (PostStatus.DRAFT, PostStatus.SCHEDULED):
        hidden = make_post(f"Hidden {status.value}", status=status)
        hidden.published_at = utcnow() + timedelta(days=1)
        db.session.commit()
        assert parts(hidden.slug).status_code == 404
    assert parts("no-such-post").status_code == 404


def test_the_limits_say_which_one_was_reached(app: Flask, client: FlaskClient, post: Post) -> None:
    """The three limits are asked together, and the answer names the one that applies.

    A used form comes before a rate, the browser's rate before the address's; each 429 says
    how long to wait.
    """
    app.config.update(
        COMMENT_RATE_LIMIT=1,
        COMMENT_RATE_WINDOW=600,
        COMMENT_ADDRESS_RATE_LIMIT=1,
        COMMENT_ADDRESS_RATE_WINDOW=3600,
    )
    stamp = form_started_token()
    assert send(client, post, started=stamp, body="The one allowed").status_code == 303
    used = send(client, post, started=stamp, body="Same stamp, over both rates")
    assert used.status_code == 422 and "already used to post a comment" in used.text
    browser = send(client, post, body="Fresh stamp, same browser")
    assert browser.status_code == 429 and "faster than this blog allows" in browser.text
    assert 590 <= int(browser.headers["Retry-After"]) <= 600
    network = app.test_client().post(f"/posts/{post.slug}/comments", data=form(body="Neighbour"))
    assert network.status_code == 429 and "Very many comments" in network.text
    assert 3590 <= int(network.headers["Retry-After"]) <= 3600
    assert comments_stored() == 1
