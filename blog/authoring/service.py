"""Writing posts: validation beyond the form, tags, publication state and revisions."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from blog.authoring.slugs import free_slug, take_slug
from blog.core.db import write_transaction
from blog.core.images import uploaded_or_none
from blog.core.markdown import render_post
from blog.core.models import Author, Limits, Post, PostRevision, PostStatus, utcnow
from blog.core.posts import remember_old_path, tags_named
from blog.core.text import slugify, split_tags
from blog.core.web import Refused
from blog.extensions import db


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
    cover_image: str | None = None
    cover_alt: str = ""
    id: None = None


def draft_post(
    author: Author,
    *,
    title: str,
    slug: str,
    summary: str,
    body: str,
    tags: list[str],
    cover_image: str | None = None,
    cover_alt: str = "",
) -> PreviewPost:
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
        cover_image=cover_image or None,
        cover_alt=cover_alt,
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
            cover_image=post.cover_image,
            cover_alt=post.cover_alt,
            saved_by_id=author.id,
        )
    )


@dataclass(frozen=True)
class Content:
    """What a save would make of a post's words and cover, to compare with what it has."""

    title: str
    slug: str
    summary: str
    body: str
    tags: list[str]
    cover_image: str | None
    cover_alt: str

    @classmethod
    def of_revision(cls, revision: PostRevision) -> Content:
        """A revision's words and cover; the cover only while its file is an upload of ours."""
        return cls(
            title=revision.title,
            slug=revision.slug,
            summary=revision.summary,
            body=revision.body_source,
            tags=split_tags(revision.tags),
            cover_image=uploaded_or_none(revision.cover_image),
            cover_alt=revision.cover_alt,
        )


def _content_changes(post: Post, content: Content) -> bool:
    """True when saving `content` would change the post's text, title, address, tags or cover."""
    was = (
        post.title,
        post.slug,
        post.summary,
        post.body_source,
        {tag.slug for tag in post.tags},
        post.cover_image,
        post.cover_alt if post.cover_image else "",
    )
    return was != (
        content.title,
        content.slug,
        content.summary,
        content.body,
        {slugify(name) for name in content.tags},
        content.cover_image,
        content.cover_alt if content.cover_image else "",
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
    cover_image: str | None = None,
    cover_alt: str = "",
) -> Post:
    """Create or update a post; its previous text becomes a revision when the text changes."""
    typed = bool(slug)
    slug = slug or slugify(title, max_length=Limits.POST_SLUG)
    if not slug:
        raise Refused("Please give the post a web address (slug).", 422, field="slug")
    with write_transaction():
        free = free_slug(slug, post.id if post else 0, trashed_give_way=True)
        if free != slug and typed:
            # Say which address is free, never which post (perhaps another author's draft)
            # holds the one asked for.
            raise Refused(
                f"That web address is taken. /posts/{free} is free: use it, or choose another.",
                409,
                field="slug",
            )
        slug = free
        take_slug(slug, post.id if post else 0)
        now = utcnow()
        if post is None:
            post = Post(author=author, created_at=now)
            db.session.add(post)
        elif _content_changes(
            post, Content(title, slug, summary, body, tags, cover_image or None, cover_alt)
        ):
            # Drafts keep their versions too; a save that changes no text (publishing, say)
            # keeps none, so Ctrl+S pressed twice does not fill the list.
            _keep_revision(post, author)
        if status is PostStatus.DRAFT:
            published_at = None
        elif status is PostStatus.SCHEDULED:
            if publish_at is None or publish_at <= now:
                raise Refused(
                    "Please choose a time in the future to publish at.", 422, field="publish_at"
                )
            published_at = publish_at
        else:
            was_live = post.status == PostStatus.PUBLISHED.value and post.published_at
            published_at = post.published_at if was_live else now
        if post.slug and post.slug != slug and post.published_at is not None:
            # Readers and search engines know the old address: it keeps leading here.
            remember_old_path(f"/posts/{post.slug}", post)
        post.title = title
        post.slug = slug
        post.summary = summary
        post.body_source = body
        post.body_html = render_post(body)
        post.tags = tags_named(tags)
        post.cover_image = cover_image or None
        post.cover_alt = cover_alt if cover_image else ""
        post.status = status.value
        post.published_at = published_at
        post.updated_at = now
    return post


def restore_revision(revision: PostRevision, author: Author) -> Post:
    """Make an old version current again (the version it replaces becomes a revision)."""
    post = db.session.get(Post, revision.post_id)
    assert post is not None
    return save_post(
        author,
        post,
        status=PostStatus(post.status),
        publish_at=post.published_at,
        **asdict(Content.of_revision(revision)),
    )
