"""The search page: a plain GET form, and results live as the reader types (htmx)."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from blog.core.pagecache import shared_page
from blog.core.web import page_number, render_page
from blog.search.queries import parse_query, search

bp = Blueprint("search", __name__)


@bp.get("/search")
@shared_page
def results() -> tuple[str, int]:
    """Posts matching the reader's words, title hits first; htmx gets only the results."""
    query = parse_query(request.args.get("q", ""))
    found = search(query, page_number(), current_app.config["POSTS_PER_PAGE"])
    html = render_page(
        "search/results.html", "search_results", with_title=True, query=query, found=found
    )
    # A search too long to run is the reader's mistake: said on the page, with a 400.
    return html, 400 if query.error else 200
