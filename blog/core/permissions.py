"""Who may see and change what on the authors' side: one place for the editor/author rule.

Editors may work on every post and every comment; authors on their own posts and the comments
on them. Anything else answers 404, so that nobody learns what exists beyond their reach.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, select, true

from blog.core.models import Author, Comment, Post, PostStatus


def may_edit(author: Author, post: Post) -> bool:
    """True when `author` may open, change or delete `post`."""
    return author.is_editor or post.author_id == author.id


def editable_posts(author: Author) -> ColumnElement[bool]:
    """A filter for the posts `author` may work on."""
    return true() if author.is_editor else Post.author_id == author.id


def moderated_comments(author: Author) -> ColumnElement[bool]:
    """A filter for the comments `author` may approve, mark as spam or delete.

    Comments on a trashed post wait with it (restoring the post brings them back to the queue).
    """
    trashed = select(Post.id).where(Post.status == PostStatus.TRASHED.value)
    not_trashed = Comment.post_id.not_in(trashed)
    if author.is_editor:
        return not_trashed
    return and_(
        Comment.post_id.in_(select(Post.id).where(Post.author_id == author.id)), not_trashed
    )
