"""The editor's safety nets through the Flask client: autosave, restore, save in place, wording."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from blog.authoring import autosave
from blog.core.models import Post, utcnow
from blog.core.records import Autosave
from blog.extensions import db
from tests.conftest import account, signed_in_as

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}


def typed(**overrides: Any) -> dict[str, Any]:
    """The editor form as it stands mid-sentence."""
    data = {
        "post_id": "",
        "title": "Half a thought",
        "slug": "",
        "tags": "Drafts",
        "summary": "",
        "body": "The weir was higher than",
        "status": "draft",
        "publish_at": "",
    }
    data.update(overrides)
    return data


def autosaves() -> int:
    """Autosave records stored."""
    return int(db.session.scalar(select(func.count(Autosave.id))) or 0)


def test_autosave_keeps_the_text_and_publishes_nothing(
    app: Flask, author_client: FlaskClient
) -> None:
    response = author_client.post("/editor/autosave", data=typed(), headers=HX)
    assert response.status_code == 200
    assert response.text.startswith("Autosaved at <time")
    assert "(not published)" in response.text
    assert autosaves() == 1
    assert db.session.scalar(select(func.count(Post.id))) == 0
    # Typing on: the same record, newer text.
    author_client.post(
        "/editor/autosave", data=typed(body="The weir was higher than ever"), headers=HX
    )
    assert autosaves() == 1
    assert db.session.scalar(select(Autosave.body_source)) == "The weir was higher than ever"
    assert "Half a thought" not in app.test_client().get("/").text


def test_an_autosave_is_offered_back_and_restored(author_client: FlaskClient) -> None:
    for link in ("/editor/posts/new?restore=1", "/editor/posts/new?restore=new"):
        # Sent without a key: as by an editor page served before draft keys ("new").
        author_client.post("/editor/autosave", data=typed(body="Unsaved words"), headers=HX)
        page = author_client.get("/editor/posts/new").text
        assert "Restore unsaved text from" in page
        assert "Unsaved words" not in page.split('id="editor-form"')[1].split("</form>")[0]
        assert link.endswith("=1") or link in page
        restored = author_client.get(link).text
        assert "The unsaved text is back in the form." in restored
        assert ">Unsaved words</textarea>" in restored
        assert 'value="Half a thought"' in restored


def test_autosave_of_a_saved_post_is_offered_only_while_newer_and_different(
    author_client: FlaskClient,
) -> None:
    author_client.post("/editor/posts/new", data=typed())
    post = db.session.scalars(select(Post)).one()
    assert "Restore unsaved text" not in author_client.get(f"/editor/posts/{post.id}").text
    author_client.post(
        "/editor/autosave", data=typed(post_id=post.id, body="A better ending"), headers=HX
    )
    assert "Restore unsaved text" in author_client.get(f"/editor/posts/{post.id}").text
    restored = author_client.get(f"/editor/posts/{post.id}?restore=1").text
    assert ">A better ending</textarea>" in restored
    # The same text as saved (the form shows the slug it was given): nothing to offer.
    same = typed(post_id=post.id, slug=post.slug)
    author_client.post("/editor/autosave", data=same, headers=HX)
    assert "Restore unsaved text" not in author_client.get(f"/editor/posts/{post.id}").text
    # A real save forgets the autosave.
    author_client.post("/editor/autosave", data=typed(post_id=post.id, body="Other"), headers=HX)
    author_client.post(f"/editor/posts/{post.id}", data=typed(body="Saved for real"))
    assert autosaves() == 0


def test_discarding_the_offer(author_client: FlaskClient) -> None:
    author_client.post("/editor/autosave", data=typed(), headers=HX)
    response = author_client.post("/editor/autosave/discard", data={"post_id": ""})
    assert response.status_code == 303 and response.headers["Location"] == "/editor/posts/new"
    assert autosaves() == 0
    assert "Restore unsaved text" not in author_client.get("/editor/posts/new").text


def test_autosave_without_htmx_goes_back_to_the_editor(author_client: FlaskClient) -> None:
    response = author_client.post("/editor/autosave", data=typed())
    assert response.status_code == 303 and response.headers["Location"] == "/editor/posts/new"
    assert "Restore unsaved text" in author_client.get("/editor/posts/new").text


def test_autosave_refuses_what_saving_would(app: Flask, author_client: FlaskClient) -> None:
    too_long = author_client.post("/editor/autosave", data=typed(title="t" * 201), headers=HX)
    assert too_long.status_code == 422 and "Not autosaved" in too_long.text
    assert autosaves() == 0
    assert app.test_client().post("/editor/autosave", data=typed()).status_code == 302
    for bad in ("abc", "0", "99999999999999999999", "12345"):
        response = author_client.post("/editor/autosave", data=typed(post_id=bad), headers=HX)
        assert response.status_code == 404, bad


def test_autosave_of_someone_elses_post_is_refused(app: Flask, author_client: FlaskClient) -> None:
    other = account("otto@example.org", "author")
    signed_in_as(app, other).post("/editor/posts/new", data=typed(title="Otto's post"))
    theirs = db.session.scalars(select(Post)).one()
    response = author_client.post("/editor/autosave", data=typed(post_id=theirs.id), headers=HX)
    assert response.status_code == 404
    assert (
        author_client.post("/editor/autosave/discard", data={"post_id": theirs.id}).status_code
        == 404
    )
    assert autosaves() == 0


def test_autosaves_are_each_authors_own(app: Flask, author_client: FlaskClient) -> None:
    author_client.post("/editor/autosave", data=typed(body="Wren's words"), headers=HX)
    other = signed_in_as(app, account("otto@example.org", "author"))
    assert "Restore unsaved text" not in other.get("/editor/posts/new").text
    assert "Wren's words" not in other.get("/editor/posts/new?restore=1").text


def test_save_in_place_answers_with_a_status_and_the_posts_address(
    author_client: FlaskClient,
) -> None:
    response = author_client.post("/editor/posts/new", data=typed(), headers=HX)
    assert response.status_code == 200
    post = db.session.scalars(select(Post)).one()
    assert f'data-saved-url="/editor/posts/{post.id}"' in response.text
    assert "Draft saved." in response.text
    refused = author_client.post(f"/editor/posts/{post.id}", data=typed(title=""), headers=HX)
    assert refused.status_code == 422 and 'id="editor-form"' in refused.text


def test_resaving_a_published_post_says_updated(author_client: FlaskClient) -> None:
    first = author_client.post("/editor/posts/new", data=typed(status="published"))
    assert "Published." in author_client.get(first.headers["Location"]).text
    again = author_client.post(
        first.headers["Location"], data=typed(status="published", body="More")
    )
    page = author_client.get(again.headers["Location"]).text
    assert "Updated." in page and "Published." not in page
    in_place = author_client.post(
        first.headers["Location"], data=typed(status="published"), headers=HX
    )
    assert "Updated." in in_place.text


def test_a_failed_save_marks_the_first_field_in_error(author_client: FlaskClient) -> None:
    when = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = author_client.post(
        "/editor/posts/new", data=typed(status="scheduled", publish_at=when)
    )
    assert response.status_code == 422
    assert 'id="editor-publish_at" name="publish_at"' in response.text
    field = response.text.split('id="editor-publish_at"')[1].split(">")[0]
    assert 'aria-invalid="true"' in field and "autofocus" in field


# --- two new posts at once ----------------------------------------------------------------------


def draft_key_on(page: str) -> str:
    """The draft key of the editor form on a new post's page."""
    found = re.search(r'<input type="hidden" name="draft_key" value="(new-[^"]+)">', page)
    assert found, "a new post's editor names its autosaves"
    return found.group(1)


