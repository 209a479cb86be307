"""Typed read queries for the reader pages; each runs a fixed number of SQL statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, extract, func, select
from sqlalchemy.orm import joinedload, selectinload, undefer

from blog.core.models import Author, Post, Tag, post_tags
from blog.core.posts import is_article, is_visible
from blog.extensions import db


def _listing() -> Select[Post]:
    """Visible posts, newest first, with author, tags and comment count loaded up front."""
    return (
        select(Post)
        .where(is_visible(), is_article())
        .options(joinedload(Post.author), selectinload(Post.tags), undefer(Post.comment_count))
        .order_by(Post.published_at.desc(), Post.id.desc())
    )


def _paginate(query: Select[Post], page: int, per_page: int) -> Pagination:
    # error_out: a page past the end, or below 1, is a 404 rather than an empty listing.
    return db.paginate(query, page=page, per_page=per_page, error_out=True, count=True)


def home_page(page: int, per_page: int) -> Pagination:
    """One page of the newest visible posts."""
    return _paginate(_listing(), page, per_page)


def tag_by_slug(slug: str) -> Tag | None:
    """The tag with this slug, if any."""
    return db.session.scalar(select(Tag).where(Tag.slug == slug))


def tag_page(tag: Tag, page: int, per_page: int) -> Pagination:
    """One page of visible posts carrying `tag`."""
    query = _listing().where(
        Post.id.in_(select(post_tags.c.post_id).where(post_tags.c.tag_id == tag.id))
    )
    return _paginate(query, page, per_page)


def author_page(author: Author, page: int, per_page: int) -> Pagination:
    """One page of one author's visible posts."""
    return _paginate(_listing().where(Post.author_id == author.id), page, per_page)


def author_by_id(author_id: int) -> Author | None:
    """The author with this id, if any."""
    return db.session.get(Author, author_id)


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1)
    if month < 12:
        return start, datetime(year, month + 1, 1)
    # December 9999 has no "next January": the end of time will do.
    return start, datetime(year + 1, 1, 1) if year < datetime.max.year else datetime.max


def month_page(year: int, month: int, page: int, per_page: int) -> Pagination:
    """One page of the visible posts published in that calendar month (UTC)."""
    start, end = _month_bounds(year, month)
    query = _listing().where(Post.published_at >= start, Post.published_at < end)
    return _paginate(query, page, per_page)


@dataclass(frozen=True)
class MonthCount:
    """A month of the archive and how many posts it holds."""

    year: int
    month: int
    count: int

    @property
    def date(self) -> datetime:
        """The first day of the month, for formatting."""
        return datetime(self.year, self.month, 1)


def archive_months() -> list[MonthCount]:
    """Every month with a visible post, newest first."""
    year = extract("year", Post.published_at)
    month = extract("month", Post.published_at)
    rows = db.session.execute(
        select(year, month, func.count(Post.id))
        .where(is_visible(), is_article())
        .group_by(year, month)
        .order_by(year.desc(), month.desc())
    )
    return [MonthCount(int(y), int(m), int(n)) for y, m, n in rows]


@dataclass(frozen=True)
class TagCount:
    """A tag and how many visible posts carry it."""

    tag: Tag
    count: int


def tags_in_use() -> list[TagCount]:
    """Tags with at least one visible post, by name."""
    count = func.count(Post.id)
    rows = db.session.execute(
        select(Tag, count)
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .join(Post, Post.id == post_tags.c.post_id)
        .where(is_visible(), is_article())
        .group_by(Tag.id)
        .order_by(Tag.name)
    )
    return [TagCount(tag, int(n)) for tag, n in rows]
