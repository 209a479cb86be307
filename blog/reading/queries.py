"""Typed read queries for the reader pages; each runs a fixed number of SQL statements.

Listings (home, tag, author, month) cost the same at any size: their posts come from one index
walked newest first, their totals and the archive's and tag index's counts are kept
(`core.counts`, `core.posts.Listing`), less the few posts whose time has not come yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import func, select

from blog.core import counts
from blog.core.models import Author, Post, Tag, post_tags, utcnow
from blog.core.posts import (
    Listing,
    by_author,
    every_post,
    in_month,
    listing_posts,
    listing_size,
    tagged,
)
from blog.core.records import ListingCount
from blog.extensions import db


@dataclass(frozen=True)
class ListingPage:
    """One page of a listing, and where it stands among the listing's pages (for the pager)."""

    items: list[Post]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the listing fills."""
        return (self.total + self.per_page - 1) // self.per_page

    @property
    def has_prev(self) -> bool:
        """True past the first page."""
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        """The number of the page before, if any."""
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        """True before the last page."""
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        """The number of the page after, if any."""
        return self.page + 1 if self.has_next else None


def _page(listing: Listing, page: int, per_page: int) -> ListingPage:
    """One page of `listing`; a page below 1 or past the end is a 404, not an empty listing."""
    if page < 1:
        abort(404)
    now = utcnow()
    total = listing_size(listing, now)
    if page > 1 and (page - 1) * per_page >= total:
        abort(404)
    items = listing_posts(listing, (page - 1) * per_page, per_page, now)
    if not items and page > 1:
        abort(404)
    return ListingPage(items, page, per_page, total)


def home_page(page: int, per_page: int) -> ListingPage:
    """One page of the newest visible posts."""
    return _page(every_post(), page, per_page)


def tag_by_slug(slug: str) -> Tag | None:
    """The tag with this slug, if any."""
    return db.session.scalar(select(Tag).where(Tag.slug == slug))


def tag_page(tag: Tag, page: int, per_page: int) -> ListingPage:
    """One page of visible posts carrying `tag`."""
    return _page(tagged(tag.id), page, per_page)


def author_page(author: Author, page: int, per_page: int) -> ListingPage:
    """One page of one author's visible posts."""
    return _page(by_author(author.id), page, per_page)


def author_by_id(author_id: int) -> Author | None:
    """The author with this id, if any."""
    return db.session.get(Author, author_id)


def month_page(year: int, month: int, page: int, per_page: int) -> ListingPage:
    """One page of the visible posts published in that calendar month of the site zone."""
    return _page(in_month(year, month), page, per_page)


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
    """Every month (of the site zone's calendar) with a visible post, newest first."""
    months = counts.month_counts(utcnow())
    return [MonthCount(y, m, n) for (y, m), n in sorted(months.items(), reverse=True)]


@dataclass(frozen=True)
class TagCount:
    """A tag and how many visible posts carry it."""

    tag: Tag
    count: int


def tags_in_use() -> list[TagCount]:
    """Tags with at least one visible post, by name: kept counts, less posts not yet due."""
    rows = db.session.execute(
        select(Tag, ListingCount.count)
        .join(ListingCount, ListingCount.key == Tag.id)
        .where(ListingCount.scope == counts.TAG)
        .order_by(Tag.name)
    ).all()
    later: dict[int, int] = dict(
        db.session.execute(
            select(post_tags.c.tag_id, func.count())
            .where(post_tags.c.post_id.in_(select(Post.id).where(Post.listed_at > utcnow())))
            .group_by(post_tags.c.tag_id)
        ).all()
    )
    found = [TagCount(tag, int(n) - int(later.get(tag.id, 0))) for tag, n in rows]
    return [item for item in found if item.count > 0]
