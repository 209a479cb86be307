"""Small text helpers shared by models, Markdown and the demo loader."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 80) -> str:
    """Lowercase ASCII words joined by hyphens, e.g. "Café Night!" -> "cafe-night"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def content_digest(text: str) -> str:
    """A fingerprint of text that ignores case and spacing, for spotting duplicates."""
    normal = " ".join(text.casefold().split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def split_tags(raw: str) -> list[str]:
    """Comma-separated tag names, trimmed and without repeats ("a, b ,a" -> ["a", "b"])."""
    names: dict[str, str] = {}
    for part in raw.split(","):
        name = " ".join(part.split())
        if name and slugify(name) not in names:
            names[slugify(name)] = name
    return list(names.values())


# Tags that end a block of text: replaced by a space, so "<td>a</td><td>b</td>" stays two words.
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|h[1-6]|li|ul|ol|dl|dt|dd|blockquote|pre|table|thead|tbody|tr|td|th|br|hr|img"
    r"|figure|figcaption|section|article)\b[^>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[^>]*>")
# Control characters (the search highlighter's markers among them) never reach the text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def html_text(fragment: str) -> str:
    """The words of sanitized HTML as one line of plain text, for search and snippets."""
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", fragment))
    return " ".join(_CONTROL.sub(" ", html.unescape(text)).split())
