"""The authors' side: dashboard, the post editor with autosave and live preview, and images.

The trash and revisions are in `history`, on the same blueprint.
"""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from werkzeug.wrappers import Response

from blog.authoring import (
    autosave,
    history,  # noqa: F401  (its views join the blueprint)
    queries,
    service,
)
from blog.authoring.blueprint import bp, own_post
from blog.authoring.forms import STATUS_CHOICES, PostForm
from blog.core.images import uploaded_or_none
from blog.core.localtime import to_local
from blog.core.markdown import images_without_alt
from blog.core.models import Limits, Post, PostStatus
from blog.core.records import Autosave
from blog.core.security import current_author
from blog.core.text import split_tags
from blog.core.web import (
    Refused,
    parse_id,
    refusal_response,
    render_fragment,
    render_page,
    wants_fragment,
)
from blog.demo.loader import demo_present
from blog.media.service import store_image
from blog.moderation.queries import pending_counts, pending_total

# blog/__init__.py registers the blueprint from here: importing this module adds every view.
__all__ = ["bp"]

SAVED = {"draft": "Draft saved.", "published": "Published.", "scheduled": "Scheduled."}
# A post that was already live and stays live is updated, not published again.
UPDATED = "Updated."


@bp.get("/")
def dashboard() -> str:
    """The author's posts (an editor may list everyone's): status, dates, comment counts."""
    editor = current_author().is_editor
    everyone = editor and request.args.get("show") == "all"
    posts = queries.dashboard_posts(current_author(), everyone=everyone)
    return render_page(
        "authoring/dashboard.html",
        "content",
        posts=posts,
        everyone=everyone,
        demo=editor and demo_present(),
        waiting=pending_counts(current_author(), [post.id for post in posts]),
        waiting_total=pending_total(current_author()),
    )


def _form_for(post: Post | None, kept: Autosave | None = None) -> PostForm:
    if kept is not None:
        # The autosaved text over the saved post's settings (status and time are not autosaved).
        form = _form_for(post)
        form.title.data = kept.title
        form.slug.data = kept.slug
        form.tags.data = kept.tags
        form.summary.data = kept.summary
        form.body.data = kept.body_source
        form.cover_image.data = kept.cover_image or ""
        form.cover_alt.data = kept.cover_alt
        return form
    if post is None:
        return PostForm()
    return PostForm(
        data={
            "title": post.title,
            "slug": post.slug,
            "tags": ", ".join(tag.name for tag in post.tags),
            "summary": post.summary,
            "body": post.body_source,
            "cover_image": post.cover_image or "",
            "cover_alt": post.cover_alt,
            "status": post.status,
            # The author reads and types the time in the site zone.
            "publish_at": to_local(post.published_at).replace(tzinfo=None)
            if post.status == "scheduled" and post.published_at
            else None,
        }
    )


def _preview_post(form: PostForm) -> service.PreviewPost:
    return service.draft_post(
        current_author(),
        title=form.title.data or "",
        slug=form.slug.data or "",
        summary=form.summary.data or "",
        body=form.body.data or "",
        tags=split_tags(form.tags.data or ""),
        # Only an upload of ours is shown, even in the preview of a form that is not valid yet.
        cover_image=uploaded_or_none(form.cover_image.data),
        cover_alt=form.cover_alt.data or "",
    )


def _editor_page(post: Post | None, form: PostForm, draft: str, restored: bool = False) -> str:
    """The editor; `draft` names a new post's autosaves (see `autosave`), unused for a post."""
    offered = None if restored else autosave.offered(current_author(), post, besides=draft)
    return render_page(
        "authoring/edit.html",
        "editor_form",
        post=post,
        form=form,
        draft_key=draft,
        preview=_preview_post(form),
        status_choices=STATUS_CHOICES,
        offered=offered,
        restored=restored,
        undescribed=images_without_alt(form.body.data or ""),
    )


def _draft_key() -> str:
    """The draft key a new post's form sent (refused when forged: it names other autosaves)."""
    draft = autosave.draft_key_of(request.form.get("draft_key"))
    if draft is None:
        raise Refused("This editor page is out of date: please reload it.", 422)
    return draft


def _save(post: Post | None) -> Response:
    form = PostForm()
    draft = _draft_key()
    was_live = post is not None and post.status == PostStatus.PUBLISHED.value
    try:
        if not form.validate():
            raise Refused("Not saved yet: please check the marked fields.", 422)
        saved = service.save_post(
            current_author(),
            post,
            title=form.title.data or "",
            slug=form.slug.data or "",
            summary=form.summary.data or "",
            body=form.body.data or "",
            tags=split_tags(form.tags.data or ""),
            status=PostStatus(form.status.data),
            publish_at=form.publish_at_utc(),
            cover_image=form.cover_image.data or None,
            cover_alt=form.cover_alt.data or "",
        )
    except Refused as refused:
        if refused.field:
            getattr(form, refused.field).errors = [refused.message]
        return refusal_response(refused, _editor_page(post, form, draft))
    autosave.forget(current_author(), post.id if post else None, draft)
    message = UPDATED if was_live and saved.status == "published" else SAVED[saved.status]
    if wants_fragment():
        # Ctrl/Cmd+S: saved without leaving the page; the script learns the post's address.
        html = render_fragment("authoring/edit.html", "save_status", message=message, saved=saved)
        return make_response(html, 200)
    flash(message, "success")
    return redirect(url_for("authoring.edit", post_id=saved.id), 303)


