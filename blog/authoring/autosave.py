"""Autosave: the editor's text kept a few seconds after each pause in typing, never published.

One record per author and post. A post not saved yet is named by its editor page's own draft
key ("new-" and 16 random characters), so two new posts written in two tabs never overwrite
each other. A real save forgets it; the editor offers it back ("Restore unsaved text from
14:32?") while it is newer than the post, or, on a new post's page, the newest unsaved one.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Select, delete, or_, select

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
    cover_image: str | None = None  # only an upload of ours (see `keep_typed`)
    cover_alt: str = ""


# Pages served before draft keys existed send none: their new post keeps the old shared key.
LEGACY_NEW = "new"
_NEW_KEY = re.compile(r"new-[A-Za-z0-9_-]{16}")
# Unsaved new posts kept per author; the oldest go first.
KEEP_NEW_DRAFTS = 10


def new_draft_key() -> str:
    """A fresh key for a new post's editor page."""
    return "new-" + secrets.token_urlsafe(12)


def draft_key_of(raw: str | None) -> str | None:
    """The draft key a new post's editor page sent, or None when it is not one of ours."""
    if not raw or raw == LEGACY_NEW:
        return LEGACY_NEW
    return raw if _NEW_KEY.fullmatch(raw) else None


def _key(post_id: int | None, draft: str) -> str:
    return f"post-{post_id}" if post_id else draft


def _new_drafts(author: Author) -> Select[Autosave]:
    """The author's autosaves of posts not saved yet, newest first."""
    return (
        select(Autosave)
        .where(
            Autosave.author_id == author.id,
            Autosave.post_id.is_(None),
            or_(Autosave.draft_key == LEGACY_NEW, Autosave.draft_key.startswith("new-")),
        )
        .order_by(Autosave.saved_at.desc(), Autosave.id.desc())
    )


def _kept(author: Author, post: Post | None, draft: str = LEGACY_NEW) -> Autosave | None:
    """The author's autosave of this post or draft (one at most: the unique key says so)."""
    return db.session.scalar(
        select(Autosave).where(
            Autosave.author_id == author.id,
            Autosave.draft_key == _key(post.id if post else None, draft),
        )
    )


def keep(author: Author, post: Post | None, typed: Typed, draft: str = LEGACY_NEW) -> Autosave:
    """Store the text as typed (replacing the last autosave of this post or draft)."""
    with write_transaction():
        found = _kept(author, post, draft)
        if found is None:
            if post is None:
                # Unsaved new posts are kept a few at a time, not forever: room for this one.
                stale = db.session.scalars(
                    _new_drafts(author).with_only_columns(Autosave.id).offset(KEEP_NEW_DRAFTS - 1)
                ).all()
                if stale:
                    db.session.execute(delete(Autosave).where(Autosave.id.in_(stale)))
            found = Autosave(
                author_id=author.id,
                post_id=post.id if post else None,
                draft_key=_key(post.id if post else None, draft),
            )
            db.session.add(found)
        found.title = typed.title
        found.slug = typed.slug
        found.tags = typed.tags
        found.summary = typed.summary
        found.body_source = typed.body
        found.cover_image = typed.cover_image
        found.cover_alt = typed.cover_alt if typed.cover_image else ""
        found.saved_at = utcnow()
    return found


def _differs(autosave: Autosave, post: Post) -> bool:
    tags = ", ".join(tag.name for tag in post.tags)
    saved = (post.title, post.slug, tags, post.summary, post.body_source, post.cover_image)
    kept = (
        autosave.title,
        autosave.slug,
        autosave.tags,
        autosave.summary,
        autosave.body_source,
        autosave.cover_image,
    )
    return kept != saved or (post.cover_image is not None and autosave.cover_alt != post.cover_alt)


def offered(
    author: Author, post: Post | None, draft: str | None = None, besides: str | None = None
) -> Autosave | None:
    """The autosave to offer back: newer than the saved post and different from it.

    For a new post: the draft `draft`, or else the newest unsaved one other than `besides`
    (the page's own, whose text is already in its form).
    """
    if post is not None or draft is not None:
        found = _kept(author, post, draft or LEGACY_NEW)
    else:
        query = _new_drafts(author).where(or_(Autosave.title != "", Autosave.body_source != ""))
        if besides is not None:
            query = query.where(Autosave.draft_key != besides)
        found = db.session.scalars(query.limit(1)).first()
    if found is None:
        return None
    if post is not None and (found.saved_at <= post.updated_at or not _differs(found, post)):
        return None
    if post is None and not (found.title or found.body_source):
        return None
    return found


def take_over(found: Autosave) -> Autosave:
    """Give a restored unsaved post a key of the restoring page's own.

    Two pages restoring the same draft would otherwise autosave over each other's text. This
    way the page that restored it last holds the row, and the other one's next autosave keeps
    its text under its own key again (an autosave sends the whole form).
    """
    with write_transaction():
        found.draft_key = new_draft_key()
    return found


def forget(author: Author, post_id: int | None, draft: str = LEGACY_NEW) -> None:
    """Drop the author's autosave of this post or draft (after a save, or when discarded)."""
    key = _key(post_id, draft)
    with write_transaction():
        db.session.execute(
            delete(Autosave).where(Autosave.author_id == author.id, Autosave.draft_key == key)
        )
