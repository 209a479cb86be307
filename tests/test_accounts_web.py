"""Accounts from the web: the profile, a new password, other sessions, invitations, removal."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from blog.core.models import Author, Comment, Post, utcnow
from blog.core.records import AuthSession, Invite
from blog.demo import content
from blog.demo.loader import load_demo_content
from blog.extensions import db
from tests.conftest import PostFactory, account, signed_in_as

PASSWORD = "long enough password"


def sessions_of(person: Author) -> int:
    """How many sign-in sessions the account has open."""
    found = select(func.count(AuthSession.id)).where(AuthSession.author_id == person.id)
    return int(db.session.scalar(found) or 0)


def signs_in(app: Flask, email: str, password: str) -> bool:
    """True when the sign-in form accepts these credentials."""
    form = {"email": email, "password": password}
    return app.test_client().post("/account/sign-in", data=form).status_code == 303


# --- the profile ----------------------------------------------------------------------------


def test_profile_changes_name_and_bio_everywhere(
    app: Flask, wren: Author, make_post: PostFactory
) -> None:
    post = make_post("Notes from the weir")
    post.author = wren
    db.session.commit()
    browser = signed_in_as(app, wren)
    page = browser.get("/account/profile")
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    assert 'value="Wren"' in page.text and "wren@example.org" in page.text
    saved = browser.post("/account/profile", data={"name": "  Wren Ashby ", "bio": "Walks rivers."})
    assert saved.status_code == 303 and saved.headers["Location"] == "/account/profile"
    db.session.expire_all()
    assert (wren.name, wren.bio) == ("Wren Ashby", "Walks rivers.")
    assert "Your profile is saved." in browser.get("/account/profile").text
    reader = app.test_client()
    assert "Wren Ashby" in reader.get(f"/posts/{post.slug}").text
    author_page = reader.get(f"/authors/{wren.id}").text
    assert "Wren Ashby" in author_page and "Walks rivers." in author_page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "", "bio": ""}, "Please give your name."),
        ({"name": "x" * 101, "bio": ""}, "At most 100 characters."),
        ({"name": "Two\nlines", "bio": ""}, "Please use plain text on one line."),
        ({"name": "Wren", "bio": "b" * 501}, "At most 500 characters."),
        ({"name": "Nul\x00", "bio": ""}, "Please use plain text on one line."),
        ({"name": "Wren", "bio": "Nul\x00"}, "Please use text only."),
    ],
)
def test_profile_refuses_bad_input_and_keeps_the_old(
    app: Flask, wren: Author, form: dict[str, str], message: str
) -> None:
    browser = signed_in_as(app, wren)
    response = browser.post("/account/profile", data=form)
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    db.session.expire_all()
    assert wren.name == "Wren"


def test_profile_needs_a_sign_in(client: FlaskClient) -> None:
    assert client.get("/account/profile").status_code == 302
    assert client.post("/account/profile", data={"name": "X"}).status_code == 302
    assert client.post("/account/password", data={}).status_code == 302


# --- the password ---------------------------------------------------------------------------


def change(browser: FlaskClient, current: str, new: str, again: str | None = None) -> object:
    """POST the password form."""
    form = {"current_password": current, "new_password": new, "confirm": again or new}
    return browser.post("/account/password", data=form)


def test_password_change_signs_out_the_other_sessions_only(app: Flask, wren: Author) -> None:
    here = signed_in_as(app, wren)
    elsewhere = signed_in_as(app, wren)
    assert sessions_of(wren) == 2
    response = change(here, PASSWORD, "a brand new passphrase")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert "1 other session(s) are signed out." in here.get("/account/profile").text
    assert here.get("/editor/").status_code == 200
    assert elsewhere.get("/editor/").status_code == 302
    assert sessions_of(wren) == 1
    assert signs_in(app, wren.email, "a brand new passphrase")
    assert not signs_in(app, wren.email, PASSWORD)


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("not my password at all", "a brand new passphrase", None, "not your current password"),
        (PASSWORD, "short", None, "at least 10 characters"),
        (PASSWORD, "a brand new passphrase", "another passphrase", "are not the same"),
        (PASSWORD, PASSWORD, None, "That is your current password."),
        ("", "a brand new passphrase", None, "Please give your current password."),
    ],
)
def test_password_change_refused(
    app: Flask, wren: Author, current: str, new: str, again: str | None, message: str
) -> None:
    browser = signed_in_as(app, wren)
    elsewhere = signed_in_as(app, wren)
    response = change(browser, current, new, again)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert message in response.text  # type: ignore[attr-defined]
    assert signs_in(app, wren.email, PASSWORD)
    assert elsewhere.get("/editor/").status_code == 200


def test_guessing_the_current_password_is_throttled(app: Flask, wren: Author) -> None:
    browser = signed_in_as(app, wren)
    statuses = [
        change(browser, f"guess number {n}", "a brand new passphrase").status_code  # type: ignore[attr-defined]
        for n in range(8)
    ]
    assert statuses[0] == 422 and statuses[-1] == 429
    last = change(browser, PASSWORD, "a brand new passphrase")
    assert last.status_code == 429  # type: ignore[attr-defined]
    assert last.headers["Retry-After"]  # type: ignore[attr-defined]


def test_sign_out_everywhere_else(app: Flask, wren: Author) -> None:
    here = signed_in_as(app, wren)
    others = [signed_in_as(app, wren) for _ in range(3)]
    page = here.get("/account/profile").text
    assert page.count("Another browser") == 3 and "This browser" in page
    response = here.post("/account/sessions/end-others")
    assert response.status_code == 303
    assert "Signed out of 3 other session(s)." in here.get("/account/profile").text
    assert here.get("/editor/").status_code == 200
    assert all(other.get("/editor/").status_code == 302 for other in others)
    assert "You are not signed in anywhere else." in here.get("/account/profile").text


# --- invitations ----------------------------------------------------------------------------


def invite(browser: FlaskClient, email: str, role: str = "author") -> str:
    """Make an invitation as an editor; the link the authors page shows once."""
    response = browser.post("/account/invites", data={"email": email, "role": role})
    assert response.status_code == 303, response.text
    page = browser.get("/account/authors").text
    found = re.search(r'value="(http://localhost/account/join/[^"]+)"', page)
    assert found, "the new link is shown"
    assert found.group(1) not in browser.get("/account/authors").text, "shown only once"
    return found.group(1).removeprefix("http://localhost")


def join(
    client: FlaskClient, link: str, name: str = "Nia New", password: str = "my own passphrase"
) -> object:
    """Send the form behind an invitation link."""
    return client.post(link, data={"name": name, "password": password, "confirm": password})


def test_an_invitation_opens_one_account_once(app: Flask, editor: Author) -> None:
    link = invite(signed_in_as(app, editor), "  Nia@Example.org ")
    newcomer = app.test_client()
    page = newcomer.get(link)
    assert page.status_code == 200
    assert "nia@example.org" in page.text and "as an author" in page.text
    response = join(newcomer, link)
    assert response.status_code == 303  # type: ignore[attr-defined]
    dashboard = newcomer.get("/editor/")
    assert dashboard.status_code == 200 and "Welcome, Nia New." in dashboard.text
    made = db.session.scalar(select(Author).where(Author.email == "nia@example.org"))
    assert made is not None and made.role == "author" and made.name == "Nia New"
    assert signs_in(app, "nia@example.org", "my own passphrase")
    for second in (app.test_client().get(link), join(app.test_client(), link, "Mallory")):
        assert second.status_code == 410  # type: ignore[attr-defined]
        assert "has been used or has expired" in second.text  # type: ignore[attr-defined]
    assert db.session.scalar(select(func.count(Author.id))) == 2


def test_an_invitation_can_make_an_editor(app: Flask, editor: Author) -> None:
    link = invite(signed_in_as(app, editor), "co@example.org", "editor")
    newcomer = app.test_client()
    join(newcomer, link, "Co Editor")
    assert newcomer.get("/account/authors").status_code == 200


def test_an_invitation_expires_after_48_hours(app: Flask, editor: Author) -> None:
    link = invite(signed_in_as(app, editor), "late@example.org")
    found = db.session.scalar(select(Invite))
    assert found is not None
    assert timedelta(hours=47, minutes=59) < found.expires_at - utcnow() <= timedelta(hours=48)
    found.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert app.test_client().get(link).status_code == 410
    assert join(app.test_client(), link).status_code == 410  # type: ignore[attr-defined]
    assert db.session.scalar(select(Author).where(Author.email == "late@example.org")) is None


def test_a_withdrawn_or_forged_invitation_opens_nothing(app: Flask, editor: Author) -> None:
    browser = signed_in_as(app, editor)
    link = invite(browser, "maybe@example.org")
    assert "maybe@example.org" in browser.get("/account/authors").text
    found = db.session.scalar(select(Invite))
    assert found is not None
    assert browser.post(f"/account/invites/{found.id}/withdraw").status_code == 303
    assert app.test_client().get(link).status_code == 410
    for forged in ("/account/join/x", "/account/join/" + "a" * 500, link[:-3] + "AAA"):
        assert app.test_client().get(forged).status_code == 410, forged


def test_inviting_is_for_editors_and_checks_the_email(
    app: Flask, editor: Author, wren: Author
) -> None:
    author = signed_in_as(app, wren)
    assert author.post("/account/invites", data={"email": "x@example.org"}).status_code == 404
    browser = signed_in_as(app, editor)
    taken = browser.post("/account/invites", data={"email": "WREN@example.org", "role": "author"})
    assert taken.status_code == 409 and "wren@example.org has an account already." in taken.text
    bad = browser.post("/account/invites", data={"email": "not an email", "role": "author"})
    assert bad.status_code == 422 and "does not look like an email address" in bad.text
    role = browser.post("/account/invites", data={"email": "a@example.org", "role": "king"})
    assert role.status_code == 422
    assert db.session.scalar(select(func.count(Invite.id))) == 0


def test_joining_refuses_bad_input_and_keeps_the_link(app: Flask, editor: Author) -> None:
    link = invite(signed_in_as(app, editor), "nia@example.org")
    newcomer = app.test_client()
    short = join(newcomer, link, password="short")
    assert short.status_code == 422 and "at least 10 characters" in short.text  # type: ignore[attr-defined]
    mismatch = newcomer.post(link, data={"name": "Nia", "password": "x" * 12, "confirm": "y" * 12})
    assert mismatch.status_code == 422 and "are not the same" in mismatch.text
    assert join(newcomer, link, name="").status_code == 422  # type: ignore[attr-defined]
    assert db.session.scalar(select(Author).where(Author.email == "nia@example.org")) is None
    assert join(newcomer, link).status_code == 303  # type: ignore[attr-defined]


# --- removing an author ---------------------------------------------------------------------


def test_removing_an_author_gives_their_posts_to_another(
    app: Flask, editor: Author, wren: Author, make_post: PostFactory, make_comment: object
) -> None:
    posts = [make_post(f"By Wren {n}") for n in range(3)]
    for post in posts:
        post.author = wren
    db.session.commit()
    reply = make_comment(posts[0], "Thanks for reading.")  # type: ignore[operator]
    reply.author_id = wren.id
    db.session.commit()
    their_session = signed_in_as(app, wren)
    browser = signed_in_as(app, editor)
    page = browser.get(f"/account/authors/{wren.id}/remove")
    assert page.status_code == 200 and "Who takes over their 3 posts?" in page.text
    no_heir = browser.post(f"/account/authors/{wren.id}/remove", data={"heir": ""})
    assert no_heir.status_code == 422 and "Please choose who takes over" in no_heir.text
    self_heir = browser.post(f"/account/authors/{wren.id}/remove", data={"heir": wren.id})
    assert self_heir.status_code == 422
    done = browser.post(f"/account/authors/{wren.id}/remove", data={"heir": editor.id})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Author, wren.id) is None
    assert {post.author_id for post in db.session.scalars(select(Post))} == {editor.id}
    assert db.session.scalar(select(Comment.author_id)) is None
    assert db.session.scalar(select(Comment.body_source)) == "Thanks for reading."
    assert their_session.get("/editor/").status_code == 302
    reader = app.test_client()
    assert "By Wren 0" in reader.get("/").text
    author_page = reader.get(f"/posts/{posts[0].slug}").text
    assert "Ed" in author_page


def test_removal_refusals(app: Flask, editor: Author, wren: Author) -> None:
    author = signed_in_as(app, wren)
    assert author.get(f"/account/authors/{editor.id}/remove").status_code == 404
    assert author.post(f"/account/authors/{editor.id}/remove").status_code == 404
    browser = signed_in_as(app, editor)
    mine = browser.post(f"/account/authors/{editor.id}/remove")
    assert mine.status_code == 409 and "You cannot remove your own account." in mine.text
    assert browser.post("/account/authors/99999/remove").status_code == 404
    other_editor = account("second@example.org", "editor")
    assert browser.post(f"/account/authors/{other_editor.id}/remove").status_code == 303
    assert browser.post(f"/account/authors/{wren.id}/remove").status_code == 303
    assert db.session.scalar(select(func.count(Author.id))) == 1


# --- the demo -------------------------------------------------------------------------------


def test_an_editor_removes_the_demo_from_the_dashboard(
    app: Flask, editor: Author, wren: Author, make_post: PostFactory
) -> None:
    load_demo_content()
    mine = make_post("Our first real post")
    mine.author = wren
    db.session.commit()
    browser = signed_in_as(app, editor)
    assert "Remove the demo posts" in browser.get("/editor/").text
    assert "Remove the demo posts" not in signed_in_as(app, wren).get("/editor/").text
    assert signed_in_as(app, wren).post("/editor/demo/remove").status_code == 404
    demo_posts = len(content.posts())
    assert db.session.scalar(select(func.count(Post.id))) == demo_posts + 1
    response = browser.post("/editor/demo/remove")
    assert response.status_code == 303
    page = browser.get("/editor/").text
    assert f"{demo_posts} post(s)" in page and "Remove the demo posts" not in page
    assert list(db.session.scalars(select(Post.title))) == ["Our first real post"]
    emails = set(db.session.scalars(select(Author.email)))
    assert emails == {"ed@example.org", "wren@example.org", "ada@example.org"}
    home = app.test_client().get("/").text
    assert "Our first real post" in home
    assert not any(post.title in home for post in content.posts())
