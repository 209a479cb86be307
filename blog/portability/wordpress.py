"""Reading a WordPress export (WXR, "Tools → Export") into a `Site`, whole and in memory.

WXR is RSS 2.0 with WordPress's own namespace: `wp:author` elements in the channel, and one
`<item>` per post, page, attachment, menu entry or revision. Only posts and pages come along,
with their comments; everything is parsed and converted before anything is written, so a bad
file fails here, with one line saying what is wrong and where.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, EntitiesForbidden
from defusedxml.ElementTree import fromstring

from blog.portability.html import html_to_markdown
from blog.portability.source import (
    ImportFileError,
    Site,
    SourceAuthor,
    SourceComment,
    SourcePost,
)

WP_NAMESPACES = tuple(f"http://wordpress.org/export/{v}/" for v in ("1.2", "1.1", "1.0"))
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
SUMMARY_LIMIT = 500

_POST_STATUSES = {
    "publish": "published",
    "future": "scheduled",
    "draft": "draft",
    "pending": "draft",
    "private": "draft",
    "auto-draft": "draft",
}
_SKIPPED_STATUSES = {"trash", "inherit"}
_COMMENT_STATUSES = {"1": "approved", "approve": "approved", "0": "pending", "spam": "spam"}
_SKIPPED_COMMENT_STATUSES = {"trash", "post-trashed"}
_NOT_COMMENTS = {"pingback", "trackback"}
_NO_DATE = "0000-00-00"
_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_IMG_SRC = re.compile(r"<img\b[^>]*?\ssrc\s*=\s*([\"'])(.*?)\1", re.I | re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|h[1-6]|blockquote|tr|td|th|pre|figure)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
_PRE = re.compile(r"<pre\b.*?</pre>", re.I | re.S)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# A chunk starting like this is already block-level HTML: wrapping it in <p> would nest blocks.
_STARTS_BLOCK = re.compile(
    r"<(?:/|!--|(?:p|div|h[1-6]|ul|ol|li|dl|dt|dd|blockquote|pre|table|thead|tbody|tfoot|tr|td"
    r"|th|figure|figcaption|hr|iframe|section|article|aside|header|footer|address|form|details"
    r"|summary|video|audio|object|embed|style|script)\b)",
    re.I,
)


def read_wordpress(path: Path, *, now: datetime | None = None) -> Site:
    """Every author, post, page and comment of a WXR file, or ImportFileError saying why not."""
    channel, wp = _channel(_read(path), path.name)
    # A post published "in the future" is one WordPress would still hold back: scheduled.
    now = now or datetime.now(UTC).replace(tzinfo=None)
    authors: dict[str, SourceAuthor] = {}
    for author in _authors(channel, wp):
        authors.setdefault(author.key, author)
    posts: list[SourcePost] = []
    for item in channel.findall("item"):
        post = _post(item, wp, now, path.name)
        if post is None:
            continue
        if post.author_key not in authors:
            authors[post.author_key] = _stand_in_author(post.author_key)
        posts.append(post)
    return Site(authors=list(authors.values()), posts=posts, source="wordpress")


def _read(path: Path) -> bytes:
    """The file's bytes; a missing or unreadable file is an ImportFileError like any other."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise _error(f"{path.name}: cannot be read: {error.strerror or error}") from error


def _channel(data: bytes, name: str) -> tuple[Element, str]:
    """The parsed <channel> and the WXR namespace (as "{uri}") it uses."""
    try:
        # Bytes, not text: the XML declaration's encoding then decides how they are read.
        root: Element = fromstring(data)
    except EntitiesForbidden as error:
        raise _error(
            f"{name}: line {_line_of(data, b'<!ENTITY')}: declares the XML entity "
            f"{error.name!r}; imports refuse entities (they can read local files or expand "
            "without bound)"
        ) from error
    except DefusedXmlException as error:
        raise _error(f"{name}: refused by the safe XML parser: {error}") from error
    except ParseError as error:
        raise _error(_parse_error_message(name, error)) from error
    document = _local_name(root.tag)
    if document != "rss":
        raise _error(f"{name}: not a WordPress export: the document is <{document}>, not <rss>")
    channel = root.find("channel")
    if channel is None:
        raise _error(f"{name}: not a WordPress export: <rss> has no <channel>")
    wp = _wp_namespace(channel)
    if wp is None:
        raise _error(
            f"{name}: an RSS feed, not a WordPress export: nothing in the "
            "http://wordpress.org/export/ namespace (no wp:wxr_version, wp:author or wp:post_id)"
        )
    return channel, wp


