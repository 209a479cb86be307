"""Reading a WordPress export (WXR) into a Site: what comes along, what is left, what is refused."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from blog.portability.source import ImportFileError, Site, SourceComment, SourcePost
from blog.portability.wordpress import SUMMARY_LIMIT, read_wordpress

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "wordpress.xml"
TRUNCATED = FIXTURES / "wordpress-truncated.xml"

MINIMAL_WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/{version}/"
     xmlns:excerpt="http://wordpress.org/export/{version}/excerpt/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Tiny</title>
  <wp:wxr_version>{version}</wp:wxr_version>
  <item>
    <title>Only post</title>
    <link>https://tiny.test/only-post/</link>
    <dc:creator>solo</dc:creator>
    <content:encoded><![CDATA[<p>Hello.</p>]]></content:encoded>
    <excerpt:encoded><![CDATA[{excerpt}]]></excerpt:encoded>
    <wp:post_id>1</wp:post_id>
    <wp:post_date>{date}</wp:post_date>
    <wp:post_name>only-post</wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_type>post</wp:post_type>
  </item>
</channel>
</rss>
"""


@pytest.fixture(scope="module")
def site() -> Site:
    """The fixture export, read once for the whole module."""
    return read_wordpress(EXPORT, now=datetime(2025, 1, 1))


def post(site: Site, source_id: str) -> SourcePost:
    """The post or page with this WordPress id."""
    return next(found for found in site.posts if found.source_id == source_id)


def comments_by_id(site: Site, source_id: str) -> dict[str, SourceComment]:
    """A post's imported comments, by WordPress comment id."""
    return {comment.source_id: comment for comment in post(site, source_id).comments}


