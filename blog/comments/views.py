"""Comment endpoints: post, reply, more comments, and changing one's own comment."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError, validate_csrf
from htmx_flask import make_response as htmx_response
from werkzeug.wrappers import Response as BaseResponse
from wtforms import ValidationError

from blog.comments import cards, section, service, spam
from blog.comments.forms import CommentEditForm, CommentForm
from blog.comments.ownership import changeable_comment, editable_ids, own_comments
from blog.comments.queries import CommentView, comment_threads, page_of
from blog.comments.section import Status, flashed_status, keep_status, placed
from blog.core import ratelimit
from blog.core.errors import error_response
from blog.core.models import Comment, CommentStatus, Post
from blog.core.pagecache import shared_page
from blog.core.posts import comments_open, comments_open_at, visible_post
from blog.core.security import same_origin
from blog.core.web import Refused, page_number, refusal_response, render_page, wants_fragment
from blog.extensions import csrf, db

CSRF_MESSAGE = (
    "This page has been open too long or your session changed. Please reload the page and "
    "try again."
)
NOT_POSTED = "Your comment was not posted: please check the marked fields."

bp = Blueprint("comments", __name__)
bp.add_app_template_global(cards.comment_tree, "comment_tree")


@bp.before_request
def small_bodies() -> None:
    """A comment form is small: refuse anything larger before reading it (413)."""
    request.max_content_length = current_app.config["COMMENT_MAX_REQUEST_BYTES"]


def _post_or_404(slug: str) -> Post:
    post = visible_post(slug, byline=False)
    if post is None:
        abort(404)
    return post


def _form_refused(post: Post, form: CommentForm, refused: Refused) -> BaseResponse:
    """Show the form again, holding what was typed, with messages; nothing was stored."""
    if refused.field:
        getattr(form, refused.field).errors = [refused.message]
    if refused.field == "started":
        # The stamp had expired or was used: the next try gets a fresh one (and keeps the text).
        form.started.data = spam.form_started_token()
    status = Status(refused.message, "error")
    parent = service.reply_target_of(post, form.parent_id.data)
    if parent is not None:
        html = render_page(
            "comments/reply.html", "reply_form", post=post, parent=parent, form=form, status=status
        )
        # The reply form sits under its comment: show the messages there.
        return refusal_response(
            refused, html, retarget=f"#reply-slot-{parent.id}", reswap="innerHTML"
        )
    if wants_fragment():
        # Only the form: the comments the reader has loaded stay as they are.
        html = section.render_form(post, form, status)
    else:
        html = section.render_article(post, form=form, status=status)
    return refusal_response(refused, html, retarget="#post-a-comment", reswap="outerHTML")


def _sent_from_our_page() -> bool:
    """The comment was sent from a page of this site, not forged by another one.

    By its CSRF token when the form has one; a form on a page served from the cache may not
    (it fetches the token when first used, and never without JavaScript), so the browser's
    own headers vouch for it then: Fetch Metadata, else Origin (OWASP's standard-header
    defence). Another site's page can set neither.
    """
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return True
    token = request.form.get("csrf_token")
    if token:
        try:
            validate_csrf(token)
        except ValidationError:
            pass
        else:
            return True
    return same_origin()


@bp.post("/posts/<slug>/comments")
@csrf.exempt
def create(slug: str) -> BaseResponse | str:
    """Post a comment or reply: htmx gets the updated comment section, others a redirect."""
    post = _post_or_404(slug)
    form = CommentForm()
    if not _sent_from_our_page():
        return _form_refused(post, form, Refused(CSRF_MESSAGE, 400))
    try:
        if not form.validate():
            raise Refused(NOT_POSTED, 422)
        comment = service.submit_comment(post, form, ratelimit.client_key(), spam.commenter_id())
    except Refused as refused:
        if refused.status == 404:
            raise
        return _form_refused(post, form, refused)
    status = section.posted_status(comment)
    if wants_fragment():
        posted = section.render_posted(post, comment, status)
        if posted.retarget is None:
            return posted.html
        answer: Response = htmx_response(posted.html, retarget=posted.retarget, reswap="outerHTML")
        return answer
    keep_status(status)
    return _to_comment(slug, comment, 303)


def _to_comment(slug: str, comment: Comment | CommentView, status: int) -> BaseResponse:
    """A redirect to the page of the comment section that shows `comment`, at the comment."""
    page = page_of(comment, current_app.config["COMMENTS_PER_PAGE"], own_comments())
    if page == 1:
        return redirect(url_for("reading.article", slug=slug, _anchor=comment.anchor), status)
    return redirect(url_for("comments.page", slug=slug, page=page, _anchor=comment.anchor), status)


@bp.get("/comments/<int:comment_id>")
def permalink(comment_id: int) -> BaseResponse:
    """A comment's lasting address: to its article, or the page of comments that holds it."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status != CommentStatus.APPROVED.value:
        abort(404)
    post = visible_post(comment.post.slug, byline=False)
    if post is None:
        abort(404)
    return _to_comment(post.slug, comment, 302)


