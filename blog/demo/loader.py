"""Loading the demo posts into the database: only those not there yet, in one transaction."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, exists, func, select

from blog.comments.service import build_comment
from blog.core.db import write_transaction
from blog.core.markdown import render_post
from blog.core.models import (
    Author,
    Comment,
    CommentStatus,
    Post,
    PostStatus,
    Tag,
    post_tags,
    utcnow,
)
from blog.core.posts import tags_named
from blog.core.records import SiteFlag
from blog.core.text import slugify
from blog.demo import content
from blog.extensions import db

DEMO_REMOVED = "demo-removed"


def blog_is_empty() -> bool:
    """True when there is not a single post yet."""
    return not db.session.scalar(select(func.count(Post.id)))


def demo_wanted() -> bool:
    """False once the operator removed the demo: an empty blog then stays empty."""
    return db.session.get(SiteFlag, DEMO_REMOVED) is None


def _add_comments(
    post: Post, items: tuple[content.DemoComment, ...], parent: Comment | None
) -> None:
    for item in items:
        assert post.published_at is not None, "only published posts have demo comments"
        comment = build_comment(
            post,
            name=item.name,
            body=item.body,
            website=item.website,
            parent=parent,
            status=CommentStatus.APPROVED,
            created_at=post.published_at + timedelta(minutes=item.minutes_after),
        )
        db.session.add(comment)
        db.session.flush()  # replies need their parent's id for their thread root
        _add_comments(post, item.replies, comment)


def load_demo_content() -> int:
    """Add the demo authors, posts, tags and comments that are not there yet; return posts added."""
    now = utcnow().replace(microsecond=0)
    added = 0
    with write_transaction():
        authors: dict[str, Author] = {}
        for data in content.authors():
            author = db.session.scalar(select(Author).where(Author.email == data.email))
            authors[data.key] = author or Author(email=data.email, name=data.name, bio=data.bio)
        existing = set(db.session.scalars(select(Post.slug)))
        for item in content.posts():
            if item.slug in existing:
                continue
            published = now - timedelta(days=item.days_ago)
            status = PostStatus(item.status)
            post = Post(
                title=item.title,
                slug=item.slug,
                summary=item.summary,
                body_source=item.body,
                body_html=render_post(item.body),
                status=status.value,
                published_at=None if status is PostStatus.DRAFT else published,
                created_at=min(published, now),
                updated_at=min(published, now),
                author=authors[item.author],
                tags=tags_named(list(item.tags)),
            )
            db.session.add(post)
            _add_comments(post, item.comments, None)
            added += 1
    return added


def demo_present() -> bool:
    """True while a demo author is still there (the dashboard then offers to remove the demo)."""
    emails = [author.email for author in content.authors()]
    found = select(Author.id).where(Author.email.in_(emails)).limit(1)
    return db.session.scalar(found) is not None


def remove_demo_content() -> dict[str, int]:
    """Delete the demo authors with their posts and those posts' comments, and nothing else.

    Tags only the demo posts used go too; a tag a real post carries stays.
    """
    emails = [author.email for author in content.authors()]
    demo_tags = {slugify(name) for post in content.posts() for name in post.tags}
    with write_transaction():
        author_ids = list(db.session.scalars(select(Author.id).where(Author.email.in_(emails))))
        post_ids = list(db.session.scalars(select(Post.id).where(Post.author_id.in_(author_ids))))
        comments = db.session.scalar(
            select(func.count(Comment.id)).where(Comment.post_id.in_(post_ids))
        )
        db.session.execute(delete(Post).where(Post.id.in_(post_ids)))
        db.session.execute(delete(Author).where(Author.id.in_(author_ids)))
        unused = ~exists().where(post_tags.c.tag_id == Tag.id)
        tags = db.session.execute(delete(Tag).where(Tag.slug.in_(demo_tags), unused))
        if db.session.get(SiteFlag, DEMO_REMOVED) is None:
            db.session.add(SiteFlag(name=DEMO_REMOVED))
    return {
        "authors": len(author_ids),
        "posts": len(post_ids),
        "comments": int(comments or 0),
        "tags": int(getattr(tags, "rowcount", 0) or 0),
    }
