"""The authors' blueprint, and the one rule for which posts a signed-in author may work on.

Its views live in `views` (the dashboard, the editor, autosave, preview, images) and `history`
(the trash and revisions).
"""

from __future__ import annotations

from flask import Blueprint, abort

from blog.core.models import Post, PostRevision, PostStatus
from blog.core.permissions import may_edit
from blog.core.security import authors_only, current_author
from blog.extensions import db

bp = Blueprint("authoring", __name__, url_prefix="/editor")

# Signed-in authors only (their pages get Cache-Control: no-store from blog.core.security).
authors_only(bp)


def own_post(post_id: int, trashed: bool = False) -> Post:
    """The post, if the signed-in author may work on it; else 404, whether or not it exists.

    A trashed post is found only by the trash's own views (`trashed`), and only there.
    """
    post = db.session.get(Post, post_id)
    if post is None or not may_edit(current_author(), post):
        abort(404)
    if (post.status == PostStatus.TRASHED.value) != trashed:
        abort(404)
    return post


def own_revision(revision_id: int) -> PostRevision:
    """The revision, if the signed-in author may work on its post; else 404."""
    revision = db.session.get(PostRevision, revision_id)
    if revision is None:
        abort(404)
    own_post(revision.post_id)
    return revision
