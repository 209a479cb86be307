"""The authors' history pages: the trash (delete, restore, delete for good) and revisions."""

from __future__ import annotations

from dataclasses import asdict

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from blog.authoring import queries, service, trash
from blog.authoring.blueprint import bp, own_post, own_revision
from blog.authoring.diff import diff_texts
from blog.core.security import current_author
from blog.core.web import Refused, render_page

# The newest revisions show their diff on the list; older ones on their own page (each diff
# costs a pass over the text).
DIFFS_LISTED = 10


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
def delete(post_id: int) -> Response | str:
    """Ask to confirm, then move the post to the trash (restorable for 30 days)."""
    post = own_post(post_id)
    if request.method == "GET":
        return render_page("authoring/delete.html", "content", post=post, forever=False)
    trash.move_to_trash(post)
    flash(f"“{post.title}” is in the trash for 30 days; restore it from there.", "success")
    return redirect(url_for("authoring.trashed"), 303)


@bp.get("/trash")
def trashed() -> str:
    """Posts moved to the trash, restorable until they have waited 30 days."""
    trash.empty_old()
    posts = trash.trashed_posts(current_author())
    return render_page("authoring/trash.html", "content", posts=posts, kept=trash.KEPT_FOR)


@bp.post("/trash/<int:post_id>/restore")
def untrash(post_id: int) -> Response:
    """Take a post out of the trash, with the status it had."""
    post = own_post(post_id, trashed=True)
    lost = trash.restore(post)
    message = f"“{post.title}” is restored."
    if lost:
        message += f" Another post has /posts/{lost} now: this one is at /posts/{post.slug}."
    flash(message, "success")
    return redirect(url_for("authoring.edit", post_id=post.id), 303)


@bp.route("/trash/<int:post_id>/delete", methods=["GET", "POST"])
def delete_forever(post_id: int) -> Response | str:
    """Ask to confirm, then delete a trashed post with its comments for good."""
    post = own_post(post_id, trashed=True)
    if request.method == "GET":
        return render_page("authoring/delete.html", "content", post=post, forever=True)
    title = post.title
    trash.delete_for_good(post)
    flash(f"Deleted “{title}” for good.", "success")
    return redirect(url_for("authoring.trashed"), 303)


@bp.get("/posts/<int:post_id>/revisions")
def revisions(post_id: int) -> str:
    """Earlier versions of a post, the current one first, the newest with what changed since."""
    post = own_post(post_id)
    found = queries.revisions_of(post)
    return render_page(
        "authoring/revisions.html",
        "content",
        post=post,
        revisions=found,
        diffs={
            revision.id: diff_texts(revision.body_source, post.body_source)
            for revision in found[:DIFFS_LISTED]
        },
    )


@bp.get("/revisions/<int:revision_id>")
def revision(revision_id: int) -> str:
    """One earlier version: what changed from it to the current text, and how it looked."""
    found = own_revision(revision_id)
    shown = service.draft_post(current_author(), **asdict(service.Content.of_revision(found)))
    post = own_post(found.post_id)
    return render_page(
        "authoring/revision.html",
        "content",
        revision=found,
        post=post,
        shown=shown,
        diff=diff_texts(found.body_source, post.body_source),
        current_tags=", ".join(tag.name for tag in post.tags),
    )


@bp.post("/revisions/<int:revision_id>/restore")
def restore(revision_id: int) -> Response:
    """Make an earlier version current again."""
    found = own_revision(revision_id)
    try:
        post = service.restore_revision(found, current_author())
    except Refused as refused:
        flash(refused.message, "error")
        return redirect(url_for("authoring.revisions", post_id=found.post_id), 303)
    flash("The earlier version is restored; the one it replaced is kept as a revision.", "success")
    return redirect(url_for("authoring.edit", post_id=post.id), 303)
