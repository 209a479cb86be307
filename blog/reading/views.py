"""Reader pages: the home page, articles, tag pages, the monthly archive and site files."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, redirect, url_for

from blog.comments.section import flashed_status, render_article, render_section
from blog.core.models import Author
from blog.core.pagecache import shared_page
from blog.core.posts import visible_page, visible_post
from blog.core.web import page_number, render_page, wants_fragment
from blog.reading import queries
from blog.reading.outline import article_outline
from blog.reading.structured import article_json_ld

bp = Blueprint("reading", __name__)
# The article template writes its schema.org data with this.
bp.add_app_template_global(article_json_ld, "article_json_ld")
# Article, page and the editor's preview show a body through this (heading links, contents).
bp.add_app_template_global(article_outline, "article_outline")


def _listing(
    pagination: queries.ListingPage,
    heading: str | None,
    endpoint: str,
    author: Author | None = None,
    **endpoint_args: object,
) -> str:
    return render_page(
        "reading/listing.html",
        "post_list",
        with_title=True,
        pagination=pagination,
        heading=heading,
        endpoint=endpoint,
        endpoint_args=endpoint_args,
        author=author,
    )


@bp.get("/")
@shared_page
def home() -> str:
    """The newest posts, a page at a time."""
    pagination = queries.home_page(page_number(), current_app.config["POSTS_PER_PAGE"])
    return _listing(pagination, None, "reading.home")


@bp.get("/posts/<slug>")
@shared_page
def article(slug: str) -> str:
    """One article with its comments and links to its neighbours; htmx gets the comments."""
    post = visible_post(slug)
    if post is None:
        abort(404)
    if wants_fragment():
        return render_section(post, status=flashed_status())
    return render_article(post, status=flashed_status())


@bp.get("/posts/<slug>/")
def article_slash(slug: str) -> Response:
    """An article's address with a trailing slash: 301 to the one true address."""
    if visible_post(slug) is None:
        abort(404)
    return redirect(url_for("reading.article", slug=slug), 301)  # type: ignore[return-value]


@bp.get("/tags/")
@shared_page
def tags() -> str:
    """Every tag in use, with how many posts carry it."""
    return render_page("reading/tags.html", "content", tag_counts=queries.tags_in_use())


@bp.get("/tags/<slug>")
@shared_page
def tag(slug: str) -> str:
    """Posts carrying one tag, a page at a time."""
    found = queries.tag_by_slug(slug)
    if found is None:
        abort(404)
    pagination = queries.tag_page(found, page_number(), current_app.config["POSTS_PER_PAGE"])
    if not pagination.total:
        abort(404)
    return _listing(pagination, f"Posts tagged “{found.name}”", "reading.tag", slug=found.slug)


@bp.get("/authors/<int:author_id>")
@shared_page
def author(author_id: int) -> str:
    """One author: their bio and their posts, a page at a time."""
    found = queries.author_by_id(author_id)
    if found is None:
        abort(404)
    pagination = queries.author_page(found, page_number(), current_app.config["POSTS_PER_PAGE"])
    if not pagination.total:
        abort(404)
    heading = f"Posts by {found.name}"
    return _listing(pagination, heading, "reading.author", author=found, author_id=found.id)


@bp.get("/archive/")
@shared_page
def archive() -> str:
    """The monthly archive: every month with posts."""
    return render_page("reading/archive.html", "content", months=queries.archive_months())


@bp.get("/archive/<int:year>/<int:month>")
@shared_page
def month(year: int, month: int) -> str:
    """Posts published in one month, a page at a time."""
    # Any year a post can carry: the archive links to every month that has one (imports too).
    if not (1 <= month <= 12 and 1 <= year <= 9999):
        abort(404)
    per_page = current_app.config["POSTS_PER_PAGE"]
    pagination = queries.month_page(year, month, page_number(), per_page)
    if not pagination.total:
        abort(404)
    heading = f"Posts from {date(year, month, 1):%B %Y}"
    return _listing(pagination, heading, "reading.month", year=year, month=month)


@bp.get("/<slug>")
@shared_page
def page(slug: str) -> str:
    """A page (About, Contact...): at its own address, outside the listings, no comments."""
    found = visible_page(slug)
    if found is None:
        abort(404)
    return render_page("reading/page.html", "content", post=found)


@bp.get("/<slug>/")
def page_slash(slug: str) -> Response:
    """A page's address with a trailing slash: 301 to the one true address."""
    if visible_page(slug) is None:
        abort(404)  # an old address of an imported post may still match (portability.redirects)
    return redirect(url_for("reading.page", slug=slug), 301)  # type: ignore[return-value]


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Older clients ask for /favicon.ico whatever the page says; send them to our SVG icon."""
    # The plain address: a permanent redirect must not point at one version of the icon.
    return redirect(url_for("static", filename="favicon.svg", hashed=False), code=301)  # type: ignore[return-value]
