"""comment owners hold a secret; comment and post ids are never reused

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 04:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # AUTOINCREMENT can only be given when a table is made: copy each into a new one.
        with op.batch_alter_table(
            "comments", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ) as batch_op:
            batch_op.add_column(sa.Column("owner_hash", sa.String(length=64), nullable=True))
        with op.batch_alter_table(
            "posts", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass
    else:
        # PostgreSQL sequences never hand out an id twice.
        op.add_column("comments", sa.Column("owner_hash", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("owner_hash")
