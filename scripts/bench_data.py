"""The benchmark's blog: many posts and comments, written by bulk SQL through the blog's schema.

`make bench` serves this blog. The schema comes from the blog's own migrations (`flask prepare`);
the rows are written with SQLAlchemy Core inserts on the models' tables (so column defaults
apply), thousands at a time: a Markdown renderer call per post would take many minutes at
100,000 posts, so a pool of bodies is rendered once by the blog's renderer and shared.

The dataset is kept under `.bench/<scale>/` and built again only when the migration head, this
file or the scale changes. What the benchmark needs to know about it (which post has 200
comments, the rare and the common search word...) is saved beside it in `dataset.json`.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, insert, select, text

from blog import MIGRATIONS_DIR
from blog.core.counts import rebuild as rebuild_counts
from blog.core.markdown import render_comment, render_post
from blog.core.models import Author, Comment, Post, Tag, post_tags
from blog.core.text import content_digest, html_text, slugify

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".bench"


@dataclass(frozen=True)
class Scale:
    """How big the benchmark's blog is."""

    name: str
    posts: int
    comments: int


SCALES = {
    "default": Scale("default", 1_000, 20_000),
    "large": Scale("large", 100_000, 1_000_000),
}
# Two articles with a known number of approved comments: the article page and the posting test.
ARTICLE_COMMENTS = 200
POSTING_COMMENTS = 1_000
# Search words: the common one is in 10 % of posts, the rare one in three.
COMMON_WORD = "lantern"
COMMON_SHARE = 0.10
RARE_WORD = "zeppelin"
RARE_POSTS = 3
# Every scale spans the same ten years, so the archive lists the same months at any size.
FIRST_DAY = datetime(2016, 1, 1, 8, 0)
LAST_DAY = datetime(2025, 12, 31, 18, 0)
TAGS = 40
AUTHORS = 5
BODY_POOL = 300
COMMENT_POOL = 400
BATCH = 20_000
SYLLABLES = ["ra", "ven", "to", "mi", "sol", "ka", "dor", "lin", "ber", "wen", "ash", "tor"]
SYLLABLES += ["fel", "mo", "ri", "sta", "quil", "den", "ha", "pen", "gro", "vel", "nu", "cas"]


@dataclass(frozen=True)
class Dataset:
    """A built benchmark blog: where it is and what is in it."""

    scale: str
    instance: str
    posts: int
    comments: int
    article_slug: str  # ARTICLE_COMMENTS approved comments
    posting_slug: str  # POSTING_COMMENTS approved comments: new comments go here
    tag_slug: str  # the tag most posts carry
    common_word: str
    rare_word: str
    build_seconds: float


def dataset_key(scale: Scale) -> dict[str, Any]:
    """What the dataset depends on: a change to any of it means building it again."""
    heads = sorted(ScriptDirectory(MIGRATIONS_DIR).get_heads())
    return {
        "scale": asdict(scale),
        "migration_heads": heads,
        "builder": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
    }


def dataset(scale_name: str) -> Dataset:
    """The dataset for this scale, built first if missing or out of date."""
    scale = SCALES[scale_name]
    folder = BENCH_DIR / scale.name
    facts_file = folder / "dataset.json"
    key = dataset_key(scale)
    if facts_file.exists():
        saved = json.loads(facts_file.read_text())
        database = Path(saved["dataset"]["instance"]) / "blog.sqlite3"
        if saved.get("key") == key and database.exists():
            return Dataset(**saved["dataset"])
        print(f"dataset {scale.name}: out of date (migrations or builder changed), rebuilding")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    built = build(scale, folder / "instance")
    facts_file.write_text(json.dumps({"key": key, "dataset": asdict(built)}, indent=2))
    return built


def _words(rng: random.Random) -> list[str]:
    words = {"".join(rng.choices(SYLLABLES, k=rng.randint(1, 4))) for _ in range(6000)}
    return sorted(word for word in words if len(word) > 2)


def _sentence(rng: random.Random, words: list[str], length: int) -> str:
    text = " ".join(rng.choices(words, k=length))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, words: list[str], length: int) -> str:
    sentences = []
    while length > 0:
        size = min(length, rng.randint(8, 20))
        sentences.append(_sentence(rng, words, size))
        length -= size
    return " ".join(sentences)