def test_two_new_posts_in_two_tabs_keep_their_own_text(author_client: FlaskClient) -> None:
    first = draft_key_on(author_client.get("/editor/posts/new").text)
    second = draft_key_on(author_client.get("/editor/posts/new").text)
    assert first != second
    for key, body in ((first, "About the weir"), (second, "About the lock")):
        sent = typed(draft_key=key, body=body)
        assert author_client.post("/editor/autosave", data=sent, headers=HX).status_code == 200
    assert autosaves() == 2
    # Typing on in the first tab changes the first text only.
    author_client.post(
        "/editor/autosave", data=typed(draft_key=first, body="About the weir, again"), headers=HX
    )
    kept = {
        key: body
        for key, body in db.session.execute(select(Autosave.draft_key, Autosave.body_source))
    }
    assert kept == {first: "About the weir, again", second: "About the lock"}
    # A new page offers the newest, restores it by its key, and keeps writing to it.
    page = author_client.get("/editor/posts/new").text
    assert f"/editor/posts/new?restore={first}" in page
    restored = author_client.get(f"/editor/posts/new?restore={first}").text
    assert ">About the weir, again</textarea>" in restored
    assert "Restore unsaved text" not in restored
    # The page takes the draft over under a key of its own.
    taken = draft_key_on(restored)
    assert taken not in (first, second)
    assert db.session.scalar(select(Autosave.body_source).where(Autosave.draft_key == taken)) == (
        "About the weir, again"
    )
    # Saved, it forgets its own text only; the other is offered next.
    saved = author_client.post("/editor/posts/new", data=typed(draft_key=taken, title="Weir"))
    assert saved.status_code == 303
    assert db.session.scalars(select(Autosave.draft_key)).all() == [second]
    assert f"/editor/posts/new?restore={second}" in author_client.get("/editor/posts/new").text
    # Discarded from its offer, it is gone.
    author_client.post("/editor/autosave/discard", data={"post_id": "", "draft_key": second})
    assert autosaves() == 0
    assert "Restore unsaved text" not in author_client.get("/editor/posts/new").text


