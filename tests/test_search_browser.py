"""Search and the article outline in headless Chromium.

Live results as the reader types, the address bar kept in step (Back works), the header box,
contents links and heading links.
"""

from __future__ import annotations

import re
import urllib.request

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browserkit import MARKER, BrowserProblems

pytestmark = [pytest.mark.browser]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


@pytest.fixture(scope="module")
def long_article(live_server: str) -> str:
    """The path of a demo article long enough for a table of contents."""
    for path in dict.fromkeys(re.findall(r'href="(/posts/[^"#?]+)"', _get(live_server + "/"))):
        if 'id="toc"' in _get(live_server + path):
            return path
    pytest.fail("no demo article on the home page has a table of contents")


def test_live_search_updates_results_and_address(
    needs_chromium: None, live_server: str, page: Page
) -> None:
    problems = BrowserProblems()
    problems.watch(page)
    searches: list[str] = []

    def on_request(request: Request) -> None:
        if "/search" in request.url and request.headers.get("hx-request") == "true":
            searches.append(request.url)

    page.on("request", on_request)
    page.goto(live_server + "/search")
    page.evaluate(f"() => {{ window.marker = {MARKER}; }}")
    field = page.locator("#search-q")
    field.click()
    # Typed key by key, faster than the debounce: one request when the reader pauses.
    page.keyboard.type("flood", delay=40)
    expect(page.locator(".search-hit").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"/search\?q=flood$"))
    expect(page.locator(".search-hit mark").first).to_have_text(re.compile("flood", re.I))
    expect(page.locator(".search-results__status")).to_contain_text("“flood”")
    expect(page).to_have_title(re.compile("^“flood” · Search"))
    assert len(searches) == 1, searches
    assert page.evaluate("() => window.marker") == MARKER, "the page reloaded"
    before = page.locator(".search-hit").count()

    # More words narrow it; the address follows, and the focus stays in the field.
    page.keyboard.type(" library", delay=40)
    expect(page).to_have_url(re.compile(r"/search\?q=flood\+library$"))
    expect(page.locator(".search-results__status")).to_contain_text("“flood library”")
    assert 1 <= page.locator(".search-hit").count() < before
    assert page.evaluate("() => document.activeElement.id") == "search-q"

    # Back returns to the first search's results (htmx fetches that page again).
    page.go_back()
    expect(page).to_have_url(re.compile(r"/search\?q=flood$"))
    expect(page.locator("#search-q")).to_have_value("flood")
    expect(page.locator(".search-results__status")).to_contain_text("“flood”")

    # A word nothing has says so.
    field = page.locator("#search-q")
    field.fill("zzyzxqq")
    expect(page.locator(".search-results__status")).to_contain_text("No posts match")
    assert problems.unexpected() == []


def test_header_search_box_goes_to_results(
    needs_chromium: None, live_server: str, page: Page
) -> None:
    page.goto(live_server + "/")
    box = page.get_by_role("search").get_by_label("Search the posts")
    box.fill("river")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=river$"))
    expect(page.locator(".search-hit").first).to_be_visible()


def test_search_without_javascript(needs_chromium: None, live_server: str, browser: object) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(live_server + "/search")
        page.locator("#search-q").fill("flood")
        page.locator("#search-form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/search\?q=flood$"))
        expect(page.locator(".search-hit").first).to_be_visible()
    finally:
        context.close()


def test_contents_and_heading_links(
    needs_chromium: None, live_server: str, long_article: str, page: Page
) -> None:
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto(live_server + long_article)
    toc_links = page.locator("#toc a")
    assert toc_links.count() >= 3
    last = toc_links.nth(toc_links.count() - 1)
    target = (last.get_attribute("href") or "")[1:]
    last.click()
    expect(page).to_have_url(re.compile(f"#{re.escape(target)}$"))
    heading = page.locator(f"[id='{target}']")
    expect(heading).to_be_in_viewport()

    # The link beside a heading is invisible until hovered or reached with the keyboard.
    anchor = page.locator(".post__body .heading-anchor").first
    page.mouse.move(0, 0)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(250)
    hidden = anchor.evaluate("(el) => getComputedStyle(el).opacity")
    anchor.focus()
    page.wait_for_timeout(250)
    shown = anchor.evaluate("(el) => getComputedStyle(el).opacity")
    assert float(shown) == 1.0
    # Touch screens (this is a phone-sized page, but Chromium reports hover) keep it faint.
    assert float(hidden) < 0.5
    assert anchor.get_attribute("href", timeout=1000) == "#" + str(
        anchor.evaluate("(el) => el.parentElement.id")
    )
