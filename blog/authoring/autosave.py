"""Autosave: the editor's text kept a few seconds after each pause in typing, never published.

One record per author and post ("new" for a post not saved yet). A real save forgets it; the
editor offers it back ("Restore unsaved text from 14:32?") while it is newer than the post.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from blog.core.db import write_transaction
from blog.core.models import Author, Post, utcnow
from blog.core.records import Autosave
from blog.extensions import db


@dataclass(frozen=True)
class Typed:
    """The editor's text fields as they stood."""

    title: str
    slug: str
    tags: str
    summary: str
    body: str


def _key(post_id: int | None) -> str:
    return f"post-{post_id}" if post_id else "new"


def _kept(author: Author, post: Post | None) -> Autosave | None:
    """The author's autosave of this post (one at most: the unique key says so)."""
    return db.session.scalar(
        select(Autosave).where(
            Autosave.author_id == author.id,
            Autosave.draft_key == _key(post.id if post else None),
        )
    )


def keep(author: Author, post: Post | None, typed: Typed) -> Autosave:
    """Store the text as typed (replacing the last autosave of this post by this author)."""
    with write_transaction():
        found = _kept(author, post)
        if found is None:
            found = Autosave(
                author_id=author.id,
                post_id=post.id if post else None,
                draft_key=_key(post.id if post else None),
            )
            db.session.add(found)
        found.title = typed.title
        found.slug = typed.slug
        found.tags = typed.tags
        found.summary = typed.summary
        found.body_source = typed.body
        found.saved_at = utcnow()
    return found


def _differs(autosave: Autosave, post: Post) -> bool:
    tags = ", ".join(tag.name for tag in post.tags)
    saved = (post.title, post.slug, tags, post.summary, post.body_source)
    kept = (autosave.title, autosave.slug, autosave.tags, autosave.summary, autosave.body_source)
    return kept != saved


def offered(author: Author, post: Post | None) -> Autosave | None:
    """The autosave to offer back: newer than the saved post and different from it."""
    found = _kept(author, post)
    if found is None:
        return None
    if post is not None and (found.saved_at <= post.updated_at or not _differs(found, post)):
        return None
    if post is None and not (found.title or found.body_source):
        return None
    return found


def forget(author: Author, post_id: int | None) -> None:
    """Drop the author's autosave of this post (after a save, or when they discard it)."""
    with write_transaction():
        db.session.execute(
            delete(Autosave).where(
                Autosave.author_id == author.id, Autosave.draft_key == _key(post_id)
            )
        )
