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
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException, EntitiesForbidden

from blog.portability.html import autop, html_to_markdown, image_sources, plain_text
from blog.portability.source import (
    Site,
    SourceAuthor,
    SourceComment,
    SourcePost,
    climb_thread,
    one_line,
    parents_first,
)
from blog.portability.xmlread import (
    XmlRefused,
    child_text,
    file_error,
    line_of,
    local_name,
    parse,
    read_bytes,
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


def read_wordpress(path: Path, *, now: datetime | None = None) -> Site:
    """Every author, post, page and comment of a WXR file, or ImportFileError saying why not."""
    channel, wp = _channel(read_bytes(path, "cannot be read: {reason}"), path.name)
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


def _channel(data: bytes, name: str) -> tuple[Element, str]:
    """The parsed <channel> and the WXR namespace (as "{uri}") it uses."""
    try:
        root = parse(data).root
    except XmlRefused as refused:
        raise file_error(name, _refusal(refused, data)) from refused.error
    document = local_name(root.tag)
    if document != "rss":
        raise file_error(name, f"not a WordPress export: the document is <{document}>, not <rss>")
    channel = root.find("channel")
    if channel is None:
        raise file_error(name, "not a WordPress export: <rss> has no <channel>")
    wp = _wp_namespace(channel)
    if wp is None:
        raise file_error(
            name,
            "an RSS feed, not a WordPress export: nothing in the http://wordpress.org/export/ "
            "namespace (no wp:wxr_version, wp:author or wp:post_id)",
        )
    return channel, wp


def _refusal(refused: XmlRefused, data: bytes) -> str:
    """What the safe XML parser refused, pointing at its line (and column, for syntax)."""
    if isinstance(refused.error, EntitiesForbidden):
        return (
            f"line {line_of(data, b'<!ENTITY')}: declares the XML entity "
            f"{refused.error.name!r}; imports refuse entities (they can read local files or "
            "expand without bound)"
        )
    if isinstance(refused.error, DefusedXmlException):
        return f"refused by the safe XML parser: {refused.error}"
    line, column = refused.line, refused.column + 1
    message = f"not well-formed XML at line {line}, column {column}: {refused.reason}"
    if refused.truncated:
        message += " (the file seems cut off: export it again)"
    return message


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
        login = child_text(element, f"{wp}author_login")
        if not login:
            continue
        name = one_line(html.unescape(child_text(element, f"{wp}author_display_name"))) or login
        email = child_text(element, f"{wp}author_email").lower() or _stand_in_email(login)
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
    kind = child_text(item, f"{wp}post_type")
    status_in_wordpress = child_text(item, f"{wp}status").lower()
    if kind not in ("post", "page") or status_in_wordpress in _SKIPPED_STATUSES:
        return None
    post_id = child_text(item, f"{wp}post_id")
    title = one_line(html.unescape(child_text(item, "title"))) or "Untitled"
    where = f"{name}: {kind} {post_id or '?'} ({title[:60]!r})"
    if not post_id:
        raise file_error(where, "has no wp:post_id")
    published_at = _date(item, f"{wp}post_date_gmt", where) or _date(item, f"{wp}post_date", where)
    # Unknown statuses become drafts: nothing is lost, and nothing is published by surprise.
    status = _POST_STATUSES.get(status_in_wordpress, "draft")
    if status == "published" and published_at is not None and published_at > now:
        status = "scheduled"
    if status != "draft" and published_at is None:
        raise file_error(where, f"is {status_in_wordpress!r} but has no wp:post_date")
    content = child_text(item, f"{CONTENT}encoded", strip=False)
    body, lost = html_to_markdown(autop(content))
    return SourcePost(
        source_id=post_id,
        kind=kind,
        title=title,
        slug=_slug(child_text(item, f"{wp}post_name")),
        status=status,
        published_at=published_at,
        author_key=child_text(item, f"{DC}creator") or "unknown",
        tags=_tags(item),
        body_markdown=body,
        summary=plain_text(_excerpt(item, wp), SUMMARY_LIMIT),
        old_paths=_old_paths(child_text(item, "link"), kind, post_id),
        comments=_comments(item, wp, where),
        lost_markup=lost,
        media=[url for url in image_sources(content) if "/wp-content/uploads/" in url],
    )


def _comments(item: Element, wp: str, where: str) -> list[SourceComment]:
    """The item's comments, pingbacks and trashed ones left out, each after its parent."""
    parent_of: dict[str, str | None] = {}
    kept: list[SourceComment] = []
    for element in item.findall(f"{wp}comment"):
        comment_id = child_text(element, f"{wp}comment_id")
        if not comment_id:
            raise file_error(where, "a comment has no wp:comment_id")
        parent = child_text(element, f"{wp}comment_parent")
        parent_of[comment_id] = None if parent in ("", "0") else parent
        approved = child_text(element, f"{wp}comment_approved").lower()
        kind = child_text(element, f"{wp}comment_type").lower()
        if kind in _NOT_COMMENTS or approved in _SKIPPED_COMMENT_STATUSES:
            continue
        here = f"{where}, comment {comment_id}"
        created_at = _date(element, f"{wp}comment_date_gmt", here) or _date(
            element, f"{wp}comment_date", here
        )
        if created_at is None:
            raise file_error(here, "has no wp:comment_date")
        website = child_text(element, f"{wp}comment_author_url")
        content = child_text(element, f"{wp}comment_content", strip=False)
        body, _lost = html_to_markdown(autop(content))
        kept.append(
            SourceComment(
                source_id=comment_id,
                parent_source_id=parent_of[comment_id],
                author_name=one_line(html.unescape(child_text(element, f"{wp}comment_author")))
                or "Anonymous",
                author_email=child_text(element, f"{wp}comment_author_email").lower() or None,
                author_website=website if _is_web_address(website) else None,
                body_markdown=body,
                created_at=created_at,
                # Unknown approval values wait for a person rather than appear unreviewed.
                status=_COMMENT_STATUSES.get(approved, "pending"),
            )
        )
    # A reply to a comment left out answers the closest ancestor that was kept instead.
    kept_ids = {comment.source_id for comment in kept}
    for comment in kept:
        comment.parent_source_id, _end = climb_thread(comment.parent_source_id, parent_of, kept_ids)
    return parents_first(kept)


def _date(element: Element, tag: str, where: str) -> datetime | None:
    """A "YYYY-MM-DD HH:MM:SS" child as a naive datetime; None when absent or all zeros."""
    value = child_text(element, tag)
    if not value or value.startswith(_NO_DATE):
        return None
    try:
        return datetime.strptime(value, _DATE_FORMAT)
    except ValueError as error:
        field = tag.rsplit("}", 1)[-1]
        raise file_error(
            where, f"wp:{field} {value!r} is not a YYYY-MM-DD HH:MM:SS date"
        ) from error


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
        tag = one_line(html.unescape(category.text or ""))
        if tag and tag.casefold() != "uncategorized":
            tags.setdefault(tag.casefold(), tag)
    return list(tags.values())


def _excerpt(item: Element, wp: str) -> str:
    """The hand-written excerpt, in whichever excerpt namespace version the file uses."""
    for uri in WP_NAMESPACES:
        excerpt = child_text(item, f"{{{uri}excerpt/}}encoded", strip=False)
        if excerpt:
            return excerpt
    return ""


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


def _is_web_address(url: str) -> bool:
    """Whether url is an absolute http(s) address with a host."""
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