@bp.errorhandler(CSRFError)
def csrf_failed(_error: CSRFError) -> BaseResponse:
    """A stale or missing token: say so in the comment box, not as a bare error page."""
    refused = Refused(CSRF_MESSAGE, 400)
    slug = (request.view_args or {}).get("slug")
    if request.endpoint == "comments.create" and slug:
        post = visible_post(slug)
        if post is None:
            # An error handler must not raise (that would be a 500): answer the 404 itself.
            return error_response(Refused(service.NOT_OPEN, 404))
        return _form_refused(post, CommentForm(), refused)
    return error_response(refused)


@bp.get("/posts/<slug>/comments")
@shared_page
def page(slug: str) -> str:
    """One page of comment threads: htmx appends it in place; without JS it is a page."""
    post = _post_or_404(slug)
    number = page_number()
    comments = comment_threads(
        post, number, number, current_app.config["COMMENTS_PER_PAGE"], own_comments()
    )
    if not comments.threads and number > 1:
        abort(404)
    return render_page(
        "comments/page.html",
        "comment_items",
        post=post,
        comments=comments,
        editable=editable_ids(comments.threads),
        page_number=number,
        # A comment posted without JS may land on a later page: its message is shown there.
        status=None if wants_fragment() else placed(flashed_status(), comments.threads),
    )


@bp.get("/posts/<slug>/comments/form-parts")
def form_parts(slug: str) -> Response:
    """A shared page's comment form asks for its token and stamp here when first used."""
    taking = comments_open_at(slug, current_app.config["COMMENTS_CLOSE_AFTER_DAYS"])
    if taking is None:
        abort(404)
    if not taking:
        raise Refused(service.CLOSED, 403)
    html = render_template("comments/form_parts.html", started=spam.form_started_token())
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/posts/<slug>/comments/<int:comment_id>/reply")
def reply(slug: str, comment_id: int) -> str:
    """The reply form for one comment: placed under it by htmx, or a page of its own."""
    post = _post_or_404(slug)
    parent = service.reply_target(post, comment_id)
    if parent is None:
        abort(404)
    if not comments_open(post, current_app.config["COMMENTS_CLOSE_AFTER_DAYS"]):
        raise Refused(service.CLOSED, 403)
    return render_page(
        "comments/reply.html",
        "reply_form",
        post=post,
        parent=parent,
        form=section.new_comment_form(parent),
        status=None,
    )


def _not_changed(comment_id: int, refused: Refused) -> BaseResponse:
    """Refuse a change to a comment with the reason, as a message in place or a page."""
    if refused.status == 404:
        abort(404)
    if not wants_fragment():
        return error_response(refused)
    html = render_page(
        "core/error.html",
        "error_message",
        code=refused.status,
        title="Not changed",
        message=refused.message,
    )
    return refusal_response(
        refused, html, retarget=f"#comment-{comment_id}-actions", reswap="innerHTML"
    )


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit(comment_id: int) -> BaseResponse | str:
    """Edit one's own comment within the edit window: in place with htmx, else on a page."""
    try:
        comment = changeable_comment(comment_id)
    except Refused as refused:
        return _not_changed(comment_id, refused)
    form = CommentEditForm(data={"body": comment.body_source})
    if request.method == "GET":
        return render_page(
            "comments/edit.html", "edit_form", comment=comment, post=comment.post, form=form
        )
    try:
        if not form.validate():
            raise Refused(form.body.errors[0] if form.body.errors else NOT_POSTED, 422)
        comment = service.edit_comment(comment_id, form)
    except Refused as refused:
        if refused.status in (403, 404):
            return _not_changed(comment_id, refused)
        form.body.errors = [refused.message]
        html = render_page(
            "comments/edit.html", "edit_form", comment=comment, post=comment.post, form=form
        )
        return refusal_response(refused, html)
    if not wants_fragment():
        keep_status(Status("Your comment is updated.", comment_id=comment.id))
        return redirect(
            url_for("reading.article", slug=comment.post.slug, _anchor=comment.anchor), 303
        )
    return render_page(
        "comments/edit.html",
        "edited_comment",
        comment=comment,
        post=comment.post,
        form=None,
        status=Status("Your comment is updated."),
    )


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
def delete(comment_id: int) -> BaseResponse | str:
    """Delete one's own comment: GET asks to confirm (without JS), POST deletes."""
    try:
        comment = changeable_comment(comment_id)
        if request.method == "GET":
            return render_page(
                "comments/delete.html", "content", comment=comment, post=comment.post
            )
        post = service.delete_comment(comment_id)
    except Refused as refused:
        return _not_changed(comment_id, refused)
    status = Status("Your comment is deleted.")
    if wants_fragment():
        return section.render_section(post, status=status)
    keep_status(status)
    return redirect(url_for("reading.article", slug=post.slug, _anchor="comments"), 303)
