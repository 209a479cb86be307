"""cover images: an uploaded image per post, for the home page, the article and sharing

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 01:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# SQLite rebuilds the table for some changes: it must keep its AUTOINCREMENT (migration 0003).
POSTS_TABLE = {"sqlite_autoincrement": True}


def upgrade():
    with op.batch_alter_table("posts", schema=None, table_kwargs=POSTS_TABLE) as batch_op:
        batch_op.add_column(sa.Column("cover_image", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("cover_alt", sa.String(length=200), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("posts", schema=None, table_kwargs=POSTS_TABLE) as batch_op:
        batch_op.drop_column("cover_alt")
        batch_op.drop_column("cover_image")
