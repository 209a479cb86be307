"""`flask maintain`: the routine clean-up a timer runs (sessions, counters, the trash)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm.attributes import flag_modified

from blog.accounts.service import prune_sessions
from blog.authoring.trash import empty_old
from blog.core import counts
from blog.core.db import write_transaction
from blog.core.markdown import render_post
from blog.core.models import Comment, Post, utcnow
from blog.core.records import RateLimitHit
from blog.extensions import db


def prune_counters() -> int:
    """Delete rate-limit records and used form stamps too old to count for anything."""
    config = current_app.config
    longest = max(
        config["COMMENT_RATE_WINDOW"],
        config["COMMENT_ADDRESS_RATE_WINDOW"],
        config["COMMENT_FORM_MAX_AGE"],
        config["SIGNIN_WINDOW"],
    )
    with write_transaction():
        result = db.session.execute(
            delete(RateLimitHit).where(
                RateLimitHit.created_at < utcnow() - timedelta(seconds=longest)
            )
        )
    return int(getattr(result, "rowcount", 0) or 0)


def maintain() -> dict[str, int]:
    """Run every clean-up; how many rows each removed."""
    return {
        "expired sign-in sessions": prune_sessions(),
        "spent counters": prune_counters(),
        "posts 30 days in the trash": empty_old(),
    }


RERENDER_BATCH = 200


def rerender() -> int:
    """Render every post's body again from its Markdown; how many came out different.

    After an upgrade that changes what the renderer writes (highlighted code, image sizes, the
    sanitizer), stored pages catch up. In batches, each its own transaction, so a big blog
    neither holds the write lock for long nor loads every body at once.
    """
    changed = 0
    last = 0
    while True:
        with write_transaction():
            batch = list(
                db.session.scalars(
                    select(Post).where(Post.id > last).order_by(Post.id).limit(RERENDER_BATCH)
                )
            )
            for post in batch:
                html = render_post(post.body_source)
                if html != post.body_html:
                    post.body_html = html
                    # Not an author's edit: the post keeps its "updated" time.
                    flag_modified(post, "updated_at")
                    changed += 1
        if len(batch) < RERENDER_BATCH:
            return changed
        last = batch[-1].id


def recount() -> None:
    """Compute every kept count again from the rows (core.counts), in one write transaction.

    Writes through the app keep them in step; SQL run by hand on the database does not.
    """
    with write_transaction():
        counts.rebuild(db.session.connection())


def erase_commenter(email: str) -> int:
    """Remove a commenter's personal data (name, email, website) from every comment of theirs.

    The comments stay, signed "(name removed)", so replies keep their context; how many changed.
    """
    with write_transaction():
        result = db.session.execute(
            update(Comment)
            .where(Comment.author_email == email.strip().lower())
            .values(author_name="(name removed)", author_email=None, author_website=None)
        )
    return int(getattr(result, "rowcount", 0) or 0)


def close_comments(slugs: list[str], older_than_days: int | None) -> int:
    """Close comments on the posts with these slugs, and on posts older than that; how many."""
    with write_transaction():
        where: list[ColumnElement[bool]] = []
        if slugs:
            where.append(Post.slug.in_(slugs))
        if older_than_days is not None:
            where.append(Post.published_at < utcnow() - timedelta(days=older_than_days))
        if not where:
            return 0
        result = db.session.execute(
            update(Post)
            .where(or_(*where), Post.comments_closed.is_(False))
            .values(comments_closed=True)
        )
    return int(getattr(result, "rowcount", 0) or 0)


def open_comments(slugs: list[str]) -> int:
    """Open comments again on the posts with these slugs; how many."""
    with write_transaction():
        result = db.session.execute(
            update(Post).where(Post.slug.in_(slugs)).values(comments_closed=False)
        )
    return int(getattr(result, "rowcount", 0) or 0)
