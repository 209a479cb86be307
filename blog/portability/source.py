"""What an import reads out of another engine's export, before anything is written.

Each importer (WordPress, Blogger) turns its file into a `Site`, parsing and converting all of
it first; only a complete `Site` reaches the database. Sources' own ids make re-imports match
what an earlier import created. Comments are threaded here the same way for every source:
a reply to a left-out comment moves up to its nearest kept ancestor, and parents come first.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import datetime


class ImportFileError(Exception):
    """A file that cannot be imported: the message says what is wrong and where, on one line."""


@dataclass
class SourceAuthor:
    """An author as the export names them; matched to an account by email."""

    key: str  # the export's own reference (login name, profile URI)
    name: str
    email: str


@dataclass
class SourceComment:
    """A comment, with the source id of the comment it answers (None for a top-level one)."""

    source_id: str
    parent_source_id: str | None
    author_name: str
    author_email: str | None
    author_website: str | None
    body_markdown: str
    created_at: datetime  # naive UTC
    status: str  # "approved", "pending" or "spam"


@dataclass
class SourcePost:
    """A post or a page, converted to Markdown, with the addresses it had on the old site."""

    source_id: str
    kind: str  # "post" or "page"
    title: str
    slug: str  # the old site's slug, made safe; may be empty (then one is made from the title)
    status: str  # "published", "draft" or "scheduled"
    published_at: datetime | None  # naive UTC
    author_key: str
    tags: list[str]
    body_markdown: str
    summary: str = ""
    old_paths: list[str] = field(default_factory=list)  # e.g. "/2024/05/slug.html", "/?p=12"
    comments: list[SourceComment] = field(default_factory=list)
    lost_markup: list[str] = field(default_factory=list)  # what Markdown could not express
    media: list[str] = field(default_factory=list)  # the old site's image URLs it shows


@dataclass
class Site:
    """Everything an import will write."""

    authors: list[SourceAuthor]
    posts: list[SourcePost]
    source: str  # "wordpress" or "blogger": the namespace of source ids


def one_line(text: str) -> str:
    """Text with every run of whitespace (newlines too) made one space."""
    return " ".join(text.split())


def climb_thread(
    reply_to: str | None, answers: Mapping[str, str | None], kept: Container[str]
) -> tuple[str | None, str | None]:
    """The nearest kept comment up a thread from reply_to, and the id the climb ends at.

    `answers` maps each comment's id to what it answers (None for nothing). The climb ends at
    None, at an id `answers` does not know (a post's, say) or, in a loop, at the id met again;
    a reply to a left-out comment thus answers that comment's nearest kept ancestor instead.
    """
    nearest: str | None = None
    seen: set[str] = set()
    here = reply_to
    while here is not None:
        if nearest is None and here in kept:
            nearest = here
        if here in seen or here not in answers:
            break
        seen.add(here)
        here = answers[here]
    return nearest, here


def parents_first(comments: list[SourceComment]) -> list[SourceComment]:
    """The comments in the order given, except that each comes after the one it answers."""
    ordered: list[SourceComment] = []
    placed: set[str] = set()
    waiting = comments
    while waiting:
        still_waiting = []
        for comment in waiting:
            parent = comment.parent_source_id
            if parent is None or parent in placed:
                ordered.append(comment)
                placed.add(comment.source_id)
            else:
                still_waiting.append(comment)
        if len(still_waiting) == len(waiting):
            # Comments answering each other in a loop (a broken export), or one answering a
            # comment not among them: it is made top-level, which cuts the loop at one.
            still_waiting[0].parent_source_id = None
        waiting = still_waiting
    return ordered
