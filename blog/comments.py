"""Comment endpoints: post, reply, more comments, and changing one's own comment."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response as BaseResponse

from blog import comment_service, queries, ratelimit
from blog.articles import page_number, render_article
from blog.comment_service import CommentRejected, Status
from blog.errors import render_error
from blog.extensions import db
from blog.forms import CommentEditForm, CommentForm
from blog.models import Comment, CommentStatus, Post
from blog.templating import render_page, wants_fragment

bp = Blueprint("comments", __name__)

CSRF_MESSAGE = (
    "This page has been open too long or your session changed. Please reload the page and "
    "try again."
)


@bp.before_request
def small_bodies() -> None:
    """A comment form is small: refuse anything larger before reading it (413)."""
    request.max_content_length = int(current_app.config["COMMENT_MAX_REQUEST_BYTES"])


def _post_or_404(slug: str) -> Post:
    post = queries.visible_post(slug)
    if post is None:
        abort(404)
    return post


def _success_message(comment: Comment) -> Status:
    name = comment.author_name
    if comment.status == CommentStatus.APPROVED.value:
        return Status(f"Thanks, {name}! Your comment is posted.")
    return Status(
        f"Thanks, {name}! Your comment is awaiting moderation and will appear to everyone "
        "once an author approves it.",
        "pending",
    )


def _rejected(slug: str, form: CommentForm, code: int, rejected: CommentRejected | None = None
              ) -> BaseResponse:
    """Show the form again, holding what was typed, with messages; nothing was stored."""
    db.session.rollback()
    post = _post_or_404(slug)
    status = None
    if rejected is not None:
        if rejected.field:
            getattr(form, rejected.field).errors = [rejected.message]
        status = Status(rejected.message, "error")
    else:
        status = Status("Your comment was not posted: please check the marked fields.", "error")
    parent = comment_service.reply_target_of(post, form.parent_id.data)
    if parent is not None:
        html = render_page(
            "reply.html", "reply_form", post=post, parent=parent, form=form, status=status
        )
        response = make_response(html, code)
        if wants_fragment():
            # The reply form sits under its comment: show the messages there.
            response.headers["HX-Retarget"] = f"#reply-slot-{parent.id}"
            response.headers["HX-Reswap"] = "innerHTML"
    else:
        response = make_response(render_article(post, form=form, status=status, only_form=True),
                                 code)  # fmt: skip
        if wants_fragment():
            response.headers["HX-Retarget"] = "#post-a-comment"
            response.headers["HX-Reswap"] = "outerHTML"
    if rejected is not None and rejected.retry_after is not None:
        response.headers["Retry-After"] = str(rejected.retry_after)
    return response


@bp.post("/posts/<slug>/comments")
def create(slug: str) -> BaseResponse:
    """Post a comment or reply: htmx gets the updated comment section, others a redirect."""
    form = CommentForm()
    if not form.validate():
        return _rejected(slug, form, 422)
    try:
        comment = comment_service.submit_comment(slug, form, ratelimit.client_key())
    except CommentRejected as rejected:
        if rejected.status == 404:
            abort(404)
        return _rejected(slug, form, rejected.status, rejected)
    status = _success_message(comment)
    page = comment_service.page_of(comment)
    if wants_fragment():
        return make_response(
            render_article(comment.post, status=status, pages=page, focus_id=comment.id)
        )
    flash(status.message, status.kind)
    if page == 1:
        return redirect(url_for("articles.article", slug=slug, _anchor=comment.anchor), 303)
    return redirect(url_for("comments.page", slug=slug, page=page, _anchor=comment.anchor), 303)


@bp.errorhandler(CSRFError)
def csrf_failed(_error: CSRFError) -> BaseResponse:
    """A stale or missing token: say so in the comment box, not as a bare error page."""
    slug = (request.view_args or {}).get("slug")
    if request.endpoint == "comments.create" and slug:
        form = CommentForm()
        return _rejected(slug, form, 400, CommentRejected(CSRF_MESSAGE, 400))
    return render_error(400, CSRF_MESSAGE)


@bp.get("/posts/<slug>/comments")
def page(slug: str) -> str:
    """One page of comment threads: htmx appends it in place; without JS it is a page."""
    post = _post_or_404(slug)
    number = page_number()
    per_page = int(current_app.config["COMMENTS_PER_PAGE"])
    comments = queries.comment_threads(
        post, number, number, per_page, comment_service.own_comment_ids()
    )
    if not comments.threads and number > 1:
        abort(404)
    return render_page(
        "comments_page.html",
        "comment_items",
        post=post,
        comments=comments,
        editable=comment_service.editable_ids(comments.threads),
        page_number=number,
    )


@bp.get("/posts/<slug>/comments/<int:comment_id>/reply")
def reply(slug: str, comment_id: int) -> str:
    """The reply form for one comment: placed under it by htmx, or a page of its own."""
    post = _post_or_404(slug)
    parent = comment_service.reply_target(post, comment_id)
    if parent is None:
        abort(404)
    return render_page(
        "reply.html",
        "reply_form",
        post=post,
        parent=parent,
        form=comment_service.new_comment_form(parent),
        status=None,
    )


def _changed(comment_id: int, rejected: CommentRejected) -> BaseResponse:
    """Refuse a change to a comment with the reason, as a message in place or a page."""
    if rejected.status == 404:
        abort(404)
    if wants_fragment():
        html = render_page("error.html", "error_message", code=rejected.status,
                           title="Not changed", message=rejected.message)  # fmt: skip
        response = make_response(html, rejected.status)
        response.headers["HX-Retarget"] = f"#comment-{comment_id}-actions"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return render_error(rejected.status, rejected.message)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit(comment_id: int) -> BaseResponse | str:
    """Edit one's own comment within the edit window: in place with htmx, else on a page."""
    try:
        comment = comment_service.changeable_comment(comment_id)
    except CommentRejected as rejected:
        return _changed(comment_id, rejected)
    form = CommentEditForm(data={"body": comment.body_source})
    status = None
    code = 200
    if request.method == "POST":
        if form.validate():
            try:
                comment = comment_service.edit_comment(comment_id, form)
            except CommentRejected as rejected:
                if rejected.status in (403, 404):
                    return _changed(comment_id, rejected)
                form.body.errors = [rejected.message]
                code = rejected.status
            else:
                if not wants_fragment():
                    flash("Your comment is updated.", "success")
                    return redirect(
                        url_for("articles.article", slug=comment.post.slug,
                                _anchor=comment.anchor), 303
                    )  # fmt: skip
                return render_page(
                    "comment_edit.html", "edited_comment", comment=comment, post=comment.post,
                    form=None, status=Status("Your comment is updated."),
                )  # fmt: skip
        else:
            code = 422
    html = render_page("comment_edit.html", "edit_form", comment=comment, post=comment.post,
                       form=form, status=status)  # fmt: skip
    return make_response(html, code)


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
def delete(comment_id: int) -> BaseResponse | str:
    """Delete one's own comment: GET asks to confirm (without JS), POST deletes."""
    try:
        comment = comment_service.changeable_comment(comment_id)
    except CommentRejected as rejected:
        return _changed(comment_id, rejected)
    if request.method == "GET":
        return render_page("comment_delete.html", "content", comment=comment, post=comment.post)
    try:
        post = comment_service.delete_comment(comment_id)
    except CommentRejected as rejected:
        return _changed(comment_id, rejected)
    status = Status("Your comment is deleted.")
    if wants_fragment():
        return make_response(render_article(post, status=status))
    flash(status.message, status.kind)
    return redirect(url_for("articles.article", slug=post.slug, _anchor="comments"), 303)
