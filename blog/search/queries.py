"""What a reader typed, made safe, and the one search interface over both databases.

A reader's text never reaches the database's query language: it is cut into words (letters and
digits only), each quoted, so quotes, `*`, `NEAR(`, `AND OR` and the like are only words or
nothing. Ids of one page are found first (ranked, title hits first), then highlighted: the
costly snippet is made for ten posts, never for every match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.orm import joinedload, selectinload

from blog.core.models import Limits, Post, PostKind, PostStatus, utcnow
from blog.extensions import db
from blog.search.schema import FTS_TABLE, POSTGRES_CONFIG, VECTOR_COLUMN

_WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 12
MAX_WORD = 64
# The shortest last word matched as a prefix ("sourd" finds "sourdough") as the reader types.
PREFIX_FROM = 3
# Counting stops here: "more than 1,000 results" costs what a page of results costs.
COUNT_LIMIT = 1000
# Where a highlighted word starts and ends in what the database hands back; never in post text
# (control characters are stripped from it), and turned into <mark> only after escaping.
START, STOP = "\x02", "\x03"
SNIPPET_WORDS = 32


@dataclass(frozen=True)
class SearchQuery:
    """A reader's search: the text as typed (cleaned), the words searched for, or what is wrong."""

    text: str
    words: tuple[str, ...]
    error: str | None = None

    @property
    def empty(self) -> bool:
        """True when there is nothing to search for."""
        return not self.words


def parse_query(raw: str) -> SearchQuery:
    """The reader's text as a search; too long is refused, control characters are spaces."""
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in raw).split())
    if len(raw) > Limits.SEARCH:
        return SearchQuery(
            cleaned[: Limits.SEARCH],
            (),
            f"That search is {len(raw):,} characters long; please search for at most "
            f"{Limits.SEARCH} characters (a few words work best).",
        )
    words = tuple(dict.fromkeys(w[:MAX_WORD] for w in _WORD.findall(cleaned.casefold())))
    return SearchQuery(cleaned, words[:MAX_WORDS])


@dataclass(frozen=True)
class SearchHit:
    """One matching post, its title and a passage of its text with the words marked."""

    post: Post
    title: Markup
    snippet: Markup


@dataclass(frozen=True)
class SearchPage:
    """One page of results."""

    hits: list[SearchHit]
    page: int
    per_page: int
    has_next: bool
    total: int  # capped at COUNT_LIMIT + 1

    @property
    def first_number(self) -> int:
        """The position of this page's first hit among all results."""
        return (self.page - 1) * self.per_page + 1

    @property
    def total_is_capped(self) -> bool:
        """True when there are more results than were counted."""
        return self.total > COUNT_LIMIT


def marked(raw: str) -> Markup:
    """Database highlighting as safe HTML: everything escaped, then the markers become <mark>."""
    out: list[str] = []
    open_ = False
    for part in re.split(f"([{START}{STOP}])", raw):
        if part == START and not open_:
            out.append("<mark>")
            open_ = True
        elif part == STOP and open_:
            out.append("</mark>")
            open_ = False
        elif part not in (START, STOP):
            out.append(str(escape(part)))
    if open_:
        out.append("</mark>")
    return Markup("".join(out))


def _visible_params(now: datetime) -> dict[str, object]:
    return {
        "now": now,
        "published": PostStatus.PUBLISHED.value,
        "scheduled": PostStatus.SCHEDULED.value,
    }


_VISIBLE = (
    "p.status IN (:published, :scheduled) AND p.published_at IS NOT NULL AND p.published_at <= :now"
)


def _fts_match(words: Sequence[str]) -> str:
    """An FTS5 query of quoted words, all required; the last one also as a prefix."""
    parts = [f'"{word}"' for word in words]
    if len(words[-1]) >= PREFIX_FROM:
        # The whole word still counts twice: "tea" ranks posts about tea above "teams".
        parts[-1] = f"({parts[-1]} OR {parts[-1]}*)"
    return " AND ".join(parts)


def _tsquery(words: Sequence[str]) -> str:
    """A PostgreSQL tsquery of the words (letters and digits only), all required."""
    parts = list(words)
    if len(words[-1]) >= PREFIX_FROM:
        parts[-1] = f"({parts[-1]} | {parts[-1]}:*)"
    return " & ".join(parts)


