"""The authors' side: dashboard, the post editor with live preview, images and revisions."""

from __future__ import annotations

from string import hexdigits

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer
from werkzeug.wrappers import Response

from blog import post_service
from blog.auth import authors_only
from blog.extensions import db
from blog.forms import STATUS_CHOICES, PostForm
from blog.models import Author, Post, PostRevision, PostStatus
from blog.post_service import PostRejected
from blog.templating import render_page, wants_fragment
from blog.text import split_tags

bp = Blueprint("editor", __name__, url_prefix="/editor")
media_bp = Blueprint("media", __name__)


# Signed-in authors only (their pages get Cache-Control: no-store from blog.security).
authors_only(bp)


def me() -> Author:
    """The signed-in author."""
    return current_user.author  # type: ignore[no-any-return]


def _own_post(post_id: int) -> Post:
    post = db.session.get(Post, post_id)
    if post is None:
        abort(404)
    if post.author_id != me().id:
        abort(403)
    return post


@bp.get("/")
def dashboard() -> str:
    """The author's posts: drafts, scheduled and published, with comment counts."""
    posts = db.session.scalars(
        select(Post)
        .where(Post.author_id == me().id)
        .options(selectinload(Post.tags), undefer(Post.comment_count))
        .order_by(Post.updated_at.desc())
    ).all()
    return render_page("editor/dashboard.html", "content", posts=posts)


def _form_for(post: Post | None) -> PostForm:
    if post is None:
        return PostForm()
    return PostForm(
        data={
            "title": post.title,
            "slug": post.slug,
            "tags": ", ".join(tag.name for tag in post.tags),
            "summary": post.summary,
            "body": post.body_source,
            "status": post.status,
            "publish_at": post.published_at if post.status == "scheduled" else None,
        }
    )


def _preview_post(form: PostForm) -> post_service.PreviewPost:
    return post_service.draft_post(
        me(),
        title=form.title.data or "",
        slug=form.slug.data or "",
        summary=form.summary.data or "",
        body=form.body.data or "",
        tags=split_tags(form.tags.data or ""),
    )


def _editor_page(post: Post | None, form: PostForm, code: int = 200) -> Response:
    html = render_page(
        "editor/edit.html", "editor_form", post=post, form=form, preview=_preview_post(form),
        status_choices=STATUS_CHOICES,
    )  # fmt: skip
    return make_response(html, code)


def _save(post: Post | None) -> Response:
    form = PostForm()
    if not form.validate():
        return _editor_page(post, form, 422)
    try:
        saved = post_service.save_post(
            me(),
            post,
            title=form.title.data or "",
            slug=form.slug.data or "",
            summary=form.summary.data or "",
            body=form.body.data or "",
            tags=split_tags(form.tags.data or ""),
            status=PostStatus(form.status.data),
            publish_at=form.publish_at.data,
        )
    except PostRejected as rejected:
        getattr(form, rejected.field).errors = [rejected.message]
        return _editor_page(post, form, rejected.status)
    messages = {
        "draft": "Draft saved.",
        "published": "Published.",
        "scheduled": "Scheduled.",
    }
    flash(messages[saved.status], "success")
    return redirect(url_for("editor.edit", post_id=saved.id), 303)


@bp.route("/posts/new", methods=["GET", "POST"])
def new() -> Response:
    """Write a new post."""
    if request.method == "POST":
        return _save(None)
    return _editor_page(None, PostForm())


@bp.route("/posts/<int:post_id>", methods=["GET", "POST"])
def edit(post_id: int) -> Response:
    """Edit one of the author's posts."""
    post = _own_post(post_id)
    if request.method == "POST":
        return _save(post)
    return _editor_page(post, _form_for(post))


