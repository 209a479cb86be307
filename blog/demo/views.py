"""The demo from the web: an editor removes the demo authors, posts and comments in one click."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from werkzeug.wrappers import Response

from blog.core.security import authors_only, current_author
from blog.demo.loader import remove_demo_content

bp = Blueprint("demo", __name__, url_prefix="/editor/demo")

authors_only(bp)


@bp.post("/remove")
def remove() -> Response:
    """Remove what the demo added, and nothing else (editors only)."""
    if not current_author().is_editor:
        abort(404)
    removed = remove_demo_content()
    flash(
        f"The demo is removed: {removed['posts']} post(s), {removed['comments']} comment(s) "
        f"and {removed['authors']} demo author(s). Your own posts are untouched.",
        "success",
    )
    return redirect(url_for("authoring.dashboard"), 303)