def test_two_tabs_restoring_the_same_draft_keep_their_own_text(
    author_client: FlaskClient,
) -> None:
    key = draft_key_on(author_client.get("/editor/posts/new").text)
    author_client.post("/editor/autosave", data=typed(draft_key=key, body="Both tabs"), headers=HX)
    one = draft_key_on(author_client.get(f"/editor/posts/new?restore={key}").text)
    # The second tab's link named the old key: that draft is the first tab's now, and is
    # offered to this tab as the newest unsaved post; restoring it takes it over again.
    late = author_client.get(f"/editor/posts/new?restore={key}").text
    assert "The unsaved text is back" not in late and f"?restore={one}" in late
    second = author_client.get(f"/editor/posts/new?restore={one}").text
    assert ">Both tabs</textarea>" in second
    two = draft_key_on(second)
    assert len({key, one, two}) == 3
    for own, body in ((one, "Tab one goes on"), (two, "Tab two goes on")):
        sent = typed(draft_key=own, body=body)
        assert author_client.post("/editor/autosave", data=sent, headers=HX).status_code == 200
    kept = {
        own: body
        for own, body in db.session.execute(select(Autosave.draft_key, Autosave.body_source))
    }
    assert kept == {one: "Tab one goes on", two: "Tab two goes on"}


def test_a_page_is_not_offered_its_own_text(author_client: FlaskClient) -> None:
    key = draft_key_on(author_client.get("/editor/posts/new").text)
    author_client.post("/editor/autosave", data=typed(draft_key=key), headers=HX)
    # Saving fails (no title): the page comes back with what was typed, not an offer of it.
    refused = author_client.post("/editor/posts/new", data=typed(draft_key=key, title=""))
    assert refused.status_code == 422
    assert "Restore unsaved text" not in refused.text
    assert draft_key_on(refused.text) == key


def test_forged_draft_keys_are_refused(author_client: FlaskClient) -> None:
    for forged in ("post-1", "new-short", "new-" + "x" * 40, "other"):
        sent = typed(draft_key=forged)
        response = author_client.post("/editor/autosave", data=sent, headers=HX)
        assert response.status_code == 422, forged
        assert "out of date" in response.text
    assert autosaves() == 0
    page = author_client.get("/editor/posts/new?restore=post-1")
    assert page.status_code == 200 and "The unsaved text is back" not in page.text


def test_unsaved_new_posts_are_kept_a_few_at_a_time(author_client: FlaskClient) -> None:
    keys = [autosave.new_draft_key() for _ in range(autosave.KEEP_NEW_DRAFTS + 3)]
    for number, key in enumerate(keys):
        sent = typed(draft_key=key, body=f"Draft number {number}")
        author_client.post("/editor/autosave", data=sent, headers=HX)
    kept = set(db.session.scalars(select(Autosave.draft_key)))
    assert kept == set(keys[-autosave.KEEP_NEW_DRAFTS :])