def _parse_error_message(name: str, error: ParseError) -> str:
    """One line for an XML syntax error, pointing at its line and column."""
    line, column = error.position
    reason = str(error).rsplit(": line ", 1)[0]
    message = f"{name}: not well-formed XML at line {line}, column {column + 1}: {reason}"
    if _data_ended(reason):
        message += " (the file seems cut off: export it again)"
    return message


def _data_ended(reason: str) -> bool:
    """Whether expat's reason means the document stopped before its elements were closed."""
    return reason in {"no element found", "unclosed token", "unclosed CDATA section"}


def _line_of(data: bytes, needle: bytes) -> int:
    """The 1-based line where needle first occurs (the first line if it does not)."""
    found = data.find(needle)
    return data.count(b"\n", 0, found) + 1 if found >= 0 else 1


def _wp_namespace(channel: Element) -> str | None:
    """The "{uri}" of the WXR version the channel is written in, None if it is not WXR."""
    for uri in WP_NAMESPACES:
        if channel.find(f"{{{uri}}}wxr_version") is not None:
            return f"{{{uri}}}"
    # Some hand-made or plugin exports omit wxr_version but are otherwise WXR.
    for element in channel.iter():
        for uri in WP_NAMESPACES:
            if element.tag.startswith(f"{{{uri}}}"):
                return f"{{{uri}}}"
    return None


def _authors(channel: Element, wp: str) -> list[SourceAuthor]:
    """The channel's <wp:author> entries, keyed by login."""
    authors = []
    for element in channel.findall(f"{wp}author"):
        login = _text(element, f"{wp}author_login")
        if not login:
            continue
        name = _one_line(html.unescape(_text(element, f"{wp}author_display_name"))) or login
        email = _text(element, f"{wp}author_email").lower() or _stand_in_email(login)
        authors.append(SourceAuthor(key=login, name=name, email=email))
    return authors


def _stand_in_author(login: str) -> SourceAuthor:
    """An author for a login the export names on items but does not describe."""
    return SourceAuthor(key=login, name=login, email=_stand_in_email(login))


def _stand_in_email(login: str) -> str:
    """An address that can never be delivered to (.invalid), unique to the login."""
    # Logins may hold spaces or an "@" (WordPress allows email addresses as logins).
    local = re.sub(r"[^a-z0-9._+-]+", "-", login.lower()).strip("-.") or "unknown"
    return f"{local}@imported.invalid"


def _post(item: Element, wp: str, now: datetime, name: str) -> SourcePost | None:
    """The item as a post or page, or None for an item an import leaves behind."""
    kind = _text(item, f"{wp}post_type")
    status_in_wordpress = _text(item, f"{wp}status").lower()
    if kind not in ("post", "page") or status_in_wordpress in _SKIPPED_STATUSES:
        return None
    post_id = _text(item, f"{wp}post_id")
    title = _one_line(html.unescape(_text(item, "title"))) or "Untitled"
    where = f"{name}: {kind} {post_id or '?'} ({title[:60]!r})"
    if not post_id:
        raise _error(f"{where}: has no wp:post_id")
    published_at = _date(item, f"{wp}post_date_gmt", where) or _date(item, f"{wp}post_date", where)
    # Unknown statuses become drafts: nothing is lost, and nothing is published by surprise.
    status = _POST_STATUSES.get(status_in_wordpress, "draft")
    if status == "published" and published_at is not None and published_at > now:
        status = "scheduled"
    if status != "draft" and published_at is None:
        raise _error(f"{where}: is {status_in_wordpress!r} but has no wp:post_date")
    content = _text(item, f"{CONTENT}encoded", strip=False)
    body, lost = html_to_markdown(_autop(content))
    return SourcePost(
        source_id=post_id,
        kind=kind,
        title=title,
        slug=_slug(_text(item, f"{wp}post_name")),
        status=status,
        published_at=published_at,
        author_key=_text(item, f"{DC}creator") or "unknown",
        tags=_tags(item),
        body_markdown=body,
        summary=_plain_text(_excerpt(item, wp), SUMMARY_LIMIT),
        old_paths=_old_paths(_text(item, "link"), kind, post_id),
        comments=_comments(item, wp, where),
        lost_markup=lost,
        media=_media(content),
    )


