"""One Blogger entry read into a post, a page or a comment, whichever export it comes from.

Both of Blogger's formats (the classic backup and Takeout's feed.atom) write posts, pages and
comments as Atom entries: the title, content, dates, author and labels are read the same way
here. What differs between them (how an entry says what it is and what it answers) is
`blogger`'s part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import TypeAlias
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from blog.core.text import slugify
from blog.portability.html import html_to_markdown
from blog.portability.source import (
    ImportFileError,
    SourceAuthor,
    SourceComment,
    SourcePost,
    one_line,
)
from blog.portability.xmlread import Document, child_text, file_error, local_name

ATOM = "http://www.w3.org/2005/Atom"
TAKEOUT = "http://schemas.google.com/blogger/2018"
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
LABEL_SCHEME = "http://www.blogger.com/atom/ns#"
NOREPLY = "noreply@blogger.com"

# Where an entry's dates are, in the order they are looked for.
_DATES = (f"{{{ATOM}}}published", f"{{{TAKEOUT}}}created", f"{{{ATOM}}}updated")

# An entry and the id of what it answers, with the comment read from it (None when the comment
# is left out, but its replies still climb through it to their post).
Replies: TypeAlias = dict[str, tuple[SourceComment | None, str]]


def path_of(address: str) -> str:
    """The path part of an old address ("/2024/05/slug.html"), or "" if it has none."""
    path = urlsplit(address.strip()).path
    if path and not path.startswith("/"):
        path = f"/{path}"
    return "" if path in ("", "/") else path


def _slug(old_path: str) -> str:
    """The old file name without ".html", made safe for our addresses."""
    return slugify(PurePosixPath(old_path).name.removesuffix(".html")) if old_path else ""


def _labels(entry: Element, takeout: bool) -> list[str]:
    """The entry's labels, without repeats that differ only in case."""
    labels: dict[str, str] = {}
    for category in entry.findall(f"{{{ATOM}}}category"):
        scheme = category.get("scheme")
        # Takeout's label categories carry no fixed scheme; the classic ones always do.
        is_label = scheme != KIND_SCHEME if takeout else scheme == LABEL_SCHEME
        name = one_line(category.get("term", ""))
        if is_label and name:
            labels.setdefault(name.casefold(), name)
    return list(labels.values())


class _ImageSources(HTMLParser):
    """Collects the web addresses of the images an HTML body shows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note an <img>'s http(s) source once."""
        if tag != "img":
            return
        source = (dict(attrs).get("src") or "").strip()
        if source.startswith(("http://", "https://")) and source not in self.sources:
            self.sources.append(source)


def _body(entry: Element) -> tuple[str, list[str], list[str]]:
    """The entry's content as Markdown, the markup kinds lost, and the images it shows."""
    content = entry.find(f"{{{ATOM}}}content")
    if content is None or not content.text:
        return "", [], []
    html = content.text
    if content.get("type") == "text":
        html = f"<p>{escape(html)}</p>"
    markdown, lost = html_to_markdown(html)
    images = _ImageSources()
    images.feed(html)
    images.close()
    return markdown, lost, images.sources


@dataclass
class _Person:
    """An <author> as written: name, usable email (never Blogger's noreply), profile URI."""

    name: str
    email: str
    uri: str

    @classmethod
    def of(cls, entry: Element) -> _Person:
        """The entry's first author, with empty strings for what it leaves out."""
        author = entry.find(f"{{{ATOM}}}author")
        email = child_text(author, f"{{{ATOM}}}email").lower()
        return cls(
            name=one_line(child_text(author, f"{{{ATOM}}}name")),
            email="" if email == NOREPLY else email,
            uri=child_text(author, f"{{{ATOM}}}uri"),
        )


