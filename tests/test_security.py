"""Attacks from the security review, each tried as described and in its obvious variants."""

from __future__ import annotations

import io
import re
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from itsdangerous import TimestampSigner
from PIL import Image
from sqlalchemy import func, select, text

from blog import create_app
from blog.comments.spam import form_started_token
from blog.core.markdown import render_post
from blog.core.models import Author, Comment, CommentStatus, Post, PostStatus, utcnow
from blog.core.records import AuthSession
from blog.extensions import db
from tests.conftest import PostFactory, account, cheap_password_hash, signed_in_as

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}


@pytest.fixture(autouse=True)
def quick_commenting(app: Flask) -> None:
    """Tests post at machine speed: no minimum time, publish at once (unless a test says)."""
    app.config.update(COMMENT_MIN_SECONDS=0, COMMENT_MODERATION="open")


@pytest.fixture
def post(make_post: PostFactory) -> Post:
    """A published post to comment on."""
    return make_post("Open for comments")


def send(client: FlaskClient, post: Post, body: str, **overrides: Any) -> Any:
    """POST the comment form for `post` without JavaScript."""
    data = {"name": "Rowan", "body": body, "started": form_started_token(), **overrides}
    return client.post(f"/posts/{post.slug}/comments", data=data)


def newest_comment() -> Comment:
    """The comment stored last."""
    return db.session.scalars(select(Comment).order_by(Comment.id.desc()).limit(1)).one()


# --- 1. nobody takes over another person's comment --------------------------------------------


def test_a_deleted_comment_id_is_never_handed_out_again(
    app: Flask, post: Post, make_post: PostFactory
) -> None:
    attacker, reader = app.test_client(), app.test_client()
    assert send(attacker, post, "Bait").status_code == 303
    bait = newest_comment().id
    assert attacker.post(f"/comments/{bait}/delete").status_code == 303

    assert send(reader, post, "The next reader's words").status_code == 303
    theirs = newest_comment()
    assert theirs.id != bait
    for method, url in [
        ("get", f"/comments/{theirs.id}/edit"),
        ("post", f"/comments/{theirs.id}/edit"),
        ("get", f"/comments/{theirs.id}/delete"),
        ("post", f"/comments/{theirs.id}/delete"),
    ]:
        response = getattr(attacker, method)(url, data={"body": "Taken over"})
        assert response.status_code == 403, (method, url)
    db.session.refresh(theirs)
    assert theirs.body_source == "The next reader's words"

    # Posts too: a deleted newest post's id is not given to the next one.
    newest = make_post("Newest")
    gone = newest.id
    db.session.delete(newest)
    db.session.commit()
    assert make_post("After it").id != gone


def test_an_id_in_the_session_proves_nothing(app: Flask, client: FlaskClient, post: Post) -> None:
    other = app.test_client()
    assert send(other, post, "Someone else's words").status_code == 303
    theirs = newest_comment()
    # A session that claims the id, with a guessed secret or in the old id-only format.
    for claim in ([theirs.created_at.timestamp(), "guessed-secret"], theirs.created_at.timestamp()):
        with client.session_transaction() as session:
            session["own_comments"] = {str(theirs.id): claim}
        assert client.get(f"/comments/{theirs.id}/edit").status_code == 403
        assert client.post(f"/comments/{theirs.id}/delete").status_code == 403
        page = client.get(f"/posts/{post.slug}").text
        assert f"/comments/{theirs.id}/edit" not in page
    # And the real owner still can.
    assert other.get(f"/comments/{theirs.id}/edit").status_code == 200


