"""The blog's data: authors, posts, tags and comments, in SQLAlchemy 2 typed style."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blog.core.text import html_text
from blog.extensions import Base, db

if TYPE_CHECKING:
    # db.Model is made at run time from Base; the type checker reads the columns from Base.
    Model = Base
else:
    Model = db.Model


class Limits:
    """Every length limit in one place: the columns, the forms and the templates' maxlength."""

    AUTHOR_EMAIL: Final = 254
    AUTHOR_NAME: Final = 100
    AUTHOR_BIO: Final = 500
    PASSWORD: Final = 1024
    PASSWORD_MIN: Final = 10
    TAG_NAME: Final = 50
    TAG_SLUG: Final = 60
    TAGS_PER_POST: Final = 10
    TAGS_FIELD: Final = 600
    POST_TITLE: Final = 200
    POST_SLUG: Final = 200
    POST_SUMMARY: Final = 500
    POST_BODY: Final = 200_000
    REVISION_TAGS: Final = 1000
    COMMENT_NAME: Final = 80
    COMMENT_EMAIL: Final = 254
    COMMENT_WEBSITE: Final = 300
    HELD_REASON: Final = 100
    IMAGE_ALT: Final = 200
    IMAGE_URL: Final = 300
    SEARCH: Final = 200
    RATE_BUCKET: Final = 120
    OLD_PATH: Final = 500
    SOURCE_ID: Final = 300


def utcnow() -> datetime:
    """Naive UTC now: every stored time is UTC, whatever the database's own time zone."""
    return datetime.now(UTC).replace(tzinfo=None)


def comment_anchor(comment_id: int) -> str:
    """The fragment id of a comment on its article page."""
    return f"comment-{comment_id}"


class PostStatus(enum.StrEnum):
    """Where a post stands; only published (and due scheduled) posts reach readers."""

    DRAFT = "draft"
    PUBLISHED = "published"
    SCHEDULED = "scheduled"
    # Deleted by an author: kept 30 days with its comments, restorable, seen by no reader.
    TRASHED = "trashed"


class Role(enum.StrEnum):
    """What an account may do: editors run the blog, authors look after their own posts."""

    EDITOR = "editor"  # every post and every comment; manages authors
    AUTHOR = "author"  # their own posts, and the comments on them


class PostKind(enum.StrEnum):
    """Posts are the blog's articles; pages (About, Contact) stand apart at their own address."""

    POST = "post"
    PAGE = "page"


class CommentStatus(enum.StrEnum):
    """A comment's moderation state; only approved comments are shown."""

    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"


post_tags = Table(
    "post_tags",
    db.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    # The post's `listed_at`, copied here (core.counts keeps it in step), so that a tag page
    # walks one index newest first and stops after its page, however many posts the tag has.
    Column("listed_at", DateTime),
    # The primary key serves post -> tags; tag pages need the other direction, in time order.
    Index("ix_post_tags_tag_listed", "tag_id", "listed_at", "post_id"),
)


class Author(Model):
    """Someone who writes posts; accounts are made by the operator."""

    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(Limits.AUTHOR_EMAIL), unique=True)
    name: Mapped[str] = mapped_column(String(Limits.AUTHOR_NAME))
    bio: Mapped[str] = mapped_column(String(Limits.AUTHOR_BIO), default="")
    password_hash: Mapped[str | None] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=Role.AUTHOR.value)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    posts: Mapped[list[Post]] = relationship(back_populates="author")

    @property
    def is_editor(self) -> bool:
        """True for an editor (every post, every comment, the author accounts)."""
        return self.role == Role.EDITOR.value

    def __repr__(self) -> str:
        return f"<Author {self.email}>"


class Tag(Model):
    """A label grouping posts; each has its own page."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(Limits.TAG_NAME), unique=True)
    slug: Mapped[str] = mapped_column(String(Limits.TAG_SLUG), unique=True)

    posts: Mapped[list[Post]] = relationship(secondary=post_tags, back_populates="tags")

    def __repr__(self) -> str:
        return f"<Tag {self.slug}>"


class Comment(Model):
    """A reader's comment on a post, possibly a reply to another comment."""

    __tablename__ = "comments"
    __table_args__ = (
        # The article page reads one post's approved comments in time order.
        Index("ix_comments_post_status_created", "post_id", "status", "created_at"),
        Index("ix_comments_status_created", "status", "created_at"),
        # A page's threads: their replies by thread root. The status in it too, or SQLite
        # would rather walk every approved comment of the blog (the index above).
        Index("ix_comments_root_status", "root_id", "status"),
        # The same text twice on one post is a duplicate, whichever process stores it.
        UniqueConstraint("post_id", "body_digest"),
        # Ids are never handed out twice (SQLite would reuse the id of a deleted newest row).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # The top-level comment of this reply's thread (None for a top-level comment): a page of
    # threads is then two queries, however deep the replies go.
    root_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    author_name: Mapped[str] = mapped_column(String(Limits.COMMENT_NAME))
    # Stored lowercased; never shown. It tells a returning commenter from a first-time one.
    author_email: Mapped[str | None] = mapped_column(String(Limits.COMMENT_EMAIL), index=True)
    author_website: Mapped[str | None] = mapped_column(String(Limits.COMMENT_WEBSITE))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    body_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=CommentStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    # SHA-256 of the secret only the writer's browser holds; None for imported or demo comments.
    owner_hash: Mapped[str | None] = mapped_column(String(64))
    # The signed-in author who wrote it (None for readers): the only proof behind an "Author"
    # mark, since the name typed in the form is anyone's to choose.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("authors.id", ondelete="SET NULL"), index=True
    )
    # Why the comment was held, for the moderation queue (None: published at once, imported).
    held_reason: Mapped[str | None] = mapped_column(String(Limits.HELD_REASON))

    post: Mapped[Post] = relationship(back_populates="comments")
    parent: Mapped[Comment | None] = relationship(remote_side=[id], foreign_keys=[parent_id])

    @property
    def anchor(self) -> str:
        """The fragment id of this comment on its article page."""
        return comment_anchor(self.id)

    def __repr__(self) -> str:
        return f"<Comment {self.id} on post {self.post_id}>"


