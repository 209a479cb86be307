"""Moving a blog in: imports through the real commands, run twice, broken files, old addresses."""

from __future__ import annotations

import io
import json
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from PIL import Image
from sqlalchemy import delete, func, select

from blog import create_app
from blog.authoring.service import save_post
from blog.authoring.trash import move_to_trash
from blog.cli.prepare import prepare_database
from blog.core.models import Author, Comment, CommentStatus, Post, PostStatus, Redirect, Tag
from blog.core.records import ImportedItem
from blog.extensions import db
from blog.portability import importer
from tests.background import comments_arriving
from tests.conftest import cheap_password_hash
from tests.wxr import HEAD, write_wxr

FIXTURES = Path(__file__).parent / "fixtures"
WORDPRESS = FIXTURES / "wordpress.xml"


def count(model: type) -> int:
    """Rows in a model's table."""
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def everything() -> dict[str, int]:
    """Row counts of every table an import writes."""
    return {
        model.__name__: count(model)
        for model in (Author, Post, Comment, Tag, Redirect, ImportedItem)
    }


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """The app's command-line runner."""
    return app.test_cli_runner()


def run(runner: FlaskCliRunner, *args: str) -> Any:
    """Invoke a command; fail with its output if it does not succeed."""
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


# --- WordPress --------------------------------------------------------------------------------


def test_wordpress_import_then_again(runner: FlaskCliRunner, client: FlaskClient) -> None:
    first = run(runner, "import", "wordpress", str(WORDPRESS))
    assert "Imported 5 post(s), 1 page(s)" in first.output
    assert "lost markup in “Walking the Old Towpath”: iframe" in first.output
    after_first = everything()
    again = run(runner, "import", "wordpress", str(WORDPRESS))
    assert "Imported 0 post(s), 0 page(s), 0 comment(s) and 0 new author(s)" in again.output
    assert "6 item(s) were there already" in again.output
    assert everything() == after_first

    # Authors come without a password: nobody can sign in as them until the operator says so.
    assert all(author.password_hash is None for author in db.session.scalars(select(Author)))
    towpath = db.session.scalars(select(Post).where(Post.slug == "walking-the-old-towpath")).one()
    assert towpath.status == "published" and towpath.kind == "post"
    assert "wp:paragraph" not in towpath.body_source and "[gallery" not in towpath.body_source
    assert "https://www.youtube" in towpath.body_source  # the embed became a link
    assert "<h2" in towpath.body_html

    page = client.get("/posts/walking-the-old-towpath")
    assert page.status_code == 200
    # Threads survive: a reply to a reply sits inside its parent's replies.
    assert page.text.count('class="comment-replies') >= 2
    home = client.get("/").text
    assert "Walking the Old Towpath" in home and ">About<" not in home
    assert client.get("/about").status_code == 200
    # Drafts and future posts stay hidden.
    for post in db.session.scalars(select(Post).where(Post.status != "published")):
        assert client.get(f"/posts/{post.slug}").status_code == 404


def test_held_and_spam_comments_are_kept_but_not_shown(
    runner: FlaskCliRunner, client: FlaskClient
) -> None:
    run(runner, "import", "wordpress", str(WORDPRESS))
    statuses = set(db.session.scalars(select(Comment.status)))
    assert {CommentStatus.APPROVED.value, CommentStatus.PENDING.value} <= statuses
    assert CommentStatus.SPAM.value in statuses
    hidden = db.session.scalars(
        select(Comment).where(Comment.status != CommentStatus.APPROVED.value)
    ).all()
    shown = client.get("/posts/walking-the-old-towpath").text
    for comment in hidden:
        assert comment.body_source[:30] not in shown


@pytest.mark.parametrize(
    "old",
    ["/2024/05/12/walking-the-old-towpath/", "/2024/05/12/walking-the-old-towpath", "/?p=10"],
)
def test_old_wordpress_addresses_answer_301(
    runner: FlaskCliRunner, client: FlaskClient, old: str
) -> None:
    run(runner, "import", "wordpress", str(WORDPRESS))
    response = client.get(old)
    if old.endswith("towpath"):  # not an address the old site had
        assert response.status_code == 404
        return
    assert response.status_code == 301
    assert response.headers["Location"] == "/posts/walking-the-old-towpath"
    assert client.get("/about/").headers["Location"] == "/about"
    assert client.get("/?page_id=2").headers["Location"] == "/about"
    listed = run(runner, "redirects", "list").output
    assert "/?p=10\t→ /posts/walking-the-old-towpath" in listed


