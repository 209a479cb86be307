"""pages beside posts, old addresses that redirect, and what imports made

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 05:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


# SQLite rebuilds the table for these changes: it must keep its AUTOINCREMENT (migration 0003).
POSTS_TABLE = {"sqlite_autoincrement": True}


def upgrade():
    with op.batch_alter_table("posts", schema=None, table_kwargs=POSTS_TABLE) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="post")
        )
        batch_op.create_index(
            "ix_posts_kind_status_published", ["kind", "status", "published_at"], unique=False
        )
    with op.batch_alter_table("posts", schema=None, table_kwargs=POSTS_TABLE) as batch_op:
        batch_op.alter_column("kind", server_default=None)
    op.create_table(
        "redirects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("old_path", sa.String(length=500), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_redirects_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redirects")),
        sa.UniqueConstraint("old_path", name=op.f("uq_redirects_old_path")),
    )
    with op.batch_alter_table("redirects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_redirects_post_id"), ["post_id"], unique=False)
    op.create_table(
        "imported_items",
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("item_kind", sa.String(length=10), nullable=False),
        sa.Column("source_id", sa.String(length=300), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", "item_kind", "source_id", name=op.f("pk_imported_items")),
    )


def downgrade():
    op.drop_table("imported_items")
    with op.batch_alter_table("redirects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_redirects_post_id"))
    op.drop_table("redirects")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_kind_status_published")
        batch_op.drop_column("kind")
