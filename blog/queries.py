"""Typed read queries for the reader pages; each runs a fixed number of SQL statements."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, and_, extract, func, or_, select
from sqlalchemy.orm import joinedload, selectinload, undefer

from blog.extensions import db
from blog.models import Comment, CommentStatus, Post, PostStatus, Tag, post_tags, utcnow


def is_visible(now: datetime | None = None) -> ColumnElement[bool]:
    """Readers see published posts, and scheduled ones once their time has come."""
    return and_(
        Post.status.in_([PostStatus.PUBLISHED.value, PostStatus.SCHEDULED.value]),
        Post.published_at.is_not(None),
        Post.published_at <= (now or utcnow()),
    )


def _listing() -> Select[tuple[Post]]:
    """Visible posts, newest first, with author, tags and comment count loaded up front."""
    return (
        select(Post)
        .where(is_visible())
        .options(joinedload(Post.author), selectinload(Post.tags), undefer(Post.comment_count))
        .order_by(Post.published_at.desc(), Post.id.desc())
    )


def _paginate(query: Select[tuple[Post]], page: int, per_page: int) -> Pagination:
    # error_out: a page past the end, or below 1, is a 404 rather than an empty listing.
    return db.paginate(query, page=page, per_page=per_page, error_out=True, count=True)


def home_page(page: int, per_page: int) -> Pagination:
    """One page of the newest visible posts."""
    return _paginate(_listing(), page, per_page)


def tag_by_slug(slug: str) -> Tag | None:
    """The tag with this slug, if any."""
    return db.session.scalar(select(Tag).where(Tag.slug == slug))


def tag_page(tag: Tag, page: int, per_page: int) -> Pagination:
    """One page of visible posts carrying `tag`."""
    query = _listing().where(
        Post.id.in_(select(post_tags.c.post_id).where(post_tags.c.tag_id == tag.id))
    )
    return _paginate(query, page, per_page)


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1)
    end = datetime(year + 1, 1, 1) if month == 12 else datetime(year, month + 1, 1)
    return start, end


def month_page(year: int, month: int, page: int, per_page: int) -> Pagination:
    """One page of the visible posts published in that calendar month (UTC)."""
    start, end = _month_bounds(year, month)
    query = _listing().where(Post.published_at >= start, Post.published_at < end)
    return _paginate(query, page, per_page)


@dataclass(frozen=True)
class MonthCount:
    """A month of the archive and how many posts it holds."""

    year: int
    month: int
    count: int

    @property
    def date(self) -> datetime:
        """The first day of the month, for formatting."""
        return datetime(self.year, self.month, 1)


def archive_months() -> list[MonthCount]:
    """Every month with a visible post, newest first."""
    year = extract("year", Post.published_at)
    month = extract("month", Post.published_at)
    rows = db.session.execute(
        select(year, month, func.count(Post.id))
        .where(is_visible())
        .group_by(year, month)
        .order_by(year.desc(), month.desc())
    )
    return [MonthCount(int(y), int(m), int(n)) for y, m, n in rows]


@dataclass(frozen=True)
class TagCount:
    """A tag and how many visible posts carry it."""

    tag: Tag
    count: int


def tags_in_use() -> list[TagCount]:
    """Tags with at least one visible post, by name."""
    count = func.count(Post.id)
    rows = db.session.execute(
        select(Tag, count)
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .join(Post, Post.id == post_tags.c.post_id)
        .where(is_visible())
        .group_by(Tag.id)
        .order_by(Tag.name)
    )
    return [TagCount(tag, int(n)) for tag, n in rows]


def visible_post(slug: str) -> Post | None:
    """The visible post at this slug, with author, tags and comment count."""
    return db.session.scalar(
        select(Post)
        .where(Post.slug == slug, is_visible())
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
            or_(Post.published_at < when, and_(Post.published_at == when, Post.id < ident)),
        )
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(1)
    )
    newer = db.session.scalar(
        select(Post)
        .where(
            is_visible(),
            or_(Post.published_at > when, and_(Post.published_at == when, Post.id > ident)),
        )
        .order_by(Post.published_at.asc(), Post.id.asc())
        .limit(1)
    )
    return older, newer


@dataclass
class CommentNode:
    """A comment with its replies, for rendering a thread."""

    comment: Comment
    replies: list[CommentNode] = field(default_factory=list)


@dataclass
class CommentPage:
    """Threads of comments (top-level comments with their replies) for pages first..last."""

    threads: list[CommentNode]
    first_page: int
    last_page: int
    has_more: bool


def visible_comments(own_ids: Collection[int] = ()) -> ColumnElement[bool]:
    """Approved comments, plus the reader's own held ones (they see them marked as waiting)."""
    approved = Comment.status == CommentStatus.APPROVED.value
    if not own_ids:
        return approved
    return or_(
        approved,
        and_(Comment.id.in_(list(own_ids)), Comment.status == CommentStatus.PENDING.value),
    )


def comment_threads(
    post: Post, first_page: int, last_page: int, per_page: int, own_ids: Collection[int] = ()
) -> CommentPage:
    """Top-level comments oldest first, pages `first_page`..`last_page`, with all their replies.

    Two statements whatever the number of comments or the depth of the replies.
    """
    visible = visible_comments(own_ids)
    limit = (last_page - first_page + 1) * per_page
    roots = db.session.scalars(
        select(Comment)
        .where(Comment.post_id == post.id, Comment.parent_id.is_(None), visible)
        .order_by(Comment.created_at, Comment.id)
        .offset((first_page - 1) * per_page)
        .limit(limit + 1)
    ).all()
    has_more = len(roots) > limit
    roots = roots[:limit]
    replies = (
        db.session.scalars(
            select(Comment)
            .where(Comment.root_id.in_([root.id for root in roots]), visible)
            .order_by(Comment.created_at, Comment.id)
        ).all()
        if roots
        else []
    )
    nodes = {comment.id: CommentNode(comment) for comment in [*roots, *replies]}
    for reply in replies:
        # A reply whose parent is hidden (held, spam) hangs under the top of its thread.
        parent = nodes.get(reply.parent_id or 0) or nodes[reply.root_id or 0]
        parent.replies.append(nodes[reply.id])
    return CommentPage([nodes[root.id] for root in roots], first_page, last_page, has_more)
