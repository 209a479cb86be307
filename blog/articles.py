"""Reader pages: the home page, articles, tag pages and the monthly archive."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, get_flashed_messages, request

from blog import comment_service, queries
from blog.models import Post
from blog.templating import render_page

bp = Blueprint("articles", __name__)


def page_number() -> int:
    """The `page` query argument: a positive whole number, else 404."""
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or int(raw) < 1:
        abort(404)
    return int(raw)


def _per_page() -> int:
    return int(current_app.config["POSTS_PER_PAGE"])


@bp.get("/")
def home() -> str:
    """The newest posts, a page at a time."""
    pagination = queries.home_page(page_number(), _per_page())
    return render_page(
        "listing.html",
        "post_list",
        with_title=True,
        pagination=pagination,
        heading=None,
        endpoint="articles.home",
        endpoint_args={},
    )


def render_article(post: Post, *, only_form: bool = False, **section: Any) -> str:
    """The article page, or for htmx its comment section (with the count and status to swap).

    `only_form`: for htmx, just the comment form (to show its errors without redrawing the
    comments the reader has loaded). `section` goes to `comment_service.section_context`: a
    form with errors, a status, how many pages of comments to show, which comment to focus.
    """
    older, newer = queries.neighbours(post)
    if not section.get("status"):
        section["status"] = flashed_status()
    return render_page(
        "article.html",
        "comment_form_section" if only_form else "comments",
        oob_blocks=("comment_status",) if only_form else ("comment_count", "comment_status"),
        older=older,
        newer=newer,
        **comment_service.section_context(post, **section),
    )


def flashed_status() -> comment_service.Status | None:
    """A status message left by a redirect (post/redirect/get without JavaScript)."""
    for category, message in get_flashed_messages(with_categories=True)[-1:]:
        return comment_service.Status(message, category)
    return None


@bp.get("/posts/<slug>")
def article(slug: str) -> str:
    """One article with its comments and links to its neighbours."""
    post = queries.visible_post(slug)
    if post is None:
        abort(404)
    return render_article(post)


@bp.get("/tags/")
def tags() -> str:
    """Every tag in use, with how many posts carry it."""
    return render_page("tags.html", "content", tag_counts=queries.tags_in_use())


@bp.get("/tags/<slug>")
def tag(slug: str) -> str:
    """Posts carrying one tag, a page at a time."""
    found = queries.tag_by_slug(slug)
    if found is None:
        abort(404)
    pagination = queries.tag_page(found, page_number(), _per_page())
    if not pagination.total:
        abort(404)
    return render_page(
        "listing.html",
        "post_list",
        with_title=True,
        pagination=pagination,
        heading=f"Posts tagged “{found.name}”",
        endpoint="articles.tag",
        endpoint_args={"slug": found.slug},
    )


@bp.get("/archive/")
def archive() -> str:
    """The monthly archive: every month with posts."""
    return render_page("archive.html", "content", months=queries.archive_months())


@bp.get("/archive/<int:year>/<int:month>")
def month(year: int, month: int) -> str:
    """Posts published in one month, a page at a time."""
    if not (1 <= month <= 12 and 1970 <= year <= 9999):
        abort(404)
    pagination = queries.month_page(year, month, page_number(), _per_page())
    if not pagination.total:
        abort(404)
    month_name = queries.MonthCount(year, month, 0).date.strftime("%B %Y")
    return render_page(
        "listing.html",
        "post_list",
        with_title=True,
        pagination=pagination,
        heading=f"Posts from {month_name}",
        endpoint="articles.month",
        endpoint_args={"year": year, "month": month},
    )
