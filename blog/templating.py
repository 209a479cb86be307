"""Template helpers: date filters, site globals, and one-template-two-renderings for htmx."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, current_app, render_template, request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of the page (not a history restore)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Request-Type", "partial") == "partial"
    )


def render_page(
    template: str,
    block: str,
    *,
    oob_blocks: tuple[str, ...] = (),
    with_title: bool = False,
    **context: Any,
) -> str:
    """Render the whole page, or for htmx only `block` of that same template.

    `with_title` starts the fragment with the page's <title>, for swaps that push a new URL:
    htmx moves it into the document head, so the tab and the history entry are named as the
    full page would name them. `oob_blocks` are rendered after the block with `oob=True`, for
    pieces elsewhere on the page (a count, a status line) that htmx swaps by id.
    """
    if wants_fragment():
        parts = [render_block(template, block, **context)]
        if with_title:
            parts.insert(0, f"<title>{render_block(template, 'title', **context).strip()}</title>")
        parts += [render_block(template, name, **context, oob=True) for name in oob_blocks]
        return "\n".join(parts)
    return render_template(template, **context)


def long_date(value: datetime) -> str:
    """"November 3, 2026": how dates read on the page."""
    return f"{value:%B} {value.day}, {value.year}"


def iso_utc(value: datetime) -> str:
    """Machine-readable UTC time for `<time datetime>` and OpenGraph."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def absolute_url(path: str) -> str:
    """`path` on this site as an absolute URL, based on SITE_URL when the operator set one."""
    base = current_app.config.get("SITE_URL") or request.host_url
    return base.rstrip("/") + path


def init_app(app: Flask) -> None:
    """Register filters and globals, and tell caches when a URL can answer with a fragment."""
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["iso_utc"] = iso_utc
    app.jinja_env.globals["absolute_url"] = absolute_url
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site_globals() -> dict[str, Any]:
        return {
            "site_name": current_app.config["SITE_NAME"],
            "site_tagline": current_app.config["SITE_TAGLINE"],
        }
