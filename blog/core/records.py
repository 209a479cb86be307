"""The rows the blog keeps for its own work, beside what it publishes (blog.core.models).

Sign-in sessions, invitations, autosaves, what imports made, one-off site facts, the page
cache's counter, kept listing counts and rate-limit hits. The feature packages own the rules;
these are only the tables. (blog.core imports this module through core.changes and core.counts,
so every table is in the metadata whenever the core is.)
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blog.core.models import Limits, Model, Role, utcnow

if TYPE_CHECKING:
    from blog.core.models import Author


class AuthSession(Model):
    """One signed-in browser of an author; signing out deletes it, so a copied cookie dies."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only a hash of the token is stored: a leaked database opens no session.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # When the browser was last seen (kept to the hour): idle sessions expire.
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    author: Mapped[Author] = relationship()


class Invite(Model):
    """A one-time link an editor hands to a new author: whoever opens it chooses a password."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only a hash of the link's token is stored: a leaked database opens no account.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(Limits.AUTHOR_EMAIL), index=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.AUTHOR.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    # Set when the link is used: it opens one account, once.
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    created_by: Mapped[Author | None] = relationship()


class Autosave(Model):
    """The editor's text as it stood a few seconds after the author last typed.

    One per author and post (`draft_key` "post-<id>", or "new" for a post not saved yet). It
    never reaches readers: the editor offers it back when it is newer than the saved post.
    """

    __tablename__ = "autosaves"
    __table_args__ = (UniqueConstraint("author_id", "draft_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    draft_key: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(Limits.POST_TITLE), default="")
    slug: Mapped[str] = mapped_column(String(Limits.POST_SLUG), default="")
    tags: Mapped[str] = mapped_column(String(Limits.TAGS_FIELD), default="")
    summary: Mapped[str] = mapped_column(String(Limits.POST_SUMMARY), default="")
    body_source: Mapped[str] = mapped_column(Text, default="")
    cover_image: Mapped[str | None] = mapped_column(String(Limits.IMAGE_URL))
    cover_alt: Mapped[str] = mapped_column(String(Limits.IMAGE_ALT), default="", server_default="")
    saved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ImportedItem(Model):
    """What an import made from one item of another engine's export, so re-imports match it."""

    __tablename__ = "imported_items"

    source: Mapped[str] = mapped_column(String(20), primary_key=True)  # "wordpress", "blogger"
    item_kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # author/post/comment
    source_id: Mapped[str] = mapped_column(String(Limits.SOURCE_ID), primary_key=True)
    target_id: Mapped[int] = mapped_column()


class SiteFlag(Model):
    """A one-off fact about this blog, e.g. "demo-removed" (so a restart does not reload it)."""

    __tablename__ = "site_flags"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CacheState(Model):
    """One row: a counter every change readers could see moves, for the page cache."""

    __tablename__ = "cache_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)
    # When the next scheduled post goes live; the cache's copies are not served past it.
    next_due: Mapped[datetime | None] = mapped_column(DateTime)


class ListingCount(Model):
    """How many posts one listing holds (all posts, a tag's, an author's, a month's), kept.

    Kept by core.counts in the transaction that changes a post. It counts every listed post,
    due or not: readers subtract the few whose time has not come yet (see core.counts), so a
    scheduled post's time arriving needs no write here.
    """

    __tablename__ = "listing_counts"

    # "posts"; "tag" or "author" (key: its id); "month <zone>" (key: year * 100 + month).
    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(default=0)


class RateLimitHit(Model):
    """One counted action (a posted comment) by one client; every server process sees it."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_bucket_created", "bucket", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(Limits.RATE_BUCKET))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
