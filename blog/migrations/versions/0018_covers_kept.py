"""covers kept: revisions and autosaves hold the cover image and its description too

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 03:50:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

TABLES = ("post_revisions", "autosaves")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("cover_image", sa.String(length=300), nullable=True))
            batch_op.add_column(
                sa.Column("cover_alt", sa.String(length=200), server_default="", nullable=False)
            )
    # Revisions saved before this kept no cover: they get the post's own (covers came one
    # migration ago), so restoring one of them keeps the cover rather than dropping it.
    op.execute(
        "UPDATE post_revisions SET"
        " cover_image = (SELECT posts.cover_image FROM posts"
        " WHERE posts.id = post_revisions.post_id),"
        " cover_alt = COALESCE((SELECT posts.cover_alt FROM posts"
        " WHERE posts.id = post_revisions.post_id), '')"
    )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("cover_alt")
            batch_op.drop_column("cover_image")
