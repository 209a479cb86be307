"""search: the posts' plain text, and a full-text index over title and text

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 06:40:00

"""

from alembic import op
import sqlalchemy as sa

from blog.core.text import html_text
from blog.search import schema


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    # A plain ADD COLUMN: rebuilding the posts table would drop the search triggers (SQLite).
    op.add_column("posts", sa.Column("body_text", sa.Text(), nullable=False, server_default=""))
    connection = op.get_bind()
    posts = sa.table(
        "posts",
        sa.column("id", sa.Integer),
        sa.column("body_html", sa.Text),
        sa.column("body_text", sa.Text),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(posts.c.id, posts.c.body_html)
            .where(posts.c.id > last)
            .order_by(posts.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            posts.update().where(posts.c.id == sa.bindparam("post_id")),
            [{"post_id": ident, "body_text": html_text(html or "")} for ident, html in rows],
        )
        last = rows[-1][0]
    schema.install(connection)
    op.create_index("ix_posts_published_id", "posts", ["published_at", "id"])


def downgrade():
    op.drop_index("ix_posts_published_id", table_name="posts")
    schema.remove(op.get_bind())
    op.drop_column("posts", "body_text")
