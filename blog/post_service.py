"""Writing posts: validation beyond the form, tags, publication state, revisions, images."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select

from blog.database import write_transaction
from blog.extensions import db
from blog.markdown import render_post
from blog.models import Author, Post, PostRevision, PostStatus, Tag, utcnow
from blog.text import slugify, split_tags


class PostRejected(Exception):
    """A save that cannot happen, with the field to show the message at."""

    def __init__(self, message: str, field: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


def _tags(names: list[str]) -> list[Tag]:
    slugs = [slugify(name) for name in names]
    existing = {
        tag.slug: tag for tag in db.session.scalars(select(Tag).where(Tag.slug.in_(slugs)))
    }
    return [
        existing.get(slug) or Tag(name=name, slug=slug)
        for name, slug in zip(names, slugs, strict=True)
    ]


@dataclass(frozen=True)
class PreviewTag:
    """A tag as the article template reads it."""

    name: str
    slug: str


@dataclass(frozen=True)
class PreviewPost:
    """A post that is not stored, with all that the article template reads.

    Previews and revisions go through the article's own template block and sanitizer.
    """

    title: str
    slug: str
    summary: str
    body_html: str
    author: Author
    tags: list[PreviewTag]
    published_at: datetime
    updated_at: datetime
    id: None = None


def draft_post(author: Author, *, title: str, slug: str, summary: str, body: str,
               tags: list[str]) -> PreviewPost:  # fmt: skip
    """What the preview shows for the text as typed."""
    now = utcnow()
    return PreviewPost(
        title=title or "Untitled",
        slug=slug or slugify(title) or "untitled",
        summary=summary,
        body_html=render_post(body),
        author=author,
        tags=[PreviewTag(name, slugify(name)) for name in tags],
        published_at=now,
        updated_at=now,
    )


def _keep_revision(post: Post, author: Author) -> None:
    db.session.add(
        PostRevision(
            post_id=post.id,
            title=post.title,
            slug=post.slug,
            summary=post.summary,
            body_source=post.body_source,
            tags=", ".join(tag.name for tag in post.tags),
            saved_by_id=author.id,
        )
    )


def save_post(
    author: Author,
    post: Post | None,
    *,
    title: str,
    slug: str,
    summary: str,
    body: str,
    tags: list[str],
    status: PostStatus,
    publish_at: datetime | None,
) -> Post:
    """Create or update a post; a published post's previous version becomes a revision."""
    slug = slug or slugify(title, max_length=200)
    if not slug:
        raise PostRejected("Please give the post a web address (slug).", "slug")
    with write_transaction():
        other = post.id if post else 0
        taken = db.session.scalar(
            select(func.count(Post.id)).where(Post.slug == slug, Post.id != other)
        )
        if taken:
            raise PostRejected(
                f"Another post already uses /posts/{slug}; please choose another.", "slug", 409
            )
        now = utcnow()
        if post is None:
            post = Post(author=author, created_at=now)
            db.session.add(post)
        elif post.status == PostStatus.PUBLISHED.value:
            _keep_revision(post, author)
        if status is PostStatus.DRAFT:
            published_at = None
        elif status is PostStatus.SCHEDULED:
            if publish_at is None or publish_at <= now:
                raise PostRejected(
                    "Please choose a time in the future to publish at.", "publish_at"
                )
            published_at = publish_at
        else:
            was_live = post.status == PostStatus.PUBLISHED.value and post.published_at
            published_at = post.published_at if was_live else now
        post.title = title
        post.slug = slug
        post.summary = summary
        post.body_source = body
        post.body_html = render_post(body)
        post.tags = _tags(tags)
        post.status = status.value
        post.published_at = published_at
        post.updated_at = now
    return post


def delete_post(post: Post) -> None:
    """Delete a post with its comments and revisions."""
    post_id = post.id
    with write_transaction():
        db.session.execute(delete(Post).where(Post.id == post_id))


def restore_revision(revision: PostRevision, author: Author) -> Post:
    """Make an old version current again (the version it replaces becomes a revision)."""
    post = db.session.get(Post, revision.post_id)
    assert post is not None
    return save_post(
        author,
        post,
        title=revision.title,
        slug=revision.slug,
        summary=revision.summary,
        body=revision.body_source,
        tags=split_tags(revision.tags),
        status=PostStatus(post.status),
        publish_at=post.published_at,
    )


# --- images ---------------------------------------------------------------------------------------

IMAGE_TYPES = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def media_dir() -> Path:
    """Where uploaded images live: inside the instance folder, never in the code tree."""
    folder = Path(current_app.instance_path) / "media"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_image(data: bytes) -> str:
    """Check that `data` is a whole PNG, JPEG, GIF or WebP image and store it; its file name.

    The format comes from decoding the content, never from the uploaded name.
    """
    from PIL import Image, UnidentifiedImageError

    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    if not data:
        raise PostRejected("Please choose an image file to upload.", "image")
    if len(data) > limit:
        raise PostRejected(f"Images can be at most {limit // (1024 * 1024)} MB.", "image", 413)
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = IMAGE_TYPES.get(image.format or "")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    if kind is None:
        raise PostRejected(
            "That file is not a PNG, JPEG, GIF or WebP image.", "image", 415
        )
    name = f"{hashlib.sha256(data).hexdigest()[:32]}.{kind}"
    target = media_dir() / name
    if not target.exists():
        temporary = target.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(target)  # atomic: a reader never sees half a file
    return name
