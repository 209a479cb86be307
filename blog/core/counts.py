"""Counts kept on rows, in the transaction that changes them, so that no reader page counts.

What is kept:
- `posts.comment_count`: the post's approved comments;
- `posts.listed_at` and its copy in `post_tags`: when the post shows in listings (its
  `published_at`, for a published or scheduled post that is not a page; None otherwise), so
  that every listing walks an index newest first and stops after its page;
- `listing_counts`: how many listed posts each listing holds (all posts, each tag, each author,
  each month of the site zone), for the pagers, the archive and the tag index.

Kept by listening to the ORM (`core.counting`) rather than by each feature (as `core.changes`
does for the page cache), so that no write path can forget: a flush that adds, changes or
deletes a post or a comment, and a bulk INSERT, UPDATE or DELETE of posts or comments run
through the session, mark what they touch. Just before the commit, each touched post's approved
comments are counted again (one index range: no +1/-1 that could drift), and each touched
post's share of the listing counts is taken out as it was when the transaction first touched it
and put back as it is now.
A rolled-back transaction changes nothing. Only SQL run on a bare connection (a bulk load, a
migration) goes around this: call `rebuild` after it.

The listing counts include listed posts whose time has not come (scheduled, or imported with
a date ahead). Readers subtract those, which are few and found by one index range
(`listed_at > now`): a scheduled post's time arriving needs no write anywhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any, Final, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import ScalarSelect
from sqlalchemy.sql.expression import cast as sql_cast

from blog.core.db import write_transaction
from blog.core.localtime import local_month, site_zone, zone_name
from blog.core.models import Comment, CommentStatus, Post, PostKind, PostStatus, post_tags
from blog.core.months import count_by_month
from blog.core.records import ListingCount
from blog.extensions import db

POSTS: Final = "posts"
TAG: Final = "tag"
AUTHOR: Final = "author"
_MONTHS: Final = "month "
# Under each month scope, key 0 says "built": months are kept for one site zone at a time.
_BUILT: Final = 0
LISTED_STATUSES: Final = (PostStatus.PUBLISHED.value, PostStatus.SCHEDULED.value)
_CHUNK = 500

_posts = cast(Table, Post.__table__)
_comments = cast(Table, Comment.__table__)
_counts = cast(Table, ListingCount.__table__)

Key = tuple[str, int]
_T = TypeVar("_T")


def month_scope() -> str:
    """The listing-count scope of the months of the site zone (TIMEZONE) in force."""
    return _MONTHS + zone_name()


def month_key(year: int, month: int) -> int:
    """A month's key under its scope."""
    return year * 100 + month


def listed_at_of() -> ColumnElement[datetime | None]:
    """What `posts.listed_at` holds, computed in SQL from the row's status, kind and date."""
    listed = and_(_posts.c.kind == PostKind.POST.value, _posts.c.status.in_(LISTED_STATUSES))
    return case((listed, _posts.c.published_at), else_=null())


def chunks(items: Collection[_T]) -> Iterator[list[_T]]:
    """`items` a few hundred at a time, for IN lists of any length."""
    listed = list(items)
    for start in range(0, len(listed), _CHUNK):
        yield listed[start : start + _CHUNK]


def _approved_of_row() -> ScalarSelect[int]:
    """The approved comments of the posts row being updated."""
    return (
        select(func.count())
        .select_from(_comments)
        .where(
            _comments.c.post_id == _posts.c.id,
            _comments.c.status == CommentStatus.APPROVED.value,
        )
        .scalar_subquery()
    )


def _listed_at_of_tag_row() -> ScalarSelect[datetime | None]:
    """The listed_at of the post of the post_tags row being updated."""
    return select(_posts.c.listed_at).where(_posts.c.id == post_tags.c.post_id).scalar_subquery()


def recount_comments(connection: Connection, post_ids: Collection[int]) -> None:
    """Count each post's approved comments again (one index range each)."""
    for chunk in chunks(post_ids):
        connection.execute(_RECOUNT, {"posts": chunk})


# Built once, as core.posts explains: it runs with every comment posted. updated_at is named,
# or its onupdate would date the post to this comment.
_RECOUNT = (
    update(_posts)
    .where(_posts.c.id.in_(bindparam("posts", expanding=True)))
    .values(comment_count=_approved_of_row(), updated_at=_posts.c.updated_at)
)


def relist(connection: Connection, post_ids: Collection[int]) -> None:
    """Set listed_at, on the posts and their tag rows, from what the posts are now."""
    for chunk in chunks(post_ids):
        value = listed_at_of()
        connection.execute(
            update(_posts)
            .where(_posts.c.id.in_(chunk), _posts.c.listed_at.is_distinct_from(value))
            .values(listed_at=value, updated_at=_posts.c.updated_at)
        )
        copied = _listed_at_of_tag_row()
        connection.execute(
            update(post_tags)
            .where(post_tags.c.post_id.in_(chunk), post_tags.c.listed_at.is_distinct_from(copied))
            .values(listed_at=copied)
        )


def _upsert(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Add each row's count to the count kept under its scope and key (made if missing)."""
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(_counts).values(rows)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[_counts.c.scope, _counts.c.key],
            set_={"count": _counts.c.count + statement.excluded.count},
        )
    )