def test_images_come_along_with_a_copy_of_uploads(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    uploads = tmp_path / "uploads" / "2024" / "05"
    uploads.mkdir(parents=True)
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(picture, format="JPEG")
    (uploads / "river.jpg").write_bytes(picture.getvalue())
    result = run(
        runner, "import", "wordpress", str(WORDPRESS), "--media", str(tmp_path / "uploads")
    )
    assert "1 image(s) copied" in result.output
    towpath = db.session.scalars(select(Post).where(Post.slug == "walking-the-old-towpath")).one()
    found = re.search(r"!\[[^\]]*\]\(/media/([0-9a-f]{32}-40x30\.jpg)\)", towpath.body_source)
    assert found and (Path(app.instance_path) / "media" / found.group(1)).exists()
    # The one not in the copy stays a link to the old site (our pages load only our images).
    brulee = db.session.scalars(select(Post).where(Post.slug == "cafe-notes-creme-brulee")).one()
    assert "![" not in brulee.body_source and "brulee-640x480.jpg)" in brulee.body_source


def test_without_media_old_images_become_links(runner: FlaskCliRunner) -> None:
    run(runner, "import", "wordpress", str(WORDPRESS))
    towpath = db.session.scalars(select(Post).where(Post.slug == "walking-the-old-towpath")).one()
    assert "![" not in towpath.body_source
    assert "wp-content/uploads/2024/05/river.jpg)" in towpath.body_source


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("wordpress-truncated.xml", None),
        ("not-xml.xml", "this is not an export\n"),
        (
            "entity.xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            "<rss><channel>&e;</channel></rss>",
        ),
    ],
)
def test_a_broken_file_changes_nothing(
    runner: FlaskCliRunner, make_post: Any, tmp_path: Path, name: str, content: str | None
) -> None:
    make_post("Already here")
    before = everything()
    path = FIXTURES / name if content is None else tmp_path / name
    if content is not None:
        path.write_text(content)
    result = runner.invoke(args=["import", "wordpress", str(path)])
    assert result.exit_code != 0
    message = result.output.strip().splitlines()
    assert len(message) == 1 and message[0].startswith("Error: ") and str(path) in message[0]
    assert everything() == before


