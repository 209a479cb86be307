"""Markdown to safe HTML for posts and comments: markdown-it-py, then one nh3 allow-list.

Neither authors nor commenters can type HTML (the parsers' `html` is off): every tag comes from
our renderer. The post allow-list adds only what that renderer writes: for fenced code, the
`language-*` class on <code> and Pygments' token classes on <span>; for our uploaded images,
width, height, srcset and sizes, with values checked again here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

from blog.core.images import SIZES, our_srcset, sized
from blog.core.text import html_text, slugify

# The only HTML that Markdown may produce on our pages. No scripts, no event handlers, no style,
# no class, no data-* (htmx 4 reads data-hx-* too), no hx-*.
ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
_HEADING_ATTRS = {"id"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    **{f"h{level}": _HEADING_ATTRS for level in range(2, 7)},
}
# Fenced code in posts: what our highlighter writes, and nothing else with a class.
CODE_TAGS = frozenset({"span"})
CODE_ATTRIBUTES: dict[str, set[str]] = {
    "code": {"class"},
    "span": {"class"},
    "img": {"src", "alt", "title", "width", "height", "srcset", "sizes"},
}
TOKEN_CLASSES = frozenset(name for name in STANDARD_TYPES.values() if name)
_LANGUAGE_CLASS = re.compile(r"language-[a-z0-9][a-z0-9+#._-]{0,39}")
# Past this size a code block is shown plain: highlighting is for reading, not for bulk data.
HIGHLIGHT_MAX_CHARS = 50_000
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
POST_LINK_REL = "noopener noreferrer"
COMMENT_LINK_REL = "nofollow ugc noopener noreferrer"

# Ids the page layout uses; a heading must never take one of them.
RESERVED_IDS = frozenset(
    {
        "main",
        "content",
        "comments",
        "comment-list",
        "comment-form",
        "post-a-comment",
        "post-list",
        "site-header",
        "site-footer",
        "article-body",
        "pagination",
        "messages",
        "toc",
        "toc-heading",
    }
)


_FORMATTER = HtmlFormatter(nowrap=True)


def _highlight(code: str, language: str, _attrs: object) -> str:
    """Pygments' token spans for a fenced block in a known language; "" leaves it plain."""
    if not language or len(code) > HIGHLIGHT_MAX_CHARS:
        return ""
    try:
        lexer = get_lexer_by_name(language.lower())
    except ClassNotFound:
        return ""
    return str(highlight(code, lexer, _FORMATTER))


def _post_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True, "highlight": _highlight})
    return md.enable(["table", "strikethrough", "replacements", "smartquotes"])


def _comment_parser() -> MarkdownIt:
    # Commenters get inline formatting, lists, quotes and code: no headings, images or tables.
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["strikethrough", "replacements", "smartquotes"])
    return md.disable(["heading", "lheading", "image"])


_POST_MD = _post_parser()
_COMMENT_MD = _comment_parser()


def _ours_only(element: str, attribute: str, value: str) -> str | None:
    """Keep the attributes our renderer adds only with the values it writes."""
    if element == "img":
        if attribute in ("width", "height"):
            return value if value.isascii() and value.isdigit() and len(value) <= 5 else None
        if attribute == "srcset":
            return value if our_srcset(value) else None
        if attribute == "sizes":
            return value if value == SIZES else None
        return value
    if attribute != "class":
        return value
    if element == "code":
        return value if _LANGUAGE_CLASS.fullmatch(value) else None
    kept = [name for name in value.split() if name in TOKEN_CLASSES]
    return " ".join(kept) or None