def _comments(item: Element, wp: str, where: str) -> list[SourceComment]:
    """The item's comments, pingbacks and trashed ones left out, each after its parent."""
    parent_of: dict[str, str | None] = {}
    kept: list[SourceComment] = []
    for element in item.findall(f"{wp}comment"):
        comment_id = _text(element, f"{wp}comment_id")
        if not comment_id:
            raise _error(f"{where}: a comment has no wp:comment_id")
        parent = _text(element, f"{wp}comment_parent")
        parent_of[comment_id] = None if parent in ("", "0") else parent
        approved = _text(element, f"{wp}comment_approved").lower()
        kind = _text(element, f"{wp}comment_type").lower()
        if kind in _NOT_COMMENTS or approved in _SKIPPED_COMMENT_STATUSES:
            continue
        here = f"{where}, comment {comment_id}"
        created_at = _date(element, f"{wp}comment_date_gmt", here) or _date(
            element, f"{wp}comment_date", here
        )
        if created_at is None:
            raise _error(f"{here}: has no wp:comment_date")
        website = _text(element, f"{wp}comment_author_url")
        body, _lost = html_to_markdown(_autop(_text(element, f"{wp}comment_content", strip=False)))
        kept.append(
            SourceComment(
                source_id=comment_id,
                parent_source_id=parent_of[comment_id],
                author_name=_one_line(html.unescape(_text(element, f"{wp}comment_author")))
                or "Anonymous",
                author_email=_text(element, f"{wp}comment_author_email").lower() or None,
                author_website=website if _is_web_address(website) else None,
                body_markdown=body,
                created_at=created_at,
                # Unknown approval values wait for a person rather than appear unreviewed.
                status=_COMMENT_STATUSES.get(approved, "pending"),
            )
        )
    kept_ids = {comment.source_id for comment in kept}
    for comment in kept:
        comment.parent_source_id = _nearest_kept(comment.parent_source_id, parent_of, kept_ids)
    return _parents_first(kept)


def _nearest_kept(
    parent: str | None, parent_of: dict[str, str | None], kept_ids: set[str]
) -> str | None:
    """The closest ancestor that was kept, so a reply to a trashed comment is not orphaned."""
    seen: set[str] = set()
    while parent is not None and parent not in kept_ids:
        if parent in seen:
            return None
        seen.add(parent)
        parent = parent_of.get(parent)
    return parent


def _parents_first(comments: list[SourceComment]) -> list[SourceComment]:
    """The comments in export order, except that each comes after the one it answers."""
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
            # Comments answering each other in a loop: a broken export; cut the loop at one.
            still_waiting[0].parent_source_id = None
        waiting = still_waiting
    return ordered


def _date(element: Element, tag: str, where: str) -> datetime | None:
    """A "YYYY-MM-DD HH:MM:SS" child as a naive datetime; None when absent or all zeros."""
    value = _text(element, tag)
    if not value or value.startswith(_NO_DATE):
        return None
    try:
        return datetime.strptime(value, _DATE_FORMAT)
    except ValueError as error:
        field = tag.rsplit("}", 1)[-1]
        raise _error(f"{where}: wp:{field} {value!r} is not a YYYY-MM-DD HH:MM:SS date") from error


