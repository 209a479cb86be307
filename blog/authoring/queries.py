"""Typed read queries for the authors' pages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from blog.core.models import Author, Post, PostRevision
from blog.extensions import db


def posts_by(author: Author) -> list[Post]:
    """The author's posts (drafts, scheduled, published), most recently changed first."""
    return list(
        db.session.scalars(
            select(Post)
            .where(Post.author_id == author.id)
            .options(selectinload(Post.tags), undefer(Post.comment_count))
            .order_by(Post.updated_at.desc())
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