def add_to_counts(connection: Connection, change: Counter[Key]) -> None:
    """Apply `change` to the listing counts (building the months first if they are not)."""
    change = Counter({key: n for key, n in change.items() if n})
    if not change:
        return
    months = month_scope()
    if any(scope == months for scope, _ in change) and not _months_built(connection, months):
        # Built from the posts as they are now, this transaction's changes included.
        _build_months(connection)
        change = Counter({key: n for key, n in change.items() if key[0] != months})
    _upsert(connection, [{"scope": s, "key": k, "count": n} for (s, k), n in change.items()])
    for chunk in chunks(list(change)):
        connection.execute(
            delete(_counts).where(
                tuple_(_counts.c.scope, _counts.c.key).in_(chunk), _counts.c.count == 0
            )
        )


def _months_built(connection: Connection, scope: str) -> bool:
    built = exists().where(_counts.c.scope == scope, _counts.c.key == _BUILT)
    return bool(connection.scalar(select(built)))


def _build_months(connection: Connection) -> None:
    """Count every listed post by month of the site zone, replacing any zone's months."""
    scope = month_scope()
    months = count_by_month(
        connection, _posts.c.listed_at, _posts.c.listed_at.is_not(None), site_zone()
    )
    connection.execute(delete(_counts).where(_counts.c.scope.startswith(_MONTHS)))
    rows = [{"scope": scope, "key": _BUILT, "count": 0}]
    rows += [
        {"scope": scope, "key": month_key(*month), "count": n} for month, n in months.items() if n
    ]
    connection.execute(insert(_counts), rows)


def rebuild(connection: Connection) -> None:
    """Compute everything kept here again from the rows (after a bulk load in plain SQL).

    The months are built for the site zone when an app is at hand, else on first use.
    """
    # Only rows that are wrong are written: on a live blog, a recount locks and rewrites little.
    approved, listed = _approved_of_row(), listed_at_of()
    connection.execute(
        update(_posts)
        .where(
            _posts.c.comment_count.is_distinct_from(approved)
            | _posts.c.listed_at.is_distinct_from(listed)
        )
        .values(comment_count=approved, listed_at=listed, updated_at=_posts.c.updated_at)
    )
    copied = _listed_at_of_tag_row()
    connection.execute(
        update(post_tags)
        .where(post_tags.c.listed_at.is_distinct_from(copied))
        .values(listed_at=copied)
    )
    connection.execute(delete(_counts))
    in_listings = _posts.c.listed_at.is_not(None)
    columns = [_counts.c.scope, _counts.c.key, _counts.c.count]
    for query in (
        select(literal(POSTS), literal(0), func.count()).where(in_listings),
        select(literal(AUTHOR), _posts.c.author_id, func.count())
        .where(in_listings)
        .group_by(_posts.c.author_id),
        select(literal(TAG), post_tags.c.tag_id, func.count())
        .where(post_tags.c.listed_at.is_not(None))
        .group_by(post_tags.c.tag_id),
    ):
        connection.execute(insert(_counts).from_select(columns, query))
    if _app_at_hand():
        _build_months(connection)


def _app_at_hand() -> bool:
    try:
        site_zone()
    except RuntimeError:  # outside an application context
        return False
    return True


# --- reading them --------------------------------------------------------------------------


def kept_total(scope: str, key: int, not_yet_due: Select[int]) -> int:
    """The listed posts kept under (scope, key), less those not yet due: one statement.

    `not_yet_due` counts that listing's posts with `listed_at > now` (an index range).
    """
    kept = select(_counts.c.count).where(_counts.c.scope == scope, _counts.c.key == key)
    columns = [func.coalesce(kept.scalar_subquery(), 0), not_yet_due.scalar_subquery()]
    months = scope.startswith(_MONTHS)
    if months:  # and whether the months are kept yet (for this site zone)
        built = exists().where(_counts.c.scope == scope, _counts.c.key == _BUILT)
        columns.append(built)
    row = db.session.execute(select(*columns)).one()
    if months and not row[2]:
        ensure_months()
        return kept_total(scope, key, not_yet_due)
    return max(int(row[0]) - int(row[1] or 0), 0)


def ensure_months() -> None:
    """Build the months of the site zone unless kept already (first use, or a new TIMEZONE)."""
    with write_transaction():
        connection = db.session.connection()
        if not _months_built(connection, month_scope()):
            _build_months(connection)


def month_counts(now: datetime) -> Counter[tuple[int, int]]:
    """Listed posts due by `now`, per (year, month) of the site zone, in one statement."""
    zone, scope = site_zone(), month_scope()
    kept = select(_counts.c.key, _counts.c.count, sql_cast(null(), DateTime).label("due"))
    due = select(literal(-1), literal(0), _posts.c.listed_at).where(_posts.c.listed_at > now)
    rows = db.session.execute(union_all(kept.where(_counts.c.scope == scope), due)).all()
    if not any(key == _BUILT and when is None for key, _, when in rows):
        ensure_months()
        return month_counts(now)
    counts: Counter[tuple[int, int]] = Counter()
    for key, n, when in rows:
        if when is not None:
            counts[local_month(when, zone)] -= 1
        elif key != _BUILT:
            counts[divmod(int(key), 100)] += int(n)
    return +counts  # months whose posts are all still to come drop out
