"""The page cache's counter: one row every change readers could see moves (`core.changes`).

Every server process reads it before serving a stored copy; `bump` moves it in the writer's
transaction, `bump_if_due` when a scheduled post's time has come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Connection, DateTime, Engine, bindparam, text

from blog.core.models import PostStatus, utcnow
from blog.core.pagefiles import files_for
from blog.extensions import db


@dataclass(frozen=True)
class State:
    """The counter every change bumps, and when the next scheduled post goes live."""

    generation: int
    next_due: datetime | None


class StateReader:
    """Reads `cache_state` on a pooled connection (a hit costs one small query)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def read(self) -> State | None:
        """The current state, or None when it cannot be read (then nothing is served)."""
        try:
            connection = self.engine.raw_connection()
            try:
                cursor = connection.cursor()
                cursor.execute("SELECT generation, next_due FROM cache_state WHERE id = 1")
                row = cursor.fetchone()
                cursor.close()
            finally:
                connection.close()  # back to the pool (its transaction rolled back)
        except Exception:  # any failure means "serve nothing stored"
            return None
        if row is None:
            return State(0, None)  # no change counted yet (`bump` makes the row)
        return State(int(row[0]), _as_datetime(row[1]))


def _as_datetime(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


# When the next scheduled post goes live (None: no post is waiting).
_NEXT_DUE = (
    "(SELECT min(published_at) FROM posts WHERE status = :scheduled AND published_at > :now)"
)


def _bump_params() -> dict[str, object]:
    return {"scheduled": PostStatus.SCHEDULED.value, "now": utcnow()}


def _with_now(statement: str) -> Any:
    return text(statement).bindparams(bindparam("now", type_=DateTime()))


def bump(connection: Connection) -> None:
    """Move the counter on, in the caller's transaction: every stored copy is now out of date."""
    moved = connection.execute(
        _with_now(
            f"UPDATE cache_state SET generation = generation + 1, next_due = {_NEXT_DUE} "
            "WHERE id = 1"
        ),
        _bump_params(),
    ).rowcount
    if not moved:  # the row is gone (a database emptied by hand): counting starts again at 1
        connection.execute(
            _with_now(
                f"INSERT INTO cache_state (id, generation, next_due) VALUES (1, 1, {_NEXT_DUE})"
            ),
            _bump_params(),
        )


def bump_if_due() -> bool:
    """If a scheduled post's time has come, bump the counter (once, whoever gets here first)."""
    with db.engine.begin() as connection:
        moved = connection.execute(
            _with_now(
                f"UPDATE cache_state SET generation = generation + 1, next_due = {_NEXT_DUE} "
                "WHERE id = 1 AND next_due IS NOT NULL AND next_due <= :now"
            ),
            _bump_params(),
        ).rowcount
    if moved:
        files_for(current_app).clear()
    return bool(moved)
