"""site flags: one-off facts about a blog (the demo was removed)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 04:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "site_flags",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_site_flags")),
    )


def downgrade():
    op.drop_table("site_flags")
