"""The moderation queue in headless Chromium: why and where to, select all, reply, a phone.

Runs against `authoring_server` (the demo posts, an editor account, every new comment held).
Each test signs in for itself and marks what it writes with a fresh token; nothing here acts on
comments it did not write, so the other browser tests sharing the server are left alone.
"""

from __future__ import annotations

import re
import urllib.request
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browserkit import BrowserProblems, sign_in

pytestmark = [pytest.mark.browser]

PHONE = {"width": 360, "height": 740}
AUTHOR_NAME = "Wren Writer"


@pytest.fixture(scope="module")
def article(authoring_server: str) -> str:
    """The path of a demo article linked from the home page."""
    with urllib.request.urlopen(authoring_server + "/", timeout=10) as response:
        html = response.read().decode("utf-8")
    found = re.findall(r'href="(/posts/[^"#?]+)"', html)
    assert found, "the home page links to no article"
    return str(found[-1])


def post_held(
    page: Page, url: str, body: str, email: str = "", website: str = "", name: str = "Quinn"
) -> None:
    """As a reader, post a comment on the article at `url` (held: every comment is)."""
    page.goto(url)
    page.locator("#new-name").fill(name)
    page.locator("#new-email").fill(email)
    page.locator("#new-website").fill(website)
    page.locator("#new-body").fill(body)
    with page.expect_response(lambda r: r.request.method == "POST" and "/comments" in r.url):
        page.get_by_role("button", name="Post comment", exact=True).click()
    expect(page.locator("#comment-status")).to_contain_text("awaiting moderation")


def queue_item(page: Page, text: str) -> Locator:
    """The queue's entry holding `text`."""
    return page.locator("li.queue-item", has_text=text)


def open_queue(page: Page, base: str, token: str) -> None:
    """The queue of held comments, searched for `token`."""
    page.goto(f"{base}/editor/comments/?q={token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Comments")


def show_all_comments(page: Page) -> None:
    """Follow "Show more comments" until every thread is on the page."""
    threads = page.locator("#comment-list > li.comment")
    for _ in range(50):
        more = page.locator("#comment-more a")
        if more.count() == 0:
            return
        shown = threads.count()
        more.click()
        expect(threads).not_to_have_count(shown)
    raise AssertionError("the comments never ran out")


def test_a_held_comment_shows_where_its_links_go_and_why_it_waits(
    authoring_server: str,
    article: str,
    page: Page,
    new_context: Callable[..., BrowserContext],
) -> None:
    problems = BrowserProblems()
    base = authoring_server
    token = uuid.uuid4().hex[:10]
    reader = problems.watch(new_context().new_page())
    post_held(
        reader,
        base + article,
        f"Look at [my notes](https://notes.example.org/{token}?a=1&b=2) and "
        f"[this](https://other.example/x) and [that](https://third.example/) [{token}]",
        email=f"quinn-{token}@example.org",
        website=f"https://quinn.example.org/{token}",
    )
    problems.watch(page)
    sign_in(page, base)
    # The dashboard says comments are waiting, in the Comments button.
    expect(page.locator(".page-bar__actions")).to_contain_text(re.compile(r"\(\d+ waiting\)"))
    expect(page.get_by_role("link", name="Comments", exact=True)).to_have_count(1)
    open_queue(page, base, token)
    item = queue_item(page, token)
    expect(item).to_have_count(1)
    expect(item.locator(".queue-item__reason")).to_have_text("Held because: all comments are held")
    expect(item.locator(".queue-item__url")).to_have_text(
        [
            f"https://notes.example.org/{token}?a=1&b=2",
            "https://other.example/x",
            "https://third.example/",
        ]
    )
    expect(item.locator(".queue-item__who")).to_contain_text(f"quinn-{token}@example.org")
    expect(item.locator(".queue-item__who a")).to_have_attribute(
        "href", f"https://quinn.example.org/{token}"
    )
    expect(item.get_by_role("link", name=re.compile("^Open the post"))).to_have_attribute(
        "href", article
    )
    problems.check_csp(page)
    assert problems.unexpected() == []


