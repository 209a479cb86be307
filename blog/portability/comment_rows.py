"""An import's comments stored as a few multi-row INSERTs, one per depth of reply.

One ORM flush per comment was most of a large import's time. The kept counts and the page
cache follow such INSERTs too (`core.counting`, `core.changes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

from blog.core.counts import chunks
from blog.core.markdown import render_comment
from blog.core.models import Comment, CommentStatus, Limits, Post
from blog.core.records import ImportedItem
from blog.core.text import content_digest
from blog.extensions import db
from blog.portability.ledger import ImportReport, made_before
from blog.portability.source import Site, SourceComment


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


def store_comments(
    site: Site, threads: list[tuple[Post, list[SourceComment]]], report: ImportReport
) -> list[int]:
    """Store the comments of these posts that no earlier import stored; their new ids."""
    sources = [comment for _post, comments in threads for comment in comments]
    stored_before = made_before(site.source, "comment", [comment.source_id for comment in sources])
    digests: dict[int, set[str]] = {post.id: set() for post, _comments in threads}
    for post_ids in chunks(digests):
        stored = select(Comment.post_id, Comment.body_digest).where(Comment.post_id.in_(post_ids))
        for post_id, digest in db.session.execute(stored):
            digests[post_id].add(digest)
    # Replies to comments an earlier import stored: their parents' threads (None: deleted since).
    replied_to = {
        stored_before[comment.parent_source_id]
        for comment in sources
        if comment.parent_source_id in stored_before and comment.source_id not in stored_before
    }
    earlier: dict[int, int | None] = {}
    for comment_ids in chunks(replied_to):
        roots = select(Comment.id, Comment.root_id).where(Comment.id.in_(comment_ids))
        earlier.update((ident, root) for ident, root in db.session.execute(roots))
    new: list[_NewComment] = []
    for post, comments in threads:
        made: dict[str, _NewComment] = {}
        for source in comments:
            if source.source_id in stored_before:
                continue
            body = source.body_markdown.strip() or "(empty)"
            digest = content_digest(body)
            if digest in digests[post.id]:
                # The same words twice on one post were allowed there: keep both.
                digest = content_digest(f"{body}\n{site.source}:{source.source_id}")
            digests[post.id].add(digest)
            row = _comment_row(post.id, source, body, digest)
            parent = made.get(source.parent_source_id or "")
            if parent is None and source.parent_source_id in stored_before:
                parent_id = stored_before[source.parent_source_id or ""]
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
