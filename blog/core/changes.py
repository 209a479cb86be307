"""Every change readers could see moves the page cache's counter, in the same transaction.

Listening to the ORM, not to each feature: a new write path (an import, a command, a bulk
INSERT or UPDATE) cannot forget to invalidate, and a rolled-back change invalidates nothing it
did not commit. After the commit, the page files nginx serves are removed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from blog.core import cachestate, pagefiles
from blog.core.models import Author, Comment, Post, Redirect, Tag
from blog.core.records import SiteFlag

# What the reader pages show; sessions, rate-limit counters, revisions and the like are not.
SHOWN = (Post, Comment, Tag, Author, Redirect, SiteFlag)
SHOWN_TABLES = frozenset(model.__tablename__ for model in SHOWN) | {"post_tags"}
_CHANGED = "blog.pages_changed"


def _touches_shown(session: Session) -> bool:
    return any(
        isinstance(thing, SHOWN) for thing in (*session.new, *session.dirty, *session.deleted)
    )


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    # Decided before the flush empties new/dirty/deleted; bumped once per transaction.
    if not session.info.get(_CHANGED) and _touches_shown(session):
        session.info[_CHANGED] = "pending"


def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get(_CHANGED) == "pending":
        session.info[_CHANGED] = "bumped"
        cachestate.bump(session.connection())


def _bulk_change(state: ORMExecuteState) -> None:
    # Bulk statements bypass the flush (insert(Comment) with rows, delete(Post), update(Post)).
    written = state.is_insert or state.is_update or state.is_delete
    if not written or state.session.info.get(_CHANGED) == "bumped":
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in SHOWN_TABLES:
        state.session.info[_CHANGED] = "bumped"
        cachestate.bump(state.session.connection())


def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, None) == "bumped" and has_app_context():
        pagefiles.files_for(current_app).clear()


def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)


_LISTENERS: dict[str, Callable[..., Any]] = {
    "before_flush": _before_flush,
    "after_flush": _after_flush,
    "do_orm_execute": _bulk_change,
    "after_commit": _after_commit,
    "after_rollback": _after_rollback,
}


def listen() -> None:
    """Watch every ORM session for changes readers could see (once per process)."""
    for name, listener in _LISTENERS.items():
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