def test_a_held_comment_shows_only_to_the_browser_with_its_secret(
    app: Flask, client: FlaskClient, post: Post
) -> None:
    app.config["COMMENT_MODERATION"] = "all"
    writer = app.test_client()
    assert send(writer, post, "Waiting for approval").status_code == 303
    held = newest_comment()
    assert held.status == CommentStatus.PENDING.value and held.owner_hash
    assert "Waiting for approval" in writer.get(f"/posts/{post.slug}").text
    with client.session_transaction() as session:
        session["own_comments"] = {str(held.id): [held.created_at.timestamp(), "guess"]}
    assert "Waiting for approval" not in client.get(f"/posts/{post.slug}").text
    reply = send(client, post, "A reply to a held comment", parent_id=str(held.id))
    assert reply.status_code == 422


def test_delete_drops_the_comment_from_the_session(client: FlaskClient, post: Post) -> None:
    assert send(client, post, "Soon gone").status_code == 303
    mine = newest_comment().id
    with client.session_transaction() as session:
        assert str(mine) in session["own_comments"]
        secret = session["own_comments"][str(mine)][1]
    assert secret not in str(newest_comment().owner_hash)  # only its hash is stored
    assert client.post(f"/comments/{mine}/delete", headers=HX).status_code == 200
    with client.session_transaction() as session:
        assert str(mine) not in session.get("own_comments", {})


@pytest.mark.sqlite_only
def test_sqlite_tables_use_autoincrement(app: Flask) -> None:
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        tables = dict(connection.execute("SELECT name, sql FROM sqlite_master WHERE type='table'"))
    assert "AUTOINCREMENT" in tables["comments"]
    assert "AUTOINCREMENT" in tables["posts"]


# --- 2. no redirect off-site after signing in --------------------------------------------------

OFF_SITE = [
    "/%09/evil.example",
    "/%0A/evil.example",
    "/%0D%0A/evil.example",
    "//evil.example",
    "///evil.example",
    "/%5Cevil.example",
    "%5C%5Cevil.example",
    "/%20/evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/%E3%80%80/evil.example",
]


@pytest.fixture
def signed_in(client: FlaskClient, author: Any) -> FlaskClient:
    """The test client, signed in as `author`."""
    author.password_hash = cheap_password_hash("long enough password")
    db.session.commit()
    sign_in = {"email": author.email, "password": "long enough password"}
    assert client.post("/account/sign-in", data=sign_in).status_code == 303
    return client


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_leaves_the_site(client: FlaskClient, author: Any, target: str) -> None:
    author.password_hash = cheap_password_hash("long enough password")
    db.session.commit()
    form = {"email": author.email, "password": "long enough password"}
    after_sign_in = client.post(f"/account/sign-in?next={target}", data=form)
    assert after_sign_in.status_code == 303
    assert after_sign_in.headers["Location"] == "/editor/"
    already_in = client.get(f"/account/sign-in?next={target}")
    assert already_in.status_code == 302
    assert already_in.headers["Location"] == "/editor/"


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/editor/comments/", "/editor/comments/"),
        ("/editor/comments/%3Fq%3Dtwo%20words", "/editor/comments/?q=two%20words"),
        ("/posts/a-post%23comments", "/posts/a-post#comments"),
    ],
)
def test_next_within_the_site_is_kept(signed_in: FlaskClient, target: str, location: str) -> None:
    response = signed_in.get(f"/account/sign-in?next={target}")
    assert response.headers["Location"] == location


# --- 8. no anonymous (or signed-in) request makes the blog answer 5xx --------------------------

HOSTILE = [
    "0",
    "-1",
    "1.5",
    "9999",
    "99999999999999999999",
    "9" * 5000,
    "ünïcödé",
    "日本語",
    "\x00",
    "\n",
    "\t/evil.example",
    "%00",
    "%0A",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "a" * 3000,
]
FORM_FIELDS = [
    "name", "email", "website", "body", "parent_id", "started", "homepage", "title", "slug",
    "tags", "summary", "status", "publish_at", "ids", "action", "alt", "q", "password",
]  # fmt: skip
QUERY_ARGS = ["page", "next", "q", "status"]


