"""Blogger exports read into a `Site`: the classic Atom backup and Google Takeout's feed.atom.

Both are Atom feeds whose entries are posts, pages and comments. They differ in how an entry
says what it is (a kind category and app:draft, or blogger:type and blogger:status), where its
old address is (an alternate link, or blogger:filename) and how a comment names what it answers
(thr:in-reply-to plus a related link, or blogger:parent): that is this module's part, while
`blogger_entries` reads what every entry has. The whole file is parsed and converted in
memory; nothing is written here.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException, DTDForbidden

from blog.portability.blogger_entries import (
    ATOM,
    KIND_SCHEME,
    TAKEOUT,
    EntryReader,
    Replies,
    path_of,
)
from blog.portability.source import Site, SourceComment, SourcePost, climb_thread, parents_first
from blog.portability.xmlread import (
    Document,
    XmlRefused,
    child_text,
    declare_prefixes,
    file_error,
    local_name,
    parse,
    read_bytes,
)

APP = "http://purl.org/atom/app#"
APP_2007 = "http://www.w3.org/2007/app"
THREAD = "http://purl.org/syndication/thread/1.0"
KIND_PREFIX = "http://schemas.google.com/blogger/2008/kind#"

_FEED = f"{{{ATOM}}}feed"
_ENTRY = f"{{{ATOM}}}entry"

# Prefixes Blogger's classic export has been seen to use without binding them; the XML parser
# rightly refuses an unbound prefix, so the export's evident meaning is declared for it.
_UNDECLARED_PREFIXES = {b"app": APP.encode(), b"thr": THREAD.encode()}
_COMMENT_REF = re.compile(r"/comments/default/([^/?#]+)")
_POST_NUMBER = re.compile(r"\.post-(\w+)$")


def read_blogger(path: Path) -> Site:
    """The posts, pages, comments and authors of a Blogger backup or Takeout feed.atom."""
    data = read_bytes(path, "cannot be read ({reason})")
    if not data.strip():
        raise file_error(path.name, "the file is empty, not a Blogger export")
    reader = EntryReader(path.name, _parse(path.name, data))
    feed = reader.document.root
    if feed.tag != _FEED:
        raise reader.error(feed, _not_a_feed(feed.tag))
    entries = feed.findall(_ENTRY)
    if any(entry.find(f"{{{TAKEOUT}}}type") is not None for entry in entries):
        return _takeout(reader, entries)
    if any(_classic_kind(entry) for entry in entries):
        return _classic(reader, entries)
    raise reader.error(
        feed,
        "an Atom feed, but no entry is a Blogger post, page or comment "
        "(expected a Blogger backup or Takeout's feed.atom)",
    )


def _parse(name: str, data: bytes) -> Document:
    """The document, noting where entries start; any XML problem is an ImportFileError."""
    try:
        # No DTD at all: Blogger never writes one, and entities are how XML reads files or explodes.
        return parse(
            declare_prefixes(data, _UNDECLARED_PREFIXES),
            forbid_dtd=True,
            note_lines_of=frozenset({_ENTRY}),
        )
    except XmlRefused as refused:
        raise file_error(name, _refusal(refused), refused.line) from None


def _refusal(refused: XmlRefused) -> str:
    """The parser's complaint, saying plainly when the file simply stops too soon."""
    if isinstance(refused.error, DTDForbidden):
        return (
            "has a DOCTYPE declaration, which Blogger exports never have; refused because its "
            "entities could read local files or expand without bound"
        )
    if isinstance(refused.error, DefusedXmlException):
        return f"refused: it declares or uses entities ({refused.error})"
    where = f"{refused.reason} at column {refused.column}"
    if refused.truncated:
        return f"the file ends before the feed does (truncated?): {where}"
    return f"not well-formed XML: {where}"


def _not_a_feed(tag: str) -> str:
    """What the root element says this file is instead of a Blogger export."""
    local = local_name(tag)
    if local == "rss":
        return "an RSS feed (a WordPress export?), not a Blogger export's Atom <feed>"
    return f"the root element is <{local}>, not the Atom <feed> of a Blogger export"


def _classic_kind(entry: Element) -> str:
    """The kind category's kind ("post", "page", "comment", "settings"...), else ""."""
    for category in entry.findall(f"{{{ATOM}}}category"):
        term = category.get("term", "")
        if category.get("scheme") == KIND_SCHEME and term.startswith(KIND_PREFIX):
            return term.removeprefix(KIND_PREFIX)
    return ""


