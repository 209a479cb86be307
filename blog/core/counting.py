"""The ORM listeners that keep `core.counts` in step with every write (see its docstring).

A flush or bulk statement notes which posts and comments it touches, with each post's share of
the listing counts as it was first seen; just before the commit, the touched posts' comments
are counted again and their shares moved from what they were to what they are. A bulk INSERT
of comments (`session.execute(insert(Comment), rows)`, as an import does) notes the posts its
rows name; one whose rows cannot be read here (INSERT ... SELECT, a bulk INSERT of posts) has
everything rebuilt before the commit instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, event, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction
from sqlalchemy.orm.attributes import instance_state

from blog.core.counts import (
    AUTHOR,
    POSTS,
    TAG,
    Key,
    add_to_counts,
    chunks,
    month_key,
    month_scope,
    rebuild,
    recount_comments,
    relist,
)
from blog.core.localtime import local_month, site_zone
from blog.core.models import Comment, Post, post_tags

_posts = cast(Table, Post.__table__)
_comments = cast(Table, Comment.__table__)


@dataclass
class _Touched:
    """What this transaction changed, waiting for the commit."""

    # Posts touched, with their share of the listing counts when first touched (new: none).
    before: dict[int, Counter[Key]] = field(default_factory=dict)
    # Posts whose comments were added, changed or deleted.
    comments_of: set[int] = field(default_factory=set)
    # Rows went in that cannot be told (see the module docstring): rebuild everything.
    unknown: bool = False


_INFO = "blog.counts_touched"


def _touched(session: Session) -> _Touched:
    found = session.info.get(_INFO)
    if found is None:
        found = session.info[_INFO] = _Touched()
    return cast(_Touched, found)


def _shares(connection: Connection, ids: Collection[int]) -> dict[int, Counter[Key]]:
    """Each post's share of the listing counts, as the database holds it now."""
    shares: dict[int, Counter[Key]] = {ident: Counter() for ident in ids}
    zone, months = site_zone(), month_scope()
    for chunk in chunks(ids):
        listed = connection.execute(
            select(_posts.c.id, _posts.c.author_id, _posts.c.listed_at).where(
                _posts.c.id.in_(chunk), _posts.c.listed_at.is_not(None)
            )
        ).all()
        for ident, author_id, listed_at in listed:
            share = shares[ident]
            share[(POSTS, 0)] += 1
            share[(AUTHOR, author_id)] += 1
            share[(months, month_key(*local_month(listed_at, zone)))] += 1
        if listed:
            tags = connection.execute(
                select(post_tags.c.post_id, post_tags.c.tag_id).where(
                    post_tags.c.post_id.in_([row[0] for row in listed])
                )
            )
            for ident, tag_id in tags:
                shares[ident][(TAG, tag_id)] += 1
    return shares


def _first_touch(session: Session, ids: Collection[int]) -> None:
    """Note these posts' shares as they are before this transaction changes them."""
    touched = _touched(session)
    fresh = [ident for ident in ids if ident not in touched.before]
    if fresh:
        touched.before.update(_shares(session.connection(), fresh))


# What decides a post's place in listings, and whether a comment counts (and where).
_POST_LISTING = ("status", "kind", "published_at", "author_id", "author", "tags")
_COMMENT_COUNTED = ("status", "post_id", "post")


def _changed(thing: Post | Comment, names: tuple[str, ...]) -> bool:
    """True when any of these attributes of `thing` was changed since it was loaded."""
    attributes = instance_state(thing).attrs
    return any(attributes[name].history.has_changes() for name in names)