@bp.route("/posts/new", methods=["GET", "POST"])
def new() -> Response | str:
    """Write a new post."""
    if request.method == "POST":
        return _save(None)
    kept = None
    if restore := request.args.get("restore"):
        # "1": the newest unsaved new post (links made before draft keys); else that draft.
        asked = None if restore == "1" else autosave.draft_key_of(restore)
        if restore == "1" or asked is not None:
            kept = autosave.offered(current_author(), None, draft=asked)
    if kept is not None:
        kept = autosave.take_over(kept)
    draft = kept.draft_key if kept else autosave.new_draft_key()
    return _editor_page(None, _form_for(None, kept), draft, restored=kept is not None)


@bp.route("/posts/<int:post_id>", methods=["GET", "POST"])
def edit(post_id: int) -> Response | str:
    """Edit one of the author's posts."""
    post = own_post(post_id)
    if request.method == "POST":
        return _save(post)
    restore = request.args.get("restore") == "1"
    kept = autosave.offered(current_author(), post) if restore else None
    return _editor_page(post, _form_for(post, kept), autosave.LEGACY_NEW, kept is not None)


def _autosaved_post() -> Post | None:
    """The post an autosave or discard is about (the form's `post_id`; none for a new post)."""
    raw = request.form.get("post_id", "")
    if not raw:
        return None
    post_id = parse_id(raw)
    if post_id is None:
        abort(404)
    return own_post(post_id)


def _back_to_editor(post: Post | None) -> Response:
    if post is None:
        return redirect(url_for("authoring.new"), 303)
    return redirect(url_for("authoring.edit", post_id=post.id), 303)


@bp.post("/autosave")
def keep_typed() -> Response | str:
    """Keep the editor's text as typed (htmx, a few seconds after typing stops); never publishes."""
    post = _autosaved_post()
    form = PostForm()
    if message := form.too_long_to_preview():
        refused = Refused(f"Not autosaved: {message}", 422)
        html = render_fragment("authoring/edit.html", "autosave_status", refused=refused)
        return refusal_response(refused, html)
    kept = autosave.keep(
        current_author(),
        post,
        autosave.Typed(
            title=form.title.data or "",
            slug=form.slug.data or "",
            tags=form.tags.data or "",
            summary=form.summary.data or "",
            body=form.body.data or "",
            cover_image=uploaded_or_none(form.cover_image.data),
            cover_alt=form.cover_alt.data or "",
        ),
        _draft_key(),
    )
    if not wants_fragment():
        return _back_to_editor(post)
    return render_fragment("authoring/edit.html", "autosave_status", kept=kept)


@bp.post("/autosave/discard")
def discard_typed() -> Response:
    """Forget the autosaved text the editor offered back."""
    post = _autosaved_post()
    autosave.forget(current_author(), post.id if post else None, _draft_key())
    flash("The unsaved text is discarded.", "success")
    return _back_to_editor(post)


@bp.post("/preview")
def preview() -> Response | str:
    """The post as readers will see it, from the form as it stands (not saved).

    htmx gets the article page's own `article_body` block; without JS, a page around it.
    """
    form = PostForm()
    form.validate()  # the preview shows whatever is typed; errors are for saving
    if message := form.too_long_to_preview():
        refused = Refused(f"No preview: {message}", 422)
        html = render_page("authoring/preview.html", "content", post=None, refused=refused)
        return refusal_response(refused, html)
    post = _preview_post(form)
    if wants_fragment():
        # The web address the post will get, shown under the slug field as the title changes.
        hint = render_fragment("authoring/edit.html", "slug_hint", preview=post, oob=True)
        warnings = render_fragment(
            "authoring/edit.html",
            "preview_warnings",
            undescribed=images_without_alt(form.body.data or ""),
            oob=True,
        )
        return render_fragment("reading/article.html", "article_body", post=post) + hint + warnings
    return render_page("authoring/preview.html", "content", post=post)


@bp.post("/images")
def upload_image() -> Response:
    """Store an uploaded image; its Markdown goes in where the author's cursor is (editor.js).

    Without JS the answer is a page with the Markdown to paste.
    """
    file = request.files.get("image")
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    data = file.read(limit + 1) if file else b""
    alt = " ".join((request.form.get("alt") or "").split())[: Limits.IMAGE_ALT]
    try:
        name = store_image(data)
    except Refused as refused:
        html = render_page(
            "authoring/upload.html", "upload_result", message=refused.message, ok=False
        )
        return refusal_response(refused, html)
    # Brackets would end the description early; an empty one is flagged in the preview.
    address = url_for("media.image", name=name)
    markdown = f"![{alt.replace('[', '').replace(']', '')}]({address})"
    html = render_page(
        "authoring/upload.html",
        "upload_result",
        message="Image uploaded.",
        ok=True,
        markdown=markdown,
        described=bool(alt),
        cover=address if request.form.get("cover") == "1" else None,
        alt=alt,
    )
    return make_response(html, 201)
