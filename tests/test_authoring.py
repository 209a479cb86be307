"""Authors: the accounts CLI, signing in and out, the editor, images, revisions, moderation."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from blog.accounts.service import account_delay
from blog.core.models import (
    Author,
    Comment,
    CommentStatus,
    Post,
    PostRevision,
    PostStatus,
    Tag,
    utcnow,
)
from blog.core.records import AuthSession, RateLimitHit
from blog.extensions import db
from tests.conftest import PostFactory, cheap_password_hash

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}
PASSWORD = "river-bank-notebook"


def count(model: type) -> int:
    """Rows in a model's table."""
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def writer(app: Flask, author: Author) -> Author:
    """The `author` fixture, with a password so that they can sign in."""
    author.password_hash = cheap_password_hash(PASSWORD)
    db.session.commit()
    return author


def sign_in(
    client: FlaskClient, email: str = "ada@example.org", password: str = PASSWORD, **kwargs: Any
) -> Any:
    """POST the sign-in form."""
    return client.post("/account/sign-in", data={"email": email, "password": password}, **kwargs)


@pytest.fixture
def signed_in(client: FlaskClient, writer: Author) -> FlaskClient:
    """A test client signed in as `writer`."""
    assert sign_in(client).status_code == 303
    return client


def post_form(**overrides: Any) -> dict[str, Any]:
    """The editor form, filled in."""
    data = {
        "title": "Flood gates tested",
        "slug": "",
        "tags": "Rivers, Local News",
        "summary": "The new gates held.",
        "body": "Opening.\n\n## What happened\n\nThe water rose.",
        "status": "draft",
        "publish_at": "",
    }
    data.update(overrides)
    return data


# --- the accounts command line -------------------------------------------------------------


def test_cli_create_list_set_password_delete(app: Flask) -> None:
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=["author", "create", "Wren@Example.org", "--name", "Wren", "--password-stdin"],
        input="first-password-1\n",
    )
    assert created.exit_code == 0, created.output
    wren = db.session.scalars(select(Author).where(Author.email == "wren@example.org")).one()
    assert wren.password_hash and wren.password_hash.startswith("scrypt:")
    assert "first-password-1" not in wren.password_hash and "first-password-1" not in created.output

    listed = runner.invoke(args=["author", "list"])
    assert "wren@example.org\tWren\t0 post(s)" in listed.output

    db.session.add(AuthSession(token_hash="x" * 64, author=wren))
    db.session.commit()
    changed = runner.invoke(
        args=["author", "set-password", "wren@example.org", "--password-stdin"],
        input="second-password-2\n",
    )
    assert changed.exit_code == 0, changed.output
    assert count(AuthSession) == 0  # every session of theirs is signed out

    deleted = runner.invoke(args=["author", "delete", "wren@example.org", "--yes"])
    assert deleted.exit_code == 0 and count(Author) == 0