class PostRevision(Model):
    """A published post as it was before one of its saves."""

    __tablename__ = "post_revisions"
    __table_args__ = (Index("ix_post_revisions_post_created", "post_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(Limits.POST_TITLE))
    slug: Mapped[str] = mapped_column(String(Limits.POST_SLUG))
    summary: Mapped[str] = mapped_column(String(Limits.POST_SUMMARY), default="")
    body_source: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(String(Limits.REVISION_TAGS), default="")
    cover_image: Mapped[str | None] = mapped_column(String(Limits.IMAGE_URL))
    cover_alt: Mapped[str] = mapped_column(String(Limits.IMAGE_ALT), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id", ondelete="SET NULL"))

    saved_by: Mapped[Author | None] = relationship()


class Redirect(Model):
    """An address a post had before (on an old site, or before its slug changed): 301 to it."""

    __tablename__ = "redirects"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_path: Mapped[str] = mapped_column(String(Limits.OLD_PATH), unique=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    post: Mapped[Post] = relationship()


class Post(Model):
    """An article: Markdown source, its sanitized HTML, and when readers may see it."""

    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_status_published", "status", "published_at"),
        # Listings show posts, not pages: the same order, filtered by kind first.
        Index("ix_posts_kind_status_published", "kind", "status", "published_at"),
        # Newest first across every status (status IN (...) breaks the orders above): search
        # on PostgreSQL walks it to find a common word's newest matches.
        Index("ix_posts_published_id", "published_at", "id"),
        # Reader listings walk these newest first and stop after their page (no sort, no count):
        # everything, one author's posts; then the dashboard's most recently changed.
        Index("ix_posts_listed", "listed_at", "id"),
        Index("ix_posts_author_listed", "author_id", "listed_at", "id"),
        Index("ix_posts_updated", "updated_at"),
        Index("ix_posts_author_updated", "author_id", "updated_at"),
        # The trash, newest first; and what has waited long enough to go for good.
        Index("ix_posts_status_trashed", "status", "trashed_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(Limits.POST_TITLE))
    slug: Mapped[str] = mapped_column(String(Limits.POST_SLUG), unique=True)
    summary: Mapped[str] = mapped_column(String(Limits.POST_SUMMARY), default="")
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # The words of body_html, set whenever it is: what search indexes and quotes in snippets.
    body_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.DRAFT.value)
    kind: Mapped[str] = mapped_column(String(16), default=PostKind.POST.value)
    # Closed by the operator (`flask comments close`); COMMENTS_CLOSE_AFTER_DAYS closes old ones.
    comments_closed: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id", ondelete="RESTRICT"))
    # An uploaded image (its /media/ address) shown on the home page, above the article and
    # when the post is shared; described for readers who cannot see it.
    cover_image: Mapped[str | None] = mapped_column(String(Limits.IMAGE_URL))
    cover_alt: Mapped[str] = mapped_column(String(Limits.IMAGE_ALT), default="", server_default="")
    # Set while the post is in the trash, with the status it goes back to when restored.
    trashed_at: Mapped[datetime | None] = mapped_column(DateTime)
    status_before_trash: Mapped[str | None] = mapped_column(String(16))
    # The address it had, when another post took it while this one was in the trash
    # (blog.authoring.slugs): taken back on restore if still free.
    slug_before_trash: Mapped[str | None] = mapped_column(String(Limits.POST_SLUG))
    # Kept by core.counts in the transaction that changes them, never set by hand:
    # when the post shows in listings (its published_at, for a published or scheduled post,
    # not a page; None otherwise), so "visible in listings" is `listed_at <= now`, one index;
    listed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # and its approved comments, read from the row instead of counted for every listing.
    comment_count: Mapped[int] = mapped_column(default=0, server_default="0")

    author: Mapped[Author] = relationship(back_populates="posts")
    tags: Mapped[list[Tag]] = relationship(
        secondary=post_tags, back_populates="posts", order_by=Tag.name
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="post", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Post {self.slug}>"


@event.listens_for(Post.body_html, "set")
def _keep_body_text(target: Post, value: str | None, _old: object, _initiator: object) -> None:
    # Every writer (editor, import, demo) sets body_html; the search text follows it here.
    target.body_text = html_text(value or "")
