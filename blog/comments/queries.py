"""Typed read queries for a post's comments: threads a page at a time, and where one sits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select, tuple_

from blog.core.models import Comment, CommentStatus, Post, comment_anchor
from blog.extensions import db


@dataclass(frozen=True, slots=True)
class CommentView:
    """What a card shows of one comment, read as plain values rather than as an ORM object.

    A page of threads holds some 80 comments: building and tracking them as ORM objects cost
    more than the rest of its queries together, and a card never changes the comment it shows.
    """

    post: Post  # the post in hand: every card links to it
    id: int
    post_id: int
    parent_id: int | None
    root_id: int | None
    author_name: str
    author_website: str | None
    author_id: int | None
    body_source: str
    body_html: str
    status: str
    created_at: datetime
    edited_at: datetime | None
    owner_hash: str | None

    @property
    def anchor(self) -> str:
        """The fragment id of this comment on its article page."""
        return comment_anchor(self.id)

    @classmethod
    def of_values(cls, post: Post, ident: int, values: Mapping[str, Any]) -> CommentView:
        """The view of the comment just stored as `ident` from these column values."""
        row: list[Any] = [ident if name == "id" else values.get(name) for name in _VIEW_FIELDS]
        return cls(post, *row)


# The columns a view is read from, in the order of its fields (all but `post`).
_VIEW_FIELDS = tuple(item.name for item in fields(CommentView) if item.name != "post")
_VIEW_COLUMNS = tuple(getattr(Comment, name) for name in _VIEW_FIELDS)


def _views(
    query: Select[Any], post: Post, values: Mapping[str, Any] | None = None
) -> list[CommentView]:
    """The comments `query` (a select of _VIEW_COLUMNS) finds, as views on `post`."""
    return [CommentView(post, *row) for row in db.session.execute(query, values)]


@dataclass
class CommentNode:
    """A comment with its replies, for rendering a thread.

    `depth` is how far it is indented (0 for a top-level comment, at most MAX_DEPTH + 1);
    `in_reply_to` names the comment it answers when that is not the one it is shown under.
    """

    comment: CommentView
    replies: list[CommentNode] = field(default_factory=list)
    depth: int = 0
    in_reply_to: str | None = None


# Replies nest this many levels under a top-level comment; deeper ones are shown in one flat
# list under their level-MAX_DEPTH ancestor, each saying whom it answers. However long a chain
# of replies grows, the page stays readable and its rendering never recurses deeper.
MAX_DEPTH = 6


@dataclass
class CommentPage:
    """Threads of comments (top-level comments with their replies) for pages first..last."""

    threads: list[CommentNode]
    first_page: int
    last_page: int
    has_more: bool


def visible_comments(own: Mapping[int, str] | None = None) -> ColumnElement[bool]:
    """Approved comments, plus the reader's own held ones (they see them marked as waiting).

    `own` maps the ids this browser wrote to the owner hash each row must carry, so an id
    alone never shows anyone a held comment.
    """
    approved = Comment.status == CommentStatus.APPROVED.value
    if not own:
        return approved
    return or_(
        approved,
        and_(
            tuple_(Comment.id, Comment.owner_hash).in_(list(own.items())),
            Comment.status == CommentStatus.PENDING.value,
        ),
    )


def comment_threads(
    post: Post,
    first_page: int,
    last_page: int,
    per_page: int,
    own: Mapping[int, str] | None = None,
) -> CommentPage:
    """Top-level comments oldest first, pages `first_page`..`last_page`, with all their replies.

    Two statements whatever the number of comments or the depth of the replies.
    """
    limit = (last_page - first_page + 1) * per_page
    roots_query, replies_query = _THREADS if not own else _threads_query(visible_comments(own))
    values = {"post": post.id, "offset": (first_page - 1) * per_page, "limit": limit + 1}
    roots = _views(roots_query, post, values)
    has_more = len(roots) > limit
    roots = roots[:limit]
    found = _views(replies_query, post, {"roots": [root.id for root in roots]}) if roots else []
    # Sorted here, not in SQL: asked to order them, SQLite would walk every approved comment
    # of the blog in time order (ix_comments_status_created) rather than look up these threads.
    replies = sorted(found, key=lambda reply: (reply.created_at, reply.id))
    return CommentPage(_threads(roots, replies), first_page, last_page, has_more)


def _threads_query(visible: ColumnElement[bool]) -> tuple[Select[Any], Select[Any]]:
    """The statements of `comment_threads`: a post's top-level comments, then their replies."""
    roots = (
        select(*_VIEW_COLUMNS)
        .where(Comment.post_id == bindparam("post"), Comment.parent_id.is_(None), visible)
        .order_by(Comment.created_at, Comment.id)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    replies = select(*_VIEW_COLUMNS).where(
        Comment.root_id.in_(bindparam("roots", expanding=True)), visible
    )
    return roots, replies


# Built once for what nearly every page shows, the approved comments alone (see core.posts on
# statements built once); a reader's own held comments make them per request.
_THREADS = _threads_query(visible_comments())


def _threads(roots: Sequence[CommentView], replies: Sequence[CommentView]) -> list[CommentNode]:
    """Hang each reply (oldest first) under its parent, flattening below MAX_DEPTH."""
    nodes = {root.id: CommentNode(root) for root in roots}
    # Where the replies to each comment are shown: the comment itself, or below MAX_DEPTH the
    # ancestor whose flat list it is in.
    shown_under: dict[int, CommentNode] = {root.id: nodes[root.id] for root in roots}
    for reply in replies:
        # A reply whose parent is hidden (held, spam) hangs under the top of its thread.
        parent = nodes.get(reply.parent_id or 0) or nodes.get(reply.root_id or 0)
        if parent is None:
            continue  # its thread is not on this page
        node = CommentNode(reply, depth=parent.depth + 1)
        host = shown_under[parent.comment.id]
        if host is not parent:
            node.in_reply_to = parent.comment.author_name
        host.replies.append(node)
        nodes[reply.id] = node
        shown_under[reply.id] = node if node.depth <= MAX_DEPTH else host
    return [nodes[root.id] for root in roots]


def page_of(
    comment: Comment | CommentView, per_page: int, own: Mapping[int, str] | None = None
) -> int:
    """The page of the comment section that shows `comment` (replies live with their root)."""
    root_id = comment.root_id or comment.id
    root = comment if root_id == comment.id else db.session.get(Comment, root_id)
    assert root is not None
    visible = visible_comments(own)
    before = db.session.scalar(
        select(func.count(Comment.id)).where(
            Comment.post_id == comment.post_id,
            Comment.parent_id.is_(None),
            visible,
            (Comment.created_at < root.created_at)
            | ((Comment.created_at == root.created_at) & (Comment.id < root.id)),
        )
    )
    return int(before or 0) // per_page + 1


def thread_of(comment: CommentView, own: Mapping[int, str] | None = None) -> CommentNode:
    """The whole thread `comment` belongs to (its top-level comment and every reply).

    Two statements, and a size that is the thread's, never the post's.
    """
    root_id = comment.root_id or comment.id
    post = comment.post
    if root_id == comment.id:
        root = comment
    else:
        root = _views(select(*_VIEW_COLUMNS).where(Comment.id == root_id), post)[0]
    replies = _views(
        select(*_VIEW_COLUMNS)
        .where(Comment.root_id == root.id, visible_comments(own))
        .order_by(Comment.created_at, Comment.id),
        post,
    )
    return _threads([root], replies)[0]
