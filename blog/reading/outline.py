"""An article's outline: a link beside each heading, and a table of contents for long posts.

Done when the page is rendered, over HTML we sanitized ourselves (so its shape is known), and
for every post alike: written here, imported from elsewhere (whose headings may lack ids), or
previewed in the editor. Images below the fold get `loading="lazy"` at the same time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

from markupsafe import Markup, escape

from blog.core.markdown import RESERVED_IDS, lazy_images
from blog.core.text import html_text, slugify

# Fewer sections than this read fine without a table of contents.
TOC_MIN_SECTIONS = 3
_HEADING = re.compile(r'<h([2-6])(?: id="([^"]*)")?>(.*?)</h\1>', re.DOTALL)
_ID = re.compile(r'\sid="([^"]*)"')


@dataclass
class Section:
    """A heading in the table of contents, with the headings one level below it."""

    anchor: str
    title: str
    level: int
    children: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Outline:
    """The body with heading links, and its sections when there are enough for contents."""

    html: Markup
    sections: list[Section]


def _free_anchor(title: str, used: set[str]) -> str:
    base = slugify(title) or "section"
    if base in RESERVED_IDS or base.startswith("comment-"):
        base = f"section-{base}"
    anchor, number = base, 2
    while anchor in used:
        anchor = f"{base}-{number}"
        number += 1
    used.add(anchor)
    return anchor


def article_outline(body_html: str) -> Outline:
    """`body_html` (sanitized) with a link on each heading, and its table of contents."""
    used = set(_ID.findall(body_html)) | set(RESERVED_IDS)
    headings: list[tuple[int, str, str]] = []

    def linked(match: re.Match[str]) -> str:
        # The id as written in the HTML (already escaped: it is kept as it is) and as text.
        level, written, inner = int(match.group(1)), match.group(2), match.group(3)
        title = html_text(inner)
        anchor = unescape(written) if written else _free_anchor(title, used)
        headings.append((level, anchor, title))
        attribute = written or escape(anchor)
        label = escape(f"Link to the section “{title}”")
        return (
            f'<h{level} id="{attribute}">{inner} <a class="heading-anchor" '
            f'href="#{attribute}" aria-label="{label}">#</a></h{level}>'
        )

    html = lazy_images(_HEADING.sub(linked, body_html))
    return Outline(Markup(html), _sections(headings))


def _sections(headings: list[tuple[int, str, str]]) -> list[Section]:
    """The top level's headings (with the level below nested), if there are enough of them."""
    if not headings:
        return []
    top = min(level for level, _, _ in headings)
    sections: list[Section] = []
    for level, anchor, title in headings:
        if level == top:
            sections.append(Section(anchor, title, level))
        elif level == top + 1 and sections:
            sections[-1].children.append(Section(anchor, title, level))
    return sections if len(sections) >= TOC_MIN_SECTIONS else []
