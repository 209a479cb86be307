"""trash: a deleted post waits 30 days, restorable with its comments

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 01:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# SQLite rebuilds the table for some changes: it must keep its AUTOINCREMENT (migration 0003).
POSTS_TABLE = {"sqlite_autoincrement": True}


def upgrade():
    with op.batch_alter_table("posts", schema=None, table_kwargs=POSTS_TABLE) as batch_op:
        batch_op.add_column(sa.Column("trashed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("status_before_trash", sa.String(length=16), nullable=True))
        batch_op.create_index("ix_posts_status_trashed", ["status", "trashed_at"], unique=False)


def downgrade():
    with op.batch_alter_table("posts", schema=None, table_kwargs=POSTS_TABLE) as batch_op:
        batch_op.drop_index("ix_posts_status_trashed")
        batch_op.drop_column("status_before_trash")
        batch_op.drop_column("trashed_at")