def _sqlite_page(
    connection: Connection, words: Sequence[str], offset: int, limit: int
) -> tuple[list[tuple[int, str, str]], int]:
    params = {**_visible_params(utcnow()), "match": _fts_match(words)}
    # CROSS JOIN keeps the index as the outer loop: without statistics (no ANALYZE yet) SQLite
    # may otherwise walk every visible post and probe the index for each, 1,000 times slower.
    matches = (
        f"FROM {FTS_TABLE} CROSS JOIN posts AS p ON p.id = {FTS_TABLE}.rowid "
        f"WHERE {FTS_TABLE} MATCH :match AND {_VISIBLE}"
    )
    ids = _sqlite_ranked_quickly(connection, params, offset, limit)
    if ids is None:
        ids = list(
            connection.scalars(
                text(
                    f"SELECT p.id {matches} ORDER BY {_BM25}, p.id DESC LIMIT :limit OFFSET :offset"
                ),
                {**params, "limit": limit, "offset": offset},
            )
        )
    total = connection.scalar(
        text(f"SELECT count(*) FROM (SELECT 1 {matches} LIMIT :cap)"),
        {**params, "cap": COUNT_LIMIT + 1},
    )
    if not ids:
        return [], int(total or 0)
    rows = connection.execute(
        text(
            f"SELECT rowid, highlight({FTS_TABLE}, 0, :start, :stop), "
            f"snippet({FTS_TABLE}, 1, :start, :stop, '…', {SNIPPET_WORDS}) "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match AND rowid IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"match": params["match"], "start": START, "stop": STOP, "ids": ids},
    )
    found = {ident: (ident, title, snippet) for ident, title, snippet in rows}
    return [found[ident] for ident in ids if ident in found], int(total or 0)


# Title words weigh a hundred times body words: posts with the words in the title come first.
_BM25 = f"bm25({FTS_TABLE}, 100.0, 1.0)"
# Ranked ids fetched beyond the page asked for, so that drafts among them do not leave it short.
_SLACK = 50
_QUICK_WINDOW = 2000


def _sqlite_ranked_quickly(
    connection: Connection, params: dict[str, object], offset: int, limit: int
) -> list[int] | None:
    """One page of ids ranked by the index alone, then kept if visible; None if unsure.

    Ranking inside FTS5 skips reading every matching post's row (four times faster for a word
    in a third of 100,000 posts); the join is the fallback when drafts crowd the window out.
    """
    window = offset + limit + _SLACK
    if window > _QUICK_WINDOW:
        return None
    ranked = list(
        connection.scalars(
            text(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match "
                f"ORDER BY {_BM25}, rowid DESC LIMIT :window"
            ),
            {"match": params["match"], "window": window},
        )
    )
    if not ranked:
        return []
    # NOT INDEXED: looked up by id. Without statistics SQLite would rather walk the index of
    # every published post for three ids or more (8 ms at 100,000 posts, against 0.01).
    visible = set(
        connection.scalars(
            text(
                f"SELECT p.id FROM posts AS p NOT INDEXED WHERE p.id IN :ids AND {_VISIBLE}"
            ).bindparams(bindparam("ids", expanding=True)),
            {**params, "ids": ranked},
        )
    )
    shown = [ident for ident in ranked if ident in visible]
    if len(ranked) == window and len(shown) < offset + limit:
        return None
    return shown[offset : offset + limit]