def test_a_failure_while_writing_leaves_nothing_of_the_import(
    runner: FlaskCliRunner, make_post: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_post("Already here")
    before = everything()
    monkeypatch.setattr(importer, "POSTS_PER_TRANSACTION", 1)
    real = importer._store_post
    calls = {"n": 0}

    def fails_on_the_fourth(*args: Any, **kwargs: Any) -> Post:
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("the disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "_store_post", fails_on_the_fourth)
    result = runner.invoke(args=["import", "wordpress", str(WORDPRESS)])
    assert result.exit_code != 0
    assert everything() == before
    monkeypatch.setattr(importer, "_store_post", real)
    # And a later import still brings everything in.
    assert "Imported 5 post(s)" in run(runner, "import", "wordpress", str(WORDPRESS)).output


def test_slug_changes_leave_a_redirect(
    runner: FlaskCliRunner, client: FlaskClient, author: Author, make_post: Any
) -> None:
    post = make_post("First name")
    save_post(
        author,
        post,
        title="First name",
        slug="second-name",
        summary="",
        body="Text.",
        tags=[],
        status=PostStatus.PUBLISHED,
        publish_at=None,
    )
    assert client.get("/posts/first-name").headers["Location"] == "/posts/second-name"
    run(runner, "redirects", "add", "/old/place.html", "second-name")
    assert client.get("/old/place.html").headers["Location"] == "/posts/second-name"
    assert runner.invoke(args=["redirects", "add", "/x", "no-such-post"]).exit_code != 0
    run(runner, "redirects", "remove", "/old/place.html")
    assert client.get("/old/place.html").status_code == 404


# --- Blogger -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "posts", "pages", "old", "new"),
    [
        (
            "blogger-atom.xml",
            3,
            1,
            "/2024/03/broad-beans-cafe-notes-first-frost.html",
            "/posts/broad-beans-cafe-notes-first-frost",
        ),
        (
            "blogger-takeout.atom",
            2,
            1,
            "/2023/11/warping-loom-without-tears.html",
            "/posts/warping-loom-without-tears",
        ),
    ],
)
def test_blogger_import_then_again(
    runner: FlaskCliRunner,
    client: FlaskClient,
    name: str,
    posts: int,
    pages: int,
    old: str,
    new: str,
) -> None:
    first = run(runner, "import", "blogger", str(FIXTURES / name))
    assert f"Imported {posts} post(s), {pages} page(s)" in first.output
    after_first = everything()
    again = run(runner, "import", "blogger", str(FIXTURES / name))
    assert "Imported 0 post(s), 0 page(s), 0 comment(s) and 0 new author(s)" in again.output
    assert everything() == after_first
    response = client.get(old)
    assert response.status_code == 301 and response.headers["Location"] == new
    article = client.get(new)
    assert article.status_code == 200 and 'rel="tag"' in article.text
    # The draft stays a draft, out of sight.
    draft = db.session.scalars(select(Post).where(Post.status == "draft")).one()
    assert draft.published_at is None
    assert draft.title not in client.get("/").text


def test_blogger_comment_threads_and_labels(runner: FlaskCliRunner, client: FlaskClient) -> None:
    run(runner, "import", "blogger", str(FIXTURES / "blogger-atom.xml"))
    post = db.session.scalars(
        select(Post).where(Post.slug == "broad-beans-cafe-notes-first-frost")
    ).one()
    comments = db.session.scalars(select(Comment).where(Comment.post_id == post.id)).all()
    assert len(comments) == 3
    replies = [comment for comment in comments if comment.parent_id is not None]
    assert replies and all(reply.root_id is not None for reply in replies)
    assert {tag.name for tag in post.tags} == {"Vegetables", "weather"}
    assert "café" in post.title


def test_a_broken_blogger_file_changes_nothing(runner: FlaskCliRunner, make_post: Any) -> None:
    make_post("Already here")
    before = everything()
    path = FIXTURES / "blogger-truncated.xml"
    result = runner.invoke(args=["import", "blogger", str(path)])
    assert result.exit_code != 0
    assert len(result.output.strip().splitlines()) == 1 and str(path) in result.output
    assert everything() == before


# --- JSON export and import ---------------------------------------------------------------------


def comparable(path: Path) -> dict[str, Any]:
    """An export without the moment it was made."""
    document = json.loads(path.read_text())
    document.pop("exported_at")
    return dict(document)


def test_json_round_trip_sqlite_to_postgres(
    app: Flask,
    runner: FlaskCliRunner,
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    author: Author,
    make_comment: Any,
) -> None:
    run(runner, "demo", "load")
    run(runner, "import", "wordpress", str(WORDPRESS))
    post = db.session.scalars(select(Post).where(Post.slug == "walking-the-old-towpath")).one()
    # The second save changes only the cover's description: the version it replaces, cover
    # and all, becomes a revision.
    for alt in ("The towpath", "The towpath at dusk"):
        save_post(
            author,
            post,
            title="Walking the Old Towpath",
            slug="towpath",
            summary="s",
            body="New text.",
            tags=["Walks"],
            status=PostStatus.PUBLISHED,
            publish_at=None,
            cover_image="/media/" + "c" * 32 + "-40x30.jpg",
            cover_alt=alt,
        )
    trashed = db.session.scalars(select(Post).where(Post.slug != "towpath").limit(1)).one()
    gave_away = trashed.slug
    move_to_trash(trashed)
    # A new post takes the trashed one's address: it steps aside, remembering it.
    save_post(
        author,
        None,
        title="In its place",
        slug=gave_away,
        summary="",
        body="Here now.",
        tags=[],
        status=PostStatus.PUBLISHED,
        publish_at=None,
    )
    own_reply = make_comment(post, "Thanks, from the author.", name=author.name)
    own_reply.author_id = author.id
    held = make_comment(post, "Held for its links.", status=CommentStatus.PENDING)
    held.held_reason = "3 links"
    db.session.commit()
    first = tmp_path / "first.json"
    exported = run(runner, "export", str(first))
    assert "Exported" in exported.output
    document = json.loads(first.read_text())
    assert document["format"] == "blog-export" and "password_hash" not in document["authors"][0]
    assert document["revisions"] and document["redirects"]
    rows = {row["slug"]: row for row in document["posts"]}
    assert rows["towpath"]["cover_image"] == "/media/" + "c" * 32 + "-40x30.jpg"
    covers = {(row["cover_image"], row["cover_alt"]) for row in document["revisions"]}
    assert ("/media/" + "c" * 32 + "-40x30.jpg", "The towpath") in covers
    assert rows[trashed.slug]["status"] == "trashed" and rows[trashed.slug]["trashed_at"]
    assert rows[trashed.slug]["slug_before_trash"] == gave_away != trashed.slug
    comments = {row["body"]: row for row in document["comments"]}
    assert comments["Thanks, from the author."]["author_id"] == author.id
    assert comments["Held for its links."]["held_reason"] == "3 links"

    monkeypatch.setenv("DATABASE_URL", postgres_url)
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path / "pg-instance"))
    postgres = create_app({"TESTING": True, "DEMO_CONTENT_ON_EMPTY": False})
    prepare_database(postgres)
    pg_runner = postgres.test_cli_runner()
    with postgres.app_context():
        loaded = pg_runner.invoke(args=["import", "json", str(first)])
        assert loaded.exit_code == 0, loaded.output
        second = tmp_path / "second.json"
        assert pg_runner.invoke(args=["export", str(second)]).exit_code == 0
        # The ids carried over leave PostgreSQL's sequences ready for new rows.
        again = pg_runner.invoke(args=["import", "json", str(first)])
        assert again.exit_code != 0 and "has posts already" in again.output
        served = postgres.test_client().get("/posts/towpath")
        assert served.status_code == 200
        assert postgres.test_client().get("/2024/05/12/walking-the-old-towpath/").status_code == 301
        db.session.remove()
        db.engine.dispose()
    assert comparable(second) == comparable(first)


