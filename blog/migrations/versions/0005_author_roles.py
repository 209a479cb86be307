"""author roles: editors run the blog, authors their own posts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 04:15:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("authors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=16), nullable=False, server_default="author")
        )
    # Until now every account that could sign in could do everything: they become editors.
    op.execute("UPDATE authors SET role = 'editor' WHERE password_hash IS NOT NULL")
    with op.batch_alter_table("authors", schema=None) as batch_op:
        batch_op.alter_column("role", server_default=None)


def downgrade():
    with op.batch_alter_table("authors", schema=None) as batch_op:
        batch_op.drop_column("role")
