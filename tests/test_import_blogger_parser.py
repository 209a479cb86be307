"""Reading Blogger exports: the classic Atom backup and Takeout's feed.atom, and refusing the rest.

The fixtures are small invented blogs: "The Quiet Allotment" (classic backup, with an `app:`
prefix it never declares) and "Lantern & Loom" (Takeout). No database or app is involved.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from blog.portability.blogger import read_blogger
from blog.portability.source import ImportFileError, Site, SourceComment, SourcePost

FIXTURES = Path(__file__).parent / "fixtures"
CLASSIC = "tag:blogger.com,1999:blog-4482019375561102938.post-"
TAKEOUT = "tag:blogger.com,1999:blog-6630918842275519034.post-"
BEANS = "Broad beans, café notes & the first frost"
COMPOST = "Compost, by the numbers"
TOMATO = "Notes on saving tomato seed"
WARPING = "Warping the loom without tears"
ONION = "Onion-skin dye, second attempt"
MIRA = "https://www.blogger.com/profile/04417723309912345678"
JONAH = "https://www.blogger.com/profile/11893302245566778899"
INES = "https://www.blogger.com/profile/09182736450011223344"


@pytest.fixture(scope="module")
def classic() -> Site:
    """The classic backup fixture, read once."""
    return read_blogger(FIXTURES / "blogger-atom.xml")


@pytest.fixture(scope="module")
def takeout() -> Site:
    """The Takeout fixture, read once."""
    return read_blogger(FIXTURES / "blogger-takeout.atom")


def titled(site: Site, title: str) -> SourcePost:
    """The one post or page with this title."""
    (post,) = [post for post in site.posts if post.title == title]
    return post


def ids(comments: list[SourceComment], prefix: str) -> list[str]:
    """The comments' source ids without the blog's common prefix."""
    return [comment.source_id.removeprefix(prefix) for comment in comments]


def written(tmp_path: Path, text: str, name: str = "export.xml") -> Path:
    """A file in tmp_path holding text, as UTF-8."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def takeout_entry(number: str, kind: str, status: str, extra: str = "") -> str:
    """One Takeout entry with the given type and status, published in 2024."""
    return (
        f"<entry><id>{TAKEOUT}{number}</id><blogger:type>{kind}</blogger:type>"
        f"<blogger:status>{status}</blogger:status><author><name>Ines</name></author>"
        f"<title>Entry {number}</title><content type='html'>&lt;p&gt;Text {number}&lt;/p&gt;"
        f"</content><published>2024-02-01T10:00:00Z</published>{extra}</entry>"
    )


def takeout_feed(*entries: str) -> str:
    """A Takeout feed.atom holding these entries."""
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n<feed xmlns='http://www.w3.org/2005/Atom' "
        "xmlns:blogger='http://schemas.google.com/blogger/2018'>\n"
        + "\n".join(entries)
        + "\n</feed>\n"
    )


def refusal(path: Path) -> str:
    """The message of the ImportFileError reading path raises."""
    with pytest.raises(ImportFileError) as raised:
        read_blogger(path)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(path.name)
    return message


# The classic backup


def test_classic_posts_and_pages_only(classic: Site) -> None:
    assert classic.source == "blogger"
    assert sorted((post.kind, post.title) for post in classic.posts) == [
        ("page", "About this plot"),
        ("post", BEANS),
        ("post", COMPOST),
        ("post", TOMATO),
    ]
    # The settings and template entries are neither posts nor comments.
    every_id = [post.source_id for post in classic.posts] + [
        comment.source_id for post in classic.posts for comment in post.comments
    ]
    assert not [source_id for source_id in every_id if ".settings." in source_id]
    assert not [source_id for source_id in every_id if source_id.endswith(".layout")]
    assert all(source_id.startswith(CLASSIC) for source_id in every_id)
    assert sum(len(post.comments) for post in classic.posts) == 4


def test_classic_statuses_and_utc_dates(classic: Site) -> None:
    beans, compost = titled(classic, BEANS), titled(classic, COMPOST)
    assert (beans.status, beans.published_at) == (
        "published",
        datetime(2024, 3, 9, 16, 15, 0, 1000),
    )
    assert (compost.status, compost.published_at) == ("published", datetime(2024, 5, 21, 17, 2))
    assert titled(classic, "About this plot").published_at == datetime(2023, 12, 30, 20, 0)
    tomato = titled(classic, TOMATO)
    assert (tomato.status, tomato.published_at) == ("draft", None)


def test_classic_undeclared_app_prefix_is_tolerated(classic: Site) -> None:
    text = (FIXTURES / "blogger-atom.xml").read_text(encoding="utf-8")
    assert "<app:draft>yes</app:draft>" in text
    assert "xmlns:app" not in text
    assert titled(classic, TOMATO).status == "draft"


def test_classic_labels_are_deduplicated_ignoring_case(classic: Site) -> None:
    assert titled(classic, BEANS).tags == ["Vegetables", "weather"]
    assert titled(classic, COMPOST).tags == ["Soil", "How-to"]
    assert titled(classic, "About this plot").tags == []


