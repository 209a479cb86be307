"""The authors' comment queue: approve, mark as spam or delete, one at a time or in bulk."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, request, url_for
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from blog.auth import authors_only
from blog.database import write_transaction
from blog.extensions import db
from blog.models import Comment, CommentStatus
from blog.templating import render_page, wants_fragment

bp = Blueprint("moderation", __name__, url_prefix="/editor/comments")

FILTERS = {"held": "Held", "approved": "Approved", "spam": "Spam", "all": "All"}
ACTIONS = {"approve": "approved", "spam": "marked as spam", "delete": "deleted"}
PAGE_SIZE = 100


# Signed-in authors only (their pages get Cache-Control: no-store from blog.security).
authors_only(bp)


def _query_args() -> tuple[str, str]:
    shown = request.values.get("status", "held")
    if shown not in FILTERS:
        shown = "held"
    # Control characters (NUL above all) have no place in a search, and PostgreSQL refuses them.
    search = "".join(ch for ch in request.values.get("q", "") if ch.isprintable() or ch == " ")
    return shown, " ".join(search.split())[:200]


def comments_for(shown: str, search: str) -> list[Comment]:
    """Comments in the queue for a filter and a search over text and names, newest first."""
    query = select(Comment).options(joinedload(Comment.post)).order_by(
        Comment.created_at.desc(), Comment.id.desc()
    )
    if shown == "held":
        query = query.where(Comment.status == CommentStatus.PENDING.value)
    elif shown != "all":
        query = query.where(Comment.status == shown)
    if search:
        query = query.where(
            or_(
                Comment.body_source.icontains(search, autoescape=True),
                Comment.author_name.icontains(search, autoescape=True),
            )
        )
    return list(db.session.scalars(query.limit(PAGE_SIZE)))


def _render(status_code: int = 200, message: str | None = None) -> Response:
    shown, search = _query_args()
    html = render_page(
        "editor/comments.html", "queue", comments=comments_for(shown, search), shown=shown,
        search=search, filters=FILTERS, message=message,
    )  # fmt: skip
    return make_response(html, status_code)


@bp.get("/")
def queue() -> Response:
    """Held and recent comments across all posts, filtered and searched."""
    return _render()


def _apply(action: str, ids: list[int]) -> int:
    if action not in ACTIONS:
        abort(400)
    with write_transaction():
        where = Comment.id.in_(ids)
        if action == "delete":
            done = db.session.execute(delete(Comment).where(where)).rowcount
        else:
            status = CommentStatus.APPROVED if action == "approve" else CommentStatus.SPAM
            done = db.session.execute(
                update(Comment).where(where).values(status=status.value)
            ).rowcount
    return int(done or 0)


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
    if db.session.get(Comment, comment_id) is None:
        abort(404)
    return _after(action, _apply(action, [comment_id]))


@bp.post("/bulk")
def bulk() -> Response:
    """Apply one action to every ticked comment."""
    ids = [int(raw) for raw in request.form.getlist("ids") if raw.isascii() and raw.isdigit()]
    action = request.form.get("action", "")
    if not ids:
        if action not in ACTIONS:
            abort(400)
        return _render(422, "Tick at least one comment first.")
    return _after(action, _apply(action, ids))
