"""A synthetic WordPress export of a given size, for `make bench` (the 50 MB import figure)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

WORDS = [
    "river",
    "lock",
    "towpath",
    "heron",
    "weir",
    "bakery",
    "market",
    "bridge",
    "lantern",
    "orchard",
    "meadow",
    "ferry",
    "mill",
    "harbour",
    "allotment",
    "library",
    "museum",
    "repair",
    "cafe",
    "timetable",
    "solstice",
    "frost",
    "compost",
    "loom",
]

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench Blog</title><link>https://bench.example</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login>bench</wp:author_login><wp:author_email>bench@example.org</wp:author_email>
<wp:author_display_name>Bench Writer</wp:author_display_name></wp:author>
"""


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _item(rng: random.Random, number: int, when: datetime) -> str:
    paragraphs = "".join(
        f"<!-- wp:paragraph --><p>{escape(_sentence(rng, 60))} <strong>{rng.choice(WORDS)}</strong>"
        f" &amp; {escape(_sentence(rng, 30))}</p><!-- /wp:paragraph -->\n"
        for _ in range(6)
    )
    body = f"<h2>Part one</h2>\n{paragraphs}<h2>Part two</h2>\n<ul><li>one</li><li>two</li></ul>"
    comments = "".join(
        f"<wp:comment><wp:comment_id>{number * 10 + n}</wp:comment_id>"
        f"<wp:comment_author>Reader {n}</wp:comment_author>"
        f"<wp:comment_author_email>reader{n}@example.org</wp:comment_author_email>"
        f"<wp:comment_date_gmt>{(when + timedelta(hours=n + 1)):%Y-%m-%d %H:%M:%S}"
        f"</wp:comment_date_gmt><wp:comment_content><![CDATA[{_sentence(rng, 25)} ({n})]]>"
        f"</wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
        f"<wp:comment_parent>{number * 10 + n - 1 if n % 2 else 0}</wp:comment_parent>"
        "</wp:comment>"
        for n in range(1, 6)
    )
    return (
        f"<item><title>Post {number}: {rng.choice(WORDS)} {rng.choice(WORDS)}</title>"
        f"<link>https://bench.example/{when:%Y/%m/%d}/post-{number}/</link>"
        f"<dc:creator>bench</dc:creator><content:encoded><![CDATA[{body}]]></content:encoded>"
        f"<wp:post_id>{number}</wp:post_id>"
        f"<wp:post_date_gmt>{when:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>"
        f"<wp:post_name>post-{number}</wp:post_name><wp:status>publish</wp:status>"
        f"<wp:post_type>post</wp:post_type>"
        f'<category domain="post_tag" nicename="t{number % 40}">Tag {number % 40}</category>'
        f"{comments}</item>\n"
    )


def write_wxr(path: Path, target_bytes: int) -> int:
    """Write an export of about `target_bytes`; how many posts it holds."""
    rng = random.Random(7)
    start = datetime(2015, 1, 1)
    written = 0
    number = 0
    with path.open("w", encoding="utf-8") as out:
        written += out.write(HEAD)
        while written < target_bytes:
            number += 1
            written += out.write(_item(rng, number, start + timedelta(hours=7 * number)))
        out.write("</channel></rss>\n")
    return number