@dataclass
class EntryReader:
    """Reads one parsed export's entries, gathering their authors and pointing errors at lines."""

    name: str  # the file's
    document: Document
    authors: dict[str, SourceAuthor] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))

    def error(self, element: Element, problem: str) -> ImportFileError:
        """An ImportFileError pointing at the line where the element starts."""
        return file_error(self.name, problem, self.document.line(element))

    def entry_id(self, entry: Element) -> str:
        """The entry's <id>, which is required: re-imports match on it."""
        source_id = child_text(entry, f"{{{ATOM}}}id")
        if not source_id:
            raise self.error(entry, "an entry without an <id>")
        return source_id

    def when(self, entry: Element, *tags: str) -> datetime | None:
        """The first of these dates the entry has, as naive UTC; None if it has none."""
        for tag in tags:
            text = child_text(entry, tag)
            if not text:
                continue
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                name = local_name(tag)
                raise self.error(entry, f"<{name}> is not a date: {text[:40]!r}") from None
            if moment.tzinfo is not None:
                moment = moment.astimezone(UTC).replace(tzinfo=None)
            return moment
        return None

    def author_key(self, entry: Element) -> str:
        """The key of the entry's author, recording the author the first time they appear."""
        person = _Person.of(entry)
        key = person.uri or person.name or "unknown"
        if key not in self.authors:
            name = person.name or "Unknown author"
            email = person.email or f"{slugify(name) or 'author'}@imported.invalid"
            self.authors[key] = SourceAuthor(key=key, name=name, email=email)
        return key

    def post(
        self, entry: Element, kind: str, draft: bool, old_path: str, takeout: bool
    ) -> SourcePost:
        """A post or page; a draft gets no publication time, as drafts here have none."""
        source_id = self.entry_id(entry)
        published_at = None
        status = "draft"
        if not draft:
            published_at = self.when(entry, *_DATES)
            if published_at is None:
                raise self.error(entry, f"the {kind} {source_id} has no <published> date")
            status = "scheduled" if published_at > self.now else "published"
        markdown, lost, media = _body(entry)
        summary = child_text(entry, f"{{{ATOM}}}summary") or child_text(
            entry, f"{{{TAKEOUT}}}metaDescription"
        )
        return SourcePost(
            source_id=source_id,
            kind=kind,
            title=one_line(child_text(entry, f"{{{ATOM}}}title")),
            slug=_slug(old_path),
            status=status,
            published_at=published_at,
            author_key=self.author_key(entry),
            tags=_labels(entry, takeout),
            body_markdown=markdown,
            summary=one_line(summary),
            old_paths=[old_path] if old_path else [],
            lost_markup=lost,
            media=media,
        )

    def comment(self, entry: Element, status: str) -> SourceComment:
        """A comment, not yet attached to its post or parent."""
        source_id = self.entry_id(entry)
        created_at = self.when(entry, *_DATES)
        if created_at is None:
            raise self.error(entry, f"the comment {source_id} has no <published> date")
        person = _Person.of(entry)
        website = person.uri if person.uri.startswith(("http://", "https://")) else None
        markdown, _lost, _media = _body(entry)
        return SourceComment(
            source_id=source_id,
            parent_source_id=None,
            author_name=person.name or "Anonymous",
            author_email=person.email or None,
            author_website=website,
            body_markdown=markdown,
            created_at=created_at,
            status=status,
        )

    def add_post(self, posts: dict[str, SourcePost], entry: Element, post: SourcePost) -> None:
        """Record a post, refusing a second entry with the same id (which one would be meant?)."""
        if post.source_id in posts:
            raise self.error(entry, f"two entries have the id {post.source_id}")
        posts[post.source_id] = post

    def add_comment(
        self, comments: Replies, entry: Element, comment: SourceComment | None, answers: str
    ) -> None:
        """Record a comment and the id of what it answers, refusing a repeated id."""
        source_id = self.entry_id(entry)
        if source_id in comments:
            raise self.error(entry, f"two entries have the id {source_id}")
        comments[source_id] = (comment, answers)