def test_select_all_ticks_every_box(
    authoring_server: str,
    article: str,
    page: Page,
    new_context: Callable[..., BrowserContext],
) -> None:
    problems = BrowserProblems()
    base = authoring_server
    token = uuid.uuid4().hex[:10]
    reader = problems.watch(new_context().new_page())
    for n in range(3):
        post_held(reader, base + article, f"Tick number {n} [{token}]")
    problems.watch(page)
    sign_in(page, base)
    open_queue(page, base, token)
    boxes = page.locator("li.queue-item input[type=checkbox]")
    expect(boxes).to_have_count(3)
    select_all = page.get_by_label("Select all")
    expect(select_all).to_be_visible()
    select_all.check()
    for n in range(3):
        expect(boxes.nth(n)).to_be_checked()
    boxes.nth(1).uncheck()
    expect(select_all).not_to_be_checked()
    assert select_all.evaluate("(box) => box.indeterminate")
    boxes.nth(1).check()
    expect(select_all).to_be_checked()
    select_all.uncheck()
    for n in range(3):
        expect(boxes.nth(n)).not_to_be_checked()
    # Drawn again by htmx (a search), the box still works.
    with page.expect_response(lambda r: "/editor/comments/" in r.url and "number+1" in r.url):
        page.locator("#queue-q").fill(f"number 1 [{token}]")
        page.get_by_role("button", name="Filter", exact=True).click()
    expect(boxes).to_have_count(1)
    page.get_by_label("Select all").check()
    expect(boxes.first).to_be_checked()
    problems.check_csp(page)
    assert problems.unexpected() == []


def test_a_reply_from_the_queue_appears_on_the_article(
    authoring_server: str,
    article: str,
    page: Page,
    new_context: Callable[..., BrowserContext],
) -> None:
    problems = BrowserProblems()
    base = authoring_server
    token = uuid.uuid4().hex[:10]
    reader = problems.watch(new_context().new_page())
    question = f"Will there be a sequel? [{token}]"
    post_held(reader, base + article, question, name="Asking Ada")
    problems.watch(page)
    sign_in(page, base)
    open_queue(page, base, token)
    item = queue_item(page, token)
    comment_id = (item.get_attribute("id") or "").removeprefix("queue-comment-")
    item.locator("summary", has_text="Reply").click()
    answer = f"Yes, next spring. [{token}-answer]"
    item.get_by_label("Your reply").fill(answer)
    with page.expect_response(lambda r: r.request.method == "POST" and "/reply" in r.url) as info:
        item.get_by_role("button", name="Reply and approve").click()
    assert info.value.status == 200
    expect(page.locator(".queue-message")).to_have_text("Reply published; the comment is approved.")
    # Approved, the comment has left the held list.
    expect(queue_item(page, question)).to_have_count(0)
    expect(page.locator("#queue")).to_have_count(1)

    visitor = problems.watch(new_context().new_page())
    visitor.goto(base + article)
    show_all_comments(visitor)
    parent = visitor.locator(f"#comment-{comment_id}")
    expect(parent.locator(".comment__body").first).to_contain_text(question)
    reply = parent.locator("li.comment", has_text=answer)
    expect(reply).to_have_count(1)
    expect(reply.locator(".comment__author").first).to_have_text(AUTHOR_NAME)
    problems.check_csp(page)
    assert problems.unexpected() == []


def test_the_queue_fits_a_phone(
    authoring_server: str,
    article: str,
    new_context: Callable[..., BrowserContext],
) -> None:
    problems = BrowserProblems()
    base = authoring_server
    token = uuid.uuid4().hex[:10]
    reader = problems.watch(new_context().new_page())
    post_held(
        reader,
        base + article,
        f"A [long one](https://example.org/{'very-long-path-segment-' * 6}{token}) "
        f"https://bare.example.org/{'unbroken' * 12} [{token}]",
        email=f"someone.with.a.rather.long.address.{token}@example-mail-provider.org",
        website=f"https://a-long-home-page-address.example.org/{'path/' * 8}{token}",
    )
    phone = problems.watch(new_context(viewport=PHONE).new_page())
    sign_in(phone, base)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.goto(base + "/editor/comments/")
    queue_item(phone, token).locator("summary", has_text="Reply").click()
    expect(queue_item(phone, token).get_by_label("Your reply")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the queue is {width}px wide on a 360px screen"
    problems.check_csp(phone)
    assert problems.unexpected() == []
