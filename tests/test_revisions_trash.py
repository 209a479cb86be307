"""Revisions with a readable diff, one-click restore, and the 30-day trash."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from blog.authoring.diff import diff_texts
from blog.core.models import (
    Author,
    Comment,
    CommentStatus,
    Post,
    PostRevision,
    PostStatus,
    utcnow,
)
from blog.extensions import db
from tests.conftest import PostFactory, account, signed_in_as


def form(**overrides: Any) -> dict[str, Any]:
    """The editor form, filled in."""
    data = {
        "title": "Weir notes",
        "slug": "",
        "tags": "Rivers",
        "summary": "",
        "body": "First paragraph.\n\nThe water rose quickly.\n\nLast paragraph.",
        "status": "draft",
        "publish_at": "",
    }
    data.update(overrides)
    return data


def rows(model: type) -> int:
    """Rows in a model's table."""
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


# --- the diff --------------------------------------------------------------------------------


def test_a_changed_word_is_marked_not_the_whole_line() -> None:
    diff = diff_texts("The water rose quickly.", "The water rose slowly.")
    (line,) = diff.lines
    assert line.kind == "changed"
    marked = [(piece.kind, piece.text) for piece in line.pieces if piece.kind != "same"]
    assert marked == [("removed", "quickly."), ("added", "slowly.")]
    assert (diff.added_words, diff.removed_words) == (1, 1)


def test_added_and_removed_lines_and_folded_context() -> None:
    old = "\n".join(f"line {n}" for n in range(20))
    new = old.replace("line 10", "line ten") + "\nA new last line."
    diff = diff_texts(old, new)
    kinds = [line.kind for line in diff.lines]
    assert kinds[0] == "folded" and diff.lines[0].folded == 8
    assert "changed" in kinds and kinds[-1] == "added"
    assert diff_texts("same\ntext", "same\ntext").unchanged
    assert not diff_texts("", "new").unchanged


def test_the_diff_stays_quick_on_a_huge_body() -> None:
    old = "\n".join(f"paragraph {n} " + "word " * 40 for n in range(3000))
    new = old.replace("paragraph 1500 ", "paragraph fifteen hundred ")
    diff = diff_texts(old, new)
    assert sum(line.kind == "changed" for line in diff.lines) == 1


# --- revisions -------------------------------------------------------------------------------


def test_the_revision_page_shows_what_changed_and_restores(author_client: FlaskClient) -> None:
    author_client.post("/editor/posts/new", data=form())
    post = db.session.scalars(select(Post)).one()
    changed = form(title="Weir notes, revised", body=form()["body"].replace("quickly", "slowly"))
    author_client.post(f"/editor/posts/{post.id}", data=changed)
    revision = db.session.scalars(select(PostRevision)).one()
    listing = author_client.get(f"/editor/posts/{post.id}/revisions").text
    assert 'aria-current="true"' in listing and "Current version" in listing
    # The list itself shows what changed since each of the newest versions.
    assert "What changed since: 1 word added, 1 removed" in listing
    assert "<del>quickly.</del><ins>slowly.</ins>" in listing
    page = author_client.get(f"/editor/revisions/{revision.id}").text
    assert "<del>quickly.</del><ins>slowly.</ins>" in page
    assert "<del>Weir notes</del> → <ins>Weir notes, revised</ins>" in page
    assert "1 word added" in page
    restored = author_client.post(f"/editor/revisions/{revision.id}/restore")
    assert restored.status_code == 303
    db.session.refresh(post)
    assert "quickly" in post.body_source and post.title == "Weir notes"
    assert rows(PostRevision) == 2  # the replaced version is kept too


