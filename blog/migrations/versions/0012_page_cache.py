"""page cache: one counter that every change readers could see moves

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 07:20:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    state = op.create_table(
        "cache_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("next_due", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(state, [{"id": 1, "generation": 0, "next_due": None}])
    # A scheduled post already waiting must still end the copies made before its time.
    op.execute(
        "UPDATE cache_state SET next_due = (SELECT min(published_at) FROM posts "
        "WHERE status = 'scheduled' AND published_at > CURRENT_TIMESTAMP) WHERE id = 1"
    )


def downgrade():
    op.drop_table("cache_state")