def test_cli_prompts_twice(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["author", "create", "kit@example.org", "--name", "Kit"],
        input="typed-password-1\ntyped-password-1\n",
    )
    assert result.exit_code == 0, result.output
    mismatch = runner.invoke(
        args=["author", "create", "lee@example.org", "--name", "Lee"],
        input="one-password-1\nother-password\n",
    )
    assert mismatch.exit_code != 0
    assert count(Author) == 1


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["create", "bad-email", "--name", "X", "--password-stdin"],
            "long-enough-pw\n",
            "valid email",
        ),
        (
            ["create", "x@example.org", "--name", "X", "--password-stdin"],
            "short\n",
            "at least 10 characters",
        ),
        (
            ["create", "ada@example.org", "--name", "X", "--password-stdin"],
            "long-enough-pw\n",
            "exists already",
        ),
        (
            ["set-password", "nobody@example.org", "--password-stdin"],
            "long-enough-pw\n",
            "No author",
        ),
        (["delete", "nobody@example.org", "--yes"], "", "No author"),
    ],
)
def test_cli_errors(app: Flask, author: Author, args: list[str], stdin: str, message: str) -> None:
    result = app.test_cli_runner().invoke(args=["author", *args], input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert count(Author) == 1


def test_cli_will_not_delete_an_author_with_posts(app: Flask, make_post: PostFactory) -> None:
    make_post()
    result = app.test_cli_runner().invoke(args=["author", "delete", "ada@example.org", "--yes"])
    assert result.exit_code != 0 and "has 1 post(s)" in result.output
    assert count(Author) == 1


# --- signing in and out ----------------------------------------------------------------------


def test_sign_in_page_linked_from_footer(client: FlaskClient) -> None:
    assert 'href="/account/sign-in">Author sign-in</a>' in client.get("/").text
    page = client.get("/account/sign-in")
    assert page.status_code == 200 and 'id="sign-in-password"' in page.text
    assert page.headers["Cache-Control"] == "no-store"


def test_wrong_password_and_unknown_email_look_the_same(
    client: FlaskClient, writer: Author
) -> None:
    wrong = sign_in(client, password="not-the-password")
    unknown = sign_in(client, email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 401
    message = "That email and password do not match an author account."
    assert message in wrong.text and message in unknown.text
    strip = re.compile(r'name="csrf_token" value="[^"]*"|value="[^"]*@example.org"')
    assert strip.sub("", wrong.text) == strip.sub("", unknown.text)
    assert client.get("/editor/").status_code == 302


def test_sign_in_starts_a_new_session(client: FlaskClient, writer: Author) -> None:
    client.get("/posts/anything")  # a reader's session (a CSRF token, say) exists first
    client.set_cookie("session", "pre-planted-session-value")
    response = sign_in(client, email="ADA@example.org")
    assert response.status_code == 303 and response.headers["Location"] == "/editor/"
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.value != "pre-planted-session-value"
    assert count(AuthSession) == 1
    first = db.session.scalars(select(AuthSession)).one().token_hash
    client.post("/account/sign-out")
    sign_in(client)
    # Each sign-in gets a new session id.
    assert db.session.scalars(select(AuthSession)).one().token_hash != first


def test_copied_cookie_stops_working_after_sign_out(app: Flask, signed_in: FlaskClient) -> None:
    cookie = signed_in.get_cookie("session")
    assert cookie is not None
    copied = cookie.value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/editor/").status_code == 200  # a copied cookie works while signed in
    response = signed_in.post("/account/sign-out")
    assert response.status_code == 303
    assert count(AuthSession) == 0
    assert signed_in.get("/editor/").status_code == 302
    thief.set_cookie("session", copied)
    denied = thief.get("/editor/")
    assert denied.status_code == 302 and "/account/sign-in" in denied.headers["Location"]


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_no_open_redirect_after_sign_in(client: FlaskClient, writer: Author, target: str) -> None:
    response = sign_in(client, query_string={"next": target})
    assert response.headers["Location"] == "/editor/"


def test_next_leads_back_inside_the_site(client: FlaskClient, writer: Author) -> None:
    response = sign_in(client, query_string={"next": "/editor/comments/"})
    assert response.headers["Location"] == "/editor/comments/"


def test_throttle_per_account(app: Flask, client: FlaskClient, writer: Author) -> None:
    """Guessing from many addresses is slowed per account, but the owner is never locked out.

    (This reverses the earlier 15-minute lock-out after five failures.)
    """
    app.config.update(SIGNIN_FREE_FAILURES=3, SIGNIN_MAX_DELAY=30)
    for number in range(5):  # five wrong passwords from five addresses
        address = {"REMOTE_ADDR": f"10.0.0.{number + 1}"}
        assert sign_in(client, password="guess-guess", environ_base=address).status_code in (
            401,
            429,
        )
        shift_failures(-40)  # each guess after the previous one's delay has passed
    assert sign_in(client, password="guess-guess").status_code == 401  # failure number six
    owner = {"REMOTE_ADDR": "10.9.9.9"}  # the owner, from a new address, right away
    blocked = sign_in(app.test_client(), environ_base=owner)
    assert blocked.status_code == 429
    wait = int(blocked.headers["Retry-After"])
    assert 0 < wait <= 30
    assert "Too many failed sign-ins for this account. Please wait" in blocked.text
    assert f'data-countdown="{wait}"' in blocked.text
    assert count(AuthSession) == 0
    shift_failures(-wait)  # the owner waits as long as they were told
    assert sign_in(app.test_client(), environ_base=owner).status_code == 303


def test_account_delay_grows_and_is_capped(app: Flask) -> None:
    app.config.update(SIGNIN_FREE_FAILURES=3, SIGNIN_MAX_DELAY=30)
    assert [account_delay(n) for n in range(10)] == [0, 0, 0, 2, 4, 8, 16, 30, 30, 30]


def shift_failures(seconds: int) -> None:
    """Move every recorded failed sign-in `seconds` in time (negative: into the past)."""
    for hit in db.session.scalars(select(RateLimitHit)):
        hit.created_at += timedelta(seconds=seconds)
    db.session.commit()


def test_throttle_per_client(app: Flask, client: FlaskClient, writer: Author) -> None:
    app.config.update(SIGNIN_CLIENT_LIMIT=4, SIGNIN_ACCOUNT_LIMIT=100)
    for number in range(4):
        assert sign_in(client, email=f"guess{number}@example.org").status_code == 401
    assert sign_in(client).status_code == 429
    assert sign_in(app.test_client(), environ_base={"REMOTE_ADDR": "10.2.2.2"}).status_code == 303


def test_sign_in_form_errors(client: FlaskClient) -> None:
    response = client.post("/account/sign-in", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "Please give your email." in response.text


# --- every protected route refuses anonymous visitors ---------------------------------------

PROTECTED = [
    ("get", "/editor/"),
    ("get", "/editor/posts/new"),
    ("post", "/editor/posts/new"),
    ("get", "/editor/posts/{post}"),
    ("post", "/editor/posts/{post}"),
    ("post", "/editor/preview"),
    ("get", "/editor/posts/{post}/delete"),
    ("post", "/editor/posts/{post}/delete"),
    ("get", "/editor/posts/{post}/revisions"),
    ("get", "/editor/revisions/{revision}"),
    ("post", "/editor/revisions/{revision}/restore"),
    ("post", "/editor/images"),
    ("get", "/editor/comments/"),
    ("post", "/editor/comments/{comment}/approve"),
    ("post", "/editor/comments/{comment}/delete"),
    ("post", "/editor/comments/bulk"),
    ("post", "/account/sign-out"),
]


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_anonymous_is_sent_to_sign_in(
    client: FlaskClient,
    make_post: PostFactory,
    make_comment: Callable[..., Comment],
    method: str,
    url: str,
) -> None:
    post = make_post()
    comment = make_comment(post, status=CommentStatus.PENDING)
    revision = PostRevision(post_id=post.id, title="Old", slug="old", body_source="x")
    db.session.add(revision)
    db.session.commit()
    before = (count(Post), count(Comment), count(PostRevision), post.title)
    target = url.format(post=post.id, comment=comment.id, revision=revision.id)
    response = getattr(client, method)(
        target, data=post_form(title="Hijacked", ids=[comment.id], action="delete")
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/sign-in?next=")
    db.session.expire_all()
    assert (count(Post), count(Comment), count(PostRevision), post.title) == before
    assert db.session.get(Comment, comment.id).status == "pending"  # type: ignore[union-attr]


# --- the editor ------------------------------------------------------------------------------


def test_dashboard_lists_own_posts(
    signed_in: FlaskClient, make_post: PostFactory, make_comment: Callable[..., Comment]
) -> None:
    live = make_post("Live one")
    make_comment(live)
    make_post("A draft", status=PostStatus.DRAFT)
    make_post("Later", status=PostStatus.SCHEDULED, published_at=utcnow() + timedelta(days=3))
    stranger = Author(email="other@example.org", name="Other")
    db.session.add(
        Post(
            title="Not mine",
            slug="not-mine",
            body_source="x",
            body_html="x",
            status="published",
            published_at=utcnow(),
            author=stranger,
        )
    )
    db.session.commit()
    html = signed_in.get("/editor/").text
    assert "Live one" in html and "A draft" in html and "Later" in html
    assert "Not mine" not in html
    assert 'status--published">Published' in html and 'status--draft">Draft' in html
    assert 'status--scheduled">Scheduled' in html
    assert '<td data-label="Comments">1 Comment</td>' in html


def test_new_draft_then_publish(signed_in: FlaskClient, client: FlaskClient) -> None:
    response = signed_in.post("/editor/posts/new", data=post_form())
    assert response.status_code == 303
    post = db.session.scalars(select(Post)).one()
    assert response.headers["Location"] == f"/editor/posts/{post.id}"
    assert post.slug == "flood-gates-tested"  # made from the title
    assert post.status == "draft" and post.published_at is None
    assert sorted(tag.name for tag in post.tags) == ["Local News", "Rivers"]
    assert '<h2 id="what-happened">' in post.body_html
    assert "Draft saved." in signed_in.get(response.headers["Location"]).text
    assert client.get("/posts/flood-gates-tested").status_code == 404

    signed_in.post(f"/editor/posts/{post.id}", data=post_form(status="published"))
    db.session.refresh(post)
    assert post.status == "published" and post.published_at is not None
    reader = client.application.test_client()
    assert "Flood gates tested" in reader.get("/").text
    assert "Flood gates tested" in reader.get("/tags/rivers").text


def test_schedule(signed_in: FlaskClient) -> None:
    when = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = signed_in.post(
        "/editor/posts/new", data=post_form(status="scheduled", publish_at=when)
    )
    assert response.status_code == 303
    post = db.session.scalars(select(Post)).one()
    assert post.status == "scheduled" and post.published_at is not None
    assert post.published_at.strftime("%Y-%m-%dT%H:%M") == when


@pytest.mark.parametrize(
    ("overrides", "field", "message", "code"),
    [
        ({"title": ""}, "title", "Please give the post a title.", 422),
        ({"title": "x" * 201}, "title", "Please keep the title under 200 characters.", 422),
        ({"body": "   "}, "body", "Please write the post.", 422),
        (
            {"slug": "../etc/passwd"},
            "slug",
            "Use lowercase letters, digits and single hyphens",
            422,
        ),
        ({"slug": "Two  Words"}, "slug", "Use lowercase letters", 422),
        ({"slug": "a--b"}, "slug", "Use lowercase letters", 422),
        ({"tags": ",".join(f"t{n}" for n in range(11))}, "tags", "at most 10 tags", 422),
        ({"tags": "x" * 51}, "tags", "at most 50 characters", 422),
        ({"status": "scheduled"}, "publish_at", "Please choose a time in the future", 422),
        (
            {"status": "scheduled", "publish_at": "2001-01-01T10:00"},
            "publish_at",
            "Please choose a time in the future",
            422,
        ),
        ({"status": "scheduled", "publish_at": "tomorrow"}, "publish_at", "Not a valid", 422),
        ({"status": "live"}, "status", "Not a valid choice", 422),
        (
            {"title": "<script>alert(1)</script>", "slug": "taken"},
            "slug",
            # It offers a free address and names no other post (it may be someone's draft).
            "That web address is taken. /posts/taken-2 is free",
            409,
        ),
    ],
)
def test_editor_errors_keep_the_text(
    signed_in: FlaskClient,
    make_post: PostFactory,
    overrides: dict[str, str],
    field: str,
    message: str,
    code: int,
) -> None:
    make_post("Taken")
    before = count(Post)
    data = post_form(**{"body": "Kept *body* text", **overrides})
    response = signed_in.post("/editor/posts/new", data=data)
    assert response.status_code == code
    found = re.search(
        rf'<p class="field-error" id="editor-{field}-error">([^<]+)</p>', response.text
    )
    assert found and message in found.group(1), response.text[-3000:]
    if "body" not in overrides:
        assert "Kept *body* text</textarea>" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert count(Post) == before


def test_cannot_edit_another_authors_post(signed_in: FlaskClient) -> None:
    stranger = Author(email="other@example.org", name="Other")
    post = Post(
        title="Theirs",
        slug="theirs",
        body_source="x",
        body_html="x",
        status="draft",
        author=stranger,
    )
    db.session.add(post)
    db.session.commit()
    # 404, like a post that does not exist: an author learns nothing of others' posts.
    assert signed_in.get(f"/editor/posts/{post.id}").status_code == 404
    assert signed_in.post(f"/editor/posts/{post.id}", data=post_form()).status_code == 404
    assert signed_in.post(f"/editor/posts/{post.id}/delete").status_code == 404
    assert signed_in.get(f"/editor/posts/{post.id}/revisions").status_code == 404
    assert signed_in.get("/editor/posts/99999").status_code == 404
    db.session.refresh(post)
    assert post.title == "Theirs"


def test_preview_as_fragment_and_page(signed_in: FlaskClient) -> None:
    data = post_form(
        body="Intro\n\n## Deep link\n\n<script>alert(1)</script> [x](javascript:y)", tags="Rivers"
    )
    fragment = signed_in.post("/editor/preview", data=data, headers=HX)
    assert fragment.status_code == 200
    html = fragment.text.lstrip()
    assert html.startswith('<article class="post" aria-labelledby="post-title">')
    assert '<h1 class="post__title" id="post-title">Flood gates tested</h1>' in html
    assert '<h2 id="deep-link">Deep link <a class="heading-anchor" href="#deep-link"' in html
    assert 'href="/tags/rivers">Rivers</a>' in html
    assert "<script>" not in html and "javascript:" not in html.replace("[x](javascript:y)", "")
    assert "<html" not in html
    # The slug field's hint follows the title: "filled from the title".
    assert re.search(
        r'id="editor-slug-hint" data-hx-swap-oob="true">.*<code>/posts/'
        r"flood-gates-tested</code>",
        html,
    )
    page = signed_in.post("/editor/preview", data=data)
    assert page.text.startswith("<!doctype html>") and "Preview: this is how readers" in page.text
    assert count(Post) == 0  # previews are never saved


def test_editor_page_has_live_preview_wiring(signed_in: FlaskClient) -> None:
    html = signed_in.get("/editor/posts/new").text
    assert 'data-hx-post="/editor/preview" data-hx-trigger="input delay:400ms"' in html
    assert 'data-hx-target="#preview"' in html
    assert signed_in.get("/editor/posts/new").headers["Cache-Control"] == "no-store"


def test_delete_asks_then_moves_to_the_trash(
    signed_in: FlaskClient, make_post: PostFactory, make_comment: Callable[..., Comment]
) -> None:
    post = make_post("Doomed")
    make_comment(post)
    confirm = signed_in.get(f"/editor/posts/{post.id}/delete")
    assert confirm.status_code == 200 and "Move “Doomed” to the trash?" in confirm.text
    response = signed_in.post(f"/editor/posts/{post.id}/delete")
    assert response.status_code == 303 and response.headers["Location"] == "/editor/trash"
    assert count(Post) == 1 and count(Comment) == 1
    assert signed_in.application.test_client().get(f"/posts/{post.slug}").status_code == 404


# --- revisions -------------------------------------------------------------------------------


def test_revisions_kept_viewed_and_restored(signed_in: FlaskClient) -> None:
    signed_in.post("/editor/posts/new", data=post_form(status="published", body="Version one"))
    post = db.session.scalars(select(Post)).one()
    signed_in.post(
        f"/editor/posts/{post.id}", data=post_form(status="published", body="Version two")
    )
    signed_in.post(
        f"/editor/posts/{post.id}", data=post_form(status="published", body="Version three")
    )
    revisions = db.session.scalars(select(PostRevision).order_by(PostRevision.id)).all()
    assert [r.body_source for r in revisions] == ["Version one", "Version two"]
    listing = signed_in.get(f"/editor/posts/{post.id}/revisions").text
    assert listing.count("Restore<span") == 2
    shown = signed_in.get(f"/editor/revisions/{revisions[0].id}").text
    assert "<p>Version one</p>" in shown and "Restore this version" in shown
    restored = signed_in.post(f"/editor/revisions/{revisions[0].id}/restore")
    assert restored.status_code == 303
    db.session.refresh(post)
    assert post.body_source == "Version one"
    assert count(PostRevision) == 3  # "Version three" is kept too


def test_drafts_keep_revisions_of_changed_text_only(signed_in: FlaskClient) -> None:
    signed_in.post("/editor/posts/new", data=post_form())
    post = db.session.scalars(select(Post)).one()
    signed_in.post(f"/editor/posts/{post.id}", data=post_form(body="Changed"))
    assert count(PostRevision) == 1
    # The same text saved again (Ctrl+S twice, or publishing it) keeps no copy.
    signed_in.post(f"/editor/posts/{post.id}", data=post_form(body="Changed"))
    signed_in.post(f"/editor/posts/{post.id}", data=post_form(body="Changed", status="published"))
    assert count(PostRevision) == 1
    # Tags in another order or case are the same tags.
    same_tags = post_form(body="Changed", status="published", tags="local news, Rivers")
    signed_in.post(f"/editor/posts/{post.id}", data=same_tags)
    assert count(PostRevision) == 1


# --- images ----------------------------------------------------------------------------------


def image_bytes(kind: str) -> bytes:
    """A small real image in the given Pillow format."""
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 80, 20)).save(out, format=kind)
    return out.getvalue()


@pytest.mark.parametrize(
    ("kind", "ext", "mime"),
    [
        ("PNG", "png", "image/png"),
        ("JPEG", "jpg", "image/jpeg"),
        ("GIF", "gif", "image/gif"),
        ("WEBP", "webp", "image/webp"),
    ],
)
def test_upload_image(app: Flask, signed_in: FlaskClient, kind: str, ext: str, mime: str) -> None:
    data = image_bytes(kind)
    response = signed_in.post(
        "/editor/images",
        data={"image": (io.BytesIO(data), "photo.bin"), "alt": "The river at dawn"},
        headers=HX,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    # The Markdown, named by content hash and size, for editor.js to put in at the cursor.
    found = re.search(
        r'data-upload-markdown="!\[The river at dawn\]\((/media/([0-9a-f]{32})-8x6\.(\w+))\)"',
        response.text,
    )
    assert found and found.group(3) == ext
    stored = Path(app.instance_path) / "media" / f"{found.group(2)}-8x6.{ext}"
    with Image.open(stored) as image:
        assert image.size == (8, 6) and image.format == kind
    served = signed_in.get(found.group(1))
    assert served.status_code == 200 and served.mimetype == mime
    assert served.data == stored.read_bytes()
    served.close()


def test_upload_without_js_shows_the_markdown(signed_in: FlaskClient) -> None:
    response = signed_in.post(
        "/editor/images",
        data={
            "image": (io.BytesIO(image_bytes("PNG")), "a.png"),
            "alt": "",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201 and response.text.startswith("<!doctype html>")
    assert "Paste this into your post:" in response.text and "![](/media/" in response.text
    assert "It has no description yet" in response.text


@pytest.mark.parametrize(
    ("payload", "code", "message"),
    [
        (b"<?php echo 'hi'; ?>", 415, "not a PNG, JPEG, GIF or WebP image"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            415,
            "not a PNG",
        ),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, 415, "not a PNG"),  # a PNG header, no image
        (b"", 422, "Please choose an image file"),
    ],
)
def test_upload_refuses_what_is_not_an_image(
    app: Flask, signed_in: FlaskClient, payload: bytes, code: int, message: str
) -> None:
    response = signed_in.post(
        "/editor/images",
        data={"image": (io.BytesIO(payload), "evil.png")},
        headers=HX,
        content_type="multipart/form-data",
    )
    assert response.status_code == code
    assert message in response.text
    media = Path(app.instance_path) / "media"
    assert not media.exists() or not any(media.iterdir())


def test_upload_size_limit(app: Flask, signed_in: FlaskClient) -> None:
    app.config["UPLOAD_MAX_BYTES"] = 1000
    big = io.BytesIO()
    Image.effect_noise((200, 200), 80).convert("RGB").save(big, format="PNG")
    response = signed_in.post(
        "/editor/images",
        data={"image": (io.BytesIO(big.getvalue()), "big.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413 and "at most" in response.text


@pytest.mark.parametrize("name", ["../secret_key", "x.png", "0" * 32 + ".svg", "0" * 32 + ".png"])
def test_media_serves_only_stored_images(client: FlaskClient, name: str) -> None:
    assert client.get(f"/media/{name}").status_code == 404


# --- moderation ------------------------------------------------------------------------------


@pytest.fixture
def queue(make_post: PostFactory, make_comment: Callable[..., Comment]) -> list[Comment]:
    """Three held comments and one approved, on one post."""
    post = make_post()
    held = [
        make_comment(post, f"Held words {n}", name=f"Holder {n}", status=CommentStatus.PENDING)
        for n in range(3)
    ]
    make_comment(post, "Already fine", name="Approved Annie")
    return held


def statuses() -> dict[str, str]:
    """Comment body -> status."""
    db.session.expire_all()
    return {c.body_source: c.status for c in db.session.scalars(select(Comment))}


def test_queue_page_filters_and_search(signed_in: FlaskClient, queue: list[Comment]) -> None:
    held = signed_in.get("/editor/comments/").text
    assert all(f"Held words {n}" in held for n in range(3)) and "Already fine" not in held
    approved = signed_in.get("/editor/comments/?status=approved").text
    assert "Already fine" in approved and "Held words" not in approved
    found = signed_in.get("/editor/comments/?status=all&q=holder 1").text
    assert "Held words 1" in found and "Held words 2" not in found
    by_text = signed_in.get("/editor/comments/?status=all&q=WORDS 2").text
    assert "Held words 2" in by_text and "Held words 0" not in by_text
    assert "No comments here." in signed_in.get("/editor/comments/?q=100%25_").text
    fragment = signed_in.get("/editor/comments/?status=held", headers=HX).text.lstrip()
    assert fragment.startswith('<div id="queue">')


@pytest.mark.parametrize(
    ("action", "expected"), [("approve", "approved"), ("spam", "spam"), ("delete", None)]
)
def test_single_actions(
    signed_in: FlaskClient, queue: list[Comment], action: str, expected: str | None
) -> None:
    target = queue[0]
    fragment = signed_in.post(f"/editor/comments/{target.id}/{action}", headers=HX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="queue">')
    verb = {"approve": "approved", "spam": "marked as spam", "delete": "deleted"}[action]
    assert f"1 comment {verb}." in fragment.text
    assert "Held words 0" not in fragment.text  # left the held list
    assert statuses().get("Held words 0") == expected
    page = signed_in.post(f"/editor/comments/{queue[1].id}/{action}")
    assert page.status_code == 303 and page.headers["Location"].startswith("/editor/comments/")


def test_bulk_actions(signed_in: FlaskClient, queue: list[Comment]) -> None:
    ids = [queue[0].id, queue[2].id]
    response = signed_in.post(
        "/editor/comments/bulk", data={"ids": ids, "action": "spam"}, headers=HX
    )
    assert response.status_code == 200 and "2 comments marked as spam." in response.text
    assert statuses() == {
        "Held words 0": "spam",
        "Held words 1": "pending",
        "Held words 2": "spam",
        "Already fine": "approved",
    }
    page = signed_in.post("/editor/comments/bulk", data={"ids": ids, "action": "delete"})
    assert page.status_code == 303
    assert set(statuses()) == {"Held words 1", "Already fine"}


def test_bulk_errors(signed_in: FlaskClient, queue: list[Comment]) -> None:
    none_ticked = signed_in.post("/editor/comments/bulk", data={"action": "approve"}, headers=HX)
    assert none_ticked.status_code == 422 and "Tick at least one comment first." in none_ticked.text
    bad = signed_in.post("/editor/comments/bulk", data={"ids": [queue[0].id], "action": "nuke"})
    assert bad.status_code == 400
    assert signed_in.post(f"/editor/comments/{queue[0].id}/nuke").status_code == 400
    assert signed_in.post("/editor/comments/999999/approve").status_code == 404
    assert statuses()["Held words 0"] == "pending"


def test_approved_comment_appears_for_readers(
    app: Flask, signed_in: FlaskClient, queue: list[Comment]
) -> None:
    post_slug = queue[0].post.slug
    reader = app.test_client()
    assert "Held words 0" not in reader.get(f"/posts/{post_slug}").text
    signed_in.post(f"/editor/comments/{queue[0].id}/approve")
    assert "Held words 0" in reader.get(f"/posts/{post_slug}").text


# --- CSRF on every change ----------------------------------------------------------------------


def test_author_changes_need_the_csrf_token(
    app: Flask, writer: Author, queue: list[Comment]
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/account/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    assert sign_in(client).status_code == 400  # the sign-in form itself needs it
    response = client.post(
        "/account/sign-in",
        data={"email": "ada@example.org", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 303
    for url, data in [
        ("/editor/posts/new", post_form()),
        (f"/editor/comments/{queue[0].id}/approve", {}),
        ("/editor/comments/bulk", {"ids": [queue[1].id], "action": "delete"}),
        ("/account/sign-out", {}),
    ]:
        refused = client.post(url, data=data, headers=HX)
        assert refused.status_code == 400, url
    assert count(Post) == 1 and count(Tag) == 0
    assert statuses()["Held words 0"] == "pending"
