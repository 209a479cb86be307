"""Demo content: loaded into an empty blog on first start, or on demand with `flask demo load`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import click
from flask import Flask
from sqlalchemy import func, select

from blog.comment_service import build_comment
from blog.extensions import db
from blog.markdown import render_post
from blog.models import Author, Comment, CommentStatus, Post, PostStatus, Tag, utcnow
from blog.text import slugify


def blog_is_empty() -> bool:
    """True when there is not a single post yet."""
    return not db.session.scalar(select(func.count(Post.id)))


def _tag(name: str, cache: dict[str, Tag]) -> Tag:
    slug = slugify(name)
    if slug not in cache:
        cache[slug] = db.session.scalar(select(Tag).where(Tag.slug == slug)) or Tag(
            name=name, slug=slug
        )
    return cache[slug]


def _add_comments(post: Post, items: list[dict[str, Any]], parent: Comment | None) -> None:
    for item in items:
        assert post.published_at is not None, "only published posts have demo comments"
        comment = build_comment(
            post,
            name=item["name"],
            body=item["body"],
            website=item.get("website"),
            parent=parent,
            status=CommentStatus.APPROVED,
            created_at=post.published_at + timedelta(minutes=int(item["minutes_after"])),
        )
        db.session.add(comment)
        db.session.flush()  # replies need their parent's id for their thread root
        _add_comments(post, item.get("replies", []), comment)


def load_demo_content() -> int:
    """Add the demo authors, posts, tags and comments that are not there yet; return posts added."""
    from blog import demo_content

    now = utcnow().replace(microsecond=0)
    authors: dict[str, Author] = {}
    for data in demo_content.AUTHORS:
        author = db.session.scalar(select(Author).where(Author.email == data["email"]))
        authors[data["key"]] = author or Author(
            email=data["email"], name=data["name"], bio=data["bio"]
        )
    existing = set(db.session.scalars(select(Post.slug)))
    tags: dict[str, Tag] = {}
    added = 0
    for data in cast(list[dict[str, Any]], demo_content.POSTS):
        if data["slug"] in existing:
            continue
        published = now - timedelta(days=data["days_ago"])
        status = PostStatus(data["status"])
        post = Post(
            title=data["title"],
            slug=data["slug"],
            summary=data["summary"],
            body_source=data["body"],
            body_html=render_post(data["body"]),
            status=status.value,
            published_at=None if status is PostStatus.DRAFT else published,
            created_at=min(published, now),
            updated_at=min(published, now),
            author=authors[data["author"]],
            tags=[_tag(name, tags) for name in data["tags"]],
        )
        db.session.add(post)
        _add_comments(post, data.get("comments", []), None)
        added += 1
    db.session.commit()
    return added


def init_app(app: Flask) -> None:
    """Register `flask demo load`."""

    @app.cli.group("demo")
    def demo_group() -> None:
        """Demo content."""

    @demo_group.command("load")
    def load_command() -> None:
        """Load the demo posts (those already there are left alone)."""
        added = load_demo_content()
        click.echo(f"Added {added} demo post(s).")
