"""The health check a proxy or a service manager asks before sending traffic."""

from __future__ import annotations

from flask import Blueprint, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from blog.extensions import db

bp = Blueprint("operations", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """200 when the database answers, else 503 (nothing else is checked: it must stay cheap)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return Response("database unreachable\n", 503, mimetype="text/plain")
    return Response("ok\n", mimetype="text/plain")
