"""Rebuilding the search index: the posts' plain text made again, then the index from it."""

from __future__ import annotations

from sqlalchemy import select, update

from blog.core.db import write_transaction
from blog.core.models import Post
from blog.core.text import html_text
from blog.extensions import db
from blog.search import schema

BATCH = 500


def reindex() -> int:
    """Re-derive every post's text and rebuild the index in one transaction; the post count."""
    count = 0
    with write_transaction():
        connection = db.session.connection()
        # Without the index while the text is made again: no trigger fires for each row.
        schema.remove(connection)
        last = 0
        while True:
            rows = connection.execute(
                select(Post.id, Post.body_html).where(Post.id > last).order_by(Post.id).limit(BATCH)
            ).all()
            if not rows:
                break
            for ident, body_html in rows:
                connection.execute(
                    update(Post).where(Post.id == ident).values(body_text=html_text(body_html))
                )
            count += len(rows)
            last = rows[-1][0]
        schema.install(connection)
    return count