def hostile_paths(app: Flask, value: str) -> list[tuple[str, str]]:
    """(method, path) for every route, with `value` in every part of the path that varies."""
    found = []
    quoted = urllib.parse.quote(value, safe="")
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[a-z]+:)?[a-z_]+>", quoted, rule.rule)
        found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def walk(app: Flask, client: FlaskClient) -> list[str]:
    """Every route with every hostile value in its path, query and form; what answered 5xx."""
    failures = []
    for value in HOSTILE:
        query = {name: value for name in QUERY_ARGS}
        form = {name: value for name in FORM_FIELDS}
        for method, path in hostile_paths(app, value):
            for headers in ({}, HX):
                response = client.open(
                    path, method=method, query_string=query, data=form, headers=headers
                )
                if response.status_code >= 500:
                    failures.append(f"{method} {path[:60]!r} ({value[:20]!r}): {response.status}")
    return failures


@pytest.mark.parametrize("csrf", [False, True])
def test_hostile_values_on_every_route_never_give_5xx(
    app: Flask, client: FlaskClient, post: Post, make_comment: Any, csrf: bool
) -> None:
    app.config["WTF_CSRF_ENABLED"] = csrf
    make_comment(post, "A comment to reply to")
    assert walk(app, client) == []


def test_hostile_values_signed_in_never_give_5xx(
    app: Flask, client: FlaskClient, post: Post, author: Author
) -> None:
    author.password_hash = cheap_password_hash("long enough password")
    db.session.commit()
    signed = client.post(
        "/account/sign-in", data={"email": author.email, "password": "long enough password"}
    )
    assert signed.status_code == 303
    assert walk(app, client) == []


@pytest.mark.parametrize(
    "url",
    [
        "/archive/9999/12",
        "/archive/9999/12?page=2",
        "/posts/no-such-post/comments",
    ],
)
def test_the_reported_500s_are_4xx(app: Flask, client: FlaskClient, url: str) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    method = "POST" if url.endswith("/comments") else "GET"
    assert 400 <= client.open(url, method=method).status_code < 500


