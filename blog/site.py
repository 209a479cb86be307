"""Site-wide files that clients look for at fixed addresses: the icon and robots.txt."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, url_for

bp = Blueprint("site", __name__)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Older clients ask for /favicon.ico whatever the page says; send them to our SVG icon."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawlers may read everything a reader can."""
    return Response("User-agent: *\nAllow: /\n", mimetype="text/plain")
