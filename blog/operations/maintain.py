"""`flask maintain`: the routine clean-up a timer runs (expired sessions, spent counters)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, update

from blog.accounts.service import prune_sessions
from blog.core.db import write_transaction
from blog.core.models import Comment, RateLimitHit, utcnow
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
    return {"expired sign-in sessions": prune_sessions(), "spent counters": prune_counters()}


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
