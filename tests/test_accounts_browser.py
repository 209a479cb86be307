"""Author accounts and pages in headless Chromium: invitations, and every author page on a phone.

Runs against `authoring_server` (the demo posts, and an editor account made with the real
`flask author create`). Each test signs in for itself.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browserkit import BrowserProblems, sign_in

pytestmark = [pytest.mark.browser]

PHONE = {"width": 360, "height": 740}


def test_an_invitation_link_works_once(
    authoring_server: str, page: Page, new_context: Callable[..., BrowserContext]
) -> None:
    problems = BrowserProblems()
    problems.watch(page)
    base = authoring_server
    sign_in(page, base)
    page.get_by_role("link", name="Authors").click()
    email = f"new-{uuid.uuid4().hex[:8]}@example.org"
    page.get_by_label("Email of the new author").fill(email)
    page.get_by_role("button", name="Make an invitation link").click()
    link_box = page.get_by_label("Invitation link")
    expect(link_box).to_be_visible()
    link = link_box.input_value()
    assert re.fullmatch(re.escape(base) + r"/account/join/[\w-]{40,}", link), link
    expect(page.locator(".invite-list")).to_contain_text(email)

    newcomer = problems.watch(new_context().new_page())
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_contain_text("Join")
    expect(newcomer.locator("#content")).to_contain_text(email)
    newcomer.get_by_label("Name").fill("Nia Newcomer")
    newcomer.get_by_label("Password", exact=True).fill("my own passphrase")
    newcomer.get_by_label("The same password again").fill("my own passphrase")
    newcomer.get_by_role("button", name="Open my account").click()
    expect(newcomer).to_have_url(base + "/editor/")
    expect(newcomer.locator("#messages")).to_contain_text("Welcome, Nia Newcomer.")

    # The same link a second time, in another browser: spent.
    problems.excuse(link, 410)
    late = problems.watch(new_context().new_page())
    response = late.goto(link)
    assert response is not None and response.status == 410
    expect(late.locator("#content")).to_contain_text("has been used or has expired")
    expect(late.get_by_role("button", name="Open my account")).to_have_count(0)
    page.goto(base + "/account/authors")
    expect(page.locator(".invite-list")).to_have_count(0)
    expect(page.locator("#content")).to_contain_text("Nia Newcomer")
    assert problems.unexpected() == []


def author_pages(page: Page, base: str) -> list[str]:
    """Every kind of page an author or editor works in, on a draft written here twice."""
    page.goto(base + "/editor/posts/new")
    page.locator("#editor-title").fill(f"Phone check {uuid.uuid4().hex[:8]}")
    page.locator("#editor-body").fill("A first version with a rather-long-unbroken-word-" * 3)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(r"/editor/posts/\d+$"))
    post = page.url.removeprefix(base)
    page.locator("#editor-body").fill(
        "A second version.\n\n```python\nprint('a long line of code that goes on and on')\n```"
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#messages")).to_contain_text("Draft saved.")
    page.goto(base + post + "/revisions")
    revision = page.locator("a[href^='/editor/revisions/']").first.get_attribute("href")
    assert revision, "the second save kept a revision"
    pages = [
        "/editor/",
        "/editor/?show=all",
        "/editor/posts/new",
        post,
        post + "/revisions",
        revision,
        post + "/delete",
        "/editor/comments/",
        "/editor/trash",
        "/account/profile",
        "/account/authors",
    ]
    page.goto(base + "/account/authors")
    remove = page.locator("a[href$='/remove']").first.get_attribute("href")
    if remove:
        pages.append(remove)
    return pages


def test_no_author_page_scrolls_sideways_on_a_phone(authoring_server: str, page: Page) -> None:
    sign_in(page, authoring_server)
    page.set_viewport_size(PHONE)
    too_wide = []
    for path in author_pages(page, authoring_server):
        response = page.goto(authoring_server + path)
        assert response is not None and response.ok, path
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide.append(f"{path}: {width} px")
    assert too_wide == [], "pages wider than a 360 px phone: " + ", ".join(too_wide)
