"""Serving uploaded images to everyone (uploading them is the editor's)."""

from __future__ import annotations

from flask import Blueprint, abort, send_from_directory
from werkzeug.wrappers import Response

from blog.core.images import stored_file
from blog.media.service import CONTENT_TYPES, media_dir

bp = Blueprint("media", __name__)


@bp.get("/media/<name>")
def image(name: str) -> Response:
    """An uploaded image, with the content type its checked format gives it."""
    ext = stored_file(name)
    if ext is None:
        abort(404)
    return send_from_directory(media_dir(), name, mimetype=CONTENT_TYPES[ext], max_age=31536000)
