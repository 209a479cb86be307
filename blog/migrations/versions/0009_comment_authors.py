"""a comment written by a signed-in author links to that author

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 06:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# SQLite rebuilds the table for this change: it must keep its AUTOINCREMENT (migration 0003).
COMMENTS_TABLE = {"sqlite_autoincrement": True}


def upgrade():
    with op.batch_alter_table("comments", schema=None, table_kwargs=COMMENTS_TABLE) as batch_op:
        batch_op.add_column(sa.Column("author_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_comments_author_id"), ["author_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_comments_author_id_authors"),
            "authors",
            ["author_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("comments", schema=None, table_kwargs=COMMENTS_TABLE) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_comments_author_id_authors"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_comments_author_id"))
        batch_op.drop_column("author_id")
