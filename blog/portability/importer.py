"""Writing an imported `Site` into the blog: everything or nothing, safe to run twice.

Everything is converted and checked before the first write. Writing then goes in short
transactions (a few posts each), so that readers' comments on the live site never wait long;
if a later one fails, what the earlier ones wrote for this import is deleted again.

Here: posts and authors. A transaction's comments go in through `comment_rows`; what was
made is noted, and taken back on failure, by `ledger`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from blog.authoring.slugs import free_slug
from blog.core.db import write_transaction
from blog.core.markdown import render_post
from blog.core.models import (
    Author,
    Limits,
    Post,
    PostKind,
    PostStatus,
    Role,
    Tag,
    utcnow,
)
from blog.core.posts import remember_old_paths, tags_named
from blog.core.text import slugify, split_tags
from blog.core.web import Refused
from blog.extensions import db
from blog.media.service import store_image
from blog.portability.comment_rows import store_comments
from blog.portability.ledger import ImportReport, made_before, note, undo
from blog.portability.source import ImportFileError, Site, SourceComment, SourcePost

POSTS_PER_TRANSACTION = 20
_IMAGE = re.compile(r"!\[([^\]]*)\]\((https?://[^)\s]+)\)")
_UPLOADS = re.compile(r"/wp-content/uploads/(\d{4}/\d{2}/[^/?#\s]+)$")


def _local_images(post: SourcePost, media: Path | None, report: ImportReport) -> str:
    """The body with old-site images copied in (when `media` has them), or made links.

    Our pages load images only from this site: an image left on the old host would not show.
    """

    def swap(found: re.Match[str]) -> str:
        alt, url = found.group(1), found.group(2)
        upload = _UPLOADS.search(url.split("?")[0])
        if media is not None and upload is not None:
            file = media / upload.group(1)
            if file.is_file():
                try:
                    name = store_image(file.read_bytes())
                except Refused:
                    pass  # not an image we take: it stays a link
                else:
                    report.media_copied += 1
                    return f"![{alt}](/media/{name})"
        return f"[{alt or 'image'}]({url})"

    return _IMAGE.sub(swap, post.body_markdown)


@dataclass
class _Prepared:
    """A post made ready to store: everything computed before the first write."""

    source: SourcePost
    title: str
    slug: str
    summary: str
    body: str
    body_html: str
    tags: list[str]
    comments: list[SourceComment]


def _prepare(site: Site, media: Path | None, report: ImportReport) -> list[_Prepared]:
    prepared = []
    for post in site.posts:
        body = _local_images(post, media, report)
        if len(body) > Limits.POST_BODY:
            raise ImportFileError(
                f"post {post.source_id} ({post.title[:60]!r}) is longer than "
                f"{Limits.POST_BODY:,} characters"
            )
        title = " ".join(post.title.split())[: Limits.POST_TITLE] or "Untitled"
        names = split_tags(", ".join(tag.replace(",", " ") for tag in post.tags))
        prepared.append(
            _Prepared(
                source=post,
                title=title,
                slug=(
                    slugify(post.slug, Limits.POST_SLUG)
                    or slugify(title, Limits.POST_SLUG)
                    or f"imported-{slugify(post.source_id, 40)}"
                ),
                summary=" ".join(post.summary.split())[: Limits.POST_SUMMARY],
                body=body,
                body_html=render_post(body),
                tags=[name[: Limits.TAG_NAME] for name in names][: Limits.TAGS_PER_POST * 3],
                # Parents before replies, whatever order the file has them in.
                comments=sorted(post.comments, key=lambda comment: comment.created_at),
            )
        )
        if post.lost_markup:
            report.lost_markup[title] = post.lost_markup
    return prepared


def _authors(site: Site, report: ImportReport) -> dict[str, Author]:
    """Each source author as an account: matched by an earlier import or by email, else new."""
    known = made_before(site.source, "author", [author.key for author in site.authors])
    found: dict[str, Author] = {}
    for source in site.authors:
        author = db.session.get(Author, known[source.key]) if source.key in known else None
        email = source.email.strip().lower()[: Limits.AUTHOR_EMAIL]
        if author is None:
            author = db.session.scalar(select(Author).where(func.lower(Author.email) == email))
        if author is None:
            # No password: they cannot sign in until the operator gives them one.
            author = Author(
                email=email,
                name=" ".join(source.name.split())[: Limits.AUTHOR_NAME] or email,
                role=Role.AUTHOR.value,
            )
            db.session.add(author)
            db.session.flush()
            report.authors += 1
            report.made_authors.append(author.id)
        if source.key not in known:
            note(site, report, "author", source.key, author.id)
            known[source.key] = author.id
        found[source.key] = author
    return found


@dataclass
class _Batch:
    """One transaction's new posts: flushed together, so they cannot see each other before."""

    posts: list[tuple[Post, SourcePost]] = field(default_factory=list)
    slugs: set[str] = field(default_factory=set)
    new_tags: dict[str, Tag] = field(default_factory=dict)  # by slug