def test_classic_slugs_and_old_paths(classic: Site) -> None:
    beans = titled(classic, BEANS)
    assert beans.slug == "broad-beans-cafe-notes-first-frost"
    assert beans.old_paths == ["/2024/03/broad-beans-cafe-notes-first-frost.html"]
    page = titled(classic, "About this plot")
    assert (page.slug, page.old_paths) == ("about", ["/p/about.html"])
    # A draft never had an address of its own.
    tomato = titled(classic, TOMATO)
    assert (tomato.slug, tomato.old_paths) == ("", [])


def test_classic_bodies_keep_structure_and_odd_characters(classic: Site) -> None:
    beans = titled(classic, BEANS)
    assert "## What went in" in beans.body_markdown
    assert "### Notes for next year" in beans.body_markdown
    assert "- Aquadulce Claudia, two double rows of 20" in beans.body_markdown
    for text in ("Fleece & cloches", "seeds < slugs", "crème brûlée", "🐦", "4°C", "Tomás"):
        assert text in beans.body_markdown
    assert "&amp;" not in beans.body_markdown
    compost = titled(classic, COMPOST)
    assert "1. Two parts “browns”" in compost.body_markdown
    assert "**nine months**" in compost.body_markdown
    assert compost.media == [
        "https://blogger.googleusercontent.com/img/b/R29vZ2xl/"
        "AVvXsEh4qT7exampleCompostBins/s400/compost-bins.jpg"
    ]


def test_classic_comments_are_threaded(classic: Site) -> None:
    comments = titled(classic, BEANS).comments
    # The file lists the reply before the comment it answers; parents still come first.
    assert ids(comments, CLASSIC) == [
        "6650183347729015521",
        "1184472209331560874",
        "9013367420058834112",
    ]
    first, reply, anonymous = comments
    assert first.parent_source_id is None
    assert reply.parent_source_id == first.source_id
    assert anonymous.parent_source_id is None
    assert {comment.status for comment in comments} == {"approved"}
    assert first.created_at == datetime(2024, 3, 10, 2, 40, 12, 345000)
    assert (first.author_name, first.author_website) == (
        "Tomás Ferreira",
        "http://tomas-grows.example.net",
    )
    assert first.author_email is None
    assert "Keep them *dry*" in first.body_markdown
    assert (reply.author_name, reply.author_website) == ("Mira Okonkwo-Lind", MIRA)
    assert (anonymous.author_name, anonymous.author_website) == ("Anonymous", None)
    assert anonymous.body_markdown == "Mice took every one of mine too & I had netted them!"
    (question,) = titled(classic, COMPOST).comments
    assert (question.author_name, question.parent_source_id) == ("Léa Martin", None)
    assert question.created_at == datetime(2024, 5, 22, 4, 30)


def test_classic_authors(classic: Site) -> None:
    authors = {author.key: author for author in classic.authors}
    assert set(authors) == {MIRA, JONAH}
    # Blogger hides addresses behind noreply@blogger.com; that is nobody's address.
    assert authors[MIRA].name == "Mira Okonkwo-Lind"
    assert authors[MIRA].email == "mira-okonkwo-lind@imported.invalid"
    assert authors[JONAH].email == "jonah.pereira@example.org"
    assert titled(classic, BEANS).author_key == MIRA
    assert titled(classic, COMPOST).author_key == JONAH


def test_classic_future_post_is_scheduled_and_bom_is_fine(tmp_path: Path) -> None:
    kind = "http://schemas.google.com/blogger/2008/kind#post"
    text = (
        "\ufeff<?xml version='1.0' encoding='UTF-8'?>\n"
        "<feed xmlns='http://www.w3.org/2005/Atom'>\n"
        f"<entry><id>{CLASSIC}1</id><published>2099-01-01T00:00:00.000-05:00</published>"
        f"<category scheme='http://schemas.google.com/g/2005#kind' term='{kind}'/>"
        "<title type='text'>Later</title><content type='html'>soon</content>"
        "<app:control><app:draft>no</app:draft></app:control>"
        "<author><name>Mira</name></author></entry>\n</feed>\n"
    )
    (post,) = read_blogger(written(tmp_path, text)).posts
    assert (post.status, post.published_at) == ("scheduled", datetime(2099, 1, 1, 5, 0))
    assert post.author_key == "Mira"


# Takeout's feed.atom


def test_takeout_posts_and_pages_without_trash(takeout: Site) -> None:
    assert takeout.source == "blogger"
    assert sorted((post.kind, post.title) for post in takeout.posts) == [
        ("page", "Workshops"),
        ("post", ONION),
        ("post", WARPING),
    ]
    assert all(post.source_id.startswith(TAKEOUT) for post in takeout.posts)


