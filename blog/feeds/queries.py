"""Typed read queries for feeds and the sitemap (a fixed number of statements each)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from blog.core.counts import TAG
from blog.core.models import Author, Post, PostKind, Tag, post_tags, utcnow
from blog.core.posts import by_author, every_post, is_visible, listing_posts, listing_size, tagged
from blog.core.records import ListingCount
from blog.extensions import db


def feed_posts(limit: int, tag: Tag | None = None, author: Author | None = None) -> list[Post]:
    """The newest visible posts (of a tag, or of an author), with authors and tags."""
    if tag is not None:
        listing = tagged(tag.id)
    elif author is not None:
        listing = by_author(author.id)
    else:
        listing = every_post()
    return listing_posts(listing, 0, limit)


def posts_count() -> int:
    """How many posts readers can see (kept: see core.counts)."""
    return listing_size(every_post())


def sitemap_pages() -> list[tuple[str, datetime]]:
    """(slug, last change) of the visible pages (About, Contact...): a handful."""
    rows = db.session.execute(
        select(Post.slug, Post.updated_at).where(Post.kind == PostKind.PAGE.value, is_visible())
    ).all()
    return sorted((slug, updated) for slug, updated in rows)


def sitemap_posts(offset: int, limit: int) -> list[tuple[str, datetime]]:
    """(slug, last change) of visible posts, oldest first, one slice (found on the index)."""
    ids = (
        select(Post.id)
        .where(Post.listed_at <= utcnow())
        .order_by(Post.listed_at, Post.id)
        .offset(offset)
        .limit(limit)
    )
    rows = db.session.execute(
        select(Post.listed_at, Post.id, Post.slug, Post.updated_at).where(Post.id.in_(ids))
    ).all()
    return [(slug, updated) for _, _, slug, updated in sorted(rows)]


def sitemap_tags(per_page: int) -> Sequence[tuple[str, datetime]]:
    """(slug, last change of its first page) of every tag with a visible post, by slug.

    A tag's address shows its newest `per_page` posts: the page changed when the latest of
    those did. Index lookups per tag, however many posts each has.
    """
    now = utcnow()
    newest = (
        select(post_tags.c.post_id)
        .where(post_tags.c.tag_id == Tag.id, post_tags.c.listed_at <= now)
        .order_by(post_tags.c.listed_at.desc(), post_tags.c.post_id.desc())
        .limit(per_page)
        .correlate(Tag)
    )
    changed = select(func.max(Post.updated_at)).where(Post.id.in_(newest)).scalar_subquery()
    in_use = select(ListingCount.key).where(ListingCount.scope == TAG, ListingCount.count > 0)
    rows = db.session.execute(
        select(Tag.slug, changed).where(Tag.id.in_(in_use)).order_by(Tag.slug)
    ).all()
    # A tag whose posts are all still to come (scheduled) has no visible post yet.
    return [(slug, when) for slug, when in rows if when is not None]
