"""held reason: why a comment waits for moderation, shown in the queue

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 00:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# SQLite rebuilds the table for this change: it must keep its AUTOINCREMENT (migration 0003).
COMMENTS_TABLE = {"sqlite_autoincrement": True}


def upgrade():
    with op.batch_alter_table("comments", schema=None, table_kwargs=COMMENTS_TABLE) as batch_op:
        batch_op.add_column(sa.Column("held_reason", sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table("comments", schema=None, table_kwargs=COMMENTS_TABLE) as batch_op:
        batch_op.drop_column("held_reason")
