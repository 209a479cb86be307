"""The authors' comment queue: approve, mark as spam or delete, one at a time or in bulk."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, request, url_for
from werkzeug.wrappers import Response

from blog.core.models import Comment, Limits
from blog.core.permissions import may_edit
from blog.core.security import authors_only, current_author
from blog.core.web import Refused, parse_id, refusal_response, render_page, wants_fragment
from blog.extensions import db
from blog.moderation.queries import FILTERS, comments_for
from blog.moderation.service import ACTIONS, apply

bp = Blueprint("moderation", __name__, url_prefix="/editor/comments")

# Signed-in authors only (their pages get Cache-Control: no-store from blog.core.security).
authors_only(bp)


def _query_args() -> tuple[str, str]:
    shown = request.values.get("status", "held")
    if shown not in FILTERS:
        shown = "held"
    # Control characters (NUL above all) have no place in a search, and PostgreSQL refuses them.
    search = "".join(ch for ch in request.values.get("q", "") if ch.isprintable() or ch == " ")
    return shown, " ".join(search.split())[: Limits.SEARCH]


def _render(message: str | None = None, refused: Refused | None = None) -> Response:
    shown, search = _query_args()
    if refused is not None:
        message = refused.message
    html = render_page(
        "moderation/queue.html",
        "queue",
        comments=comments_for(current_author(), shown, search),
        shown=shown,
        search=search,
        filters=FILTERS,
        message=message,
    )
    return refusal_response(refused, html) if refused else make_response(html)


@bp.get("/")
def queue() -> Response:
    """Held and recent comments across all posts, filtered and searched."""
    return _render()


def _after(action: str, done: int) -> Response:
    message = f"{done} comment{'s' if done != 1 else ''} {ACTIONS[action]}."
    if wants_fragment():
        return _render(message=message)
    flash(message, "success")
    shown, search = _query_args()
    return redirect(url_for("moderation.queue", status=shown, q=search or None), 303)


@bp.post("/<int:comment_id>/<action>")
def act(comment_id: int, action: str) -> Response:
    """Approve, mark as spam or delete one comment."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or not may_edit(current_author(), comment.post):
        abort(404)
    return _after(action, apply(current_author(), action, [comment_id]))


@bp.post("/bulk")
def bulk() -> Response:
    """Apply one action to every ticked comment."""
    ids = [ident for ident in map(parse_id, request.form.getlist("ids")) if ident is not None]
    action = request.form.get("action", "")
    if not ids:
        if action not in ACTIONS:
            abort(400)
        return _render(refused=Refused("Tick at least one comment first.", 422))
    return _after(action, apply(current_author(), action, ids))
