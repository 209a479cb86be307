"""Post addresses (slugs): the first free one, and a trashed post giving its address away.

A post in the trash holds its address only until another post wants it: then it steps aside
to one no reader would ask for, remembering the one it had, and takes that back when restored
if it is still free (else the first free one after it, as any post would).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select, true

from blog.core.models import Limits, Post, PostStatus
from blog.extensions import db


def free_slug(wanted: str, post_id: int = 0, trashed_give_way: bool = False) -> str:
    """`wanted` if no other post has it, else the first free `wanted-2`, `wanted-3`, ...

    With `trashed_give_way`, an address a trashed post holds counts as free: the caller then
    calls `take_slug` before using it.
    """
    others = Post.id != post_id
    holding: ColumnElement[bool] = (
        Post.status != PostStatus.TRASHED.value if trashed_give_way else true()
    )
    # Asked first on its own: the unique index answers it, while the prefix search below reads
    # every slug (a LIKE that SQLite cannot match on the index), for each post of an import.
    taken_by = select(Post.id).where(Post.slug == wanted, others, holding).limit(1)
    if db.session.scalar(taken_by) is None:
        return wanted
    stem = wanted[: Limits.POST_SLUG - 8]
    taken = set(
        db.session.scalars(
            select(Post.slug).where(
                or_(Post.slug == wanted, Post.slug.startswith(f"{stem}-", autoescape=True)),
                others,
                holding,
            )
        )
    )
    if wanted not in taken:
        return wanted
    number = 2
    while True:
        candidate = _with_suffix(wanted, f"-{number}")
        if candidate not in taken:
            return candidate
        number += 1


def take_slug(slug: str, post_id: int) -> None:
    """Make `slug` free for post `post_id`: a trashed post holding it steps aside.

    Flushed at once, so the address is free before the post that takes it is written.
    """
    holder = db.session.scalar(
        select(Post).where(
            Post.slug == slug, Post.id != post_id, Post.status == PostStatus.TRASHED.value
        )
    )
    if holder is None:
        return
    if holder.slug_before_trash is None:
        holder.slug_before_trash = holder.slug
    holder.slug = _aside(holder.id, slug)
    db.session.flush()


def slug_back(post: Post) -> str | None:
    """A post leaving the trash takes back the address it gave away, or the first free one.

    Returns the address it could not take back (another post has it now), else None.
    """
    wanted = post.slug_before_trash
    post.slug_before_trash = None
    if wanted is None or wanted == post.slug:
        return None
    slug = free_slug(wanted, post.id, trashed_give_way=True)
    take_slug(slug, post.id)
    post.slug = slug
    return wanted if slug != wanted else None


def _aside(post_id: int, slug: str) -> str:
    """An address for trashed post `post_id` that no reader asks for and no post holds."""
    number = 1
    while True:
        suffix = f"-trashed-{post_id}" + (f"-{number}" if number > 1 else "")
        candidate = _with_suffix(slug, suffix)
        if db.session.scalar(select(Post.id).where(Post.slug == candidate)) is None:
            return candidate
        number += 1


def _with_suffix(slug: str, suffix: str) -> str:
    """`slug` ending in `suffix`, cut short first when the two would be too long."""
    return slug[: Limits.POST_SLUG - len(suffix)].rstrip("-") + suffix