def _markdown_body(rng: random.Random, words: list[str], total: int, extra: str = "") -> str:
    """A post of about `total` words in four sections, as authors write them."""
    parts = [_paragraph(rng, words, total // 9)]
    for _section in range(4):
        parts.append("## " + " ".join(rng.choices(words, k=3)).capitalize())
        parts.append(_paragraph(rng, words, total // 5))
        if rng.random() < 0.5:
            parts.append("\n".join(f"- {_sentence(rng, words, 5)}" for _ in range(3)))
        else:
            parts.append(_paragraph(rng, words, total // 20))
    if extra:
        parts.append(extra)
    return "\n\n".join(parts) + "\n"


@dataclass(frozen=True)
class _Body:
    source: str
    html: str
    text: str


def _render(source: str) -> _Body:
    html = render_post(source)
    return _Body(source, html, html_text(html))


def _prepare_schema(instance: Path) -> None:
    """An empty blog at the newest migration, made the way an operator makes one."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BLOG_")}
    env.pop("DATABASE_URL", None)
    env.update({"BLOG_INSTANCE_PATH": str(instance), "BLOG_DEMO_CONTENT_ON_EMPTY": "false"})
    flask = str(Path(sys.executable).parent / "flask")
    subprocess.run(
        [flask, "--app", "blog", "prepare"], env=env, check=True, capture_output=True, cwd=ROOT
    )


def _pragmas(connection: Connection, *pragmas: str) -> None:
    """Run PRAGMAs on the driver's connection, outside any transaction (where they take)."""
    raw = connection.connection.driver_connection
    assert raw is not None
    for pragma in pragmas:
        raw.execute(f"PRAGMA {pragma}")


def build(scale: Scale, instance: Path) -> Dataset:
    """Write a blog of `scale` into a new instance folder; return what the benchmark needs."""
    started = time.perf_counter()
    print(f"dataset {scale.name}: {scale.posts:,} posts, {scale.comments:,} comments ...", end="")
    sys.stdout.flush()
    _prepare_schema(instance)
    rng = random.Random(12)
    words = _words(rng)
    plain = [_render(_markdown_body(rng, words, rng.randint(150, 450))) for _ in range(BODY_POOL)]
    common_extra = f"We walked back by {COMMON_WORD} light, {_sentence(rng, words, 12)}"
    common = [
        _render(_markdown_body(rng, words, rng.randint(150, 450), common_extra))
        for _ in range(BODY_POOL // 3)
    ]
    rare = _render(_markdown_body(rng, words, 400, f"Then the {RARE_WORD} came over the hill."))
    featured = _render(_markdown_body(rng, words, 680))

    engine = create_engine(f"sqlite:///{instance / 'blog.sqlite3'}")
    with engine.connect() as connection:
        # A throwaway build: no journal, no waiting for the disk. WAL again at the end.
        _pragmas(connection, "journal_mode=OFF", "synchronous=OFF", "foreign_keys=OFF")
        connection.execute(
            insert(Author.__table__),
            [
                {
                    "id": number,
                    "email": f"author{number}@example.org",
                    "name": " ".join(rng.choices(words, k=2)).title(),
                    "bio": _sentence(rng, words, 20),
                    "role": "editor" if number == 1 else "author",
                    "created_at": FIRST_DAY - timedelta(days=30),
                }
                for number in range(1, AUTHORS + 1)
            ],
        )
        tag_names = sorted({" ".join(rng.choices(words, k=2)).title() for _ in range(TAGS * 2)})
        tag_names = tag_names[:TAGS]
        connection.execute(
            insert(Tag.__table__),
            [
                {"id": number, "name": name, "slug": slugify(name)}
                for number, name in enumerate(tag_names, start=1)
            ],
        )
        # Tag 1 is on a fifth of the posts (the tag page measured), the rest are rarer.
        tag_weights = [TAGS * 0.25] + [1.0] * (TAGS - 1)

        span = (LAST_DAY - FIRST_DAY) / scale.posts
        article_id = scale.posts * 3 // 4  # in the newer half, as a popular article might be
        posting_id = scale.posts // 2
        rare_ids = {scale.posts // 3, scale.posts // 5, scale.posts - 7}
        posts: list[dict[str, Any]] = []
        links: list[dict[str, int]] = []
        published: dict[int, datetime] = {}
        for ident in range(1, scale.posts + 1):
            when = FIRST_DAY + span * (ident - 1) + timedelta(minutes=rng.randint(0, 59))
            if ident in (article_id, posting_id):
                body = featured
            elif ident in rare_ids:
                body = rare
            elif rng.random() < COMMON_SHARE:
                body = rng.choice(common)
            else:
                body = rng.choice(plain)
            title = " ".join(rng.choices(words, k=rng.randint(4, 8))).capitalize()
            # One post in fifty is a draft: listings filter on status as they would.
            status = "draft" if rng.random() < 0.02 and ident not in rare_ids else "published"
            if ident in (article_id, posting_id):
                status = "published"
            posts.append(
                {
                    "id": ident,
                    "title": title,
                    "slug": f"{slugify(title, 60)}-{ident}",
                    "summary": _sentence(rng, words, 25),
                    "body_source": body.source,
                    "body_html": body.html,
                    "body_text": body.text,
                    "status": status,
                    "kind": "post",
                    "comments_closed": False,
                    "published_at": when if status == "published" else None,
                    "created_at": when,
                    "updated_at": when,
                    "author_id": rng.randint(1, AUTHORS),
                }
            )
            published[ident] = when
            chosen = set(rng.choices(range(1, TAGS + 1), weights=tag_weights, k=rng.randint(1, 3)))
            links.extend({"post_id": ident, "tag_id": tag} for tag in chosen)
            if len(posts) == BATCH // 4:
                connection.execute(insert(Post.__table__), posts)
                posts = []
        if posts:
            connection.execute(insert(Post.__table__), posts)
        connection.execute(insert(post_tags), links)
        slug_of = dict(
            connection.execute(
                select(Post.__table__.c.id, Post.__table__.c.slug).where(
                    Post.__table__.c.id.in_([article_id, posting_id])
                )
            ).all()
        )

        counts = _comment_counts(rng, scale, article_id, posting_id)
        _insert_comments(connection, rng, words, counts, published)
        _fill_derived(connection)
        connection.commit()
        _pragmas(connection, "journal_mode=WAL")
    engine.dispose()
    seconds = time.perf_counter() - started
    print(f" built in {seconds:.0f} s")
    return Dataset(
        scale=scale.name,
        instance=str(instance),
        posts=scale.posts,
        comments=scale.comments,
        article_slug=slug_of[article_id],
        posting_slug=slug_of[posting_id],
        tag_slug=slugify(tag_names[0]),
        common_word=COMMON_WORD,
        rare_word=RARE_WORD,
        build_seconds=round(seconds, 1),
    )


def _comment_counts(
    rng: random.Random, scale: Scale, article_id: int, posting_id: int
) -> dict[int, int]:
    """How many comments each post gets: the two known articles exactly, the rest at random."""
    counts = {article_id: ARTICLE_COMMENTS, posting_id: POSTING_COMMENTS}
    others = [ident for ident in range(1, scale.posts + 1) if ident not in counts]
    for ident in rng.choices(others, k=scale.comments - ARTICLE_COMMENTS - POSTING_COMMENTS):
        counts[ident] = counts.get(ident, 0) + 1
    return counts


def _insert_comments(
    connection: Any,
    rng: random.Random,
    words: list[str],
    counts: dict[int, int],
    published: dict[int, datetime],
) -> None:
    """Threads of comments (a quarter are replies), all approved but a few held or spam."""
    pool = [_sentence(rng, words, rng.randint(8, 50)) for _ in range(COMMENT_POOL)]
    # Plain sentences render to one paragraph; checked against the blog's renderer once.
    assert render_comment(pool[0]) == f"<p>{pool[0]}</p>\n", render_comment(pool[0])
    names = [" ".join(rng.choices(words, k=2)).title() for _ in range(500)]
    rows: list[dict[str, Any]] = []
    ident = 0
    for post_id in sorted(counts):
        top_level: list[int] = []
        when = published[post_id]
        # The two known articles hold only approved comments: their counts are exact.
        exact = counts[post_id] in (ARTICLE_COMMENTS, POSTING_COMMENTS)
        for number in range(counts[post_id]):
            ident += 1
            when += timedelta(minutes=rng.randint(1, 240))
            body = f"{rng.choice(pool)} ({number + 1})"
            parent = rng.choice(top_level) if top_level and rng.random() < 0.25 else None
            if parent is None:
                top_level.append(ident)
            status = "approved"
            if not exact and rng.random() < 0.03:
                status = "pending" if rng.random() < 0.7 else "spam"
            rows.append(
                {
                    "id": ident,
                    "post_id": post_id,
                    "parent_id": parent,
                    "root_id": parent,
                    "author_name": rng.choice(names),
                    "author_email": None,
                    "author_website": None,
                    "body_source": body,
                    "body_html": f"<p>{body}</p>\n",
                    "body_digest": content_digest(body),
                    "status": status,
                    "created_at": when,
                }
            )
            if len(rows) == BATCH:
                connection.execute(insert(Comment.__table__), rows)
                rows = []
    if rows:
        connection.execute(insert(Comment.__table__), rows)


def _fill_derived(connection: Any) -> None:
    """What the blog keeps derived from the rows (counts), computed as after any bulk load."""
    rebuild_counts(connection)
    # The search index followed every insert through its triggers; make it compact.
    connection.execute(text("INSERT INTO post_search(post_search) VALUES ('optimize')"))
