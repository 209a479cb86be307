"""kept counts: a post's approved comments and listed time on its row, listing sizes in a table

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 07:10:00

Filled here from the rows; from now on `blog.core.counts` keeps them in step. The months of the
archive are counted for the site's time zone on first use.
"""

from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

LISTED = "status IN ('published', 'scheduled') AND kind = 'post'"


def upgrade():
    # Plain ADD COLUMNs: rebuilding the posts table would drop the search triggers (SQLite).
    op.add_column(
        "posts", sa.Column("comment_count", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("posts", sa.Column("listed_at", sa.DateTime(), nullable=True))
    op.add_column("post_tags", sa.Column("listed_at", sa.DateTime(), nullable=True))
    op.create_table(
        "listing_counts",
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_listing_counts")),
    )
    # updated_at is named in each UPDATE only to say it stays as it is.
    op.execute(
        "UPDATE posts SET updated_at = updated_at, comment_count = (SELECT count(*) FROM comments "
        "WHERE comments.post_id = posts.id AND comments.status = 'approved') "
        "WHERE id IN (SELECT post_id FROM comments WHERE status = 'approved')"
    )
    op.execute(f"UPDATE posts SET updated_at = updated_at, listed_at = published_at WHERE {LISTED}")
    op.execute(
        "UPDATE post_tags SET listed_at = "
        "(SELECT listed_at FROM posts WHERE posts.id = post_tags.post_id)"
    )
    op.execute(
        "INSERT INTO listing_counts (scope, key, count) "
        "SELECT 'posts', 0, count(*) FROM posts WHERE listed_at IS NOT NULL"
    )
    op.execute(
        "INSERT INTO listing_counts (scope, key, count) SELECT 'author', author_id, count(*) "
        "FROM posts WHERE listed_at IS NOT NULL GROUP BY author_id"
    )
    op.execute(
        "INSERT INTO listing_counts (scope, key, count) SELECT 'tag', tag_id, count(*) "
        "FROM post_tags WHERE listed_at IS NOT NULL GROUP BY tag_id"
    )
    op.create_index("ix_posts_listed", "posts", ["listed_at", "id"])
    op.create_index("ix_posts_author_listed", "posts", ["author_id", "listed_at", "id"])
    op.create_index("ix_posts_updated", "posts", ["updated_at"])
    op.create_index("ix_posts_author_updated", "posts", ["author_id", "updated_at"])
    op.drop_index("ix_posts_author_id", table_name="posts")
    op.create_index("ix_post_tags_tag_listed", "post_tags", ["tag_id", "listed_at", "post_id"])
    op.drop_index("ix_post_tags_tag_id", table_name="post_tags")
    op.create_index("ix_comments_root_status", "comments", ["root_id", "status"])
    op.drop_index("ix_comments_root_id", table_name="comments")


def downgrade():
    op.create_index("ix_comments_root_id", "comments", ["root_id"])
    op.drop_index("ix_comments_root_status", table_name="comments")
    op.create_index("ix_post_tags_tag_id", "post_tags", ["tag_id"])
    op.drop_index("ix_post_tags_tag_listed", table_name="post_tags")
    op.create_index("ix_posts_author_id", "posts", ["author_id"])
    op.drop_index("ix_posts_author_updated", table_name="posts")
    op.drop_index("ix_posts_updated", table_name="posts")
    op.drop_index("ix_posts_author_listed", table_name="posts")
    op.drop_index("ix_posts_listed", table_name="posts")
    op.drop_table("listing_counts")
    op.drop_column("post_tags", "listed_at")
    op.drop_column("posts", "listed_at")
    op.drop_column("posts", "comment_count")
