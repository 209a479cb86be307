"""What an import made, kept so that a second run skips it and a failed run takes it back.

Each item made (author, post, comment) is noted against its id in the source file; the report
also lists what this run created, for `undo`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from blog.core.counts import chunks
from blog.core.db import write_transaction
from blog.core.models import Author, Comment, Post, Tag
from blog.core.records import ImportedItem
from blog.extensions import db
from blog.portability.source import Site


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


def note(site: Site, report: ImportReport, kind: str, source_id: str, target_id: int) -> None:
    """Record that `source_id` of this site became `target_id` (in the caller's transaction)."""
    db.session.add(
        ImportedItem(source=site.source, item_kind=kind, source_id=source_id, target_id=target_id)
    )
    report.made_items.append((kind, source_id))


def made_before(source: str, kind: str, ids: Iterable[str]) -> dict[str, int]:
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


def undo(site: Site, report: ImportReport) -> None:
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
