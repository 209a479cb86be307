"""trash slugs: a trashed post gives its address to a new post, and remembers it

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 05:20:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# Plain ALTER TABLE both ways (SQLite has dropped columns in place since 3.35): rebuilding the
# posts table would drop it first, and with foreign keys on that deletes what cascades from it.


def upgrade():
    op.add_column("posts", sa.Column("slug_before_trash", sa.String(length=200), nullable=True))


def downgrade():
    op.drop_column("posts", "slug_before_trash")