def _postgres_page(
    connection: Connection, words: Sequence[str], offset: int, limit: int
) -> tuple[list[tuple[int, str, str]], int]:
    query = f"to_tsquery('{POSTGRES_CONFIG}', :tsquery)"
    params = {**_visible_params(utcnow()), "tsquery": _tsquery(words)}
    matches = f"FROM posts AS p WHERE p.{VECTOR_COLUMN} @@ {query} AND {_VISIBLE}"
    total = int(
        connection.scalar(
            text(f"SELECT count(*) FROM (SELECT 1 {matches} LIMIT :cap) AS found"),
            {**params, "cap": COUNT_LIMIT + 1},
        )
        or 0
    )
    ranking = (
        f"ORDER BY (ts_filter(p.{VECTOR_COLUMN}, '{{a}}') @@ {query}) DESC, "
        f"ts_rank(p.{VECTOR_COLUMN}, {query}) DESC, p.published_at DESC, p.id DESC"
    )
    if total <= COUNT_LIMIT:
        ids = list(
            connection.scalars(
                text(f"SELECT p.id {matches} {ranking} LIMIT :limit OFFSET :offset"),
                {**params, "limit": limit, "offset": offset},
            )
        )
    else:
        ids = _postgres_common_words(connection, params, query, offset, limit)
    if not ids:
        return [], total
    options = (
        f"StartSel={START}, StopSel={STOP}, MaxWords={SNIPPET_WORDS}, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    rows = connection.execute(
        text(
            f"SELECT p.id, ts_headline('{POSTGRES_CONFIG}', {_untagged('p.title')}, {query}, "
            f":whole), ts_headline('{POSTGRES_CONFIG}', {_untagged('p.body_text')}, {query}, "
            ":options) "
            "FROM posts AS p WHERE p.id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {
            "tsquery": params["tsquery"],
            "whole": f"StartSel={START}, StopSel={STOP}, HighlightAll=true",
            "options": options,
            "ids": ids,
        },
    )
    found = {ident: (ident, _retagged(title), _retagged(snippet)) for ident, title, snippet in rows}
    return [found[ident] for ident in ids if ident in found], total


def _postgres_common_words(
    connection: Connection, params: dict[str, object], query: str, offset: int, limit: int
) -> list[int]:
    """Ids for a word in more than COUNT_LIMIT posts: title hits, then the rest, newest first.

    Ranking by relevance reads every match's stored vector (out of line for long posts): 0.4 s
    for a word in a third of 100,000 posts. Here title hits come from their own index and the
    others from walking the publication-time index, so a page costs what it shows.
    """
    title_hit = f"to_tsvector('{POSTGRES_CONFIG}', coalesce(p.title, '')) @@ {query}"
    titled = f"FROM posts AS p WHERE {title_hit} AND {_VISIBLE}"
    newest = "ORDER BY p.published_at DESC, p.id DESC LIMIT :limit OFFSET :offset"
    ids = list(
        connection.scalars(
            text(f"SELECT p.id {titled} {newest}"),
            {**params, "limit": limit, "offset": offset},
        )
    )
    if len(ids) == limit:
        return ids
    title_count = int(
        connection.scalar(
            text(f"SELECT count(*) FROM (SELECT 1 {titled} LIMIT :cap) AS found"),
            {**params, "cap": offset + limit},
        )
        or 0
    )
    ids += connection.scalars(
        text(
            f"SELECT p.id FROM posts AS p WHERE p.{VECTOR_COLUMN} @@ {query} "
            f"AND NOT ({title_hit}) AND {_VISIBLE} {newest}"
        ),
        {**params, "limit": limit - len(ids), "offset": max(offset - title_count, 0)},
    )
    return ids


# ts_headline reads "<script>" in plain text as a tag and leaves it out: such brackets pass
# through it as control characters (never in post text) and come back afterwards.
_BRACKETS = ("<", "\x04"), (">", "\x05")


def _untagged(column: str) -> str:
    return f"translate({column}, '<>', E'\\x04\\x05')"


def _retagged(value: str) -> str:
    for bracket, stand_in in _BRACKETS:
        value = value.replace(stand_in, bracket)
    return value


def search(query: SearchQuery, page: int, per_page: int) -> SearchPage:
    """One page of the visible posts and pages matching every word, best first."""
    if query.empty:
        return SearchPage([], page, per_page, False, 0)
    connection = db.session.connection()
    run = _postgres_page if connection.dialect.name == "postgresql" else _sqlite_page
    rows, total = run(connection, query.words, (page - 1) * per_page, per_page + 1)
    shown = rows[:per_page]
    posts = {
        post.id: post
        for post in db.session.scalars(
            select(Post)
            .where(Post.id.in_([ident for ident, _, _ in shown]))
            .options(joinedload(Post.author), selectinload(Post.tags))
        )
    }
    hits = [
        SearchHit(posts[ident], marked(title), marked(snippet))
        for ident, title, snippet in shown
        if ident in posts
    ]
    return SearchPage(hits, page, per_page, len(rows) > per_page, total)


def is_page(post: Post) -> bool:
    """True for a page (About, Contact), which lives at its own address."""
    return post.kind == PostKind.PAGE.value
