"""The demo content, read from data files: two authors, ten posts and their comments.

Everything in it is invented for the demo: the towns, people, organisations and events are
fictional. The files live in ``blog/demo/data``:

- ``authors.toml`` holds the authors as ``[[authors]]`` tables (key, name, email, bio).
- ``posts/NN-<slug>.md`` holds one post each, in file-name order. A post file opens with a
  TOML front-matter block between two lines of exactly ``+++`` (title, slug, summary, author,
  tags, status, days_ago and optional ``[[comments]]`` with nested ``[[comments.replies]]``),
  then a blank line, then the Markdown body.

Publication times are relative (``days_ago``) so the archive always looks current; negative
values are in the future (scheduled posts). Comment times are minutes after publication.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, TypeVar

_T = TypeVar("_T")

# The opening fence on the first line, the front matter, and the closing fence on a line of its
# own; the body starts after the closing fence's line (and the one blank line after it).
_FRONT_MATTER = re.compile(r"\A\+\+\+\n(?P<front>.*?)^\+\+\+(?:\n|\Z)", re.DOTALL | re.MULTILINE)

_AUTHOR_KEYS = frozenset({"key", "name", "email", "bio"})
_POST_KEYS = frozenset(
    {"title", "slug", "summary", "author", "tags", "status", "days_ago", "comments"}
)
_COMMENT_KEYS = frozenset({"name", "body", "minutes_after", "website", "replies"})


@dataclass(frozen=True)
class DemoAuthor:
    """A demo author; posts refer to their author by ``key``."""

    key: str
    name: str
    email: str
    bio: str


@dataclass(frozen=True)
class DemoComment:
    """A demo comment, posted ``minutes_after`` its post was published, with its replies."""

    name: str
    body: str
    minutes_after: int
    website: str | None
    replies: tuple[DemoComment, ...]


@dataclass(frozen=True)
class DemoPost:
    """A demo post with a Markdown body, published ``days_ago`` days before loading."""

    title: str
    slug: str
    summary: str
    author: str
    tags: tuple[str, ...]
    status: str
    days_ago: int
    body: str
    comments: tuple[DemoComment, ...]


def authors() -> list[DemoAuthor]:
    """The demo authors, in file order."""
    return list(_authors())


def posts() -> list[DemoPost]:
    """The demo posts, in file-name order, with their comments."""
    return list(_posts())


def _data() -> Traversable:
    return files("blog.demo") / "data"


@cache
def _authors() -> tuple[DemoAuthor, ...]:
    where = "blog/demo/data/authors.toml"
    try:
        data = tomllib.loads((_data() / "authors.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{where}: invalid TOML: {exc}") from exc
    result = []
    for i, table in enumerate(_tables(data, "authors", where)):
        at = f"{where}: authors[{i}]"
        _check_keys(table, _AUTHOR_KEYS, at)
        result.append(
            DemoAuthor(
                key=_required(table, "key", str, at),
                name=_required(table, "name", str, at),
                email=_required(table, "email", str, at),
                bio=_required(table, "bio", str, at),
            )
        )
    return tuple(result)


@cache
def _posts() -> tuple[DemoPost, ...]:
    known = {author.key for author in _authors()}
    entries = sorted(
        (entry for entry in (_data() / "posts").iterdir() if entry.name.endswith(".md")),
        key=lambda entry: entry.name,
    )
    result = []
    for entry in entries:
        post = _parse_post(entry.read_text(encoding="utf-8"), f"blog/demo/data/posts/{entry.name}")
        if post.author not in known:
            raise ValueError(f"blog/demo/data/posts/{entry.name}: unknown author {post.author!r}")
        result.append(post)
    return tuple(result)


def _parse_post(text: str, where: str) -> DemoPost:
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise ValueError(
            f"{where}: no front matter: the file must start with a line of exactly '+++', "
            "then the TOML front matter, then another line of exactly '+++'"
        )
    try:
        data = tomllib.loads(match["front"])
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{where}: invalid TOML front matter: {exc}") from exc
    _check_keys(data, _POST_KEYS, where)
    return DemoPost(
        title=_required(data, "title", str, where),
        slug=_required(data, "slug", str, where),
        summary=_required(data, "summary", str, where),
        author=_required(data, "author", str, where),
        tags=_strings(data, "tags", where),
        status=_required(data, "status", str, where),
        days_ago=_required(data, "days_ago", int, where),
        body=text[match.end() :].removeprefix("\n"),
        comments=_comments(data, "comments", where),
    )


def _comments(
    table: dict[str, Any], key: str, where: str, path: str = ""
) -> tuple[DemoComment, ...]:
    result = []
    for i, item in enumerate(_tables(table, key, where, optional=True)):
        inner = f"{path}{key}[{i}]"
        at = f"{where}: {inner}"
        _check_keys(item, _COMMENT_KEYS, at)
        website = item.get("website")
        if website is not None and not isinstance(website, str):
            raise ValueError(f"{at}: 'website' must be a string")
        result.append(
            DemoComment(
                name=_required(item, "name", str, at),
                body=_required(item, "body", str, at),
                minutes_after=_required(item, "minutes_after", int, at),
                website=website,
                replies=_comments(item, "replies", where, f"{inner}."),
            )
        )
    return tuple(result)


def _tables(
    table: dict[str, Any], key: str, where: str, *, optional: bool = False
) -> list[dict[str, Any]]:
    if optional and key not in table:
        return []
    items = _required(table, key, list, where)
    if not all(isinstance(item, dict) for item in items):
        raise ValueError(f"{where}: {key!r} must be an array of tables ([[{key}]])")
    return items


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    items = _required(table, key, list, where)
    if not all(isinstance(item, str) for item in items):
        raise ValueError(f"{where}: {key!r} must be an array of strings")
    return tuple(items)


def _required(table: dict[str, Any], key: str, kind: type[_T], where: str) -> _T:
    if key not in table:
        raise ValueError(f"{where}: missing required key {key!r}")
    value = table[key]
    # TOML booleans are Python bools, which are also ints: never accept one as a number.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{where}: {key!r} must be of type {kind.__name__}")
    return value


def _check_keys(table: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    if unknown := sorted(set(table) - allowed):
        raise ValueError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")
