"""An article's outline: a link beside every heading, and contents once there are 3 sections."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from blog.core.markdown import render_post
from blog.core.models import Post
from blog.extensions import db
from blog.reading.outline import article_outline
from tests.conftest import PostFactory

LONG = """Intro paragraph.

## Getting ready

Tools first.

### The kettle

Boil it.

## Doing it

Steps.

## Cleaning up

Wipe.
"""


def contents(html: str) -> list[tuple[str, str]]:
    """(href, text) of each link in the table of contents."""
    toc = re.search(r'<nav class="toc" id="toc".*?</nav>', html, re.S)
    return re.findall(r'<a href="(#[^"]+)">([^<]+)</a>', toc.group(0)) if toc else []


def test_a_post_with_three_sections_gets_contents(
    client: FlaskClient, make_post: PostFactory
) -> None:
    post = make_post("Tea for beginners", body=LONG)
    html = client.get(f"/posts/{post.slug}").text
    assert contents(html) == [
        ("#getting-ready", "Getting ready"),
        ("#the-kettle", "The kettle"),
        ("#doing-it", "Doing it"),
        ("#cleaning-up", "Cleaning up"),
    ]
    # The kettle is nested under its section.
    assert re.search(r"Getting ready</a>\s*<ol>\s*<li><a href=\"#the-kettle\"", html)
    # The contents come before the body, and each target exists once.
    assert html.index('id="toc"') < html.index('id="article-body"')
    for anchor, _ in contents(html):
        assert html.count(f'id="{anchor[1:]}"') == 1


def test_short_posts_have_no_contents(client: FlaskClient, make_post: PostFactory) -> None:
    post = make_post("Two parts", body="## One\n\nA.\n\n## Two\n\nB.")
    html = client.get(f"/posts/{post.slug}").text
    assert 'id="toc"' not in html
    # Their headings still carry a link to themselves.
    link = '<a class="heading-anchor" href="#one" aria-label="Link to the section “One”">#</a>'
    assert link in html


def test_every_heading_links_to_itself(client: FlaskClient, make_post: PostFactory) -> None:
    post = make_post("Linked", body=LONG)
    html = client.get(f"/posts/{post.slug}").text
    for anchor in ("getting-ready", "the-kettle", "doing-it", "cleaning-up"):
        assert re.search(
            rf'<h[23] id="{anchor}">[^<]+ <a class="heading-anchor" href="#{anchor}"', html
        )


def test_imported_headings_without_ids_get_free_ones(
    client: FlaskClient, make_post: PostFactory
) -> None:
    post = make_post("Imported")
    post.body_html = (
        '<h2>Comments</h2><p>a</p><h2>Contents</h2><p>b</p><h2 id="toc">Toc</h2>'
        "<h2>Comments</h2><h2>&lt;script&gt;</h2>"
    )
    db.session.commit()
    html = client.get(f"/posts/{post.slug}").text
    links = contents(html)
    anchors = [href for href, _ in links]
    assert len(set(anchors)) == len(anchors) == 5
    # Never an id the page itself uses (the comment section is #comments).
    assert "#comments" not in anchors
    assert html.count('id="comments"') == 1
    assert ("#script", "&lt;script&gt;") in links


def test_headings_in_code_and_deep_nesting_are_harmless() -> None:
    body = "```\n## not a heading\n```\n\n" + "> " * 8 + "## quoted\n"
    outline = article_outline(render_post(body))
    assert "not a heading" not in [section.title for section in outline.sections]
    assert "heading-anchor" in outline.html


def test_the_editor_preview_shows_the_same_outline(
    client: FlaskClient, make_post: PostFactory
) -> None:
    post = make_post("Preview me", body=LONG)
    assert isinstance(post, Post)
    outline = article_outline(post.body_html)
    assert [section.anchor for section in outline.sections] == [
        "getting-ready",
        "doing-it",
        "cleaning-up",
    ]