def test_json_import_refuses_a_blog_with_posts_and_foreign_files(
    runner: FlaskCliRunner, make_post: Any, tmp_path: Path
) -> None:
    export = tmp_path / "blog.json"
    run(runner, "export", str(export))
    make_post("Mine")
    result = runner.invoke(args=["import", "json", str(export)])
    assert result.exit_code != 0 and "has posts already" in result.output
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}')
    result = runner.invoke(args=["import", "json", str(other)])
    assert result.exit_code != 0 and "not a blog export" in result.output


def test_export_with_secrets_is_owner_only(
    runner: FlaskCliRunner, author: Author, tmp_path: Path
) -> None:
    author.password_hash = "scrypt:secret"
    db.session.commit()
    export = tmp_path / "secret.json"
    run(runner, "export", str(export), "--with-secrets")
    assert json.loads(export.read_text())["authors"][0]["password_hash"] == "scrypt:secret"
    assert stat.S_IMODE(export.stat().st_mode) == 0o600


def test_readers_comment_while_a_large_import_runs(
    app: Flask, runner: FlaskCliRunner, make_post: Any, tmp_path: Path
) -> None:
    post = make_post("Open while importing")
    export = tmp_path / "big.xml"
    posts = write_wxr(export, 600_000)
    with comments_arriving(app, post.slug, at_least=1) as codes:
        result = run(runner, "import", "wordpress", str(export))
    assert f"Imported {posts} post(s)" in result.output
    assert codes and set(codes) == {303}, set(codes)


def test_pages_can_join_the_header_navigation(app: Flask, runner: FlaskCliRunner) -> None:
    run(runner, "import", "wordpress", str(WORDPRESS))
    app.config["NAVIGATION"] = [("About", "/about")]
    client = app.test_client()
    assert '<li><a href="/about" aria-current="page">About</a></li>' in client.get("/about").text
    assert '<li><a href="/about">About</a></li>' in client.get("/").text