def _comment_links(entry: Element) -> list[tuple[str, str]]:
    """The (rel, comment number) of each link that points at a comment in Blogger's API."""
    links = []
    for link in entry.findall(f"{{{ATOM}}}link"):
        found = _COMMENT_REF.search(link.get("href", ""))
        if found:
            links.append((link.get("rel", ""), found.group(1)))
    return links


def _classic(reader: EntryReader, entries: list[Element]) -> Site:
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
                child_text(entry, f"{{{app}}}control/{{{app}}}draft").lower() == "yes"
                for app in (APP, APP_2007)
            )
            post = reader.post(entry, kind, draft, path_of(alternate), False)
            reader.add_post(posts, entry, post)
        elif kind == "comment":
            reply_to = entry.find(f"{{{THREAD}}}in-reply-to")
            post_id = "" if reply_to is None else reply_to.get("ref", "").strip()
            if not post_id:
                raise reader.error(entry, "a comment without a <thr:in-reply-to ref>")
            comment_entries.append((entry, post_id))
    return _site(reader, posts, _classic_comments(reader, comment_entries))


def _classic_comments(reader: EntryReader, comment_entries: list[tuple[Element, str]]) -> Replies:
    """The classic comments, each with what it answers: its post, or the comment it replies to."""
    # A reply's related link names its parent by the number that ends the parent's id.
    by_number: dict[tuple[str, str], str] = {}
    parsed: list[tuple[Element, str, SourceComment]] = []
    for entry, post_id in comment_entries:
        comment = reader.comment(entry, "approved")
        parsed.append((entry, post_id, comment))
        own = _POST_NUMBER.search(comment.source_id)
        if own:
            by_number[(post_id, own.group(1))] = comment.source_id
        for rel, number in _comment_links(entry):
            if rel in ("self", "edit"):
                by_number[(post_id, number)] = comment.source_id
    comments: Replies = {}
    for entry, post_id, comment in parsed:
        answers = post_id
        for rel, number in _comment_links(entry):
            parent = by_number.get((post_id, number))
            if rel == "related" and parent and parent != comment.source_id:
                answers = parent
        reader.add_comment(comments, entry, comment, answers)
    return comments


def _takeout(reader: EntryReader, entries: list[Element]) -> Site:
    """A Site from Takeout's feed.atom: blogger:type, blogger:status, blogger:parent."""
    posts: dict[str, SourcePost] = {}
    comments: Replies = {}
    for entry in entries:
        kind = child_text(entry, f"{{{TAKEOUT}}}type").upper()
        status = child_text(entry, f"{{{TAKEOUT}}}status").upper()
        thrown_away = "TRASH" in status or "DELETE" in status
        if kind in ("POST", "PAGE"):
            if thrown_away:
                continue
            # Only what Blogger itself showed readers goes live; unknown states stay drafts.
            draft = status not in ("LIVE", "SCHEDULED")
            old_path = path_of(child_text(entry, f"{{{TAKEOUT}}}filename"))
            reader.add_post(posts, entry, reader.post(entry, kind.lower(), draft, old_path, True))
        elif kind == "COMMENT":
            parent = child_text(entry, f"{{{TAKEOUT}}}parent")
            if not parent:
                raise reader.error(entry, "a comment without a <blogger:parent>")
            if status == "LIVE":
                state = "approved"
            elif "SPAM" in status:
                state = "spam"
            else:
                state = "pending"
            # A trashed comment is kept out but stays in the chain its replies climb.
            comment = None if thrown_away else reader.comment(entry, state)
            reader.add_comment(comments, entry, comment, parent)
    return _site(reader, posts, comments)


def _site(reader: EntryReader, posts: dict[str, SourcePost], comments: Replies) -> Site:
    """The Site of these posts, with each comment threaded onto its post."""
    _attach(posts, comments)
    return Site(authors=list(reader.authors.values()), posts=list(posts.values()), source="blogger")


def _attach(posts: dict[str, SourcePost], comments: Replies) -> None:
    """Put each kept comment on its post, answering its nearest kept ancestor comment.

    A comment whose chain leads to no imported post (a trashed one, say) is left out.
    """
    answers = {source_id: answered for source_id, (_comment, answered) in comments.items()}
    kept = {
        source_id for source_id, (comment, _answered) in comments.items() if comment is not None
    }
    for comment, answered in comments.values():
        if comment is None:
            continue
        comment.parent_source_id, end = climb_thread(answered, answers, kept)
        post = posts.get(end or "")
        if post is not None:
            post.comments.append(comment)
    for post in posts.values():
        # Oldest first, but never a reply before the comment it answers.
        post.comments = parents_first(sorted(post.comments, key=lambda found: found.created_at))
