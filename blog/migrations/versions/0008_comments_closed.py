"""comments can be closed on a post

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 05:10:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# SQLite rebuilds the table for this change: it must keep its AUTOINCREMENT (migration 0003).
POSTS_TABLE = {"sqlite_autoincrement": True}


def upgrade():
    with op.batch_alter_table("posts", schema=None, table_kwargs=POSTS_TABLE) as batch_op:
        batch_op.add_column(
            sa.Column("comments_closed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("posts", schema=None, table_kwargs=POSTS_TABLE) as batch_op:
        batch_op.alter_column("comments_closed", server_default=None)


def downgrade():
    with op.batch_alter_table("posts", schema=None, table_kwargs=POSTS_TABLE) as batch_op:
        batch_op.drop_column("comments_closed")