def _before_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    # Persistent rows about to change: the database still holds them as they were.
    posts: list[int] = []
    for thing in session.deleted:
        if isinstance(thing, Post):
            posts.append(thing.id)
        elif isinstance(thing, Comment):
            _touched(session).comments_of.add(thing.post_id)
    for thing in session.dirty:
        if isinstance(thing, Post) and _changed(thing, _POST_LISTING):
            posts.append(thing.id)
        elif isinstance(thing, Comment) and _changed(thing, _COMMENT_COUNTED):
            moved_from = instance_state(thing).attrs.post_id.history.deleted or ()
            _touched(session).comments_of.update({thing.post_id, *moved_from})
    if posts:
        _first_touch(session, posts)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    # New rows have their ids now; a new post had no share before.
    for thing in session.new:
        if isinstance(thing, Post):
            _touched(session).before.setdefault(thing.id, Counter())
        elif isinstance(thing, Comment):
            _touched(session).comments_of.add(thing.post_id)


def _bulk_change(state: ORMExecuteState) -> None:
    # UPDATE and DELETE statements bypass the flush (delete(Post), update(Comment).values(...)):
    # which rows they are about to change is asked first, with the same condition.
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    statement: Any = state.statement
    name = getattr(getattr(statement, "table", None), "name", None)
    if name not in (_posts.name, _comments.name):
        return
    if state.is_insert:
        # Bulk INSERTs bypass the flush too; the rows say which posts get comments.
        posts = _inserted_post_ids(state) if name == _comments.name else None
        if posts is None:
            _touched(state.session).unknown = True
        else:
            _touched(state.session).comments_of.update(posts)
        return
    counted = _POST_LISTING if name == _posts.name else _COMMENT_COUNTED
    if state.is_update and not _sets_any(statement, counted):
        return  # closing comments, erasing a commenter's name: no count moves
    where = statement.whereclause
    connection = state.session.connection()
    if name == _posts.name:
        query = select(_posts.c.id)
        ids = connection.scalars(query if where is None else query.where(where)).all()
        _first_touch(state.session, ids)
    else:
        query = select(_comments.c.post_id).distinct()
        ids = connection.scalars(query if where is None else query.where(where)).all()
        _touched(state.session).comments_of.update(ids)


def _inserted_post_ids(state: ORMExecuteState) -> set[int] | None:
    """The posts a bulk INSERT of comments adds to, or None when its rows cannot be read."""
    statement: Any = state.statement
    # Values in the statement itself (.values(...), INSERT ... SELECT) are not read here.
    if getattr(statement, "_values", None) or getattr(statement, "_multi_values", None):
        return None
    if getattr(statement, "select", None) is not None:
        return None
    given = state.parameters
    rows = [given] if given is None or isinstance(given, Mapping) else list(given)
    posts: set[int] = set()
    for row in rows:
        if not row or row.get("post_id") is None:
            return None
        posts.add(int(row["post_id"]))
    return posts


def _sets_any(statement: Any, names: tuple[str, ...]) -> bool:
    """Whether an UPDATE sets any of these columns (True when that cannot be told)."""
    values = getattr(statement, "_values", None)  # what .values() was given
    if not values:
        return True
    return any(getattr(column, "key", column) in names for column in values)


def _before_commit(session: Session) -> None:
    session.flush()  # what is still pending is part of this transaction too
    touched = session.info.pop(_INFO, None)
    if touched is None:
        return
    connection = session.connection()
    if touched.unknown:
        rebuild(connection)
        return
    recount_comments(connection, {ident for ident in touched.comments_of if ident is not None})
    if touched.before:
        relist(connection, touched.before)
        after = _shares(connection, touched.before)
        change: Counter[Key] = Counter()
        for ident, share in touched.before.items():
            change.update(after[ident])
            change.subtract(share)
        add_to_counts(connection, change)


def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed or rolled back: nothing more to keep
        session.info.pop(_INFO, None)


_LISTENERS: dict[str, Any] = {
    "before_flush": _before_flush,
    "after_flush": _after_flush,
    "do_orm_execute": _bulk_change,
    "before_commit": _before_commit,
    "after_transaction_end": _forget,
}


def listen() -> None:
    """Keep the counts for every ORM session (once per process)."""
    for name, listener in _LISTENERS.items():
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
