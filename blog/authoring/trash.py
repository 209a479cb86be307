"""The trash: a deleted post waits there for 30 days with its comments, then goes for good.

Moving a post to the trash is a status change, so everything readers see (listings, counts,
feeds, search, the page cache) follows from the rules they already obey; its comments, tags
and revisions stay where they are, and restoring gives back the status it had.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import joinedload

from blog.authoring.slugs import slug_back
from blog.core.db import write_transaction
from blog.core.models import Author, Post, PostStatus, utcnow
from blog.core.permissions import editable_posts
from blog.extensions import db

KEPT_FOR: Final = timedelta(days=30)
TRASH_PAGE_SIZE: Final = 200


def move_to_trash(post: Post) -> None:
    """Take the post away from readers, restorable for KEPT_FOR."""
    with write_transaction():
        post.status_before_trash = post.status
        post.status = PostStatus.TRASHED.value
        post.trashed_at = utcnow()


def restore(post: Post) -> str | None:
    """Give the post back the status it had (a draft, if that is unknown), and its address.

    Its address is the one it had unless another post has taken it meanwhile (`slugs`): that
    address is returned then, else None.
    """
    with write_transaction():
        lost = slug_back(post)
        post.status = post.status_before_trash or PostStatus.DRAFT.value
        post.status_before_trash = None
        post.trashed_at = None
    return lost


def delete_for_good(post: Post) -> None:
    """Delete a trashed post with its comments and revisions."""
    post_id = post.id
    with write_transaction():
        db.session.execute(delete(Post).where(Post.id == post_id))


def trashed_posts(author: Author) -> list[Post]:
    """The trashed posts `author` may restore, most recently trashed first."""
    return list(
        db.session.scalars(
            select(Post)
            .where(Post.status == PostStatus.TRASHED.value, editable_posts(author))
            .options(joinedload(Post.author))
            .order_by(Post.trashed_at.desc())
            .limit(TRASH_PAGE_SIZE)
        )
    )


def empty_old() -> int:
    """Delete every post that has been in the trash for longer than KEPT_FOR; how many."""
    with write_transaction():
        result = db.session.execute(
            delete(Post).where(
                Post.status == PostStatus.TRASHED.value, Post.trashed_at < utcnow() - KEPT_FOR
            )
        )
    return int(cast(CursorResult[Any], result).rowcount or 0)
