"""Search, as a reader uses it.

The header box, results with marked words, pages, live htmx results, hostile text, and an index
that follows every change to the posts (on both databases).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from blog.authoring.service import save_post
from blog.authoring.trash import delete_for_good, move_to_trash, restore
from blog.core.models import Author, Post, PostKind, PostStatus, utcnow
from blog.extensions import db
from blog.operations.doctor import check_search
from blog.search import queries as search_queries
from blog.search import schema
from tests.conftest import ON_POSTGRES, PostFactory

HX = {"HX-Request": "true"}


def titles(html: str) -> list[str]:
    """The result titles on a search page, in order, with their <mark> tags removed."""
    found = re.findall(r'class="search-hit__title"><a href="[^"]*">(.*?)</a>', html, re.S)
    return [re.sub(r"</?mark>", "", title) for title in found]


def status_line(html: str) -> str:
    found = re.search(r'class="search-results__status">\s*(.*?)\s*</p>', html, re.S)
    assert found, html
    return " ".join(found.group(1).split())


def test_every_page_has_a_search_box_that_works_without_javascript(
    client: FlaskClient, make_post: PostFactory
) -> None:
    post = make_post("Walking the towpath", body="We walked beside the canal at dawn.")
    for path in ("/", f"/posts/{post.slug}", "/tags/", "/archive/", "/no-such-page"):
        page = client.get(path).text
        form = re.search(r'<form class="site-search"[^>]*action="/search"[^>]*method="get"', page)
        assert form, f"no search box on {path}"
        assert 'name="q"' in page
    results = client.get("/search?q=canal")
    assert results.status_code == 200
    assert titles(results.text) == ["Walking the towpath"]
    assert "<mark>canal</mark>" in results.text
    assert 'value="canal"' in results.text
    # The search page's own form replaces the header box (one search field per page).
    assert 'class="site-search"' not in results.text


def test_title_hits_come_before_body_hits(client: FlaskClient, make_post: PostFactory) -> None:
    make_post("Lanterns and ledgers", body="lighthouse " * 40 + "\n\nMore lighthouse talk.")
    nine_days_ago = utcnow() - timedelta(days=9)
    make_post("The lighthouse keeper", body="A short note.", published_at=nine_days_ago)
    make_post("Harbour notes", body="One mention of a lighthouse in passing, among many words.")
    found = titles(client.get("/search?q=lighthouse").text)
    assert found[0] == "The lighthouse keeper"
    assert sorted(found[1:]) == ["Harbour notes", "Lanterns and ledgers"]


def test_snippets_mark_the_words_and_escape_the_post_text(
    client: FlaskClient, make_post: PostFactory
) -> None:
    body = "Write `<script>alert(1)</script>` in a post about escaping & quoting markup."
    make_post("Escaping notes", body=body)
    html = client.get("/search?q=escaping").text
    snippet = re.search(r'class="search-hit__snippet">(.*?)</p>', html, re.S)
    assert snippet
    assert "<mark>escaping</mark>" in snippet.group(1)
    assert "&lt;script&gt;" in snippet.group(1)
    assert "<script>" not in snippet.group(1)
    assert "&amp;" in snippet.group(1)
    # The title is marked too.
    assert "<mark>Escaping</mark> notes" in html


def test_only_what_readers_may_see_is_found(
    client: FlaskClient, make_post: PostFactory, author: Author
) -> None:
    make_post("Visible marmalade")
    make_post("Draft marmalade", status=PostStatus.DRAFT)
    make_post(
        "Future marmalade",
        status=PostStatus.SCHEDULED,
        published_at=utcnow() + timedelta(days=2),
    )
    about = make_post("Marmalade page")
    about.kind = PostKind.PAGE.value
    db.session.commit()
    html = client.get("/search?q=marmalade").text
    assert sorted(titles(html)) == ["Marmalade page", "Visible marmalade"]
    assert 'href="/marmalade-page"' in html
    assert status_line(html) == "2 posts match “marmalade”."


def test_results_come_a_page_at_a_time(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    app.config["POSTS_PER_PAGE"] = 4
    for number in range(10):
        make_post(f"Kettle story {number}", body=f"The kettle sang, story {number}.")
    first = client.get("/search?q=kettle").text
    assert len(titles(first)) == 4
    assert status_line(first) == "10 posts match “kettle”."
    assert 'href="/search?q=kettle&amp;page=2"' in first
    second = client.get("/search?q=kettle&page=2").text
    third = client.get("/search?q=kettle&page=3").text
    assert len(titles(second)) == 4 and len(titles(third)) == 2
    assert not set(titles(first)) & set(titles(second))
    assert "More results" not in third and "Better matches" in third
    past = client.get("/search?q=kettle&page=9")
    assert past.status_code == 200
    assert "No more results" in past.text
    assert client.get("/search?q=kettle&page=0").status_code == 404
    assert client.get("/search?q=kettle&page=x").status_code == 404


def test_htmx_gets_the_results_fragment_and_a_title(
    client: FlaskClient, make_post: PostFactory
) -> None:
    make_post("Quince season", body="Quince jelly needs patience.")
    page = client.get("/search?q=quince")
    fragment = client.get("/search?q=quince", headers=HX)
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.text and 'id="search-results"' in page.text
    assert "<html" not in fragment.text and 'id="search-results"' not in fragment.text
    assert fragment.text.lstrip().startswith("<title>“quince” · Search")
    assert titles(fragment.text) == ["Quince season"]
    # The live field asks for this fragment and pushes the search's URL.
    assert 'data-hx-get="/search"' in page.text and 'data-hx-push-url="true"' in page.text
    # Back (a history restore) gets the whole page again.
    restore = client.get("/search?q=quince", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def test_prefix_of_the_last_word_finds_while_typing(
    client: FlaskClient, make_post: PostFactory
) -> None:
    make_post("Sourdough diary", body="Feeding the starter twice a day.")
    make_post("Teams and tea", body="A tea break for the teams.")
    assert titles(client.get("/search?q=sourd").text) == ["Sourdough diary"]
    assert titles(client.get("/search?q=feeding+star").text) == ["Sourdough diary"]
    # A whole word still ranks a post about it above one that only starts with it.
    make_post("Teamwork", body="The teams met on Tuesday.", published_at=utcnow())
    assert titles(client.get("/search?q=tea").text)[0] == "Teams and tea"


HOSTILE = [
    '"',
    '""',
    "'",
    "*",
    "**",
    "NEAR(",
    "NEAR(a b, 2)",
    "AND OR",
    "OR",
    "NOT",
    "a AND OR NOT b",
    "title:",
    "title:kettle",
    "{title body}: x",
    "^x",
    "x -y",
    "(((",
    ")",
    "a:*",
    "!&|<->",
    "%_%",
    "\\",
    "\x01\x02\x03 kettle \x7f",
    "\u200b\u202e kettle",
    "日本語の検索",
    "ﬁ ß İ",
    "kettle " * 28,
    "x" * 200,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_fail(
    client: FlaskClient, make_post: PostFactory, query: str
) -> None:
    make_post("Kettle story", body="The kettle sang.")
    for headers in ({}, HX):
        answer = client.get("/search", query_string={"q": query}, headers=headers)
        assert answer.status_code == 200, query


def test_a_search_too_long_is_refused_with_a_message(client: FlaskClient) -> None:
    for headers in ({}, HX):
        answer = client.get("/search", query_string={"q": "word " * 2000}, headers=headers)
        assert answer.status_code == 400
        assert "10,000 characters long; please search for at most 200 characters" in answer.text
    assert client.get("/search", query_string={"q": "\x00kettle"}).status_code in (200, 400)


def test_the_index_follows_edits_and_deletes(
    client: FlaskClient, make_post: PostFactory, author: Author
) -> None:
    post = make_post("Plum harvest", body="Plums everywhere this year.")
    assert titles(client.get("/search?q=plums").text) == ["Plum harvest"]
    save_post(
        author,
        post,
        title="Damson harvest",
        slug=post.slug,
        summary="",
        body="Damsons everywhere this year.",
        tags=[],
        status=PostStatus.PUBLISHED,
        publish_at=None,
    )
    assert titles(client.get("/search?q=plums").text) == []
    assert titles(client.get("/search?q=damsons").text) == ["Damson harvest"]
    found = db.session.get(Post, post.id)
    assert found is not None
    move_to_trash(found)
    assert titles(client.get("/search?q=damsons").text) == []
    restore(found)
    assert titles(client.get("/search?q=damsons").text) == ["Damson harvest"]
    move_to_trash(found)
    delete_for_good(found)
    assert titles(client.get("/search?q=damsons").text) == []


def test_reindex_command_rebuilds_a_broken_index(app: Flask, make_post: PostFactory) -> None:
    make_post("Bramble jelly", body="Brambles from the lane.")
    client = app.test_client()
    with db.engine.begin() as connection:
        if ON_POSTGRES:
            connection.execute(text(f"DROP INDEX {schema.VECTOR_INDEX}"))
            connection.execute(text(f"ALTER TABLE posts DROP COLUMN {schema.VECTOR_COLUMN}"))
        else:
            # Stale text, as an older version would have left it, then no index at all.
            connection.execute(text("UPDATE posts SET body_text = ''"))
            connection.execute(text(f"DROP TABLE {schema.FTS_TABLE}"))
    assert not check_search().ok
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt: 1 post(s)" in result.output
    assert check_search().ok
    assert titles(client.get("/search?q=brambles").text) == ["Bramble jelly"]


def test_not_found_page_offers_search_and_the_newest_posts(
    client: FlaskClient, make_post: PostFactory
) -> None:
    for number in range(7):
        make_post(f"Story {number}", published_at=utcnow() - timedelta(days=10 - number))
    make_post("Hidden draft", status=PostStatus.DRAFT)
    missing = client.get("/posts/no-such-story")
    assert missing.status_code == 404
    assert 'id="error-search-q"' in missing.text
    newest = re.findall(r'<li><a href="/posts/[^"]+">([^<]+)</a>', missing.text)
    assert newest == ["Story 6", "Story 5", "Story 4", "Story 3", "Story 2"]
    # For htmx, only the message (no lists in the message area).
    fragment = client.get("/posts/no-such-story", headers=HX)
    assert fragment.status_code == 404 and "Story 6" not in fragment.text


def test_a_trailing_slash_leads_to_the_canonical_address(
    client: FlaskClient, make_post: PostFactory
) -> None:
    post = make_post("Slash story")
    answer = client.get(f"/posts/{post.slug}/")
    assert answer.status_code == 301
    assert answer.headers["Location"] == f"/posts/{post.slug}"
    page = make_post("About us")
    page.kind = PostKind.PAGE.value
    db.session.commit()
    answer = client.get("/about-us/")
    assert answer.status_code == 301 and answer.headers["Location"] == "/about-us"
    assert client.get("/posts/nothing-here/").status_code == 404
    assert client.get("/nothing-here/").status_code == 404
    draft = make_post("Draft story", status=PostStatus.DRAFT)
    assert client.get(f"/posts/{draft.slug}/").status_code == 404


@pytest.mark.sqlite_only
def test_every_search_statement_starts_from_the_index(
    client: FlaskClient, make_post: PostFactory
) -> None:
    """Without planner statistics, SQLite could walk all posts and probe the index per post."""
    make_post("Kettle story", body="The kettle sang.")
    # Three matches or more: with fewer ids, SQLite looks them up by id whatever the query.
    make_post("Another kettle", body="A second kettle.")
    make_post("Kettle again", body="A third kettle.")
    seen: list[tuple[str, object]] = []

    def record(
        _conn: object, _cursor: object, statement: str, parameters: object, *_: object
    ) -> None:
        if "MATCH" in statement or "FROM posts AS p" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert len(titles(client.get("/search?q=kettle").text)) == 3
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(seen) >= 3
    with db.engine.connect() as connection:
        for statement, parameters in seen:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            steps = [
                row[-1]
                for row in plan
                if row[-1].startswith(("SCAN ", "SEARCH ")) and "(subquery" not in row[-1]
            ]
            # The index first; posts (if at all) only by their primary key. A page's matches
            # checked for visibility by id: never along an index of every published post (at
            # 100,000 posts that took 8 ms for three ids).
            if "MATCH" in statement:
                assert steps[0].startswith(f"SCAN {schema.FTS_TABLE}"), (statement, steps)
                steps = steps[1:]
            assert all("INTEGER PRIMARY KEY" in step for step in steps), (statement, steps)


def test_a_common_word_pages_through_every_match_once(
    app: Flask, client: FlaskClient, make_post: PostFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past COUNT_LIMIT matches PostgreSQL ranks the newest ones, then lists older ones."""
    monkeypatch.setattr(search_queries, "COUNT_LIMIT", 5)
    app.config["POSTS_PER_PAGE"] = 3
    now = utcnow()
    make_post("Walnut orchard", body="Old post.", published_at=now - timedelta(days=30))
    for number in range(11):
        make_post(
            f"Story {number}", body="A walnut fell.", published_at=now - timedelta(hours=number)
        )
    seen: list[str] = []
    for page in range(1, 6):
        html = client.get(f"/search?q=walnut&page={page}").text
        seen += titles(html)
    assert seen[0] == "Walnut orchard"
    assert sorted(seen) == sorted(["Walnut orchard", *(f"Story {n}" for n in range(11))])
    assert "More than 5 posts match" in client.get("/search?q=walnut").text
