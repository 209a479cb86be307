"""Which posts readers may see: the one rule every feature (pages, comments, feeds) shares."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import joinedload, selectinload, undefer

from blog.core.models import Post, PostKind, PostStatus, Redirect, utcnow
from blog.extensions import db


def is_visible(now: datetime | None = None) -> ColumnElement[bool]:
    """Readers see published posts and pages, and scheduled ones once their time has come."""
    return and_(
        Post.status.in_([PostStatus.PUBLISHED.value, PostStatus.SCHEDULED.value]),
        Post.published_at.is_not(None),
        Post.published_at <= (now or utcnow()),
    )


def is_article() -> ColumnElement[bool]:
    """Posts, not pages: what listings, neighbours and feeds show."""
    return Post.kind == PostKind.POST.value


def visible_post(slug: str) -> Post | None:
    """The visible post (not page) at this slug, with author, tags and comment count."""
    return db.session.scalar(
        select(Post)
        .where(Post.slug == slug, is_visible(), is_article())
        .options(joinedload(Post.author), selectinload(Post.tags), undefer(Post.comment_count))
    )


def neighbours(post: Post) -> tuple[Post | None, Post | None]:
    """The visible posts published just before and just after `post`."""
    assert post.published_at is not None
    when, ident = post.published_at, post.id
    older = db.session.scalar(
        select(Post)
        .where(
            is_visible(),
            is_article(),
            or_(Post.published_at < when, and_(Post.published_at == when, Post.id < ident)),
        )
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(1)
    )
    newer = db.session.scalar(
        select(Post)
        .where(
            is_visible(),
            is_article(),
            or_(Post.published_at > when, and_(Post.published_at == when, Post.id > ident)),
        )
        .order_by(Post.published_at.asc(), Post.id.asc())
        .limit(1)
    )
    return older, newer


def comments_open(post: Post, close_after_days: int, now: datetime | None = None) -> bool:
    """Whether readers may still comment on `post` (closed by hand, or by age)."""
    if post.comments_closed:
        return False
    if close_after_days and post.published_at is not None:
        return post.published_at > (now or utcnow()) - timedelta(days=close_after_days)
    return True


def visible_page(slug: str) -> Post | None:
    """The visible page at this slug (pages live at /<slug>)."""
    return db.session.scalar(
        select(Post)
        .where(Post.slug == slug, is_visible(), Post.kind == PostKind.PAGE.value)
        .options(joinedload(Post.author))
    )


def remember_old_path(old_path: str, post: Post) -> None:
    """Make `old_path` lead to `post` from now on (in the caller's write transaction)."""
    found = db.session.scalar(select(Redirect).where(Redirect.old_path == old_path))
    if found is None:
        db.session.add(Redirect(old_path=old_path, post_id=post.id))
    else:
        found.post_id = post.id


def newest_posts(limit: int) -> list[Post]:
    """The newest visible posts (for pages that offer a way on, like the 404 page)."""
    return list(
        db.session.scalars(
            select(Post)
            .where(is_visible(), is_article())
            .order_by(Post.published_at.desc(), Post.id.desc())
            .limit(limit)
        )
    )
