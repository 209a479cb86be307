"""Other engines' HTML bodies turned into our Markdown, saying what could not come along."""

from __future__ import annotations

import re

from markdownify import markdownify

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
