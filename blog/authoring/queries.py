"""Typed read queries for the authors' pages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from blog.core.models import Author, Post, PostRevision, PostStatus
from blog.core.permissions import editable_posts
from blog.extensions import db

# The dashboard lists the most recently changed posts; older ones are found from the blog.
DASHBOARD_SIZE = 200


def dashboard_posts(author: Author, everyone: bool = False) -> list[Post]:
    """The author's posts (or, for an editor, everyone's), most recently changed first.

    An index on updated_at (with author_id first, for an author) gives the order: no sort.
    """
    mine = editable_posts(author) if everyone else Post.author_id == author.id
    return list(
        db.session.scalars(
            select(Post)
            .where(mine, Post.status != PostStatus.TRASHED.value)
            .options(joinedload(Post.author), selectinload(Post.tags))
            .order_by(Post.updated_at.desc())
            .limit(DASHBOARD_SIZE)
        )
    )


def revisions_of(post: Post) -> list[PostRevision]:
    """Earlier versions of a post, newest first."""
    return list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.created_at.desc(), PostRevision.id.desc())
        )
    )
