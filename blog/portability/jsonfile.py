"""The blog as one JSON file: everything to move it to another machine or another database.

Format (`"format": "blog-export", "version": 1`): lists of `authors`, `tags`, `posts` (and
pages, `kind`), `revisions`, `comments` and `redirects`, each row with its id and the ids it
refers to, times as ISO 8601 UTC, Markdown sources only (HTML is rendered again on import, by
the sanitizer of the importing version), and `media`, the uploaded files' names. Password
hashes are left out unless asked for. Ids are kept, so comment links (`#comment-12`) survive.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select, text

from blog.core.db import write_transaction
from blog.core.images import uploaded_image
from blog.core.markdown import render_comment, render_post
from blog.core.models import (
    Author,
    Comment,
    Limits,
    Post,
    PostRevision,
    PostStatus,
    Redirect,
    Tag,
    post_tags,
    utcnow,
)
from blog.core.text import content_digest
from blog.core.web import Refused
from blog.extensions import db
from blog.media.service import CONTENT_TYPES, media_dir, restore_file
from blog.portability.source import ImportFileError

FORMAT = "blog-export"
VERSION = 1


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="microseconds") + "Z" if value else None


def _parse_time(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).removesuffix("Z"))
    except ValueError:
        raise ImportFileError(f"{where}: {value!r} is not a time") from None


def export_blog(with_secrets: bool = False) -> dict[str, Any]:
    """Everything in the blog, as the JSON document described above."""
    authors = db.session.scalars(select(Author).order_by(Author.id)).all()
    posts = db.session.scalars(select(Post).order_by(Post.id)).all()
    tag_ids: dict[int, list[int]] = {}
    for post_id, tag_id in db.session.execute(
        select(post_tags.c.post_id, post_tags.c.tag_id).order_by(
            post_tags.c.post_id, post_tags.c.tag_id
        )
    ):
        tag_ids.setdefault(post_id, []).append(tag_id)
    folder = Path(current_app.config["MEDIA_DIR"])
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _time(utcnow()),
        "authors": [
            {
                "id": author.id,
                "email": author.email,
                "name": author.name,
                "bio": author.bio,
                "role": author.role,
                "created_at": _time(author.created_at),
                **({"password_hash": author.password_hash} if with_secrets else {}),
            }
            for author in authors
        ],
        "tags": [
            {"id": tag.id, "name": tag.name, "slug": tag.slug}
            for tag in db.session.scalars(select(Tag).order_by(Tag.id))
        ],
        "posts": [
            {
                "id": post.id,
                "kind": post.kind,
                "title": post.title,
                "slug": post.slug,
                "summary": post.summary,
                "body": post.body_source,
                "status": post.status,
                "published_at": _time(post.published_at),
                "created_at": _time(post.created_at),
                "updated_at": _time(post.updated_at),
                "author_id": post.author_id,
                "tag_ids": tag_ids.get(post.id, []),
                "cover_image": post.cover_image,
                "cover_alt": post.cover_alt,
                "trashed_at": _time(post.trashed_at),
                "status_before_trash": post.status_before_trash,
                "slug_before_trash": post.slug_before_trash,
            }
            for post in posts
        ],
        "revisions": [
            {
                "id": revision.id,
                "post_id": revision.post_id,
                "title": revision.title,
                "slug": revision.slug,
                "summary": revision.summary,
                "body": revision.body_source,
                "tags": revision.tags,
                "cover_image": revision.cover_image,
                "cover_alt": revision.cover_alt,
                "created_at": _time(revision.created_at),
                "saved_by_id": revision.saved_by_id,
            }
            for revision in db.session.scalars(select(PostRevision).order_by(PostRevision.id))
        ],
        "comments": [
            {
                "id": comment.id,
                "post_id": comment.post_id,
                "parent_id": comment.parent_id,
                "root_id": comment.root_id,
                "author_name": comment.author_name,
                "author_email": comment.author_email,
                "author_website": comment.author_website,
                "body": comment.body_source,
                "status": comment.status,
                "created_at": _time(comment.created_at),
                "edited_at": _time(comment.edited_at),
                # The signed-in author who wrote it (the "Author" mark), and why it was held.
                "author_id": comment.author_id,
                "held_reason": comment.held_reason,
            }
            for comment in db.session.scalars(select(Comment).order_by(Comment.id))
        ],
        "redirects": [
            {"old_path": redirect.old_path, "post_id": redirect.post_id}
            for redirect in db.session.scalars(select(Redirect).order_by(Redirect.old_path))
        ],
        "media": sorted(
            item.name for item in folder.glob("*.*") if item.suffix[1:] in CONTENT_TYPES
        )
        if folder.is_dir()
        else [],
    }


def write_export(
    path: Path, with_secrets: bool = False, media: Path | None = None
) -> dict[str, int]:
    """Write the export to `path` (and copy the media files into `media`); what it holds."""
    document = export_blog(with_secrets)
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    if with_secrets:
        temporary.chmod(0o600)
    temporary.replace(path)
    if media is not None:
        media.mkdir(parents=True, exist_ok=True)
        for name in document["media"]:
            shutil.copyfile(media_dir() / name, media / name)
    return {name: len(document[name]) for name in ("authors", "posts", "comments", "media")}


def _rows(document: dict[str, Any], name: str) -> list[dict[str, Any]]:
    rows = document.get(name, [])
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ImportFileError(f'"{name}" must be a list of objects')
    return rows


def read_export(path: Path) -> dict[str, Any]:
    """The document in `path`, checked to be ours; ImportFileError (one line) if not."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFileError(f"cannot read it: {error}") from None
    except json.JSONDecodeError as error:
        raise ImportFileError(f"line {error.lineno}: not JSON ({error.msg})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportFileError(f'not a blog export (no "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise ImportFileError(
            f"export version {document.get('version')!r}; this blog reads {VERSION}"
        )
    return document


def _cover(row: dict[str, Any], where: str) -> dict[str, Any]:
    """A post's or revision's cover image and its description (none in older exports)."""
    cover = row.get("cover_image")
    if cover is not None and not (isinstance(cover, str) and uploaded_image(cover)):
        raise ImportFileError(f"{where}: cover_image {cover!r} is not an uploaded image")
    return {"cover_image": cover, "cover_alt": str(row.get("cover_alt") or "")[: Limits.IMAGE_ALT]}


def _cover_and_trash(row: dict[str, Any], where: str) -> dict[str, Any]:
    """A post's cover image and trash state, as exports since both were added write them."""
    trashed_at = _parse_time(row.get("trashed_at"), where)
    if (str(row["status"]) == PostStatus.TRASHED.value) != (trashed_at is not None):
        raise ImportFileError(f"{where}: a trashed post needs trashed_at, and only it")
    return {
        **_cover(row, where),
        "trashed_at": trashed_at,
        "status_before_trash": row.get("status_before_trash"),
        "slug_before_trash": _slug_before_trash(row, trashed_at is not None, where),
    }


def _slug_before_trash(row: dict[str, Any], trashed: bool, where: str) -> str | None:
    """The address a trashed post gave away (exports since it was added write it)."""
    slug = row.get("slug_before_trash")
    if slug is None:
        return None
    if not trashed or not isinstance(slug, str) or not 0 < len(slug) <= Limits.POST_SLUG:
        raise ImportFileError(f"{where}: slug_before_trash is for a trashed post's address")
    return slug


def import_blog(document: dict[str, Any], media: Path | None = None) -> dict[str, int]:
    """Load an export into a blog that has no posts yet, in one transaction; what it added."""
    if db.session.scalar(select(func.count(Post.id))):
        raise ImportFileError(
            "this blog has posts already: a JSON import fills an empty blog "
            "(remove the demo with `flask --app blog demo remove` first)"
        )
    authors = _rows(document, "authors")
    tags = _rows(document, "tags")
    posts = _rows(document, "posts")
    revisions = _rows(document, "revisions")
    comments = _rows(document, "comments")
    redirects = _rows(document, "redirects")
    names = [str(name) for name in document.get("media", [])]
    if media is not None:
        for name in names:
            try:
                restore_file(name, (media / name).read_bytes())
            except (OSError, Refused) as error:
                raise ImportFileError(f"media {name}: {getattr(error, 'message', error)}") from None
    try:
        with write_transaction():
            author_ids = _load_authors(authors)
            tag_ids = _load_tags(tags)
            tag_objects = {tag.id: tag for tag in db.session.scalars(select(Tag))}
            for row in posts:
                where = f"post {row.get('id')}"
                post = Post(
                    id=int(row["id"]),
                    kind=str(row.get("kind", "post")),
                    title=str(row["title"]),
                    slug=str(row["slug"]),
                    summary=str(row.get("summary", "")),
                    body_source=str(row["body"]),
                    body_html=render_post(str(row["body"])),
                    status=str(row["status"]),
                    published_at=_parse_time(row.get("published_at"), where),
                    created_at=_parse_time(row.get("created_at"), where) or utcnow(),
                    updated_at=_parse_time(row.get("updated_at"), where) or utcnow(),
                    author_id=author_ids[int(row["author_id"])],
                    tags=[tag_objects[tag_ids[int(tag)]] for tag in row.get("tag_ids", [])],
                    **_cover_and_trash(row, where),
                )
                db.session.add(post)
            db.session.flush()
            covers = {int(row["id"]): _cover(row, f"post {row['id']}") for row in posts}
            for row in revisions:
                # Exports from before revisions kept covers: the post's, as migration 0018 did.
                cover = (
                    _cover(row, f"revision {row.get('id')}")
                    if "cover_image" in row
                    else covers.get(int(row["post_id"]), {})
                )
                db.session.add(
                    PostRevision(
                        id=int(row["id"]),
                        post_id=int(row["post_id"]),
                        title=str(row["title"]),
                        slug=str(row["slug"]),
                        summary=str(row.get("summary", "")),
                        body_source=str(row["body"]),
                        tags=str(row.get("tags", "")),
                        **cover,
                        created_at=_parse_time(row.get("created_at"), "revision") or utcnow(),
                        saved_by_id=author_ids.get(int(row["saved_by_id"]))
                        if row.get("saved_by_id") is not None
                        else None,
                    )
                )
            seen: set[tuple[int, str]] = set()
            for row in sorted(comments, key=lambda item: int(item["id"])):
                where = f"comment {row.get('id')}"
                body = str(row["body"])
                digest = content_digest(body)
                if (int(row["post_id"]), digest) in seen:
                    # The same words twice on one post: the later one needs its own fingerprint.
                    digest = content_digest(f"{body}\n{row['id']}")
                seen.add((int(row["post_id"]), digest))
                db.session.add(
                    Comment(
                        id=int(row["id"]),
                        post_id=int(row["post_id"]),
                        parent_id=row.get("parent_id"),
                        root_id=row.get("root_id"),
                        author_name=str(row["author_name"]),
                        author_email=row.get("author_email"),
                        author_website=row.get("author_website"),
                        body_source=body,
                        body_html=render_comment(body),
                        body_digest=digest,
                        status=str(row["status"]),
                        created_at=_parse_time(row.get("created_at"), where) or utcnow(),
                        edited_at=_parse_time(row.get("edited_at"), where),
                        author_id=author_ids.get(int(row["author_id"]))
                        if row.get("author_id") is not None
                        else None,
                        held_reason=str(row["held_reason"])[: Limits.HELD_REASON]
                        if row.get("held_reason")
                        else None,
                    )
                )
                db.session.flush()
            for row in redirects:
                db.session.add(Redirect(old_path=str(row["old_path"]), post_id=int(row["post_id"])))
            _advance_sequences()
    except (KeyError, TypeError, ValueError) as error:
        raise ImportFileError(f"a row lacks or mistypes {error}") from None
    return {
        "authors": len(authors),
        "posts": len(posts),
        "comments": len(comments),
        "media": len(names),
    }


def _load_authors(rows: list[dict[str, Any]]) -> dict[int, int]:
    """Authors by email (an account that exists here is kept): export id -> id here."""
    found: dict[int, int] = {}
    for row in rows:
        email = str(row["email"]).lower()
        author = db.session.scalar(select(Author).where(func.lower(Author.email) == email))
        taken = db.session.get(Author, int(row["id"])) is not None
        if author is None:
            author = Author(
                id=None if taken else int(row["id"]),
                email=email,
                name=str(row["name"]),
                bio=str(row.get("bio", "")),
                role=str(row.get("role", "author")),
                password_hash=row.get("password_hash"),
                created_at=_parse_time(row.get("created_at"), "author") or utcnow(),
            )
            db.session.add(author)
            db.session.flush()
        found[int(row["id"])] = author.id
    return found


def _load_tags(rows: list[dict[str, Any]]) -> dict[int, int]:
    """Tags by slug (a tag that exists here is kept): export id -> id here."""
    found: dict[int, int] = {}
    for row in rows:
        tag = db.session.scalar(select(Tag).where(Tag.slug == str(row["slug"])))
        if tag is None:
            taken = db.session.get(Tag, int(row["id"])) is not None
            tag = Tag(
                id=None if taken else int(row["id"]), name=str(row["name"]), slug=str(row["slug"])
            )
            db.session.add(tag)
            db.session.flush()
        found[int(row["id"])] = tag.id
    return found


def _advance_sequences() -> None:
    """On PostgreSQL, rows inserted with their own ids leave the id sequences behind."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("posts", "comments", "post_revisions", "authors", "tags", "redirects"):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        )