def test_the_editor_links_a_page_to_its_own_address(
    app: Flask, runner: FlaskCliRunner, author: Author
) -> None:
    run(runner, "import", "wordpress", str(WORDPRESS))
    page = db.session.scalars(select(Post).where(Post.slug == "about")).one()
    author.role = "editor"
    author.password_hash = cheap_password_hash("long enough password")
    db.session.commit()
    editor = app.test_client()
    form = {"email": author.email, "password": "long enough password"}
    assert editor.post("/account/sign-in", data=form).status_code == 303
    assert 'href="/about">View on the blog' in editor.get(f"/editor/posts/{page.id}").text
    assert 'href="/about">View<span' in editor.get("/editor/?show=all").text


def _wxr_item(number: int, comments: list[tuple[int, int]]) -> str:
    """A published post named like every other one here, with comments (id, parent id)."""
    replies = "".join(
        f"<wp:comment><wp:comment_id>{ident}</wp:comment_id>"
        f"<wp:comment_author>Reader {ident}</wp:comment_author>"
        f"<wp:comment_date_gmt>2020-01-0{number} 1{ident % 10}:00:00</wp:comment_date_gmt>"
        f"<wp:comment_content>Words number {ident}.</wp:comment_content>"
        f"<wp:comment_approved>1</wp:comment_approved>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
        for ident, parent in comments
    )
    return (
        f"<item><title>Same title</title><link>https://old.example/?p={number}</link>"
        f"<dc:creator>bench</dc:creator><content:encoded>Body {number}.</content:encoded>"
        f"<wp:post_id>{number}</wp:post_id>"
        f"<wp:post_date_gmt>2020-01-0{number} 09:00:00</wp:post_date_gmt>"
        f"<wp:post_name>same-title</wp:post_name><wp:status>publish</wp:status>"
        f"<wp:post_type>post</wp:post_type>"
        f'<category domain="post_tag" nicename="fresh">Fresh tag</category>{replies}</item>'
    )


def test_posts_stored_together_stay_apart(runner: FlaskCliRunner, tmp_path: Path) -> None:
    # One transaction holds all three posts: same slug, same new tag, threads three deep.
    thread = [(10, 0), (11, 10), (12, 11), (13, 0)]
    export = tmp_path / "together.xml"
    export.write_text(
        HEAD
        + _wxr_item(1, thread)
        + _wxr_item(2, [(20, 0), (21, 20)])
        + _wxr_item(3, [])
        + "</channel></rss>\n"
    )
    first = run(runner, "import", "wordpress", str(export))
    assert "Imported 3 post(s), 0 page(s), 6 comment(s)" in first.output
    slugs = db.session.scalars(select(Post.slug).order_by(Post.id)).all()
    assert slugs == ["same-title", "same-title-2", "same-title-3"]
    assert db.session.scalars(select(Tag.slug)).all() == ["fresh-tag"]
    assert count(Redirect) == 3

    def threads() -> dict[str, tuple[str | None, str | None]]:
        """Each comment's parent and thread root, by its text."""
        by_id = {comment.id: comment for comment in db.session.scalars(select(Comment))}
        return {
            comment.body_source: (
                by_id[comment.parent_id].body_source if comment.parent_id else None,
                by_id[comment.root_id].body_source if comment.root_id else None,
            )
            for comment in by_id.values()
        }

    imported = threads()
    assert imported["Words number 12."] == ("Words number 11.", "Words number 10.")
    assert imported["Words number 21."] == ("Words number 20.", "Words number 20.")
    assert imported["Words number 13."] == (None, None)
    # Replies removed (with what the import noted of them) come back under the comments kept.
    replies = select(Comment.id).where(Comment.parent_id.is_not(None))
    gone = [str(n) for n in (11, 12, 21)]
    db.session.execute(delete(Comment).where(Comment.id.in_(replies)))
    db.session.execute(delete(ImportedItem).where(ImportedItem.source_id.in_(gone)))
    db.session.commit()
    again = run(runner, "import", "wordpress", str(export))
    assert "Imported 0 post(s), 0 page(s), 3 comment(s)" in again.output
    db.session.expire_all()
    assert threads() == imported
    assert [post.comment_count for post in db.session.scalars(select(Post).order_by(Post.id))] == [
        4,
        2,
        0,
    ]
