"""The editor's safety nets through the Flask client: autosave, restore, save in place, wording."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

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
    author_client.post("/editor/autosave", data=typed(body="Unsaved words"), headers=HX)
    page = author_client.get("/editor/posts/new").text
    assert "Restore unsaved text from" in page
    assert "Unsaved words" not in page.split('id="editor-form"')[1].split("</form>")[0]
    restored = author_client.get("/editor/posts/new?restore=1").text
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
