"""Which posts readers may see, and the listings of them: the rules every feature shares.

A listing (every post, a tag's, an author's, a month's) walks one index newest first and stops
after its page, and its size is kept (`core.counts`): neither sorts nor counts the blog, so a
page costs the same with 100 posts or 100,000.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    DateTime,
    Integer,
    Select,
    SQLColumnExpression,
    Subquery,
    and_,
    bindparam,
    func,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from blog.core import counts
from blog.core.localtime import month_bounds
from blog.core.models import Post, PostKind, PostStatus, Redirect, Tag, post_tags, utcnow
from blog.core.text import slugify
from blog.extensions import db


def is_visible(now: datetime | ColumnElement[datetime] | None = None) -> ColumnElement[bool]:
    """Readers see published posts and pages, and scheduled ones once their time has come.

    `now` may be a bound parameter (`NOW`), for a statement built once.
    """
    return and_(
        Post.status.in_([PostStatus.PUBLISHED.value, PostStatus.SCHEDULED.value]),
        Post.published_at.is_not(None),
        Post.published_at <= (utcnow() if now is None else now),
    )


def is_article() -> ColumnElement[bool]:
    """Posts, not pages: what listings, neighbours and feeds show."""
    return Post.kind == PostKind.POST.value


# The statements every article page and every posted comment run are built once, with their
# values as bound parameters: SQLAlchemy keeps a statement's cache key on the statement object,
# so one built per request costs building and keying each time (about 0.4 ms for the article's
# neighbours, against 0.05 ms built once). Each takes the time as `now`.
NOW = "now"


def now_param() -> BindParameter[datetime]:
    """The time a statement built once is run at: give it as the `NOW` parameter."""
    return bindparam(NOW, type_=DateTime())


_VISIBLE_POST = select(Post).where(
    Post.slug == bindparam("slug"), is_visible(now_param()), is_article()
)
_VISIBLE_POST_BYLINE = _VISIBLE_POST.options(joinedload(Post.author))
# A post's tags by a statement of their own: the ORM's selectin loader builds its statement on
# every load, which cost more than the post's own query.
_TAGS_OF = (
    select(Tag)
    .join(post_tags, post_tags.c.tag_id == Tag.id)
    .where(post_tags.c.post_id == bindparam("post"))
    .order_by(Tag.name)
)


def visible_post(slug: str, byline: bool = True) -> Post | None:
    """The visible post (not page) at this slug; with its author and tags for its byline.

    Comment endpoints show neither (`byline=False`): a page that does after all loads them
    when first used.
    """
    if not byline:
        return db.session.scalar(_VISIBLE_POST, {"slug": slug, NOW: utcnow()})
    post = db.session.scalar(_VISIBLE_POST_BYLINE, {"slug": slug, NOW: utcnow()})
    if post is not None:
        tags = db.session.scalars(_TAGS_OF, {"post": post.id}).all()
        set_committed_value(post, "tags", list(tags))
    return post


@dataclass(frozen=True)
class Listing:
    """Posts in the order readers see them, newest first, along one index.

    `when` and `ident` are the listed time and post id of the rows walked (of `posts`, or of
    `post_tags` for a tag), `where` picks the listing's rows; `scope` and `key` name its kept
    count (`core.counts`).
    """

    scope: str
    key: int
    when: SQLColumnExpression[datetime | None]
    ident: SQLColumnExpression[int]
    where: tuple[ColumnElement[bool], ...] = ()

    def newest(self, now: datetime) -> Select[int]:
        """The ids of the listing's posts due by `now`, newest first (slice it)."""
        return (
            select(self.ident)
            .where(*self.where, self.when <= now)
            .order_by(self.when.desc(), self.ident.desc())
        )

    def not_yet_due(self, now: datetime) -> Select[int]:
        """How many of the listing's posts are listed for after `now` (scheduled ones)."""
        return select(func.count()).where(*self.where, self.when > now)


def every_post() -> Listing:
    """Every post readers can see (the home page, the site feed)."""
    return Listing(counts.POSTS, 0, Post.listed_at, Post.id)


def tagged(tag_id: int) -> Listing:
    """The posts carrying one tag."""
    where = (post_tags.c.tag_id == tag_id,)
    return Listing(counts.TAG, tag_id, post_tags.c.listed_at, post_tags.c.post_id, where)


def by_author(author_id: int) -> Listing:
    """One author's posts."""
    return Listing(
        counts.AUTHOR, author_id, Post.listed_at, Post.id, (Post.author_id == author_id,)
    )


def in_month(year: int, month: int) -> Listing:
    """The posts of one calendar month of the site zone."""
    start, end = month_bounds(year, month)
    where = (Post.listed_at >= start, Post.listed_at < end)
    return Listing(
        counts.month_scope(), counts.month_key(year, month), Post.listed_at, Post.id, where
    )


