"""The search index's tables, triggers and columns, for each database we run on.

SQLite: an FTS5 table over the posts' title and plain text (`content='posts'`: the words are
stored once, in posts), kept in step by triggers, so every writer (editor, import, demo, a
hand-run UPDATE) updates it. PostgreSQL: a generated `tsvector` column with a GIN index, which
the database keeps in step by itself. Either way the title weighs more than the body.

These objects are not in the models (the other database has no use for them); `include_object`
tells Alembic's comparison to leave them alone.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

FTS_TABLE = "post_search"
VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "ix_posts_search_vector"
# Title words alone (PostgreSQL): a common word's title hits are found without ranking them all.
TITLE_INDEX = "ix_posts_title_vector"
# Stemming for English ("comments" finds "comment"); words of other languages still match whole.
POSTGRES_CONFIG = "english"
SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"

_SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_insert": f"""
        CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON posts BEGIN
          INSERT INTO {FTS_TABLE}(rowid, title, body_text)
          VALUES (new.id, new.title, new.body_text);
        END""",
    f"{FTS_TABLE}_delete": f"""
        CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON posts BEGIN
          INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body_text)
          VALUES ('delete', old.id, old.title, old.body_text);
        END""",
    f"{FTS_TABLE}_update": f"""
        CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF title, body_text ON posts BEGIN
          INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body_text)
          VALUES ('delete', old.id, old.title, old.body_text);
          INSERT INTO {FTS_TABLE}(rowid, title, body_text)
          VALUES (new.id, new.title, new.body_text);
        END""",
}


def remove(connection: Connection) -> None:
    """Drop whatever there is of the index (and its triggers, which would fail without it)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"DROP INDEX IF EXISTS {TITLE_INDEX}"))
        connection.execute(text(f"DROP INDEX IF EXISTS {VECTOR_INDEX}"))
        connection.execute(text(f"ALTER TABLE posts DROP COLUMN IF EXISTS {VECTOR_COLUMN}"))
        return
    for trigger in _SQLITE_TRIGGERS:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
    connection.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))


def install(connection: Connection) -> None:
    """Create (or re-create) the index for this database and fill it from the posts."""
    remove(connection)
    if connection.dialect.name == "postgresql":
        _install_postgres(connection)
    else:
        _install_sqlite(connection)


def _install_sqlite(connection: Connection) -> None:
    connection.execute(
        text(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body_text, "
            f"content='posts', content_rowid='id', tokenize='{SQLITE_TOKENIZER}')"
        )
    )
    for ddl in _SQLITE_TRIGGERS.values():
        connection.execute(text(ddl))
    connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))


def _install_postgres(connection: Connection) -> None:
    connection.execute(
        text(
            f"ALTER TABLE posts ADD COLUMN {VECTOR_COLUMN} tsvector GENERATED ALWAYS AS ("
            f"setweight(to_tsvector('{POSTGRES_CONFIG}', coalesce(title, '')), 'A') || "
            f"setweight(to_tsvector('{POSTGRES_CONFIG}', coalesce(body_text, '')), 'B')"
            ") STORED"
        )
    )
    connection.execute(text(f"CREATE INDEX {VECTOR_INDEX} ON posts USING gin ({VECTOR_COLUMN})"))
    connection.execute(
        text(
            f"CREATE INDEX {TITLE_INDEX} ON posts USING gin "
            f"(to_tsvector('{POSTGRES_CONFIG}', coalesce(title, '')))"
        )
    )
    # Fresh statistics, or the planner guesses at the new column and scans every post.
    connection.execute(text("ANALYZE posts"))


def missing(connection: Connection) -> list[str]:
    """The parts of the index this database lacks (empty when search is whole)."""
    if connection.dialect.name == "postgresql":
        found = set(
            connection.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = 'posts'"))
        )
        return [name for name in (VECTOR_INDEX, TITLE_INDEX) if name not in found]
    names = set(
        connection.scalars(
            text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        )
    )
    return [name for name in (FTS_TABLE, *_SQLITE_TRIGGERS) if name not in names]


def include_object(
    _object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    """For Alembic's comparison of database and models: skip the search index's own objects."""
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE):
        return False
    return not (
        (type_ == "column" and name == VECTOR_COLUMN)
        or (type_ == "index" and name in (VECTOR_INDEX, TITLE_INDEX))
    )
