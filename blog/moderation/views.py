"""The authors' comment queue: approve, mark as spam, delete or reply, one at a time or in bulk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, make_response, redirect, request, url_for
from werkzeug.wrappers import Response

from blog.core.models import CommentStatus, Limits
from blog.core.security import authors_only, current_author
from blog.core.web import Refused, parse_id, refusal_response, render_page, wants_fragment
from blog.moderation.forms import ReplyForm
from blog.moderation.links import links_in
from blog.moderation.queries import FILTERS, comments_for, moderated_comment, moderated_post
from blog.moderation.service import ACTIONS, apply, reply

bp = Blueprint("moderation", __name__, url_prefix="/editor/comments")

NOT_SENT = "Your reply was not sent: see below."

# Signed-in authors only (their pages get Cache-Control: no-store from blog.core.security).
authors_only(bp)


@dataclass(frozen=True)
class Shown:
    """What the queue shows: a filter, a search, and perhaps one post's comments only."""

    status: str
    search: str
    post_id: int | None

    def args(self) -> dict[str, Any]:
        """The query arguments that show the queue this way again (defaults left out)."""
        return {"status": self.status, "q": self.search or None, "post": self.post_id}


def _shown() -> Shown:
    """What this request asks the queue to show (its query or form values), made safe."""
    status = request.values.get("status", "held")
    if status not in FILTERS:
        status = "held"
    # Control characters (NUL above all) have no place in a search, and PostgreSQL refuses them.
    search = "".join(ch for ch in request.values.get("q", "") if ch.isprintable() or ch == " ")
    return Shown(
        status, " ".join(search.split())[: Limits.SEARCH], parse_id(request.values.get("post"))
    )


def _render(
    message: str | None = None,
    refused: Refused | None = None,
    replying_to: int | None = None,
    form: ReplyForm | None = None,
) -> Response:
    """The queue, with a message, or a refused reply shown again at its comment's form."""
    shown = _shown()
    author = current_author()
    post = moderated_post(author, shown.post_id) if shown.post_id is not None else None
    comments = comments_for(author, shown.status, shown.search, post.id if post else None)
    if refused is not None:
        message = refused.message
    html = render_page(
        "moderation/queue.html",
        "queue",
        comments=comments,
        links={comment.id: links_in(comment.body_html) for comment in comments},
        shown=shown.status,
        search=shown.search,
        post=post,
        filters=FILTERS,
        message=message,
        reply_to=replying_to,
        reply_form=form,
        # The other reply forms are empty, whatever this request posted.
        blank_reply=ReplyForm(formdata=None),
    )
    return refusal_response(refused, html) if refused else make_response(html)


@bp.get("/")
def queue() -> Response:
    """Held and recent comments across all posts (or one), filtered and searched."""
    return _render()


def _done(message: str) -> Response:
    """The queue again with the message for htmx; for a plain form post, a redirect to it."""
    if wants_fragment():
        return _render(message=message)
    flash(message, "success")
    return redirect(url_for("moderation.queue", **_shown().args()), 303)


def _after(action: str, done: int) -> Response:
    """Say how many comments the action changed."""
    return _done(f"{done} comment{'s' if done != 1 else ''} {ACTIONS[action]}.")


@bp.post("/<int:comment_id>/<action>")
def act(comment_id: int, action: str) -> Response:
    """Approve, mark as spam or delete one comment."""
    if moderated_comment(current_author(), comment_id) is None:
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


@bp.post("/<int:comment_id>/reply")
def reply_to(comment_id: int) -> Response:
    """Publish the author's reply under a comment at once (approving it if it was held)."""
    parent = moderated_comment(current_author(), comment_id)
    if parent is None:
        abort(404)
    form = ReplyForm()
    approving = parent.status == CommentStatus.PENDING.value
    try:
        if not form.validate():
            raise Refused(NOT_SENT, 422)
        reply(current_author(), comment_id, form.body.data or "")
    except Refused as refused:
        if refused.status == 404:
            raise
        if refused.field == "body":
            form.body.errors = [*form.body.errors, refused.message]
        # The reason is at the form; the queue's message line only says where to look.
        return _render(refused=Refused(NOT_SENT, refused.status), replying_to=comment_id, form=form)
    return _done("Reply published; the comment is approved." if approving else "Reply published.")
