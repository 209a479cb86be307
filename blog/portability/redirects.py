"""Old addresses that keep working: a request for one answers 301 to the post it became.

They come from imports (a WordPress permalink or `/?p=12`, a Blogger `/2024/05/slug.html`),
from slug changes, and from the operator (`flask redirects add`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, redirect, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import NotFound

from blog.core.db import write_transaction
from blog.core.errors import render_error
from blog.core.models import Limits, Post, PostKind, Redirect
from blog.core.posts import remember_old_path
from blog.core.web import Refused, parse_id
from blog.extensions import db

# Query arguments that name a post on WordPress's default addresses.
WORDPRESS_IDS = ("p", "page_id")


def post_url(post: Post) -> str:
    """Where a post or a page lives now (a path: the commands have no request to ask)."""
    if post.kind == PostKind.PAGE.value:
        return f"/{post.slug}"
    return f"/posts/{post.slug}"


def normal_path(path: str) -> str:
    """An old address as stored: a path (with its query, if any), never a host."""
    path = path.strip()
    if not path.startswith("/") or path.startswith("//") or len(path) > Limits.OLD_PATH:
        raise Refused(f"An old address must be a path starting with /, not {path!r}.", 400)
    return path


def target_of(path: str) -> Post | None:
    """The post an old address leads to, if any."""
    return db.session.scalar(
        select(Post)
        .join(Redirect, Redirect.post_id == Post.id)
        .where(Redirect.old_path == path)
        .options(joinedload(Post.author))
    )


def add(old_path: str, post: Post) -> None:
    """Make `old_path` lead to `post` (replacing where it led before). Call in a transaction."""
    path = normal_path(old_path)
    if path != post_url(post):
        remember_old_path(path, post)


def add_by_slug(old_path: str, slug: str) -> Post:
    """`flask redirects add`: make `old_path` lead to the post or page with `slug`."""
    with write_transaction():
        post = db.session.scalar(select(Post).where(Post.slug == slug))
        if post is None:
            raise Refused(f"There is no post or page with the slug {slug!r}.", 404)
        add(old_path, post)
    return post


def remove(old_path: str) -> bool:
    """Forget an old address; False if it was not there."""
    with write_transaction():
        found = db.session.scalar(select(Redirect).where(Redirect.old_path == old_path))
        if found is not None:
            db.session.delete(found)
    return found is not None


def all_redirects() -> list[tuple[str, str]]:
    """Every old address with where it leads, by address."""
    rows = db.session.execute(
        select(Redirect.old_path, Post)
        .join(Post, Post.id == Redirect.post_id)
        .order_by(Redirect.old_path)
    ).all()
    return [(path, post_url(post)) for path, post in rows]


def _wordpress_id_redirect() -> Response | None:
    """`/?p=12` (WordPress's plain permalinks) reaches the home page's route: catch it first."""
    if request.path != "/" or request.method not in ("GET", "HEAD"):
        return None
    for name in WORDPRESS_IDS:
        ident = parse_id(request.args.get(name))
        if ident is not None:
            post = target_of("/?" + urlencode({name: ident}))
            if post is not None:
                return redirect(post_url(post), 301)  # type: ignore[return-value]
    return None


def _missing(error: NotFound) -> Response:
    """A 404 that was an old address answers 301 to where the post lives now."""
    if request.method in ("GET", "HEAD") and len(request.path) <= Limits.OLD_PATH:
        query = request.query_string.decode("latin-1")
        post = target_of(f"{request.path}?{query}" if query else request.path)
        if post is None and query:
            post = target_of(request.path)
        if post is not None:
            return redirect(post_url(post), 301)  # type: ignore[return-value]
    response = render_error(404)
    return response


def init_app(app: Flask) -> None:
    """Answer old addresses before they become 404s."""
    app.before_request(_wordpress_id_redirect)
    app.register_error_handler(NotFound, _missing)
