"""Typed read queries for the reader pages; each runs a fixed number of SQL statements."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Integer, Select, String, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload, selectinload, undefer
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from blog.core.localtime import local_month, month_bounds, month_start, next_month, site_zone
from blog.core.models import Author, Post, Tag, post_tags, utcnow
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


def month_page(year: int, month: int, page: int, per_page: int) -> Pagination:
    """One page of the visible posts published in that calendar month of the site zone."""
    start, end = month_bounds(year, month)
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


# The archive follows the site zone's months, while SQL sees only UTC. A UTC day from the 2nd to
# the 27th lies wholly inside its UTC month's local month (zone offsets stay under a day), so
# SQL counts those days per UTC month. Only a month's first and last UTC days can hold a local
# month boundary; those are counted per day, and per "part": how many of the times of day at
# which the zone's months begin in UTC (a handful: one per offset it has had at midnight) the
# post comes at or after. Python then puts each part on its side of that day's boundary. One
# scan, a few rows per month however many posts. A boundary at a time of day missing from the
# list (a month outside 1970-2100) costs a second query, for those days only.
_EDGE_DAYS = (1, 28, 29, 30, 31)
_BOUNDARY_YEARS = range(1970, 2101)

# A UTC day: the local month it starts in, and the time of day ("HH:MM:SS") the next begins.
_Split = dict[tuple[int, int, int], tuple[tuple[int, int], str]]


# Pieces of a naive UTC time in SQL, written for each database: SQLite keeps a DateTime as the
# text "YYYY-MM-DD HH:MM:SS.ffffff", and slicing it is several times cheaper than strftime;
# PostgreSQL has a timestamp. The month comes as year * 100 + month, the day as a number, the
# time of day as "HH:MM:SS" (which compares in order as text).
_PIECES: dict[str, tuple[str, str]] = {
    "utc_month": (
        "CAST(substr({0}, 1, 4) || substr({0}, 6, 2) AS INTEGER)",
        "CAST(extract(year FROM {0}) * 100 + extract(month FROM {0}) AS INTEGER)",
    ),
    "utc_day": ("CAST(substr({0}, 9, 2) AS INTEGER)", "CAST(extract(day FROM {0}) AS INTEGER)"),
    "utc_time": ("substr({0}, 12, 8)", "to_char({0}, 'HH24:MI:SS')"),
}


class _UtcPiece(FunctionElement[Any]):
    """A piece of a naive UTC time column (see _PIECES)."""

    inherit_cache = True


class _UtcMonth(_UtcPiece):
    """The year and month in UTC, as year * 100 + month."""

    name = "utc_month"
    inherit_cache = True
    type = Integer()


class _UtcDay(_UtcPiece):
    """The day of the month, in UTC."""

    name = "utc_day"
    inherit_cache = True
    type = Integer()


class _UtcTime(_UtcPiece):
    """The time of day in UTC, as "HH:MM:SS"."""

    name = "utc_time"
    inherit_cache = True
    type = String()


@compiles(_UtcPiece)
def _piece_sqlite(element: _UtcPiece, compiler: SQLCompiler, **kw: Any) -> str:
    return _PIECES[element.name][0].format(compiler.process(element.clauses, **kw))


@compiles(_UtcPiece, "postgresql")
def _piece_postgresql(element: _UtcPiece, compiler: SQLCompiler, **kw: Any) -> str:
    return _PIECES[element.name][1].format(compiler.process(element.clauses, **kw))


@functools.lru_cache(maxsize=16)
def _boundary_times(zone: tzinfo) -> tuple[str, ...]:
    """The UTC times of day at which the zone's months began in 1970-2100, but midnight."""
    times = {
        f"{month_start(year, month, zone):%H:%M:%S}"
        for year in _BOUNDARY_YEARS
        for month in range(1, 13)
    }
    return tuple(sorted(times - {"00:00:00"}))


def _pieces() -> tuple[ColumnElement[int], ColumnElement[int], ColumnElement[str]]:
    """The published time's UTC month (year * 100 + month), day of month and "HH:MM:SS"."""
    column = Post.published_at
    return _UtcMonth(column), _UtcDay(column), _UtcTime(column)


def _part(time_of_day: ColumnElement[str], times: tuple[str, ...]) -> ColumnElement[int]:
    """How many of `times` (ascending "HH:MM:SS") a post's UTC time of day is at or after."""
    steps = [(time_of_day >= moment, index + 1) for index, moment in enumerate(times)]
    return case(*reversed(steps), else_=0)


def archive_months() -> list[MonthCount]:
    """Every month (of the site zone's calendar) with a visible post, newest first."""
    zone = site_zone()
    now = utcnow()
    times = _boundary_times(zone)
    year_month, day, time_of_day = _pieces()
    edge = day.in_(_EDGE_DAYS)
    part = case((edge, _part(time_of_day, times)), else_=0) if times else literal(0)
    rows = db.session.execute(
        select(
            year_month.label("archive_month"),
            case((edge, day), else_=0).label("archive_day"),
            part.label("archive_part"),
            func.count(Post.id),
        )
        .where(is_visible(now), is_article())
        .group_by("archive_month", "archive_day", "archive_part")
    ).all()
    counts: Counter[tuple[int, int]] = Counter()
    unlisted: _Split = {}
    for ym, d, p, count in rows:
        (y, m), d, after, n = divmod(int(ym), 100), int(d), int(p), int(count)
        if d == 0:
            counts[(y, m)] += n
            continue
        day_start = datetime(y, m, d)
        here = local_month(day_start, zone)
        boundary = month_start(*next_month(*here), zone)
        if not day_start < boundary < day_start + timedelta(days=1):
            counts[here] += n
        elif (moment := f"{boundary:%H:%M:%S}") in times:
            counts[next_month(*here) if after > times.index(moment) else here] += n
        else:
            counts[here] += n
            unlisted[(y, m, d)] = (here, moment)
    if unlisted:
        for key, later in _counted_after_boundaries(unlisted, now).items():
            here, _ = unlisted[key]
            counts[here] -= later
            counts[next_month(*here)] += later
    return [MonthCount(y, m, n) for (y, m), n in sorted(counts.items(), reverse=True) if n > 0]


def _counted_after_boundaries(split: _Split, now: datetime) -> dict[tuple[int, int, int], int]:
    """For each split UTC day, how many of its posts come at or after its month boundary."""
    times = tuple(sorted({moment for _, moment in split.values()}))
    year_month, day, time_of_day = _pieces()
    rows = db.session.execute(
        select(
            year_month.label("archive_month"),
            day.label("archive_day"),
            _part(time_of_day, times).label("archive_part"),
            func.count(Post.id),
        )
        .where(is_visible(now), is_article(), day.in_(_EDGE_DAYS))
        .group_by("archive_month", "archive_day", "archive_part")
    )
    later: Counter[tuple[int, int, int]] = Counter()
    for ym, d, p, n in rows:
        key = (*divmod(int(ym), 100), int(d))
        if key in split and int(p) > times.index(split[key][1]):
            later[key] += int(n)
    return dict(later)


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