def test_csrf_failure_on_a_draft_post_is_a_404(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    draft = make_post("Not out yet", status=PostStatus.DRAFT)
    response = client.post(f"/posts/{draft.slug}/comments", data={"name": "X", "body": "Y"})
    assert response.status_code == 404


# --- 6. a stolen session cookie does not pass by claiming the owner's address ------------------


def test_forged_forwarded_for_does_not_carry_a_stolen_cookie(
    app: Flask, signed_in: FlaskClient
) -> None:
    assert signed_in.get("/editor/").status_code == 200  # the owner, from 127.0.0.1
    session_cookie = signed_in.get_cookie("session")
    assert session_cookie is not None

    thief = app.test_client()
    thief.set_cookie("session", session_cookie.value)
    # Same browser string, another address, and a header claiming the owner's address.
    response = thief.get(
        "/editor/",
        headers={"X-Forwarded-For": "127.0.0.1"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert response.status_code == 302
    assert "/account/sign-in" in response.headers["Location"]


# --- 7. a forged Host or scheme reaches no link, redirect or cache ------------------------------


@pytest.fixture
def no_site_url(app: Flask) -> Flask:
    """An app whose operator set no SITE_URL (the host names default to this machine's)."""
    return make_app(app, SITE_URL="")


def make_app(app: Flask, **config: Any) -> Flask:
    """Another app on the same database, with `config` on top of the test settings."""
    settings = {key: value for key, value in app.config.items() if key != "TRUSTED_HOSTS"}
    return create_app({**settings, **config})


@pytest.mark.parametrize("host", ["evil.example", "evil.example:5000", "localhost.evil.example"])
def test_an_unknown_host_is_refused(no_site_url: Flask, post: Post, host: str) -> None:
    client = no_site_url.test_client()
    for url in ("/", f"/posts/{post.slug}", "/tags"):
        response = client.get(url, headers={"Host": host})
        assert response.status_code == 400, url
        assert "evil.example" not in response.text


def test_own_hosts_get_relative_redirects_and_their_own_links(
    no_site_url: Flask, post: Post
) -> None:
    client = no_site_url.test_client()
    for host in ("localhost", "127.0.0.1:5000"):
        redirect = client.get("/tags", headers={"Host": host})
        assert redirect.status_code == 308
        assert redirect.headers["Location"] == "/tags/"
        page = client.get(f"/posts/{post.slug}", headers={"Host": host}).text
        assert f'<link rel="canonical" href="http://{host}/posts/{post.slug}">' in page


def test_trusted_hosts_setting(app: Flask, post: Post, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLOG_TRUSTED_HOSTS", "blog.example.org, www.blog.example.org")
    configured = make_app(app, SITE_URL="")
    assert configured.config["TRUSTED_HOSTS"] == ["blog.example.org", "www.blog.example.org"]
    client = configured.test_client()
    assert client.get("/", headers={"Host": "www.blog.example.org"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost"}).status_code == 400


def test_site_url_names_every_absolute_link(app: Flask, post: Post) -> None:
    # SITE_URL is https://blog.example.test in these tests: links use it whatever the Host.
    page = app.test_client().get(f"/posts/{post.slug}", headers={"Host": "localhost"}).text
    assert f'href="https://blog.example.test/posts/{post.slug}"' in page
    assert "http://localhost" not in page


def test_forwarded_headers_count_only_behind_a_declared_proxy(
    no_site_url: Flask, post: Post
) -> None:
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    direct = no_site_url.test_client().get(f"/posts/{post.slug}", headers=forged)
    assert direct.status_code == 200
    assert "Strict-Transport-Security" not in direct.headers
    assert '<link rel="canonical" href="http://localhost/posts/' in direct.text
    assert "evil.example" not in direct.text

    proxied = make_app(no_site_url, PROXY_COUNT=1).test_client()
    behind = proxied.get(f"/posts/{post.slug}", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in behind.headers


@pytest.mark.e2e
def test_the_app_server_trusts_no_forwarded_scheme_without_a_proxy(live_server: str) -> None:
    request = urllib.request.Request(
        live_server + "/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert response.headers.get("Strict-Transport-Security") is None
    evil = urllib.request.Request(live_server + "/", headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(evil, timeout=10)
    assert refused.value.code == 400
    refused.value.close()


# --- 3. no reply chain can break a page --------------------------------------------------------


def chain(post: Post, length: int) -> list[Comment]:
    """A reply chain `length` comments long: each answers the one before, from many names."""
    made: list[Comment] = []
    for number in range(length):
        parent = made[-1] if made else None
        comment = Comment(
            post=post,
            parent=parent,
            root_id=(made[0].id if made else None),
            author_name=f"Replier {number}",
            body_source=f"Reply {number}",
            body_html=f"<p>Reply {number}</p>",
            body_digest=f"{number:064d}",
            status=CommentStatus.APPROVED.value,
            created_at=post.published_at + timedelta(seconds=number + 1),  # type: ignore[operator]
        )
        db.session.add(comment)
        db.session.flush()
        made.append(comment)
    db.session.commit()
    return made


def test_a_thousand_deep_reply_chain_renders_flat_below_level_six(
    client: FlaskClient, post: Post
) -> None:
    made = chain(post, 1000)
    for headers in ({}, HX):
        page = client.get(f"/posts/{post.slug}", headers=headers)
        assert page.status_code == 200
        assert page.text.split("</head>")[-1].count("Reply 999") == 1
    html = client.get(f"/posts/{post.slug}").text
    # Nesting stops: at most seven lists of replies inside one another.
    section = html[html.index('id="comment-list"') :]
    depth = deepest = 0
    for tag in re.findall(r"<ol\b|</ol>", section):
        depth += 1 if tag == "<ol" else -1
        deepest = max(deepest, depth)
    assert deepest <= 1 + 7
    # Below level six each reply names whom it answers (the one it is not shown under).
    assert "in reply to Replier 7<" in html and "in reply to Replier 998<" in html
    assert "in reply to Replier 6<" not in html  # Replier 7 is shown right under Replier 6
    # A reply to the deepest comment still posts and shows, with JS and without.
    form = {"name": "Last", "body": "At the very end", "parent_id": str(made[-1].id)}
    response = client.post(
        f"/posts/{post.slug}/comments", data={**form, "started": form_started_token()}
    )
    assert response.status_code == 303
    assert "At the very end" in client.get(f"/posts/{post.slug}").text


# --- 4. Markdown stays linear, and the preview keeps the saving limits -------------------------


def test_many_identical_headings_get_unique_anchors_in_order() -> None:
    html = render_post("# Same\n" * 3 + "## same-2\n" + "# Same\n" * 2)
    ids = re.findall(r'<h2 id="([^"]+)"', html)
    assert ids == ["same", "same-2", "same-3", "same-2-2", "same-4", "same-5"]
    assert len(set(re.findall(r'id="([^"]+)"', render_post("#\n" * 40000)))) == 40000


def test_the_preview_refuses_what_saving_refuses(signed_in: FlaskClient) -> None:
    too_long = {"title": "T", "body": "x" * 200_001}
    for headers in ({}, HX):
        response = signed_in.post("/editor/preview", data=too_long, headers=headers)
        assert response.status_code == 422
        assert "No preview: Body: Please keep the post under 200,000 characters." in response.text
        assert "xxxxxxxxxx" not in response.text
    fine = signed_in.post("/editor/preview", data={"title": "T", "body": "#\n" * 40000}, headers=HX)
    assert fine.status_code == 200


# --- 9. a small file with a huge picture is refused --------------------------------------------


def png(width: int, height: int) -> bytes:
    """A real PNG of that size (one colour compresses to almost nothing)."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()


@pytest.mark.parametrize(("width", "height"), [(12_000, 12_000), (7000, 7000), (20_000, 10)])
def test_decompression_bombs_are_refused(
    app: Flask, signed_in: FlaskClient, width: int, height: int
) -> None:
    data = png(width, height)
    assert len(data) < 200_000
    for headers in ({}, HX):
        response = signed_in.post(
            "/editor/images",
            data={"image": (io.BytesIO(data), "small.png"), "alt": "x"},
            headers=headers,
            content_type="multipart/form-data",
        )
        assert response.status_code == 413
        assert f"This image is {width:,} x {height:,} pixels" in response.text
    assert not list((Path(app.instance_path) / "media").glob("*.png"))


def test_a_large_but_reasonable_image_is_accepted(signed_in: FlaskClient) -> None:
    response = signed_in.post(
        "/editor/images",
        data={"image": (io.BytesIO(png(6000, 4000)), "wide.png"), "alt": "x"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201


# --- 13. sign-in sessions end ------------------------------------------------------------------


def age_sessions(**change: timedelta) -> None:
    """Move every sign-in session's times into the past."""
    for row in db.session.scalars(select(AuthSession)):
        for name, delta in change.items():
            setattr(row, name, getattr(row, name) - delta)
    db.session.commit()


@pytest.mark.parametrize(
    "change",
    [
        {"last_seen_at": timedelta(days=15)},  # idle too long
        {"created_at": timedelta(days=91)},  # active, but too old
    ],
)
def test_expired_sessions_no_longer_sign_anyone_in(
    signed_in: FlaskClient, change: dict[str, timedelta]
) -> None:
    assert signed_in.get("/editor/").status_code == 200
    age_sessions(**change)
    response = signed_in.get("/editor/")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


def test_activity_keeps_a_session_alive(signed_in: FlaskClient) -> None:
    age_sessions(last_seen_at=timedelta(days=13))
    assert signed_in.get("/editor/").status_code == 200
    row = db.session.scalars(select(AuthSession)).one()
    db.session.refresh(row)
    assert row.last_seen_at > utcnow() - timedelta(minutes=1)


def test_expired_sessions_are_pruned(app: Flask, signed_in: FlaskClient, author: Any) -> None:
    age_sessions(last_seen_at=timedelta(days=30))
    assert db.session.scalar(select(func.count(AuthSession.id))) == 1
    # Signing in again prunes them ...
    other = app.test_client()
    form = {"email": author.email, "password": "long enough password"}
    assert other.post("/account/sign-in", data=form).status_code == 303
    assert db.session.scalar(select(func.count(AuthSession.id))) == 1
    # ... and so does the operator's command.
    age_sessions(created_at=timedelta(days=100))
    result = app.test_cli_runner().invoke(args=["author", "prune-sessions"])
    assert "Deleted 1 expired sign-in session(s)." in result.output
    assert db.session.scalar(select(func.count(AuthSession.id))) == 0


# --- 11. people sharing an address do not share a limit -----------------------------------------


def test_twenty_people_behind_one_address_can_each_comment(app: Flask, post: Post) -> None:
    assert app.config["COMMENT_RATE_LIMIT"] == 5
    office = {"REMOTE_ADDR": "198.51.100.7"}
    for person in range(20):
        browser = app.test_client()
        for number in range(2):
            response = browser.post(
                f"/posts/{post.slug}/comments",
                data={
                    "name": f"Person {person}",
                    "body": f"Remark {number} from person {person}",
                    "started": form_started_token(),
                },
                environ_base=office,
            )
            assert response.status_code == 303, (person, number)


def test_one_browser_flooding_is_stopped(client: FlaskClient, post: Post) -> None:
    codes = [send(client, post, f"Flood {number}").status_code for number in range(7)]
    assert codes == [303] * 5 + [429] * 2


def test_a_client_that_drops_its_cookie_meets_the_address_limit(app: Flask, post: Post) -> None:
    limit = app.config["COMMENT_ADDRESS_RATE_LIMIT"]
    assert limit == 60
    codes = [send(app.test_client(), post, f"Fresh {n}").status_code for n in range(limit + 2)]
    assert codes == [303] * limit + [429] * 2
    response = send(app.test_client(), post, "One more")
    assert "Very many comments are coming from your network right now" in response.text
    assert 0 < int(response.headers["Retry-After"]) <= app.config["COMMENT_ADDRESS_RATE_WINDOW"]


# --- 12. a form stamp posts one comment, for a few hours ---------------------------------------


def test_a_form_stamp_posts_one_comment(client: FlaskClient, post: Post) -> None:
    stamp = form_started_token()
    assert send(client, post, "First with this stamp", started=stamp).status_code == 303
    for headers in ({}, HX):
        again = client.post(
            f"/posts/{post.slug}/comments",
            data={"name": "Rowan", "body": "Second with the same stamp", "started": stamp},
            headers=headers,
        )
        assert again.status_code == 422
        assert "This form was already used to post a comment." in again.text
        assert "Second with the same stamp</textarea>" in again.text  # the text is kept
        fresh = re.search(r'name="started" value="([^"]+)"', again.text)
        assert fresh and fresh.group(1) != stamp
    assert db.session.scalar(select(func.count(Comment.id))) == 1
    # The fresh stamp in the refused form posts.
    assert send(client, post, "Second, again", started=fresh.group(1)).status_code == 303


def test_a_form_stamp_expires_within_hours(
    app: Flask, client: FlaskClient, post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    max_age = app.config["COMMENT_FORM_MAX_AGE"]
    assert max_age <= 6 * 3600
    made_at = time.time() - max_age - 60
    with monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda _self: int(made_at))
        old = form_started_token()
    response = send(client, post, "From a tab left open overnight", started=old)
    assert response.status_code == 422
    assert "This form has expired." in response.text
    assert db.session.scalar(select(func.count(Comment.id))) == 0


# --- 10. editors run the blog; authors look after their own posts ------------------------------


@pytest.fixture
def staff(app: Flask, make_post: PostFactory, make_comment: Any) -> dict[str, Any]:
    """An editor, two authors, a post by each author with a held comment on it."""
    editor = account("ed@example.org", "editor")
    writer = account("wren@example.org", "author")
    other = account("otto@example.org", "author")
    posts = {}
    for person in (writer, other):
        post = make_post(f"Post by {person.name}")
        post.author = person
        db.session.commit()
        posts[person.email] = post
        make_comment(post, f"Held on the post by {person.name}", status=CommentStatus.PENDING)
    return {"editor": editor, "writer": writer, "other": other, "posts": posts}


def test_an_author_works_only_on_their_own_posts(app: Flask, staff: dict[str, Any]) -> None:
    writer = signed_in_as(app, staff["writer"])
    theirs = staff["posts"]["otto@example.org"]
    mine = staff["posts"]["wren@example.org"]
    assert writer.get(f"/editor/posts/{mine.id}").status_code == 200
    for method, url in [
        ("get", f"/editor/posts/{theirs.id}"),
        ("post", f"/editor/posts/{theirs.id}"),
        ("get", f"/editor/posts/{theirs.id}/revisions"),
        ("post", f"/editor/posts/{theirs.id}/delete"),
    ]:
        assert getattr(writer, method)(url).status_code == 404, (method, url)
    dashboard = writer.get("/editor/?show=all").text
    assert "Post by Wren" in dashboard and "Post by Otto" not in dashboard
    assert writer.get("/account/authors").status_code == 404


def test_an_editor_works_on_every_post(app: Flask, staff: dict[str, Any]) -> None:
    editor = signed_in_as(app, staff["editor"])
    theirs = staff["posts"]["otto@example.org"]
    page = editor.get(f"/editor/posts/{theirs.id}")
    assert page.status_code == 200
    saved = editor.post(
        f"/editor/posts/{theirs.id}",
        data={"title": "Edited by the editor", "slug": theirs.slug, "body": "New text.",
              "status": "published"},
    )  # fmt: skip
    assert saved.status_code == 303
    db.session.refresh(theirs)
    assert theirs.title == "Edited by the editor" and theirs.author_id == staff["other"].id
    everyone = editor.get("/editor/?show=all").text
    assert "Edited by the editor" in everyone and "Post by Wren" in everyone
    assert "Edited by the editor" not in editor.get("/editor/").text  # "Yours" by default


def test_authors_moderate_only_comments_on_their_posts(app: Flask, staff: dict[str, Any]) -> None:
    writer = signed_in_as(app, staff["writer"])
    queue = writer.get("/editor/comments/?status=all").text
    assert "Held on the post by Wren" in queue and "Otto" not in queue
    theirs = db.session.scalars(
        select(Comment).where(Comment.post_id == staff["posts"]["otto@example.org"].id)
    ).one()
    mine = db.session.scalars(
        select(Comment).where(Comment.post_id == staff["posts"]["wren@example.org"].id)
    ).one()
    assert writer.post(f"/editor/comments/{theirs.id}/delete").status_code == 404
    bulk = writer.post(
        "/editor/comments/bulk", data={"ids": [str(theirs.id), str(mine.id)], "action": "spam"}
    )
    assert bulk.status_code == 303
    db.session.refresh(theirs)
    db.session.refresh(mine)
    assert theirs.status == CommentStatus.PENDING.value and mine.status == CommentStatus.SPAM.value
    editor = signed_in_as(app, staff["editor"])
    assert "Held on the post by Otto" in editor.get("/editor/comments/").text
    assert editor.post(f"/editor/comments/{theirs.id}/approve").status_code == 303


def test_slugs_from_titles_are_made_free_and_typed_ones_are_not_revealed(
    app: Flask, staff: dict[str, Any]
) -> None:
    other = signed_in_as(app, staff["other"])
    draft = {"title": "Secret plans", "slug": "", "body": "Hush.", "status": "draft"}
    assert other.post("/editor/posts/new", data=draft).status_code == 303
    writer = signed_in_as(app, staff["writer"])
    same_title = writer.post("/editor/posts/new", data={**draft, "body": "Mine."})
    assert same_title.status_code == 303
    slugs = set(db.session.scalars(select(Post.slug).where(Post.title == "Secret plans")))
    assert slugs == {"secret-plans", "secret-plans-2"}
    typed = writer.post(
        "/editor/posts/new", data={**draft, "body": "Also mine.", "slug": "secret-plans"}
    )
    assert typed.status_code == 409
    assert "That web address is taken. /posts/secret-plans-3 is free" in typed.text
    assert "Hush" not in typed.text and "Otto" not in typed.text


def test_roles_from_the_command_line(app: Flask) -> None:
    runner = app.test_cli_runner()

    def create(email: str, *extra: str) -> str:
        args = ["author", "create", email, "--name", "X", "--password-stdin", *extra]
        result = runner.invoke(args=args, input="long enough password\n")
        assert result.exit_code == 0, result.output
        return str(result.output)

    assert "Created editor" in create("first@example.org")  # no editor yet
    assert "Created author" in create("second@example.org")
    assert "Created editor" in create("third@example.org", "--role", "editor")
    listed = runner.invoke(args=["author", "list"]).output
    assert "second@example.org\tX\t0 post(s)\tauthor" in listed
    assert runner.invoke(args=["author", "set-role", "third@example.org", "author"]).exit_code == 0
    last = runner.invoke(args=["author", "set-role", "first@example.org", "author"])
    assert last.exit_code != 0 and "the only editor who can sign in" in last.output


def test_editors_manage_roles_on_the_web(app: Flask, staff: dict[str, Any]) -> None:
    editor = signed_in_as(app, staff["editor"])
    page = editor.get("/account/authors")
    assert page.status_code == 200 and "wren@example.org" in page.text
    promoted = editor.post(f"/account/authors/{staff['writer'].id}/role", data={"role": "editor"})
    assert promoted.status_code == 303
    db.session.refresh(staff["writer"])
    assert staff["writer"].is_editor
    assert editor.post(f"/account/authors/{staff['writer'].id}/role",
                       data={"role": "boss"}).status_code == 422  # fmt: skip
    # Demote the other editor, then try to demote oneself, the last one.
    editor.post(f"/account/authors/{staff['writer'].id}/role", data={"role": "author"})
    last = editor.post(f"/account/authors/{staff['editor'].id}/role", data={"role": "author"})
    assert last.status_code == 409 and "the only editor who can sign in" in last.text
    assert editor.post("/account/authors/999999/role", data={"role": "author"}).status_code == 404


def test_upgrading_makes_existing_accounts_editors(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "DEMO_CONTENT_ON_EMPTY": False})  # fmt: skip
    with old.app_context():
        upgrade(directory=old.extensions["migrate"].directory, revision="0004")
        db.session.execute(
            text(
                "INSERT INTO authors (email, name, bio, password_hash, created_at) VALUES "
                "('a@example.org', 'A', '', 'scrypt:x', '2026-01-01'), "
                "('b@example.org', 'B', '', NULL, '2026-01-01')"
            )
        )
        db.session.commit()
        upgrade(directory=old.extensions["migrate"].directory)
        roles = dict(db.session.execute(text("SELECT email, role FROM authors")).all())
        db.engine.dispose()
    assert roles == {"a@example.org": "editor", "b@example.org": "author"}


def test_demo_authors_are_authors(app: Flask) -> None:
    app.test_cli_runner().invoke(args=["demo", "load"])
    assert set(db.session.scalars(select(Author.role))) == {"author"}
