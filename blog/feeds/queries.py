"""Typed read queries for feeds and the sitemap (a fixed number of statements each)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from blog.core.models import Author, Post, PostKind, Tag, post_tags
from blog.core.posts import is_article, is_visible
from blog.extensions import db


def feed_posts(limit: int, tag: Tag | None = None, author: Author | None = None) -> list[Post]:
    """The newest visible posts (of a tag, or of an author), with authors and tags."""
    query = (
        select(Post)
        .where(is_visible(), is_article())
        .options(joinedload(Post.author), selectinload(Post.tags))
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(limit)
    )
    if tag is not None:
        query = query.where(
            Post.id.in_(select(post_tags.c.post_id).where(post_tags.c.tag_id == tag.id))
        )
    if author is not None:
        query = query.where(Post.author_id == author.id)
    return list(db.session.scalars(query))


def visible_count() -> int:
    """How many posts and pages readers can see."""
    return int(db.session.scalar(select(func.count(Post.id)).where(is_visible())) or 0)


def sitemap_posts(offset: int, limit: int) -> Sequence[tuple[str, str, datetime]]:
    """(kind, slug, last change) of visible posts and pages, oldest first, one slice."""
    return db.session.execute(
        select(Post.kind, Post.slug, Post.updated_at)
        .where(is_visible())
        .order_by(Post.id)
        .offset(offset)
        .limit(limit)
    ).all()


def sitemap_tags() -> Sequence[tuple[str, datetime]]:
    """(slug, newest change) of every tag with a visible post."""
    return db.session.execute(
        select(Tag.slug, func.max(Post.updated_at))
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .join(Post, Post.id == post_tags.c.post_id)
        .where(is_visible(), Post.kind == PostKind.POST.value)
        .group_by(Tag.slug)
        .order_by(Tag.slug)
    ).all()
