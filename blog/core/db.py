"""Database connection settings and write transactions that take the lock up front."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.pool import Pool

from blog.extensions import db


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turn on foreign keys and WAL so readers never wait on a writer."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # We issue BEGIN ourselves (below), so the driver's own implicit transactions are off.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Connection) -> None:
    """Start SQLite transactions explicitly; a write transaction takes the write lock at once.

    A deferred transaction that reads and then writes can fail with "database is locked" when
    another process wrote in between; one that starts with BEGIN IMMEDIATE waits its turn
    (busy_timeout) and then sees the latest data.
    """
    if connection.dialect.name != "sqlite":
        return
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    if not immediate:
        connection.exec_driver_sql("BEGIN")
        return
    _take_write_turn(connection)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _end_write_turn(connection.connection.info)
        raise


# Writers take turns on a lock file first, then on SQLite's own lock. SQLite's busy handler
# polls, sleeping up to 100 ms between tries, so writers from several server processes that
# meet on its lock wait far longer than the writes take (comment posting ran at a quarter of
# its speed); a blocked flock() wakes the moment the turn before it ends.
_TURN = "blog.write_turn"


def _take_write_turn(connection: Connection) -> None:
    database = connection.engine.url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    turn = os.open(database + ".write-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(turn, fcntl.LOCK_EX)
    except BaseException:
        os.close(turn)
        raise
    connection.connection.info[_TURN] = turn


def _end_write_turn(info: dict[Any, Any]) -> None:
    turn = info.pop(_TURN, None)
    if turn is not None:
        os.close(turn)  # closing the descriptor ends the flock


# The turn ends when the session hands its connection back, right after COMMIT or ROLLBACK
# (ending it in the "commit" event would be too early: that runs before the COMMIT itself).
@event.listens_for(Pool, "checkin")
@event.listens_for(Pool, "invalidate")
@event.listens_for(Pool, "close")
def _connection_back(_dbapi_connection: Any, record: Any, *_args: Any) -> None:
    """A connection back in the pool (or gone) keeps no write turn."""
    if record is not None:
        _end_write_turn(record.info)


WRITE_OPTION = "blog_write_transaction"
# Any fixed number: on PostgreSQL, comment writes queue on this transaction-scoped lock.
_POSTGRES_WRITE_LOCK = 7_351_001


def begin_write(keep_loaded: bool = False) -> None:
    """Make the session's next transaction a write transaction holding the lock up front.

    Call it before the request's first query, so that checks (rate limits, duplicates) and
    the insert that follows them see one consistent state that no other process can change.
    The transaction before it ends; what it loaded is read again when next used, unless
    `keep_loaded`: for a caller that checks again under the lock whatever it relies on (a
    comment being posted: its post was read to find it, and is not read twice).
    """
    session = db.session()
    if session.in_transaction():
        _commit(keep_loaded)
    connection = session.connection(execution_options={WRITE_OPTION: True})
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_WRITE_LOCK}
        )


def _commit(keep_loaded: bool) -> None:
    """Commit the session; `keep_loaded`: without expiring what it loaded."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = expire and not keep_loaded
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


@contextmanager
def write_transaction(keep_loaded: bool = False) -> Iterator[None]:
    """Run the block in one write transaction: committed at the end, rolled back on any error.

    `keep_loaded`: see `begin_write`; what was loaded stays loaded past the final commit too,
    for a caller that reads again whatever it shows afterwards.
    """
    begin_write(keep_loaded)
    try:
        yield
        _commit(keep_loaded)
    except BaseException:
        db.session.rollback()
        raise
