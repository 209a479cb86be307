"""Database connection settings and write transactions that take the lock up front."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event, text

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
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


WRITE_OPTION = "blog_write_transaction"
# Any fixed number: on PostgreSQL, comment writes queue on this transaction-scoped lock.
_POSTGRES_WRITE_LOCK = 7_351_001


def begin_write() -> None:
    """Make the session's next transaction a write transaction holding the lock up front.

    Call it before the request's first query, so that checks (rate limits, duplicates) and
    the insert that follows them see one consistent state that no other process can change.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    connection = session.connection(execution_options={WRITE_OPTION: True})
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_WRITE_LOCK}
        )


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block in one write transaction: committed at the end, rolled back on any error."""
    begin_write()
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
