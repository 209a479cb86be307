"""The reader pages in headless Chromium: htmx loads, pagination swaps, no JS or CSP errors."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, expect

from tests.browserkit import BrowserProblems

pytestmark = [
    pytest.mark.browser,
]

SITE_NAME = "Riverside Ledger"


@pytest.fixture(scope="module")
def article_path(live_server: str) -> str:
    """The path of the first article linked from the home page."""
    with urllib.request.urlopen(live_server + "/", timeout=10) as response:
        html = response.read().decode("utf-8")
    found = re.search(r'href="(/posts/[^"#?]+)"', html)
    assert found, "the home page links to no article"
    return found.group(1)


@dataclass
class Problems(BrowserProblems):
    """The shared recorder, plus the CSP violations `visit` collected page by page."""

    csp: list[str] = field(default_factory=list)


@pytest.fixture
def problems(page: Page) -> Iterator[Problems]:
    """Record console errors, uncaught exceptions and CSP violations on `page`."""
    found = Problems()
    found.watch(page)
    yield found


def visit(page: Page, url: str, found: Problems) -> int | None:
    """Open `url`, let late events arrive, and collect the page's CSP violations."""
    response = page.goto(url)
    page.wait_for_load_state("load")
    # securitypolicyviolation events are queued as tasks; give them a moment to fire.
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 150))")
    assert page.evaluate("() => Array.isArray(window.__cspViolations)"), (
        f"the CSP recorder did not run on {url}"
    )
    for violation in page.evaluate("() => window.__cspViolations"):
        found.csp.append(f"{url}: {violation}")
    return response.status if response else None


def test_home_then_article(needs_chromium: None, live_server: str, page: Page) -> None:
    """The home page loads htmx; its first link opens that article with comments and neighbours."""
    page.goto(live_server + "/")
    expect(page).to_have_title(SITE_NAME)
    assert page.evaluate("() => typeof window.htmx") == "object", "htmx did not load"

    first = page.locator("#post-list .post-card__title a").first
    title = first.inner_text().strip()
    first.click()

    expect(page).to_have_url(re.compile(r"/posts/[^/?#]+$"))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(title)
    expect(page).to_have_title(f"{title} · {SITE_NAME}")
    expect(page.locator("#comments-heading")).to_have_text(re.compile(r"^\d+ Comments?$"))
    expect(page.get_by_role("heading", name="Post a Comment", exact=True)).to_be_visible()

    # The newest post has an older neighbour and no newer one.
    expect(page.locator('head link[rel="prev"]')).to_have_count(1)
    expect(page.locator('head link[rel="next"]')).to_have_count(0)
    expect(page.locator('.post-nav a[rel="prev"]')).to_have_count(1)
    expect(page.locator('.post-nav a[rel="next"]')).to_have_count(0)
    newest = page.url

    # One step older: now both neighbours exist, and "next" leads back.
    page.locator('.post-nav a[rel="prev"]').click()
    expect(page).not_to_have_url(newest)
    expect(page).to_have_url(re.compile(r"/posts/[^/?#]+$"))
    expect(page.locator('head link[rel="prev"]')).to_have_count(1)
    expect(page.locator('head link[rel="next"]')).to_have_count(1)
    expect(page.locator('.post-nav a[rel="prev"]')).to_have_count(1)
    next_link = page.locator('.post-nav a[rel="next"]')
    expect(next_link).to_have_count(1)
    assert live_server + (next_link.get_attribute("href") or "") == newest
    assert page.locator('head link[rel="next"]').get_attribute("href") == next_link.get_attribute(
        "href"
    )


def test_pagination_swaps_with_htmx(needs_chromium: None, live_server: str, page: Page) -> None:
    """The "Older posts" link swaps the list in place and pushes /?page=2, without a reload."""
    page.goto(live_server + "/")
    titles = page.locator("#post-list .post-card__title a")
    before = titles.all_inner_texts()
    assert before, "the home page lists no posts"
    page.evaluate("() => { window.__marker = 42; }")

    with page.expect_response(lambda r: "page=2" in r.url) as info:
        page.locator("a.pager__older").click()
    assert info.value.status == 200
    assert info.value.request.headers.get("hx-request") == "true", "not an htmx request"

    expect(page).to_have_url(live_server + "/?page=2")
    expect(titles.first).not_to_have_text(before[0])
    after = titles.all_inner_texts()
    assert after
    assert not set(after) & set(before), f"page 2 repeats page 1: {after}"
    expect(page.locator("#post-list")).to_have_count(1)
    expect(page.locator("a.pager__newer")).to_be_visible()
    expect(page).to_have_title(f"Page 2 · {SITE_NAME}")
    assert page.evaluate("() => window.__marker") == 42, "the page was reloaded, not swapped"

    # Back restores page 1 as a whole page (htmx asks for it with a history-restore request).
    page.go_back()
    expect(page).to_have_url(live_server + "/")
    expect(titles.first).to_have_text(before[0])
    expect(page.locator(".site-header")).to_have_count(1)
    expect(page.locator("#post-list")).to_have_count(1)


def test_csp_recorder_works(
    needs_chromium: None, live_server: str, page: Page, problems: Problems
) -> None:
    """The init script runs under the page's CSP and does catch a violation."""
    visit(page, live_server + "/", problems)
    assert problems.csp == []
    # An inline script is exactly what `script-src 'self'` forbids.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__inlineRan = true;";
          document.head.appendChild(script);
        }"""
    )
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert page.evaluate("() => window.__inlineRan") is None, "the CSP did not block inline JS"
    violation = page.evaluate("() => window.__cspViolations[0]")
    assert violation["directive"].startswith("script-src"), violation
    assert violation["blocked"] == "inline", violation


def test_no_script_errors_or_csp_violations(
    needs_chromium: None, live_server: str, page: Page, problems: Problems, article_path: str
) -> None:
    """The main pages and a 404 run without JS errors and without breaking the CSP."""
    expected = {
        "/": 200,
        article_path: 200,
        "/tags/": 200,
        "/archive/": 200,
        "/no-such-page": 404,
    }
    statuses = {path: visit(page, live_server + path, problems) for path in expected}
    assert statuses == expected
    # Chromium logs the 404 document itself as a failed load; that 404 is the point of the visit.
    expected_404 = (
        f"console error from {live_server}/no-such-page: Failed to load resource: "
        "the server responded with a status of 404"
    )
    errors = [text for text in problems.errors if not text.startswith(expected_404)]
    assert errors == [], "\n".join(errors)
    assert problems.csp == [], "\n".join(problems.csp)

    # The page's icon, and the /favicon.ico that older clients ask for, both load.
    icon = page.evaluate("() => document.querySelector('link[rel~=\"icon\"]')?.href ?? null")
    assert icon, "no <link rel=icon>"
    for url in (icon, live_server + "/favicon.ico"):
        response = page.request.get(url)
        assert response.status == 200, f"{url} answers {response.status}"
        assert "svg" in response.headers["content-type"]