@bp.post("/preview")
def preview() -> str:
    """The post as readers will see it, from the form as it stands (not saved).

    htmx gets the article page's own `article_body` block; without JS, a page around it.
    """
    form = PostForm()
    form.validate()  # the preview shows whatever is typed; errors are for saving
    post = _preview_post(form)
    if wants_fragment():
        # The web address the post will get, shown under the slug field as the title changes.
        hint = render_block("editor/edit.html", "slug_hint", preview=post, oob=True)
        return render_page("article.html", "article_body", post=post) + hint
    return render_page("editor/preview.html", "content", post=post)


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
def delete(post_id: int) -> Response | str:
    """Ask to confirm, then delete the post with its comments."""
    post = _own_post(post_id)
    if request.method == "GET":
        return render_page("editor/delete.html", "content", post=post)
    title = post.title
    post_service.delete_post(post)
    flash(f"Deleted “{title}”.", "success")
    return redirect(url_for("editor.dashboard"), 303)


@bp.get("/posts/<int:post_id>/revisions")
def revisions(post_id: int) -> str:
    """Earlier versions of a published post."""
    post = _own_post(post_id)
    found = db.session.scalars(
        select(PostRevision)
        .where(PostRevision.post_id == post.id)
        .order_by(PostRevision.created_at.desc(), PostRevision.id.desc())
    ).all()
    return render_page("editor/revisions.html", "content", post=post, revisions=found)


def _own_revision(revision_id: int) -> PostRevision:
    revision = db.session.get(PostRevision, revision_id)
    if revision is None:
        abort(404)
    _own_post(revision.post_id)
    return revision


@bp.get("/revisions/<int:revision_id>")
def revision(revision_id: int) -> str:
    """One earlier version, rendered."""
    found = _own_revision(revision_id)
    shown = post_service.draft_post(
        me(), title=found.title, slug=found.slug, summary=found.summary,
        body=found.body_source, tags=split_tags(found.tags),
    )  # fmt: skip
    post = _own_post(found.post_id)
    return render_page("editor/revision.html", "content", revision=found, post=post, shown=shown)


@bp.post("/revisions/<int:revision_id>/restore")
def restore(revision_id: int) -> Response:
    """Make an earlier version current again."""
    found = _own_revision(revision_id)
    try:
        post = post_service.restore_revision(found, me())
    except PostRejected as rejected:
        flash(rejected.message, "error")
        return redirect(url_for("editor.revisions", post_id=found.post_id), 303)
    flash("The earlier version is restored; the one it replaced is kept as a revision.",
          "success")  # fmt: skip
    return redirect(url_for("editor.edit", post_id=post.id), 303)


@bp.post("/images")
def upload_image() -> Response:
    """Store an uploaded image and put its Markdown into the post body."""
    file = request.files.get("image")
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    data = file.read(limit + 1) if file else b""
    alt = " ".join((request.form.get("alt") or "").split())[:200] or "image"
    body = request.form.get("body", "")
    try:
        name = post_service.store_image(data)
    except PostRejected as rejected:
        html = render_page("editor/upload.html", "upload_result", message=rejected.message,
                           ok=False, markdown=None, inserted=False)  # fmt: skip
        return make_response(html, rejected.status)
    url = url_for("media.image", name=name)
    markdown = f"![{alt.replace(']', '')}]({url})"
    inserted = wants_fragment()
    html = render_page("editor/upload.html", "upload_result", message="Image uploaded.",
                       ok=True, markdown=markdown, inserted=inserted)  # fmt: skip
    if inserted:
        # Put the image's Markdown at the end of the body the author is writing.
        new_body = f"{body.rstrip()}\n\n{markdown}\n" if body.strip() else f"{markdown}\n"
        html += render_block("editor/edit.html", "body_field", body=new_body, form=None, oob=True)
    return make_response(html, 201)


@media_bp.get("/media/<name>")
def image(name: str) -> Response:
    """An uploaded image, with the content type its checked format gives it."""
    stem, _, ext = name.partition(".")
    if not (len(stem) == 32 and set(stem) <= set(hexdigits) and ext in post_service.CONTENT_TYPES):
        abort(404)
    response = send_from_directory(
        post_service.media_dir(), name, mimetype=post_service.CONTENT_TYPES[ext], max_age=31536000
    )
    return response
