"""Markdown rendering and the sanitizer: nothing executable may reach a page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from blog.core.markdown import render_comment, render_post, sanitize
from blog.extensions import db
from tests.conftest import PostFactory

HOSTILE_MARKDOWN = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    '<div hx-get="/admin" hx-trigger="load">x</div>',
    '<p data-hx-post="/x" data-hx-trigger="load">x</p>',
    "<iframe src=https://evil.example></iframe>",
    '<svg onload="alert(1)"></svg>',
    "<style>body{display:none}</style>",
    '<form action="https://evil.example"><input name=x></form>',
]

HOSTILE_HTML = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<div hx-get="/admin" hx-trigger="load">x</div>',
    '<p data-hx-post="/x" hx-on:click="alert(1)">x</p>',
    '<a href="/ok" hx-boost="true" style="position:fixed">x</a>',
    "<iframe src=https://evil.example></iframe>",
    "<object data=x></object><embed src=x>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
    '<h2 id="x" onmouseover="alert(1)" class="htmx-indicator">x</h2>',
]

EXECUTABLE = re.compile(
    r"<script|<iframe|<object|<embed|<style|<svg|<form|\son\w+\s*=|javascript:|vbscript:|"
    r"data:|\shx-|data-hx-|\sstyle=|\sclass=",
    re.IGNORECASE,
)


@pytest.mark.parametrize("source", HOSTILE_MARKDOWN)
@pytest.mark.parametrize("render", [render_post, render_comment])
def test_hostile_markdown_renders_inert(render: object, source: str) -> None:
    html = render(source)  # type: ignore[operator]
    tags = re.findall(r"<[^>]+>", html)
    assert not [tag for tag in tags if EXECUTABLE.search(tag)], html


@pytest.mark.parametrize("html", HOSTILE_HTML)
def test_sanitizer_strips_hostile_html(html: str) -> None:
    cleaned = sanitize(html)
    assert not EXECUTABLE.search(cleaned), cleaned


def test_safe_markdown_survives() -> None:
    html = render_post(
        "Intro with **bold**, *emphasis*, `code` and [a link](https://example.org/a).\n\n"
        "## First section\n\n- one\n- two\n\n> quoted\n\n```\nprint('hi')\n```\n\n"
        "![a chart](https://example.org/chart.png)\n\n[mail](mailto:desk@example.org)"
    )
    assert "<strong>bold</strong>" in html
    assert "<em>emphasis</em>" in html
    assert "<code>code</code>" in html
    assert '<a href="https://example.org/a" rel="noopener noreferrer">a link</a>' in html
    assert '<h2 id="first-section">First section</h2>' in html
    assert "<li>one</li>" in html
    assert "<blockquote>" in html
    assert "<pre><code>print('hi')" in html
    assert '<img src="https://example.org/chart.png" alt="a chart">' in html
    assert 'href="mailto:desk@example.org"' in html


def test_relative_links_are_kept() -> None:
    assert 'href="/tags/community"' in render_post("[see](/tags/community)")
    assert 'href="#first"' in render_post("[see](#first)")


def test_headings_get_unique_ids_and_h1_becomes_h2() -> None:
    html = render_post("# Top\n\n## Same\n\n## Same\n\n### Café & Co!\n\n## Comments\n\n## ???")
    assert '<h2 id="top">Top</h2>' in html
    assert '<h2 id="same">Same</h2>' in html
    assert '<h2 id="same-2">Same</h2>' in html
    assert '<h3 id="cafe-co">' in html
    # Ids the page itself uses are never taken by a heading.
    assert '<h2 id="section-comments">' in html
    assert '<h2 id="section">' in html
    assert "<h1" not in html


def test_heading_ids_cannot_collide_with_comment_anchors() -> None:
    assert 'id="section-comment-12"' in render_post("## Comment 12")


def test_comment_links_are_nofollow_ugc() -> None:
    html = render_comment("see [my site](https://example.com)")
    assert 'rel="nofollow ugc noopener noreferrer"' in html


def test_comments_get_no_headings_or_images() -> None:
    html = render_comment("# Big\n\nSub\n===\n\n![x](https://example.org/x.png)")
    assert "<h" not in html.replace("<hr", "")
    assert "<img" not in html


def test_raw_html_in_markdown_is_shown_as_text() -> None:
    assert "&lt;b&gt;hi&lt;/b&gt;" in render_comment("<b>hi</b>")


# --- highlighted code ------------------------------------------------------------------------


def test_fenced_code_keeps_its_language_and_is_highlighted() -> None:
    html = render_post('```python\nimport os\nprint("<b>")\n```')
    assert html.startswith('<pre><code class="language-python"><span class="kn">import</span>')
    assert '<span class="s2">"&lt;b&gt;"</span>' in html
    assert "style=" not in html  # colours come from our stylesheet (the CSP allows no inline style)


def test_code_in_an_unknown_language_or_none_stays_plain() -> None:
    assert render_post("```klingon\nx < y\n```") == (
        '<pre><code class="language-klingon">x &lt; y\n</code></pre>\n'
    )
    assert render_post("```\nplain\n```") == "<pre><code>plain\n</code></pre>\n"


@pytest.mark.parametrize(
    "info",
    ['python" onclick="alert(1)', "python onmouseover=x", "a" * 80, "python class=x"],
)
def test_the_info_string_cannot_smuggle_attributes(info: str) -> None:
    html = render_post(f"```{info}\ncode\n```")
    assert "onclick" not in html and "onmouseover" not in html and 'class="x"' not in html
    assert "<pre><code" in html


def test_comments_get_no_highlighting_classes() -> None:
    html = render_comment("```python\nimport os\n```")
    assert "class=" not in html and "<span" not in html


def test_the_stylesheet_colours_tokens_in_light_and_dark() -> None:
    css = (Path(__file__).resolve().parent.parent / "static/css/blog.css").read_text()
    assert "pre code .kn" in css and "pre code .s2" in css
    dark = css[css.index("@media (prefers-color-scheme: dark)") :]
    assert "--code-keyword" in dark.split("}")[0]


def test_rerender_brings_stored_posts_up_to_date(app: Flask, make_post: PostFactory) -> None:
    post = make_post("Old code", body="```python\nimport os\n```")
    post.body_html = "<pre><code>import os\n</code></pre>"  # as an older version stored it
    db.session.commit()
    edited = post.updated_at
    untouched = make_post("Plain", body="Nothing to change.")
    before = untouched.updated_at
    result = app.test_cli_runner().invoke(args=["rerender"])
    assert result.exit_code == 0, result.output
    assert "Rendered every post again: 1 changed." in result.output
    db.session.refresh(post)
    assert '<span class="kn">import</span>' in post.body_html
    assert post.updated_at == edited  # not an author's edit
    db.session.refresh(untouched)
    assert untouched.updated_at == before
