"""The links in a comment, read from its sanitized HTML, for the queue to show where they go."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass(frozen=True)
class Link:
    """One link of a comment: the words a reader sees and the address it really opens."""

    text: str
    href: str


class _LinkReader(HTMLParser):
    """Collects each <a href>'s address and text; nested markup inside the link is text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a link at an <a> that has an address."""
        if tag == "a":
            self._href = dict(attrs).get("href") or None
            self._text = []

    def handle_data(self, data: str) -> None:
        """Keep the text inside the open link."""
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        """Close the open link."""
        if tag == "a" and self._href is not None:
            text = " ".join("".join(self._text).split())
            self.links.append(Link(text, self._href))
            self._href = None


def links_in(body_html: str) -> list[Link]:
    """The links of a comment's sanitized body, in order (its text and its href)."""
    if "<a" not in body_html:
        return []
    reader = _LinkReader()
    reader.feed(body_html)
    reader.close()
    return reader.links
