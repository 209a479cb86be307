"""Other engines' HTML bodies: turned into our Markdown, saying what could not come along.

Also what readers need from a body besides its Markdown: WordPress's paragraphs (it stores
text without <p> and adds them on display), the images it shows, and an excerpt as plain text.
"""

from __future__ import annotations

import re
from html import unescape

from markdownify import markdownify

from blog.portability.source import one_line

# Markdown has no way to say these; their text is kept and the import reports them.
INEXPRESSIBLE = (
    "iframe",
    "video",
    "audio",
    "embed",
    "object",
    "form",
    "script",
    "style",
    "sup",
    "sub",
    "u",
    "font",
    "span style",
    "div style",
)
_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.DOTALL)
# WordPress's own shortcodes (a bracketed word in ordinary text, like [sic], stays).
SHORTCODES = ("caption", "gallery", "embed", "audio", "video", "playlist", "wp_caption")
_SHORTCODE = re.compile(r"\[/?(?:" + "|".join(SHORTCODES) + r")\b[^\]]*\]", re.I)
_GALLERY = re.compile(r"\[gallery\b", re.I)
_IFRAME_SRC = re.compile(r"<iframe[^>]*\ssrc=[\"']([^\"']+)[\"'][^>]*>.*?</iframe>", re.I | re.S)
_EMBED_URL = re.compile(r"^\s*(https?://\S+)\s*$", re.M)
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


def _lost(html: str) -> list[str]:
    lowered = html.lower()
    found = {
        tag.split()[0]
        for tag in INEXPRESSIBLE
        if re.search("<" + re.escape(tag) + (r"[\s>/]" if " " not in tag else ""), lowered)
    }
    if _GALLERY.search(html):
        found.add("gallery")
    return sorted(found)


def html_to_markdown(html: str) -> tuple[str, list[str]]:
    """Markdown for an imported body, and the kinds of markup it had to drop (kept as text).

    WordPress block comments and shortcodes go; an embedded video (iframe) becomes a link to it.
    """
    lost = _lost(html)
    html = _BLOCK_COMMENT.sub("", html)
    html = _IFRAME_SRC.sub(
        lambda found: f'<p><a href="{found.group(1)}">{found.group(1)}</a></p>', html
    )
    html = _SHORTCODE.sub("", html)
    markdown = markdownify(html, heading_style="ATX", bullets="-", strip=["script", "style"])
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip()
    return markdown, lost


def autop(html: str) -> str:
    """Paragraph tags for text WordPress would paragraph on display (blank lines, line breaks).

    Classic-editor posts and all comments are stored without <p>: WordPress adds them when it
    shows them, so without this their paragraphs would run together. Block-editor posts carry
    their own tags.
    """
    if "<!-- wp:" in html:
        return html
    text = html.replace("\r\n", "\n").replace("\r", "\n").strip()
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


def image_sources(html: str) -> list[str]:
    """The src of each quoted <img src> in the text, entities decoded, each once, in order."""
    sources: dict[str, None] = {}
    for found in _IMG_SRC.finditer(html):
        sources.setdefault(unescape(found.group(2)).strip())
    return list(sources)


def plain_text(html: str, limit: int) -> str:
    """HTML as one line of text, cut at a word to at most limit characters."""
    text = _HTML_COMMENT.sub(" ", html)
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", text))
    text = one_line(unescape(text))
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return cut.rstrip(" ,;:.") + "…"
