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
_SHORTCODE = re.compile(r"\[/?[a-zA-Z][\w-]*(?:\s[^\]]*)?\]")
_IFRAME_SRC = re.compile(r"<iframe[^>]*\ssrc=[\"']([^\"']+)[\"'][^>]*>.*?</iframe>", re.I | re.S)
_EMBED_URL = re.compile(r"^\s*(https?://\S+)\s*$", re.M)


def _lost(html: str) -> list[str]:
    lowered = html.lower()
    return sorted({tag.split()[0] for tag in INEXPRESSIBLE if f"<{tag}" in lowered})


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