def listing_posts(
    listing: Listing, offset: int, limit: int, now: datetime | None = None
) -> list[Post]:
    """A slice of a listing, with authors and tags: found on the index, then read by id.

    However deep the slice, the walk to it reads index entries only (no row, no sort).
    """
    ids = listing.newest(now or utcnow()).offset(offset).limit(limit)
    posts = db.session.scalars(
        select(Post)
        .where(Post.id.in_(ids))
        .options(joinedload(Post.author), selectinload(Post.tags))
    ).all()
    return sorted(posts, key=lambda post: (post.listed_at or datetime.min, post.id), reverse=True)


def listing_size(listing: Listing, now: datetime | None = None) -> int:
    """How many posts of a listing readers see now (kept, less those not yet due)."""
    return counts.kept_total(listing.scope, listing.key, listing.not_yet_due(now or utcnow()))


@dataclass(frozen=True)
class Neighbour:
    """A post next to another one in time: what the Previous/Next links show."""

    slug: str
    title: str


def neighbours(post: Post) -> tuple[Neighbour | None, Neighbour | None]:
    """The visible posts listed just before and just after `post`.

    One statement for both, reading only their slugs and titles: each half walks the listing
    index one step from the post.
    """
    when = post.listed_at or post.published_at
    assert when is not None
    found: list[Neighbour | None] = [None, None]
    values = {"when": when, "ident": post.id, NOW: utcnow()}
    for side, slug, title in db.session.execute(_NEIGHBOURS, values):
        found[side] = Neighbour(slug, title)
    return found[0], found[1]


def _one_step(newer: bool) -> Subquery:
    """The next post along the listing index from (`when`, `ident`), newer or older."""
    place = tuple_(Post.listed_at, Post.id)
    here = tuple_(bindparam("when", type_=DateTime()), bindparam("ident", type_=Integer()))
    side = place > here if newer else place < here
    order = [column.asc() if newer else column.desc() for column in (Post.listed_at, Post.id)]
    return (
        select(literal(int(newer)).label("newer"), Post.slug, Post.title)
        .where(side, Post.listed_at <= now_param())
        .order_by(*order)
        .limit(1)
        .subquery()
    )


_NEIGHBOURS = union_all(select(_one_step(False)), select(_one_step(True)))


def comments_open(post: Post, close_after_days: int, now: datetime | None = None) -> bool:
    """Whether readers may still comment on `post` (closed by hand, or by age)."""
    return _open(post.comments_closed, post.published_at, close_after_days, now)


def _open(
    closed: bool, published_at: datetime | None, close_after_days: int, now: datetime | None
) -> bool:
    if closed:
        return False
    if close_after_days and published_at is not None:
        return published_at > (now or utcnow()) - timedelta(days=close_after_days)
    return True


def comments_open_at(slug: str, close_after_days: int) -> bool | None:
    """`comments_open` for the visible post at `slug` (None: no such post), reading two columns.

    Asked each time a reader first uses a comment form: no post object is built for it.
    """
    now = utcnow()
    found = db.session.execute(_OPEN_AT, {"slug": slug, NOW: now}).first()
    if found is None:
        return None
    return _open(found.comments_closed, found.published_at, close_after_days, now)


_OPEN_AT = select(Post.comments_closed, Post.published_at).where(
    Post.slug == bindparam("slug"), is_visible(now_param()), is_article()
)


def visible_page(slug: str) -> Post | None:
    """The visible page at this slug (pages live at /<slug>)."""
    return db.session.scalar(
        select(Post)
        .where(Post.slug == slug, is_visible(), Post.kind == PostKind.PAGE.value)
        .options(joinedload(Post.author))
    )


def remember_old_path(old_path: str, post: Post) -> None:
    """Make `old_path` lead to `post` from now on (in the caller's write transaction)."""
    remember_old_paths({old_path: post})


def remember_old_paths(leads: Mapping[str, Post]) -> None:
    """Make each old path lead to its post from now on: one lookup for them all (an import)."""
    found: dict[str, Redirect] = {}
    for chunk in counts.chunks(leads):
        query = select(Redirect).where(Redirect.old_path.in_(chunk))
        found.update((redirect.old_path, redirect) for redirect in db.session.scalars(query))
    for old_path, post in leads.items():
        if old_path in found:
            found[old_path].post_id = post.id
        else:
            db.session.add(Redirect(old_path=old_path, post_id=post.id))


def newest_posts(limit: int) -> list[Post]:
    """The newest visible posts (for pages that offer a way on, like the 404 page)."""
    return listing_posts(every_post(), 0, limit)


def tags_named(names: list[str]) -> list[Tag]:
    """The tags with these names: the ones that exist, and new ones for the rest."""
    slugs = [slugify(name) for name in names]
    existing = {tag.slug: tag for tag in db.session.scalars(select(Tag).where(Tag.slug.in_(slugs)))}
    return [
        existing.get(slug) or Tag(name=name, slug=slug)
        for name, slug in zip(names, slugs, strict=True)
    ]