def test_diff_text_is_escaped(author_client: FlaskClient) -> None:
    author_client.post("/editor/posts/new", data=form(body="<script>alert(1)</script> old"))
    post = db.session.scalars(select(Post)).one()
    author_client.post(f"/editor/posts/{post.id}", data=form(body="<b>new</b> text"))
    revision = db.session.scalars(select(PostRevision)).one()
    page = author_client.get(f"/editor/revisions/{revision.id}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_someone_elses_revisions_are_not_found(app: Flask, author_client: FlaskClient) -> None:
    other = signed_in_as(app, account("otto@example.org", "author"))
    other.post("/editor/posts/new", data=form(title="Otto's"))
    post = db.session.scalars(select(Post)).one()
    other.post(f"/editor/posts/{post.id}", data=form(title="Otto's", body="Changed"))
    revision = db.session.scalars(select(PostRevision)).one()
    assert author_client.get(f"/editor/revisions/{revision.id}").status_code == 404
    assert author_client.post(f"/editor/revisions/{revision.id}/restore").status_code == 404


# --- the trash -------------------------------------------------------------------------------


@pytest.fixture
def published(wren: Author, make_post: PostFactory, make_comment: Any) -> Post:
    """A published post of `wren`'s with a comment."""
    post = make_post("Going to the trash", tags=["Rivers"])
    post.author = wren
    db.session.commit()
    make_comment(post, "A readers thought here.")
    return post


def test_trash_hides_the_post_everywhere_and_restores_it_whole(
    app: Flask, author_client: FlaskClient, published: Post
) -> None:
    reader = app.test_client()
    slug = published.slug
    assert "Going to the trash" in reader.get("/").text
    assert author_client.post(f"/editor/posts/{published.id}/delete").status_code == 303
    for path in (f"/posts/{slug}", "/tags/rivers"):
        assert reader.get(path).status_code == 404, path
    for path in ("/", "/feed.xml", "/sitemap.xml", "/archive/", "/search?q=trash"):
        assert "Going to the trash" not in reader.get(path).text, path
    author_client.get("/editor/trash")  # shows (and so clears) the flashed message
    assert "Going to the trash" not in author_client.get("/editor/").text
    trash = author_client.get("/editor/trash").text
    assert "Going to the trash" in trash and "Published" in trash
    # Not editable while in the trash.
    assert author_client.get(f"/editor/posts/{published.id}").status_code == 404
    assert rows(Comment) == 1

    back = author_client.post(f"/editor/trash/{published.id}/restore")
    assert back.status_code == 303 and back.headers["Location"] == f"/editor/posts/{published.id}"
    db.session.refresh(published)
    assert published.status == PostStatus.PUBLISHED.value and published.trashed_at is None
    article = reader.get(f"/posts/{slug}")
    assert article.status_code == 200 and "A readers thought here." in article.text
    assert "Going to the trash" in reader.get("/tags/rivers").text


def test_a_new_post_takes_a_trashed_posts_address_and_the_trashed_one_gets_another(
    app: Flask, author_client: FlaskClient, published: Post
) -> None:
    reader = app.test_client()
    slug = published.slug
    author_client.post(f"/editor/posts/{published.id}/delete")
    # The address follows the title, and the trashed post gives it up: no "-2".
    answer = author_client.post(
        "/editor/posts/new", data=form(title="Going to the trash", status="published")
    )
    assert answer.status_code == 303
    newer = db.session.scalars(select(Post).where(Post.id != published.id)).one()
    assert newer.slug == slug
    db.session.refresh(published)
    assert published.slug == f"{slug}-trashed-{published.id}"
    assert published.slug_before_trash == slug
    assert "First paragraph." in reader.get(f"/posts/{slug}").text
    assert reader.get(f"/posts/{published.slug}").status_code == 404

    # Restored, it cannot have its address back: the first free one, and the author is told.
    back = author_client.post(f"/editor/trash/{published.id}/restore", follow_redirects=True)
    assert f"Another post has /posts/{slug} now: this one is at /posts/{slug}-2." in back.text
    db.session.refresh(published)
    assert published.slug == f"{slug}-2" and published.slug_before_trash is None
    assert "A readers thought here." in reader.get(f"/posts/{slug}-2").text
    assert "First paragraph." in reader.get(f"/posts/{slug}").text


def test_a_trashed_post_takes_its_address_back_when_still_free(
    app: Flask, author_client: FlaskClient, published: Post
) -> None:
    slug = published.slug
    author_client.post(f"/editor/posts/{published.id}/delete")
    author_client.post("/editor/posts/new", data=form(title="Going to the trash"))
    newer = db.session.scalars(select(Post).where(Post.id != published.id)).one()
    # The new post moves to another address before the trashed one comes back.
    edited = author_client.post(
        f"/editor/posts/{newer.id}", data=form(title="Going to the trash", slug="elsewhere")
    )
    assert edited.status_code == 303
    back = author_client.post(f"/editor/trash/{published.id}/restore", follow_redirects=True)
    assert "is restored." in back.text and "Another post has" not in back.text
    db.session.refresh(published)
    assert published.slug == slug and published.slug_before_trash is None
    assert app.test_client().get(f"/posts/{slug}").status_code == 200


def test_a_typed_address_held_by_a_trashed_post_is_free_and_others_are_not(
    author_client: FlaskClient, published: Post, make_post: PostFactory
) -> None:
    live = make_post("Still here")
    author_client.post(f"/editor/posts/{published.id}/delete")
    taken = author_client.post("/editor/posts/new", data=form(slug=live.slug))
    assert taken.status_code == 409 and "That web address is taken." in taken.text
    free = author_client.post("/editor/posts/new", data=form(slug=published.slug))
    assert free.status_code == 303
    assert db.session.scalar(select(func.count()).where(Post.slug == published.slug)) == 1


def test_delete_for_good_from_the_trash(author_client: FlaskClient, published: Post) -> None:
    author_client.post(f"/editor/posts/{published.id}/delete")
    confirm = author_client.get(f"/editor/trash/{published.id}/delete")
    assert confirm.status_code == 200 and "for good?" in confirm.text
    assert author_client.post(f"/editor/trash/{published.id}/delete").status_code == 303
    assert rows(Post) == 0 and rows(Comment) == 0


def test_the_trash_empties_itself_after_30_days(
    app: Flask, author_client: FlaskClient, published: Post, make_post: PostFactory
) -> None:
    author_client.post(f"/editor/posts/{published.id}/delete")
    recent = make_post("Trashed yesterday")
    recent.author_id = published.author_id
    db.session.commit()
    author_client.post(f"/editor/posts/{recent.id}/delete")
    db.session.refresh(published)
    published.trashed_at = utcnow() - timedelta(days=30, minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["maintain"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 posts 30 days in the trash." in result.output
    assert list(db.session.scalars(select(Post.title))) == ["Trashed yesterday"]
    assert "Trashed yesterday" in author_client.get("/editor/trash").text


def test_trash_actions_need_the_post_in_the_trash_and_your_own(
    app: Flask, author_client: FlaskClient, published: Post
) -> None:
    assert author_client.post(f"/editor/trash/{published.id}/restore").status_code == 404
    assert author_client.post(f"/editor/trash/{published.id}/delete").status_code == 404
    author_client.post(f"/editor/posts/{published.id}/delete")
    other = signed_in_as(app, account("otto@example.org", "author"))
    assert other.post(f"/editor/trash/{published.id}/restore").status_code == 404
    assert "Going to the trash" not in other.get("/editor/trash").text
    editor = signed_in_as(app, account("ed@example.org", "editor"))
    assert "Going to the trash" in editor.get("/editor/trash").text
    assert editor.post(f"/editor/trash/{published.id}/restore").status_code == 303


def test_comments_on_a_trashed_post_leave_the_queue_with_it(
    app: Flask, author_client: FlaskClient, published: Post, make_comment: Any
) -> None:
    held = make_comment(published, "Held words waiting", status=CommentStatus.PENDING)
    assert "Held words waiting" in author_client.get("/editor/comments/").text
    author_client.post(f"/editor/posts/{published.id}/delete")
    assert "Held words waiting" not in author_client.get("/editor/comments/").text
    assert author_client.post(f"/editor/comments/{held.id}/approve").status_code == 404
    author_client.post(f"/editor/trash/{published.id}/restore")
    assert "Held words waiting" in author_client.get("/editor/comments/").text


def test_a_comments_lasting_address_finds_its_page(
    app: Flask, published: Post, make_comment: Any
) -> None:
    app.config["COMMENTS_PER_PAGE"] = 2
    comments = [make_comment(published, f"Comment number {n}") for n in range(5)]
    reader = app.test_client()
    first = reader.get(f"/comments/{comments[0].id}")
    assert first.status_code == 302
    assert first.headers["Location"] == f"/posts/{published.slug}#comment-{comments[0].id}"
    later = reader.get(f"/comments/{comments[4].id}").headers["Location"]
    assert later == f"/posts/{published.slug}/comments?page=3#comment-{comments[4].id}"
    assert "Comment number 4" in reader.get(later.split("#")[0]).text
    assert reader.get("/comments/999999").status_code == 404
