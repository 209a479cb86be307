"""Blogger exports read into a `Site`: the classic Atom backup and Google Takeout's feed.atom.

Both are Atom feeds whose entries are posts, pages and comments. They differ in how an entry
says what it is (a kind category and app:draft, or blogger:type and blogger:status), where its
old address is (an alternate link, or blogger:filename) and how a comment names what it answers
(thr:in-reply-to plus a related link, or blogger:parent). The whole file is parsed and converted
in memory; nothing is written here.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.parsers.expat import errors as expat_errors

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser

from blog.core.text import slugify
from blog.portability.html import html_to_markdown
from blog.portability.source import (
    ImportFileError,
    Site,
    SourceAuthor,
    SourceComment,
    SourcePost,
)

ATOM = "http://www.w3.org/2005/Atom"
APP = "http://purl.org/atom/app#"
APP_2007 = "http://www.w3.org/2007/app"
THREAD = "http://purl.org/syndication/thread/1.0"
TAKEOUT = "http://schemas.google.com/blogger/2018"
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
KIND_PREFIX = "http://schemas.google.com/blogger/2008/kind#"
LABEL_SCHEME = "http://www.blogger.com/atom/ns#"
NOREPLY = "noreply@blogger.com"

_FEED = f"{{{ATOM}}}feed"
_ENTRY = f"{{{ATOM}}}entry"

# Prefixes Blogger's classic export has been seen to use without binding them; the XML parser
# rightly refuses an unbound prefix, so the export's evident meaning is declared for it.
_UNDECLARED_PREFIXES = {b"app": APP.encode(), b"thr": THREAD.encode()}
_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.S)
_ROOT_TAG = re.compile(
    rb"""<([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*/?>"""
)
_TRUNCATION_CODES = {
    expat_errors.codes[message]
    for message in (
        expat_errors.XML_ERROR_NO_ELEMENTS,
        expat_errors.XML_ERROR_UNCLOSED_TOKEN,
        expat_errors.XML_ERROR_PARTIAL_CHAR,
        expat_errors.XML_ERROR_UNCLOSED_CDATA_SECTION,
    )
}
_COMMENT_REF = re.compile(r"/comments/default/([^/?#]+)")
_POST_NUMBER = re.compile(r"\.post-(\w+)$")


def read_blogger(path: Path) -> Site:
    """The posts, pages, comments and authors of a Blogger backup or Takeout feed.atom."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _error(path, f"cannot be read ({error.strerror or error})") from None
    if not data.strip():
        raise _error(path, "the file is empty, not a Blogger export")
    feed, lines = _parse(path, data)
    reader = _Reader(path, lines)
    if feed.tag != _FEED:
        raise reader.error(feed, _not_a_feed(feed.tag))
    entries = feed.findall(_ENTRY)
    if any(entry.find(f"{{{TAKEOUT}}}type") is not None for entry in entries):
        return reader.takeout(entries)
    if any(_classic_kind(entry) for entry in entries):
        return reader.classic(entries)
    raise reader.error(
        feed,
        "an Atom feed, but no entry is a Blogger post, page or comment "
        "(expected a Blogger backup or Takeout's feed.atom)",
    )


def _error(path: Path, problem: str, line: int | None = None) -> ImportFileError:
    """An ImportFileError naming the file and line, always on one line."""
    where = f"{path.name}, line {line}" if line else path.name
    return ImportFileError(" ".join(f"{where}: {problem}".split()))


def _not_a_feed(tag: str) -> str:
    """What the root element says this file is instead of a Blogger export."""
    local = tag.rpartition("}")[2]
    if local == "rss":
        return "an RSS feed (a WordPress export?), not a Blogger export's Atom <feed>"
    return f"the root element is <{local}>, not the Atom <feed> of a Blogger export"


class _LineRecorder(TreeBuilder):
    """A tree builder noting where the root and each entry start, so errors can point there."""

    def __init__(self) -> None:
        super().__init__()
        self.expat: Any = None
        self.lines: dict[int, int] = {}

    def start(self, tag: Any, attrs: dict[str, str], /) -> Element:
        """Build the element, remembering its line if it is the root or an entry."""
        element = super().start(tag, attrs)
        if self.expat is not None and (tag == _ENTRY or not self.lines):
            self.lines[id(element)] = self.expat.CurrentLineNumber
        return element


def _parse(path: Path, data: bytes) -> tuple[Element, dict[int, int]]:
    """The document's root and entries' start lines; any XML problem is an ImportFileError."""
    recorder = _LineRecorder()
    # No DTD at all: Blogger never writes one, and entities are how XML reads files or explodes.
    parser = DefusedXMLParser(
        target=recorder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    expat = parser.parser
    recorder.expat = expat
    try:
        parser.feed(_declare_missing_prefixes(data))
        root: Element = parser.close()
    except ParseError as error:
        line, column = error.position
        raise _error(path, _parse_problem(error, column), line) from None
    except DTDForbidden:
        raise _error(
            path,
            "has a DOCTYPE declaration, which Blogger exports never have; refused because its "
            "entities could read local files or expand without bound",
            expat.CurrentLineNumber,
        ) from None
    except DefusedXmlException as error:
        raise _error(
            path, f"refused: it declares or uses entities ({error})", expat.CurrentLineNumber
        ) from None
    return root, recorder.lines


def _parse_problem(error: ParseError, column: int) -> str:
    """The parser's complaint, saying plainly when the file simply stops too soon."""
    reason = str(error).split(": line ")[0]
    if error.code in _TRUNCATION_CODES:
        return f"the file ends before the feed does (truncated?): {reason} at column {column}"
    return f"not well-formed XML: {reason} at column {column}"


def _declare_missing_prefixes(data: bytes) -> bytes:
    """The export with prefixes it uses but never binds (app:) declared on its root element.

    The declaration is inserted on the root's own line, so the parser's line numbers still
    match the file the user has.
    """
    position = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    while prolog := _PROLOG_ITEM.match(data, position):
        position = prolog.end()
    root = _ROOT_TAG.match(data, position)
    if root is None:
        return data
    attributes = root.group(2)
    additions = b"".join(
        b' xmlns:%s="%s"' % (prefix, uri)
        for prefix, uri in _UNDECLARED_PREFIXES.items()
        if re.search(rb"</?" + prefix + rb":", data)
        and not re.search(rb"\sxmlns:" + prefix + rb"\s*=", attributes)
    )
    return data[: root.end(1)] + additions + data[root.end(1) :]


def _classic_kind(entry: Element) -> str:
    """The kind category's kind ("post", "page", "comment", "settings"...), else ""."""
    for category in entry.findall(f"{{{ATOM}}}category"):
        term = category.get("term", "")
        if category.get("scheme") == KIND_SCHEME and term.startswith(KIND_PREFIX):
            return term.removeprefix(KIND_PREFIX)
    return ""


def _text(element: Element | None, tag: str) -> str:
    """The stripped text of a child element, or "" when it is absent."""
    child = None if element is None else element.find(tag)
    return "" if child is None or child.text is None else child.text.strip()


def _one_line(text: str) -> str:
    """Text with its runs of whitespace (newlines included) made single spaces."""
    return " ".join(text.split())


def _old_path(address: str) -> str:
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
        name = _one_line(category.get("term", ""))
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


def _comment_links(entry: Element) -> list[tuple[str, str]]:
    """The (rel, comment number) of each link that points at a comment in Blogger's API."""
    links = []
    for link in entry.findall(f"{{{ATOM}}}link"):
        found = _COMMENT_REF.search(link.get("href", ""))
        if found:
            links.append((link.get("rel", ""), found.group(1)))
    return links


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
        email = _text(author, f"{{{ATOM}}}email").lower()
        return cls(
            name=_one_line(_text(author, f"{{{ATOM}}}name")),
            email="" if email == NOREPLY else email,
            uri=_text(author, f"{{{ATOM}}}uri"),
        )


@dataclass
class _Reader:
    """Turns one parsed export's entries into a Site, gathering authors along the way."""

    path: Path
    lines: dict[int, int]
    authors: dict[str, SourceAuthor] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))

    def error(self, element: Element, problem: str) -> ImportFileError:
        """An ImportFileError pointing at the line where the element starts."""
        return _error(self.path, problem, self.lines.get(id(element)))

    def classic(self, entries: list[Element]) -> Site:
        """A Site from the classic backup: kind categories, app:draft, thr:in-reply-to."""
        posts: dict[str, SourcePost] = {}
        comment_entries: list[tuple[Element, str]] = []
        for entry in entries:
            kind = _classic_kind(entry)
            if kind in ("post", "page"):
                alternate = next(
                    (
                        link.get("href", "")
                        for link in entry.findall(f"{{{ATOM}}}link")
                        if link.get("rel") == "alternate"
                    ),
                    "",
                )
                draft = any(
                    _text(entry, f"{{{app}}}control/{{{app}}}draft").lower() == "yes"
                    for app in (APP, APP_2007)
                )
                self._add(posts, entry, self.post(entry, kind, draft, _old_path(alternate), False))
            elif kind == "comment":
                reply_to = entry.find(f"{{{THREAD}}}in-reply-to")
                post_id = "" if reply_to is None else reply_to.get("ref", "").strip()
                if not post_id:
                    raise self.error(entry, "a comment without a <thr:in-reply-to ref>")
                comment_entries.append((entry, post_id))
        # A reply's related link names its parent by the number that ends the parent's id.
        by_number: dict[tuple[str, str], str] = {}
        parsed: list[tuple[Element, str, SourceComment]] = []
        for entry, post_id in comment_entries:
            comment = self.comment(entry, "approved")
            parsed.append((entry, post_id, comment))
            own = _POST_NUMBER.search(comment.source_id)
            if own:
                by_number[(post_id, own.group(1))] = comment.source_id
            for rel, number in _comment_links(entry):
                if rel in ("self", "edit"):
                    by_number[(post_id, number)] = comment.source_id
        comments: dict[str, tuple[SourceComment | None, str]] = {}
        for entry, post_id, comment in parsed:
            answers = post_id
            for rel, number in _comment_links(entry):
                parent = by_number.get((post_id, number))
                if rel == "related" and parent and parent != comment.source_id:
                    answers = parent
            self._add_comment(comments, entry, comment, answers)
        return self.site(posts, comments)

    def takeout(self, entries: list[Element]) -> Site:
        """A Site from Takeout's feed.atom: blogger:type, blogger:status, blogger:parent."""
        posts: dict[str, SourcePost] = {}
        comments: dict[str, tuple[SourceComment | None, str]] = {}
        for entry in entries:
            kind = _text(entry, f"{{{TAKEOUT}}}type").upper()
            status = _text(entry, f"{{{TAKEOUT}}}status").upper()
            thrown_away = "TRASH" in status or "DELETE" in status
            if kind in ("POST", "PAGE"):
                if thrown_away:
                    continue
                # Only what Blogger itself showed readers goes live; unknown states stay drafts.
                draft = status not in ("LIVE", "SCHEDULED")
                old_path = _old_path(_text(entry, f"{{{TAKEOUT}}}filename"))
                self._add(posts, entry, self.post(entry, kind.lower(), draft, old_path, True))
            elif kind == "COMMENT":
                parent = _text(entry, f"{{{TAKEOUT}}}parent")
                if not parent:
                    raise self.error(entry, "a comment without a <blogger:parent>")
                if status == "LIVE":
                    state = "approved"
                elif "SPAM" in status:
                    state = "spam"
                else:
                    state = "pending"
                # A trashed comment is kept out but stays in the chain its replies climb.
                comment = None if thrown_away else self.comment(entry, state)
                self._add_comment(comments, entry, comment, parent)
        return self.site(posts, comments)

    def site(
        self, posts: dict[str, SourcePost], comments: dict[str, tuple[SourceComment | None, str]]
    ) -> Site:
        """The Site of these posts, with each comment threaded onto its post."""
        _attach(posts, comments)
        return Site(
            authors=list(self.authors.values()), posts=list(posts.values()), source="blogger"
        )

    def entry_id(self, entry: Element) -> str:
        """The entry's <id>, which is required: re-imports match on it."""
        source_id = _text(entry, f"{{{ATOM}}}id")
        if not source_id:
            raise self.error(entry, "an entry without an <id>")
        return source_id

    def when(self, entry: Element, *tags: str) -> datetime | None:
        """The first of these dates the entry has, as naive UTC; None if it has none."""
        for tag in tags:
            text = _text(entry, tag)
            if not text:
                continue
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                name = tag.rpartition("}")[2]
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
            published_at = self.when(
                entry, f"{{{ATOM}}}published", f"{{{TAKEOUT}}}created", f"{{{ATOM}}}updated"
            )
            if published_at is None:
                raise self.error(entry, f"the {kind} {source_id} has no <published> date")
            status = "scheduled" if published_at > self.now else "published"
        markdown, lost, media = _body(entry)
        summary = _text(entry, f"{{{ATOM}}}summary") or _text(
            entry, f"{{{TAKEOUT}}}metaDescription"
        )
        return SourcePost(
            source_id=source_id,
            kind=kind,
            title=_one_line(_text(entry, f"{{{ATOM}}}title")),
            slug=_slug(old_path),
            status=status,
            published_at=published_at,
            author_key=self.author_key(entry),
            tags=_labels(entry, takeout),
            body_markdown=markdown,
            summary=_one_line(summary),
            old_paths=[old_path] if old_path else [],
            lost_markup=lost,
            media=media,
        )

    def comment(self, entry: Element, status: str) -> SourceComment:
        """A comment, not yet attached to its post or parent."""
        source_id = self.entry_id(entry)
        created_at = self.when(
            entry, f"{{{ATOM}}}published", f"{{{TAKEOUT}}}created", f"{{{ATOM}}}updated"
        )
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

    def _add(self, posts: dict[str, SourcePost], entry: Element, post: SourcePost) -> None:
        """Record a post, refusing a second entry with the same id (which one would be meant?)."""
        if post.source_id in posts:
            raise self.error(entry, f"two entries have the id {post.source_id}")
        posts[post.source_id] = post

    def _add_comment(
        self,
        comments: dict[str, tuple[SourceComment | None, str]],
        entry: Element,
        comment: SourceComment | None,
        answers: str,
    ) -> None:
        """Record a comment and the id of what it answers, refusing a repeated id."""
        source_id = self.entry_id(entry)
        if source_id in comments:
            raise self.error(entry, f"two entries have the id {source_id}")
        comments[source_id] = (comment, answers)


def _attach(
    posts: dict[str, SourcePost], comments: dict[str, tuple[SourceComment | None, str]]
) -> None:
    """Put each kept comment on its post, answering its nearest kept ancestor comment.

    A comment whose chain leads to no imported post (a trashed one, say) is left out.
    """
    for comment, answers in comments.values():
        if comment is None:
            continue
        seen: set[str] = set()
        while answers in comments and answers not in seen:
            seen.add(answers)
            ancestor, answers = comments[answers]
            if ancestor is not None and comment.parent_source_id is None:
                comment.parent_source_id = ancestor.source_id
        post = posts.get(answers)
        if post is not None:
            post.comments.append(comment)
    for post in posts.values():
        post.comments = _thread_order(post.comments)


def _thread_order(comments: list[SourceComment]) -> list[SourceComment]:
    """Oldest first, but never a reply before the comment it answers, so parents exist first."""
    pending = sorted(comments, key=lambda comment: comment.created_at)
    placed: set[str] = set()
    ordered: list[SourceComment] = []
    while pending:
        waiting = []
        for comment in pending:
            if comment.parent_source_id is None or comment.parent_source_id in placed:
                ordered.append(comment)
                placed.add(comment.source_id)
            else:
                waiting.append(comment)
        if len(waiting) == len(pending):
            ordered.extend(waiting)
            break
        pending = waiting
    return ordered
