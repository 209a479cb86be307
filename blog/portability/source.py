"""What an import reads out of another engine's export, before anything is written.

Each importer (WordPress, Blogger) turns its file into a `Site`, parsing and converting all of
it first; only a complete `Site` reaches the database. Sources' own ids make re-imports match
what an earlier import created.
"""

from __future__ import annotations

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