def _slug(post_name: str) -> str:
    """The old slug made safe: lowercase ASCII letters, digits and single inner hyphens."""
    # WordPress stores non-ASCII slugs percent-encoded ("caf%c3%a9"): decode, then fold accents.
    text = unicodedata.normalize("NFKD", unquote(post_name)).encode("ascii", "ignore").decode()
    return _NON_SLUG.sub("-", text.lower()).strip("-")


def _tags(item: Element) -> list[str]:
    """Category and tag names, first spelling of each, without WordPress's default category."""
    tags: dict[str, str] = {}
    for category in item.findall("category"):
        if category.get("domain") not in ("category", "post_tag"):
            continue
        # WordPress stores term names HTML-escaped ("Food &amp; Drink").
        tag = _one_line(html.unescape(category.text or ""))
        if tag and tag.casefold() != "uncategorized":
            tags.setdefault(tag.casefold(), tag)
    return list(tags.values())


def _excerpt(item: Element, wp: str) -> str:
    """The hand-written excerpt, in whichever excerpt namespace version the file uses."""
    for uri in WP_NAMESPACES:
        excerpt = _text(item, f"{{{uri}excerpt/}}encoded", strip=False)
        if excerpt:
            return excerpt
    return ""


def _plain_text(html_text: str, limit: int) -> str:
    """HTML as one line of text, cut at a word to at most limit characters."""
    text = _HTML_COMMENT.sub(" ", html_text)
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", text))
    text = _one_line(html.unescape(text))
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return cut.rstrip(" ,;:.") + "…"


def _old_paths(link: str, kind: str, post_id: str) -> list[str]:
    """The addresses the post answered on the old site: its permalink and its ?p= form."""
    paths: list[str] = []
    if link:
        parts = urlsplit(link)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        # A bare "/" is the old home page, which must not redirect to one post.
        if path != "/":
            paths.append(path)
    short = f"/?p={post_id}" if kind == "post" else f"/?page_id={post_id}"
    if short not in paths:
        paths.append(short)
    return paths


def _media(html_text: str) -> list[str]:
    """The old site's uploaded images the body shows, each once, in order."""
    urls: dict[str, None] = {}
    for found in _IMG_SRC.finditer(html_text):
        url = html.unescape(found.group(2)).strip()
        if "/wp-content/uploads/" in url:
            urls.setdefault(url)
    return list(urls)


def _autop(html_text: str) -> str:
    """Paragraph tags for text WordPress would paragraph on display (blank lines, line breaks).

    Classic-editor posts and all comments are stored without <p>: WordPress adds them when it
    shows them, so without this their paragraphs would run together. Block-editor posts carry
    their own tags.
    """
    if "<!-- wp:" in html_text:
        return html_text
    text = html_text.replace("\r\n", "\n").replace("\r", "\n").strip()
    kept_pre: list[str] = []

    def hold(found: re.Match[str]) -> str:
        kept_pre.append(found.group(0))
        return f"\x00{len(kept_pre) - 1}\x00"

    # Blank lines inside <pre> are part of the code, not paragraph breaks.
    text = _PRE.sub(hold, text)
    chunks = []
    for chunk in _PARAGRAPH_BREAK.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk.startswith("\x00") or _STARTS_BLOCK.match(chunk):
            chunks.append(chunk)
        else:
            chunks.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    joined = "\n\n".join(chunks)
    return re.sub(r"\x00(\d+)\x00", lambda found: kept_pre[int(found.group(1))], joined)


def _is_web_address(url: str) -> bool:
    """Whether url is an absolute http(s) address with a host."""
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _text(element: Element, tag: str, *, strip: bool = True) -> str:
    """The text of element's first tag child ("" when there is none)."""
    child = element.find(tag)
    text = "" if child is None or child.text is None else child.text
    return text.strip() if strip else text


def _one_line(text: str) -> str:
    """Text with every run of whitespace (newlines too) made one space."""
    return " ".join(text.split())


def _local_name(tag: str) -> str:
    """An element's tag without its {namespace}."""
    return tag.rsplit("}", 1)[-1]


def _error(message: str) -> ImportFileError:
    """An ImportFileError whose message is kept to one line, whatever went into it."""
    return ImportFileError(_one_line(message))
