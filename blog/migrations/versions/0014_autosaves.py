"""autosaves: the editor's unsaved text, kept every few seconds and offered back

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 00:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "autosaves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("draft_key", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("tags", sa.String(length=600), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["authors.id"],
            name=op.f("fk_autosaves_author_id_authors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_autosaves_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_autosaves")),
        sa.UniqueConstraint(
            "author_id", "draft_key", name=op.f("uq_autosaves_author_id_draft_key")
        ),
    )
    op.create_index(op.f("ix_autosaves_post_id"), "autosaves", ["post_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_autosaves_post_id"), table_name="autosaves")
    op.drop_table("autosaves")