def _batch_tags(names: list[str], batch: _Batch) -> list[Tag]:
    """`tags_named`, with a tag new in this batch made once however many of its posts have it."""
    return [
        tag if tag.id is not None else batch.new_tags.setdefault(tag.slug, tag)
        for tag in tags_named(names)
    ]


def _store_post(
    site: Site, item: _Prepared, author: Author, report: ImportReport, batch: _Batch
) -> Post:
    """Add the post to the session; its id, record and redirects come after the batch's flush."""
    source = item.source
    status = PostStatus(source.status)
    slug = free_slug(item.slug)
    if slug in batch.slugs:
        # Taken by a post of this batch, which the database has not seen yet: show it.
        db.session.flush()
        slug = free_slug(item.slug)
    batch.slugs.add(slug)
    post = Post(
        title=item.title,
        slug=slug,
        summary=item.summary,
        body_source=item.body,
        body_html=item.body_html,
        status=status.value,
        kind=PostKind(source.kind).value,
        published_at=None if status is PostStatus.DRAFT else source.published_at or utcnow(),
        created_at=source.published_at or utcnow(),
        updated_at=source.published_at or utcnow(),
        author=author,
        tags=_batch_tags(item.tags, batch),
    )
    db.session.add(post)
    batch.posts.append((post, source))
    if post.kind == PostKind.PAGE.value:
        report.pages += 1
    else:
        report.posts += 1
    return post


def _link_posts(site: Site, batch: _Batch, report: ImportReport) -> None:
    """Note the batch's new posts (flushed: they have ids), and lead their old addresses there."""
    leads: dict[str, Post] = {}
    for post, source in batch.posts:
        note(site, report, "post", source.source_id, post.id)
        if post.published_at is not None:
            for path in dict.fromkeys(source.old_paths):
                if path.startswith("/") and len(path) <= Limits.OLD_PATH:
                    leads[path] = post  # a later post's claim wins, as one by one
                    report.redirects += 1
    remember_old_paths(leads)


def import_site(
    site: Site, media: Path | None = None, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Store every post, page and comment of `site` that no earlier import stored."""
    report = ImportReport()
    prepared = _prepare(site, media, report)
    try:
        with write_transaction():
            report.tags_before = int(db.session.scalar(select(func.max(Tag.id))) or 0)
            authors = _authors(site, report)
        for start in range(0, len(prepared), POSTS_PER_TRANSACTION):
            batch = prepared[start : start + POSTS_PER_TRANSACTION]
            # One flush for the batch's posts, none before each query: a flush walks the
            # session and runs the listeners, which cost more than the rows it writes.
            with write_transaction(), db.session.no_autoflush:
                known = made_before(site.source, "post", [item.source.source_id for item in batch])
                new = _Batch()
                threads: list[tuple[Post, list[SourceComment]]] = []
                for item in batch:
                    if item.source.source_id in known:
                        post = db.session.get(Post, known[item.source.source_id])
                        report.already_there += 1
                        if post is None:
                            continue  # deleted since: an operator's choice, left alone
                    else:
                        author = authors[item.source.author_key]
                        post = _store_post(site, item, author, report, new)
                    threads.append((post, item.comments))
                db.session.flush()
                _link_posts(site, new, report)
                posts = [post.id for post, _source in new.posts]
                comments = store_comments(site, threads, report)
            # Only what was committed is ours to take back (a rolled-back id may be reused).
            report.made_posts += posts
            report.made_comments += comments
            if progress is not None:
                progress(len(batch))
    except Exception:
        undo(site, report)
        raise
    return report
