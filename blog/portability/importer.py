"""Writing an imported `Site` into the blog: everything or nothing, safe to run twice.

Everything is converted and checked before the first write. Writing then goes in short
transactions (a few posts each), so that readers' comments on the live site never wait long;
if a later one fails, what the earlier ones wrote for this import is deleted again.

A transaction's comments go in as a few multi-row INSERTs (one per depth of reply) rather than
one ORM flush each: on a large export that per-row flush was most of the import's time. The
kept counts and the page cache follow such INSERTs too (`core.counting`, `core.changes`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select

from blog.authoring.service import free_slug, tags_named
from blog.core.counts import chunks
from blog.core.db import write_transaction
from blog.core.markdown import render_comment, render_post
from blog.core.models import (
    Author,
    Comment,
    CommentStatus,
    ImportedItem,
    Limits,
    Post,
    PostKind,
    PostStatus,
    Role,
    Tag,
    utcnow,
)
from blog.core.posts import remember_old_paths
from blog.core.text import content_digest, slugify, split_tags
from blog.core.web import Refused
from blog.extensions import db
from blog.media.service import store_image
from blog.portability.source import ImportFileError, Site, SourceComment, SourcePost

POSTS_PER_TRANSACTION = 20
_IMAGE = re.compile(r"!\[([^\]]*)\]\((https?://[^)\s]+)\)")
_UPLOADS = re.compile(r"/wp-content/uploads/(\d{4}/\d{2}/[^/?#\s]+)$")


@dataclass
class ImportReport:
    """What an import did, for the operator."""

    authors: int = 0
    posts: int = 0
    pages: int = 0
    comments: int = 0
    already_there: int = 0
    redirects: int = 0
    media_copied: int = 0
    lost_markup: dict[str, list[str]] = field(default_factory=dict)  # title -> kinds
    # What this run created, so that a failed import can take it all back.
    made_items: list[tuple[str, str]] = field(default_factory=list, repr=False)
    made_authors: list[int] = field(default_factory=list, repr=False)
    made_posts: list[int] = field(default_factory=list, repr=False)
    made_comments: list[int] = field(default_factory=list, repr=False)
    tags_before: int = field(default=0, repr=False)  # tags with a larger id came with us


def _note(site: Site, report: ImportReport, kind: str, source_id: str, target_id: int) -> None:
    db.session.add(
        ImportedItem(source=site.source, item_kind=kind, source_id=source_id, target_id=target_id)
    )
    report.made_items.append((kind, source_id))


def _known(source: str, kind: str, ids: Iterable[str]) -> dict[str, int]:
    """Source ids an earlier import already made something of, with what they became."""
    wanted = list(ids)
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        rows = db.session.execute(
            select(ImportedItem.source_id, ImportedItem.target_id).where(
                ImportedItem.source == source,
                ImportedItem.item_kind == kind,
                ImportedItem.source_id.in_(wanted[start : start + 500]),
            )
        )
        found.update({source_id: target for source_id, target in rows})
    return found


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
    known = _known(site.source, "author", [author.key for author in site.authors])
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
            _note(site, report, "author", source.key, author.id)
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
        _note(site, report, "post", source.source_id, post.id)
        if post.published_at is not None:
            for path in dict.fromkeys(source.old_paths):
                if path.startswith("/") and len(path) <= Limits.OLD_PATH:
                    leads[path] = post  # a later post's claim wins, as one by one
                    report.redirects += 1
    remember_old_paths(leads)


@dataclass
class _NewComment:
    """A comment to store, with the row it becomes (less its thread, known once stored)."""

    row: dict[str, Any]
    source_id: str
    parent: _NewComment | None  # made by this import, stored in an earlier wave
    depth: int = 0
    id: int = 0


def _comment_row(post_id: int, source: SourceComment, body: str, digest: str) -> dict[str, Any]:
    """The comments row for `source` (its thread is filled in when it is stored)."""
    website = source.author_website or ""
    email = (source.author_email or "")[: Limits.COMMENT_EMAIL].lower()
    # Every key in every row: one INSERT serves them all.
    return {
        "post_id": post_id,
        "parent_id": None,
        "root_id": None,
        "author_name": " ".join(source.author_name.split())[: Limits.COMMENT_NAME] or "Anonymous",
        "author_email": email or None,
        "author_website": website[: Limits.COMMENT_WEBSITE] if website.startswith("http") else None,
        "body_source": body,
        "body_html": render_comment(body),
        "body_digest": digest,
        "status": CommentStatus(source.status).value,
        "created_at": source.created_at,
    }


def _store_comments(
    site: Site, threads: list[tuple[Post, list[SourceComment]]], report: ImportReport
) -> list[int]:
    """Store the comments of these posts that no earlier import stored; their new ids."""
    sources = [comment for _post, comments in threads for comment in comments]
    known = _known(site.source, "comment", [comment.source_id for comment in sources])
    digests: dict[int, set[str]] = {post.id: set() for post, _comments in threads}
    for post_ids in chunks(digests):
        stored = select(Comment.post_id, Comment.body_digest).where(Comment.post_id.in_(post_ids))
        for post_id, digest in db.session.execute(stored):
            digests[post_id].add(digest)
    # Replies to comments an earlier import stored: their parents' threads (None: deleted since).
    replied_to = {
        known[comment.parent_source_id]
        for comment in sources
        if comment.parent_source_id in known and comment.source_id not in known
    }
    earlier: dict[int, int | None] = {}
    for comment_ids in chunks(replied_to):
        roots = select(Comment.id, Comment.root_id).where(Comment.id.in_(comment_ids))
        earlier.update((ident, root) for ident, root in db.session.execute(roots))
    new: list[_NewComment] = []
    for post, comments in threads:
        made: dict[str, _NewComment] = {}
        for source in comments:
            if source.source_id in known:
                continue
            body = source.body_markdown.strip() or "(empty)"
            digest = content_digest(body)
            if digest in digests[post.id]:
                # The same words twice on one post were allowed there: keep both.
                digest = content_digest(f"{body}\n{site.source}:{source.source_id}")
            digests[post.id].add(digest)
            row = _comment_row(post.id, source, body, digest)
            parent = made.get(source.parent_source_id or "")
            if parent is None and source.parent_source_id in known:
                parent_id = known[source.parent_source_id or ""]
                if parent_id in earlier:  # else deleted since: the reply stands alone
                    row["parent_id"] = parent_id
                    row["root_id"] = earlier[parent_id] or parent_id
            comment = _NewComment(row, source.source_id, parent)
            if parent is not None:
                comment.depth = parent.depth + 1
            made[source.source_id] = comment
            new.append(comment)
    # Parents are stored one wave before their replies, which need their ids.
    for depth in range(max((comment.depth for comment in new), default=-1) + 1):
        wave = [comment for comment in new if comment.depth == depth]
        for comment in wave:
            if comment.parent is not None:
                comment.row["parent_id"] = comment.parent.id
                comment.row["root_id"] = comment.parent.row["root_id"] or comment.parent.id
        ids = db.session.scalars(
            insert(Comment).returning(Comment.id, sort_by_parameter_order=True),
            [comment.row for comment in wave],
        ).all()
        for comment, ident in zip(wave, ids, strict=True):
            comment.id = ident
    if new:
        db.session.execute(
            insert(ImportedItem),
            [
                {
                    "source": site.source,
                    "item_kind": "comment",
                    "source_id": comment.source_id,
                    "target_id": comment.id,
                }
                for comment in new
            ],
        )
    report.made_items += [("comment", comment.source_id) for comment in new]
    report.comments += len(new)
    return [comment.id for comment in new]


def _undo(site: Site, report: ImportReport) -> None:
    """Delete what this import wrote: its posts, its comments, its authors, its records."""
    # A few hundred ids per statement: a large import made more than SQLite takes in one.
    with write_transaction():
        for comment_ids in chunks(report.made_comments):
            db.session.execute(delete(Comment).where(Comment.id.in_(comment_ids)))
        for post_ids in chunks(report.made_posts):
            db.session.execute(delete(Post).where(Post.id.in_(post_ids)))
        for kind in {kind for kind, _source_id in report.made_items}:
            made = [source_id for made_kind, source_id in report.made_items if made_kind == kind]
            for source_ids in chunks(made):
                db.session.execute(
                    delete(ImportedItem).where(
                        ImportedItem.source == site.source,
                        ImportedItem.item_kind == kind,
                        ImportedItem.source_id.in_(source_ids),
                    )
                )
        orphans = Author.id.in_(report.made_authors) & ~Author.posts.any()
        db.session.execute(delete(Author).where(orphans))
        db.session.execute(delete(Tag).where(Tag.id > report.tags_before, ~Tag.posts.any()))


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
                known = _known(site.source, "post", [item.source.source_id for item in batch])
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
                comments = _store_comments(site, threads, report)
            # Only what was committed is ours to take back (a rolled-back id may be reused).
            report.made_posts += posts
            report.made_comments += comments
            if progress is not None:
                progress(len(batch))
    except Exception:
        _undo(site, report)
        raise
    return report