def sanitize(html: str, link_rel: str = POST_LINK_REL, post: bool = False) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes.

    `post`: also what our post renderer adds (highlighted code, sized images).
    """
    tags = set(ALLOWED_TAGS | CODE_TAGS) if post else set(ALLOWED_TAGS)
    attributes = {**ALLOWED_ATTRIBUTES, **CODE_ATTRIBUTES} if post else ALLOWED_ATTRIBUTES
    return nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        attribute_filter=_ours_only if post else None,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=link_rel,
        strip_comments=True,
    )


def _heading_text(inline: Token) -> str:
    return "".join(child.content for child in inline.children or [] if child.content)


def _anchor_headings(tokens: Sequence[Token]) -> None:
    """Give each heading a unique id for deep links, and demote h1: the page title is the h1."""
    used: set[str] = set()
    # The next number to try for each base: many headings with one text stay linear.
    next_number: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type not in ("heading_open", "heading_close"):
            continue
        if token.tag == "h1":
            token.tag = "h2"
        if token.type == "heading_close":
            continue
        base = slugify(_heading_text(tokens[index + 1])) or "section"
        if base in RESERVED_IDS or base.startswith("comment-"):
            base = f"section-{base}"
        anchor = base
        if anchor in used:
            number = next_number.get(base, 2)
            while f"{base}-{number}" in used:
                number += 1
            anchor = f"{base}-{number}"
            next_number[base] = number + 1
        used.add(anchor)
        token.attrSet("id", anchor)


def _images(tokens: Sequence[Token]) -> Iterator[Token]:
    for token in tokens:
        if token.type == "inline":
            yield from (child for child in token.children or [] if child.type == "image")


def _size_images(tokens: Sequence[Token]) -> None:
    """Our uploads get their width, height (no layout shift) and narrower copies (srcset)."""
    for image in _images(tokens):
        found = sized(str(image.attrGet("src") or ""))
        if found is None:
            continue
        image.attrSet("width", str(found.width))
        image.attrSet("height", str(found.height))
        if found.copies():
            image.attrSet("srcset", found.srcset())
            image.attrSet("sizes", SIZES)


def images_without_alt(source: str) -> int:
    """How many images in post Markdown have no description for readers who cannot see them."""
    tokens = _POST_MD.parse(source, {})
    return sum(1 for image in _images(tokens) if not image.content.strip())


def render_post(source: str) -> str:
    """Post Markdown to sanitized HTML: heading ids, highlighted code, sized images."""
    env: dict[str, object] = {}
    tokens = _POST_MD.parse(source, env)
    _anchor_headings(tokens)
    _size_images(tokens)
    return sanitize(_POST_MD.renderer.render(tokens, _POST_MD.options, env), post=True)


def render_comment(source: str) -> str:
    """Comment Markdown (a smaller subset) to sanitized HTML; links get rel="nofollow ugc"."""
    return sanitize(_COMMENT_MD.render(source), link_rel=COMMENT_LINK_REL)


# nh3 writes "<" as "&lt;" in text and in attribute values, so in sanitized HTML "<img" only
# ever starts a tag (tests/test_first_visit.py checks this of the nh3 we run).
_IMG_TAG = re.compile(r"<img(?=[\s/>])")
# The first image, with fewer words than this before it, is likely in view when the page
# opens (often the largest thing there): it loads at once. Every other image waits.
EAGER_IMAGE_WORDS = 60


def lazy_images(html: str) -> str:
    """Sanitized body HTML with images below the fold loading only as the reader nears them.

    Done when a page is rendered, after sanitizing, not by the allow-list: readers' and
    authors' markup never chooses these attributes, our code writes them with fixed values,
    and every stored body (written, imported or from before this) gets them alike. The
    stored HTML, which feeds also carry, stays as sanitized.
    """
    first = _IMG_TAG.search(html)
    if first is None:
        return html
    # Where the one image that loads at once starts (-1: none does).
    eager_at = (
        first.start() if len(html_text(html[: first.start()]).split()) < EAGER_IMAGE_WORDS else -1
    )

    def mark(match: re.Match[str]) -> str:
        if match.start() == eager_at:
            return '<img decoding="async"'
        return '<img loading="lazy" decoding="async"'

    return _IMG_TAG.sub(mark, html)