def write(tmp_path: Path, text: str, name: str = "export.xml") -> Path:
    """Text written to a file in tmp_path, for read_wordpress to read."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def minimal(version: str = "1.2", excerpt: str = "", date: str = "2024-02-03 04:05:06") -> str:
    """A one-post WXR document in the given WXR version."""
    return MINIMAL_WXR.format(version=version, excerpt=excerpt, date=date)


def refusal(path: Path) -> str:
    """The message of the ImportFileError that reading path raises, checked to be one line."""
    with pytest.raises(ImportFileError) as raised:
        read_wordpress(path)
    message = str(raised.value)
    assert message and "\n" not in message
    assert path.name in message
    return message


def test_posts_and_pages_are_read_and_everything_else_is_left(site: Site) -> None:
    """Five posts and one page; trash, attachment, menu item and revision do not come along."""
    assert site.source == "wordpress"
    assert [p.source_id for p in site.posts if p.kind == "post"] == ["10", "11", "12", "13", "15"]
    assert [p.source_id for p in site.posts if p.kind == "page"] == ["2"]
    assert not {"14", "21", "30", "31"} & {p.source_id for p in site.posts}


def test_authors_come_from_wp_author_and_unknown_creators_get_a_stand_in(site: Site) -> None:
    """Logins are keys, emails lowercase; a creator without <wp:author> gets an .invalid address."""
    authors = {author.key: author for author in site.authors}
    assert list(authors) == ["marta", "tobias", "guest.writer"]
    assert authors["marta"].name == "Marta Quill"
    assert authors["marta"].email == "marta.quill@example-blog.test"
    assert authors["tobias"].name == "Tobias Fenn & Co."
    assert authors["guest.writer"].name == "guest.writer"
    assert authors["guest.writer"].email == "guest.writer@imported.invalid"
    assert post(site, "11").author_key == "tobias"
    assert post(site, "15").author_key == "guest.writer"


def test_statuses(site: Site) -> None:
    """Publish, draft and future map over; a publish date still ahead means scheduled."""
    statuses = {p.source_id: p.status for p in site.posts}
    assert statuses == {
        "10": "published",
        "11": "published",
        "12": "draft",
        "13": "scheduled",
        "15": "scheduled",
        "2": "published",
    }


def test_a_future_publish_date_is_judged_against_now() -> None:
    """Once "now" has passed the date, the same post is published, not scheduled."""
    before = read_wordpress(EXPORT, now=datetime(2097, 12, 31))
    after = read_wordpress(EXPORT, now=datetime(2098, 1, 2))
    assert post(before, "15").status == "scheduled"
    assert post(after, "15").status == "published"
    assert post(after, "13").status == "scheduled"


def test_dates_are_gmt_with_the_local_date_as_fallback(site: Site) -> None:
    """post_date_gmt when set; post_date when it is missing or all zeros."""
    assert post(site, "10").published_at == datetime(2024, 5, 12, 7, 30)
    assert post(site, "11").published_at == datetime(2024, 5, 20, 16, 0)
    assert post(site, "13").published_at == datetime(2099, 6, 21, 4, 30)
    assert post(site, "2").published_at == datetime(2024, 1, 5, 12, 0)
    assert post(site, "12").published_at == datetime(2024, 6, 1, 9, 15)


def test_tags_merge_categories_and_tags_without_repeats_or_uncategorized(site: Site) -> None:
    """First spelling wins, entities are decoded, post formats and Uncategorized are dropped."""
    assert post(site, "10").tags == ["Walks", "river", "Spring"]
    assert post(site, "11").tags == ["Food & Drink", "baking", "Café Life"]
    assert post(site, "12").tags == []


def test_slugs_are_made_safe(site: Site) -> None:
    """Percent-encoded accents fold to ASCII; odd characters become single hyphens."""
    assert post(site, "10").slug == "walking-the-old-towpath"
    assert post(site, "11").slug == "cafe-notes-creme-brulee"
    assert post(site, "12").slug == ""
    assert post(site, "15").slug == "guest-post-from-the-future"
    assert post(site, "2").slug == "about"


def test_titles(site: Site) -> None:
    """Titles are decoded text; an empty one becomes "Untitled"."""
    assert post(site, "11").title == "Café Notes: Crème Brûlée 🍮 & the Blowtorch"
    assert post(site, "15").title == "Untitled"


def test_old_paths_keep_the_permalink_and_the_short_form_once(site: Site) -> None:
    """The <link> path and /?p= (or /?page_id=) each appear once."""
    assert post(site, "10").old_paths == ["/2024/05/12/walking-the-old-towpath/", "/?p=10"]
    assert post(site, "12").old_paths == ["/?p=12"]
    assert post(site, "15").old_paths == ["/?p=15"]
    assert post(site, "2").old_paths == ["/about/", "/?page_id=2"]


def test_comment_threads_keep_their_parents(site: Site) -> None:
    """A reply to a reply keeps its chain; a reply to a trashed comment moves up to its parent."""
    comments = post(site, "10").comments
    assert [c.source_id for c in comments] == ["101", "102", "103", "104", "105", "108"]
    parents = {c.source_id: c.parent_source_id for c in comments}
    assert parents == {
        "101": None,
        "102": "101",
        "103": "102",
        "104": None,
        "105": None,
        "108": "102",
    }


def test_comment_statuses_and_what_is_left_out(site: Site) -> None:
    """Approved, pending and spam come along; pingbacks and trashed comments do not."""
    comments = comments_by_id(site, "10")
    assert comments["101"].status == "approved"
    assert comments["104"].status == "pending"
    assert comments["105"].status == "spam"
    assert "106" not in comments
    assert "107" not in comments


def test_comment_fields(site: Site) -> None:
    """Emails lowercase or None, only http(s) websites, dates GMT, paragraphs kept."""
    towpath = comments_by_id(site, "10")
    first = towpath["101"]
    assert first.author_name == "Jonah Reed"
    assert first.author_email == "jonah@reader.test"
    assert first.author_website == "https://jonah.reader.test/"
    assert first.created_at == datetime(2024, 5, 12, 18, 4)
    assert "said.\n\nIs the café" in first.body_markdown
    assert towpath["102"].body_markdown == "It is, from ten until four. Try the *ginger* cake."
    assert towpath["104"].author_email is None
    assert towpath["104"].author_website is None
    assert towpath["104"].created_at == datetime(2024, 5, 14, 12, 0)
    cafe = comments_by_id(site, "11")["111"]
    assert cafe.author_name == "Élodie & Sam"
    assert cafe.author_website is None
    assert cafe.body_markdown == "We tried this at home.\n\nThe smoke alarm did not approve 😅"


def test_block_editor_markup_becomes_markdown(site: Site) -> None:
    """Block comments go; headings, list, quote, table and image stay; the video is a link."""
    body = post(site, "10").body_markdown
    assert "wp:" not in body and "<!--" not in body
    assert "## Getting there" in body
    assert "### What to pack" in body
    assert "- Binoculars for the herons" in body
    assert "> A river is a road that remembers every traveller." in body
    assert "| Boatyard to lock | 2.5 km |" in body
    assert "![The river at first light](" in body
    assert "https://www.youtube.com/embed/dQw4w9WgXcQ" in body
    assert "<iframe" not in body


def test_classic_editor_text_keeps_its_paragraphs_and_loses_its_shortcodes(site: Site) -> None:
    """Blank lines make paragraphs, [caption] and [gallery] go, the caption text stays."""
    body = post(site, "11").body_markdown
    assert "[caption" not in body and "[/caption]" not in body and "[gallery" not in body
    assert "The crust, seconds after the torch" in body
    assert "Naïve? Perhaps. 🔥\n\nRule one:" in body


def test_lost_markup_and_media(site: Site) -> None:
    """The iframe is reported as lost; uploaded images are listed as media."""
    assert "iframe" in post(site, "10").lost_markup
    assert post(site, "10").media == [
        "https://example-blog.test/wp-content/uploads/2024/05/river.jpg"
    ]
    assert post(site, "11").media == [
        "https://example-blog.test/wp-content/uploads/2024/05/brulee-640x480.jpg"
    ]
    assert post(site, "12").media == []


def test_odd_characters_survive(site: Site) -> None:
    """Accents, emoji, ampersands, angle brackets and a split CDATA "]]>" come through intact."""
    body = post(site, "11").body_markdown
    for text in (
        "crème brûlée",
        "🔥",
        "cold & the sugar",
        "> 2 mm",
        "< 1 mm",
        "temps[probe[0]]> 70",
        "Gruß aus der Küche — «bon appétit»!",
    ):
        assert text in body


def test_summary_is_plain_text(site: Site) -> None:
    """The excerpt loses its tags and entities."""
    assert post(site, "10").summary == "Seven kilometres of towpath, herons & one very muddy weir."
    assert post(site, "11").summary == ""


def test_a_long_excerpt_is_cut_at_a_word(tmp_path: Path) -> None:
    """A summary never exceeds the limit and ends on a whole word."""
    excerpt = "<p>" + "meander " * 200 + "</p>"
    summary = read_wordpress(write(tmp_path, minimal(excerpt=excerpt))).posts[0].summary
    assert len(summary) <= SUMMARY_LIMIT
    assert summary.endswith("meander…")


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_every_wxr_version_is_read(tmp_path: Path, version: str) -> None:
    """WXR 1.0, 1.1 and 1.2 differ only in their namespace."""
    read = read_wordpress(write(tmp_path, minimal(version=version, excerpt="Short.")))
    assert [p.title for p in read.posts] == ["Only post"]
    assert read.posts[0].summary == "Short."
    assert read.authors[0].email == "solo@imported.invalid"


def test_a_truncated_file_is_refused_with_its_line() -> None:
    """An export cut off mid-item names the line and says the file seems cut off."""
    message = refusal(TRUNCATED)
    last_line = len(TRUNCATED.read_text(encoding="utf-8").splitlines())
    assert f"line {last_line}" in message
    assert "cut off" in message


def test_an_external_entity_is_refused(tmp_path: Path) -> None:
    """A DOCTYPE reaching for a local file is refused before anything is read."""
    text = minimal().replace(
        "<rss", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<rss', 1
    )
    text = text.replace("<p>Hello.</p>", "&e;")
    message = refusal(write(tmp_path, text))
    assert "entit" in message
    assert "line 2" in message


def test_a_billion_laughs_is_refused(tmp_path: Path) -> None:
    """Nested entity definitions are refused rather than expanded."""
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    text = f'<?xml version="1.0"?>\n<!DOCTYPE rss [{"".join(entities)}]>\n<rss>&lol9;</rss>\n'
    message = refusal(write(tmp_path, text))
    assert "entit" in message


def test_an_ordinary_rss_feed_is_refused(tmp_path: Path) -> None:
    """RSS without WordPress's namespace is a feed, not an export."""
    feed = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>News</title><link>https://news.test/</link>
<item><title>Hello</title><link>https://news.test/hello</link></item>
</channel></rss>
"""
    assert "not a WordPress export" in refusal(write(tmp_path, feed, "feed.xml"))


def test_other_documents_are_refused(tmp_path: Path) -> None:
    """An Atom feed, an <rss> without a channel and a missing file are each refused."""
    atom = '<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>'
    assert "<feed>" in refusal(write(tmp_path, atom, "atom.xml"))
    assert "<channel>" in refusal(write(tmp_path, "<rss version='2.0'/>", "empty.xml"))
    assert "cannot be read" in refusal(tmp_path / "missing.xml")


def test_a_malformed_date_names_the_post(tmp_path: Path) -> None:
    """A date WordPress would never write is refused, naming the post it belongs to."""
    message = refusal(write(tmp_path, minimal(date="12/05/2024")))
    assert "post 1" in message and "'12/05/2024'" in message