def test_takeout_statuses_dates_labels_and_summary(takeout: Site) -> None:
    warping = titled(takeout, WARPING)
    assert (warping.status, warping.published_at) == (
        "published",
        datetime(2023, 11, 4, 21, 30, 0, 2000),
    )
    assert warping.tags == ["Weaving", "Beginners"]
    assert warping.summary == "How I warp a rigid-heddle loom in an afternoon."
    assert "## Before you start" in warping.body_markdown
    assert "Cotton & wool" in warping.body_markdown
    onion = titled(takeout, ONION)
    assert (onion.status, onion.published_at, onion.tags) == ("draft", None, ["Dyeing"])
    assert titled(takeout, "Workshops").status == "published"


def test_takeout_slugs_and_old_paths(takeout: Site) -> None:
    warping = titled(takeout, WARPING)
    assert warping.slug == "warping-loom-without-tears"
    assert warping.old_paths == ["/2023/11/warping-loom-without-tears.html"]
    page = titled(takeout, "Workshops")
    assert (page.slug, page.old_paths) == ("workshops", ["/p/workshops.html"])
    onion = titled(takeout, ONION)
    assert (onion.slug, onion.old_paths) == ("", [])


def test_takeout_comments_threading_and_statuses(takeout: Site) -> None:
    comments = titled(takeout, WARPING).comments
    assert ids(comments, TAKEOUT) == [
        "2718281828459045235",
        "1618033988749894848",
        "1414213562373095048",
    ]
    first, reply, pending = comments
    assert first.parent_source_id is None
    assert reply.parent_source_id == first.source_id
    assert (first.status, reply.status, pending.status) == ("approved", "approved", "pending")
    assert (first.author_name, first.author_website) == (
        "Sam Okafor",
        "https://samweaves.example.com",
    )
    assert (pending.author_name, pending.author_website) == ("Anonymous", None)
    assert first.created_at == datetime(2023, 11, 5, 19, 10, 30, 250000)
    (spam,) = titled(takeout, "Workshops").comments
    assert spam.status == "spam"
    # The comment on the trashed post went with it.
    every_comment = [comment.body_markdown for post in takeout.posts for comment in post.comments]
    assert "Ignored, as requested." not in every_comment


def test_takeout_authors(takeout: Site) -> None:
    (author,) = takeout.authors
    assert (author.key, author.name) == (INES, "Ines Valcárcel")
    assert author.email == "ines-valcarcel@imported.invalid"


def test_takeout_future_live_post_is_scheduled(tmp_path: Path) -> None:
    later = takeout_entry("1", "POST", "LIVE").replace("2024-02-01", "2099-02-01")
    (post,) = read_blogger(written(tmp_path, takeout_feed(later), "feed.atom")).posts
    assert (post.status, post.published_at) == ("scheduled", datetime(2099, 2, 1, 10, 0))


def test_takeout_reply_to_trashed_comment_stays_on_the_post(tmp_path: Path) -> None:
    feed = takeout_feed(
        takeout_entry("1", "POST", "LIVE"),
        takeout_entry(
            "2", "COMMENT", "SOFT_TRASHED", f"<blogger:parent>{TAKEOUT}1</blogger:parent>"
        ),
        takeout_entry("3", "COMMENT", "LIVE", f"<blogger:parent>{TAKEOUT}2</blogger:parent>"),
    )
    (post,) = read_blogger(written(tmp_path, feed, "feed.atom")).posts
    (reply,) = post.comments
    assert (reply.source_id, reply.parent_source_id) == (f"{TAKEOUT}3", None)


# Files that are refused


def test_truncated_file_is_refused_with_its_last_line() -> None:
    path = FIXTURES / "blogger-truncated.xml"
    last_line = path.read_text(encoding="utf-8").count("\n") + 1
    message = refusal(path)
    assert f"line {last_line}" in message
    assert "truncated" in message


def test_external_entity_is_refused(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>&e;</title></feed>\n'
    )
    message = refusal(written(tmp_path, text))
    assert "DOCTYPE" in message
    assert "line 2" in message
    assert "root:" not in message


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    ]
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n'
        + "\n".join(entities)
        + '\n]>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>\n'
    )
    message = refusal(written(tmp_path, text))
    assert "DOCTYPE" in message
    assert "line 2" in message


def test_wordpress_rss_is_refused(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"\n'
        '     xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        "<channel><title>Some WordPress site</title><wp:wxr_version>1.2</wp:wxr_version>\n"
        "<item><title>Hello</title><wp:post_type>post</wp:post_type>"
        "<content:encoded><![CDATA[<p>Hi</p>]]></content:encoded></item>\n"
        "</channel></rss>\n"
    )
    message = refusal(written(tmp_path, text, "wordpress.xml"))
    assert "RSS" in message
    assert "line 2" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("<feed xmlns='http://www.w3.org/2005/Atom'>\n<entry></feed>\n", "line 2"),
        ("<feed xmlns='http://www.w3.org/2005/Atom'><title>Not Blogger</title></feed>", "Atom"),
        ("<html><body>Hello</body></html>", "<html>"),
    ],
)
def test_other_files_are_refused(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in refusal(written(tmp_path, text))


def test_missing_file_is_refused(tmp_path: Path) -> None:
    assert "cannot be read" in refusal(tmp_path / "nowhere.xml")
