"""Atom feeds (site, tag, author), the sitemap and robots.txt: what readers' tools fetch."""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from blog.core.models import Author, Post, Tag, utcnow
from blog.core.pagecache import shared_page
from blog.core.templating import absolute_url
from blog.feeds import queries
from blog.reading.queries import author_by_id, tag_by_slug

bp = Blueprint("feeds", __name__)

FEED_SIZE = 20
# The sitemaps.org protocol's limit of addresses in one file; past it, an index of files.
SITEMAP_LIMIT = 50_000


def _conditional(body: str, mimetype: str, modified: datetime | None) -> Response:
    """The answer, or 304 when the reader's copy (ETag or date) is still current."""
    response = Response(body, mimetype=mimetype)
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    if modified is not None:
        response.last_modified = modified
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.make_conditional(request)  # turns it into a 304 in place when it can
    return response


def _feed(title: str, page_url: str, posts: list[Post], subtitle: str = "") -> Response:
    site_root = absolute_url("")
    updated = max(
        (max(post.updated_at, post.published_at or post.updated_at) for post in posts),
        default=utcnow(),
    )
    xml = render_template(
        "feeds/atom.xml",
        title=title,
        subtitle=subtitle,
        feed_url=absolute_url(request.path),
        page_url=page_url,
        updated=updated,
        posts=posts,
        site_root=site_root,
        site_host=urlsplit(site_root).hostname or "localhost",
    )
    return _conditional(xml, "application/atom+xml", updated)


@bp.get("/feed.xml")
@shared_page
def site() -> Response:
    """The newest posts, in full."""
    return _feed(
        current_app.config["SITE_NAME"],
        absolute_url(url_for("reading.home")),
        queries.feed_posts(FEED_SIZE),
        current_app.config["SITE_TAGLINE"],
    )


@bp.get("/tags/<slug>/feed.xml")
@shared_page
def tag(slug: str) -> Response:
    """The newest posts carrying one tag."""
    found = _tag(slug)
    return _feed(
        f"{current_app.config['SITE_NAME']}: {found.name}",
        absolute_url(url_for("reading.tag", slug=found.slug)),
        queries.feed_posts(FEED_SIZE, tag=found),
    )


def _tag(slug: str) -> Tag:
    found = tag_by_slug(slug)
    if found is None:
        abort(404)
    return found


@bp.get("/authors/<int:author_id>/feed.xml")
@shared_page
def author(author_id: int) -> Response:
    """The newest posts by one author."""
    found: Author | None = author_by_id(author_id)
    if found is None:
        abort(404)
    posts = queries.feed_posts(FEED_SIZE, author=found)
    if not posts:
        abort(404)
    return _feed(
        f"{current_app.config['SITE_NAME']}: {found.name}",
        absolute_url(url_for("reading.home")),
        posts,
    )


Located = tuple[str, datetime | None]


LISTING_PAGES = ("reading.home", "reading.tags", "reading.archive")


def _listing_urls() -> list[Located]:
    """The home page, the tag index, the archive, each tag's page and each page (About...)."""
    urls: list[Located] = [(absolute_url(url_for(name)), None) for name in LISTING_PAGES]
    urls += [
        (absolute_url(url_for("reading.tag", slug=slug)), when)
        for slug, when in queries.sitemap_tags(current_app.config["POSTS_PER_PAGE"])
    ]
    urls += [(_post_url("page", slug), when) for slug, when in queries.sitemap_pages()]
    return urls


def _post_url(kind: str, slug: str) -> str:
    if kind == "page":
        return absolute_url(url_for("reading.page", slug=slug))
    return absolute_url(url_for("reading.article", slug=slug))


@bp.get("/sitemap.xml")
@shared_page
def sitemap() -> Response:
    """Every address worth finding, or past SITEMAP_LIMIT an index of numbered sitemaps."""
    listing = _listing_urls()
    total = queries.posts_count()
    if total + len(listing) <= SITEMAP_LIMIT:
        posts: list[Located] = [
            (_post_url("post", slug), when)
            for slug, when in queries.sitemap_posts(0, SITEMAP_LIMIT)
        ]
        xml = render_template("feeds/sitemap.xml", urls=[*listing, *posts])
        return _conditional(xml, "application/xml", None)
    files = (total + SITEMAP_LIMIT - 1) // SITEMAP_LIMIT
    sitemaps = [absolute_url(url_for("feeds.sitemap_part", number=n)) for n in range(files + 1)]
    xml = render_template("feeds/sitemap_index.xml", sitemaps=sitemaps)
    return _conditional(xml, "application/xml", None)


@bp.get("/sitemap-<int:number>.xml")
@shared_page
def sitemap_part(number: int) -> Response:
    """One file of a large sitemap: 0 holds the listings, tags and pages, then posts by slices."""
    if number == 0:
        urls = _listing_urls()
    else:
        rows = queries.sitemap_posts((number - 1) * SITEMAP_LIMIT, SITEMAP_LIMIT)
        if not rows:
            abort(404)
        urls = [(_post_url("post", slug), when) for slug, when in rows]
    return _conditional(render_template("feeds/sitemap.xml", urls=urls), "application/xml", None)


@bp.get("/robots.txt")
@shared_page
def robots() -> Response:
    """Crawlers may read everything a reader can; the sitemap says where it all is."""
    body = f"User-agent: *\nAllow: /\nSitemap: {absolute_url(url_for('feeds.sitemap'))}\n"
    return Response(body, mimetype="text/plain")
