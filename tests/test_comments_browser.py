"""Comments in headless Chromium: posting, errors, replies and "more" with htmx and without JS.

Every test works on its own article (found on the home page) and writes comment bodies that
carry a fresh token, so the tests neither depend on each other nor trip the duplicate check.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from tests.browserkit import MARKER, BrowserProblems, count_label, unique

pytestmark = [
    pytest.mark.browser,
]


SUCCESS = "Thanks, {name}! Your comment is posted."
NAME_REQUIRED = "Please tell us your name."
BODY_REQUIRED = "Please write a comment before posting."
BAD_WEBSITE = "Please give a full web address starting with http:// or https://."
NOT_POSTED = "Your comment was not posted: please check the marked fields."
DUPLICATE = "This comment has already been posted here."
CONFIRM = "Almost there: please look over your comment and post it again."


# --- helpers -----------------------------------------------------------------------------------


def comment_count(page: Page) -> int:
    """The number in the comment section's heading, checked against the one by the byline."""
    heading = page.locator("#comments-heading").inner_text().strip()
    found = re.fullmatch(r"(\d+) Comments?", heading)
    assert found, f"unexpected comments heading: {heading!r}"
    expect(page.locator("#comment-count-link")).to_have_text(heading)
    return int(found.group(1))


def expect_count(page: Page, count: int) -> None:
    """Both the heading and the count near the byline say `count`."""
    expect(page.locator("#comments-heading")).to_have_text(count_label(count))
    expect(page.locator("#comment-count-link")).to_have_text(count_label(count))


def is_comment_post(response: Response) -> bool:
    """The form's POST to /posts/<slug>/comments."""
    return (
        response.request.method == "POST"
        and re.search(r"/posts/[^/]+/comments$", response.url) is not None
    )


def set_marker(page: Page) -> None:
    """A value that only survives as long as the document does (a reload would lose it)."""
    page.evaluate(f"() => {{ window.__marker = {MARKER}; }}")


def assert_marker(page: Page) -> None:
    assert page.evaluate("() => window.__marker") == MARKER, "the page navigated or reloaded"


def assert_off_screen(page: Page, selector: str) -> None:
    """The element is there for screen readers but not painted where a reader would see it."""
    painted = page.locator(selector).evaluate(
        """(element) => {
          element.scrollIntoView({block: "center"});
          const box = element.getBoundingClientRect();
          if (box.width < 1 || box.height < 1) return false;
          const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
          return hit !== null && element.contains(hit);
        }"""
    )
    assert not painted, f"{selector} is shown on screen"


def top_level_ids(page: Page, list_selector: str) -> list[str]:
    """Ids of the threads (top-level comments) in a comment list, in page order."""
    return page.locator(f"{list_selector} > li.comment").evaluate_all(
        "(items) => items.map((item) => item.id)"
    )


def post_with_htmx(page: Page, name: str, body: str) -> Response:
    """Fill the new-comment form and post it with htmx; returns the response."""
    page.locator("#new-name").fill(name)
    page.locator("#new-body").fill(body)
    with page.expect_response(is_comment_post) as info:
        page.get_by_role("button", name="Post comment", exact=True).click()
    return info.value


@dataclass
class Problems(BrowserProblems):
    """The shared recorder, plus checks that fail without stopping the test."""

    failed_checks: list[str] = field(default_factory=list)

    def expect_failure(self, response: Response) -> None:
        """Allow the console line Chromium writes for this (deliberate) error response."""
        assert response.status in (409, 422), f"{response.url} answered {response.status}"
        self.excuse(response.url, response.status)

    def soft(self, what: str, check: Callable[[], object]) -> None:
        """Run an assertion; on failure note it (reported at the end) and carry on."""
        try:
            check()
        except AssertionError as error:
            self.failed_checks.append(f"{what}: {str(error).splitlines()[0]}")

    def assert_none(self, *pages: Page, scripts: bool = True) -> None:
        """No unexpected console errors, and (where scripts run) no CSP violation recorded."""
        for page in pages:
            if scripts:
                self.check_csp(page)
        errors = self.unexpected()
        assert errors == [], "\n".join(errors)
        assert self.failed_checks == [], "\n".join(self.failed_checks)


@pytest.fixture
def problems(page: Page) -> Iterator[Problems]:
    """A recorder already watching the `page` fixture."""
    found = Problems()
    found.watch(page)
    yield found


@pytest.fixture(scope="module")
def articles(commenting_server: str) -> list[str]:
    """Paths of the articles listed on the first two pages of the home page, newest first."""
    paths: list[str] = []
    for listing in ("/", "/?page=2"):
        with urllib.request.urlopen(commenting_server + listing, timeout=10) as response:
            html = response.read().decode("utf-8")
        for path in re.findall(r'href="(/posts/[^"#?]+)"', html):
            if path not in paths:
                paths.append(path)
    assert len(paths) >= 5, f"the home page links to too few articles: {paths}"
    return paths


# One article per test, so that no test sees another's comments.
HTMX_POST, VALIDATION, MORE, REPLIES, NO_JS = range(5)


# --- tests -------------------------------------------------------------------------------------


def test_post_comment_with_htmx(
    needs_chromium: None,
    commenting_server: str,
    page: Page,
    problems: Problems,
    articles: list[str],
) -> None:
    """The comment appears in place, counts rise, the form empties and focus moves to it."""
    url = commenting_server + articles[HTMX_POST]
    page.goto(url)
    assert page.evaluate("() => typeof window.htmx") == "object", "htmx did not load"
    title = page.title()
    before = comment_count(page)
    set_marker(page)

    name = "Hazel Browser"
    body = unique("Posted in place by the htmx test.")
    page.locator("#new-email").fill("hazel@example.org")
    page.locator("#new-website").fill("https://hazel.example.org/")
    response = post_with_htmx(page, name, body)
    assert response.status == 200
    assert response.request.headers.get("hx-request") == "true", "not an htmx request"

    new = page.locator("#comment-list > li.comment", has_text=body)
    expect(new).to_have_count(1)
    expect(new).to_have_id(re.compile(r"^comment-\d+$"))
    expect(new.locator(".comment__author").first).to_have_text(name)
    expect_count(page, before + 1)
    expect(page.locator("#comment-status")).to_have_text(SUCCESS.format(name=name))  # announced
    # ... and shown at the new comment, not under the form.
    expect(new.locator("#comment-status-here")).to_have_text(SUCCESS.format(name=name))
    expect(new.locator("#comment-status-here")).to_be_in_viewport()
    for field_id in ("#new-name", "#new-email", "#new-website", "#new-body"):
        expect(page.locator(field_id)).to_have_value("")
    expect(new).to_be_focused()
    expect(page.locator("#comments")).to_have_count(1)
    expect(page.locator("#comment-status")).to_have_count(1)
    assert_marker(page)
    assert page.url == url
    expect(page).to_have_title(title)

    # The same comment again is refused (409) in place, with the reason under the comment box.
    response = post_with_htmx(page, name, body)
    assert response.status == 409
    problems.expect_failure(response)
    expect(page.locator("#new-body-error")).to_have_text(DUPLICATE)
    expect(page.locator("#new-body")).to_have_value(body)
    expect(page.locator("#new-body")).to_be_focused()
    expect_count(page, before + 1)
    assert_marker(page)
    problems.assert_none(page)


def test_validation_errors_inline(
    needs_chromium: None,
    commenting_server: str,
    page: Page,
    problems: Problems,
    articles: list[str],
) -> None:
    """Errors show under their fields in place, keeping what was typed; nothing is posted."""
    url = commenting_server + articles[VALIDATION]
    page.goto(url)
    before = comment_count(page)
    set_marker(page)

    # Nothing but an email address.
    page.locator("#new-email").fill("reader@example.org")
    with page.expect_response(is_comment_post) as info:
        page.get_by_role("button", name="Post comment", exact=True).click()
    assert info.value.status == 422
    problems.expect_failure(info.value)

    expect(page.locator("#new-name-error")).to_be_visible()
    expect(page.locator("#new-name-error")).to_have_text(NAME_REQUIRED)
    expect(page.locator("#new-body-error")).to_be_visible()
    expect(page.locator("#new-body-error")).to_have_text(BODY_REQUIRED)
    for name in ("name", "body"):
        field_input = page.locator(f"#new-{name}")
        expect(field_input).to_have_attribute("aria-invalid", "true")
        expect(field_input).to_have_attribute("aria-describedby", f"new-{name}-error")
    expect(page.locator("#new-name")).to_be_focused()
    expect(page.locator("#new-email")).to_have_value("reader@example.org")
    expect(page.locator("#new-email")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#new-website-error")).to_have_count(0)
    expect(page.locator("#post-a-comment .form-error")).to_have_text(NOT_POSTED)
    expect(page.locator("#comment-status")).to_have_text(NOT_POSTED)  # announced
    problems.soft(
        "with htmx the error in #comment-status is shown on screen as well as in the form "
        "(it is visually hidden without JS)",
        lambda: assert_off_screen(page, "#comment-status p"),
    )
    expect_count(page, before)
    assert_marker(page)
    assert page.url == url

    # A name and a comment now, but a web address that is a script.
    body = unique("Checking the website field.")
    page.locator("#new-name").fill("Iris Tester")
    page.locator("#new-website").fill("javascript:alert(1)")
    page.locator("#new-body").fill(body)
    with page.expect_response(is_comment_post) as info:
        page.get_by_role("button", name="Post comment", exact=True).click()
    assert info.value.status == 422
    problems.expect_failure(info.value)

    expect(page.locator("#new-website-error")).to_be_visible()
    expect(page.locator("#new-website-error")).to_have_text(BAD_WEBSITE)
    expect(page.locator("#new-website")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#new-website")).to_be_focused()
    expect(page.locator("#new-name-error")).to_have_count(0)
    expect(page.locator("#new-body-error")).to_have_count(0)
    expect(page.locator("#new-name")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#new-name")).to_have_value("Iris Tester")
    expect(page.locator("#new-email")).to_have_value("reader@example.org")
    expect(page.locator("#new-website")).to_have_value("javascript:alert(1)")
    expect(page.locator("#new-body")).to_have_value(body)
    expect(page.locator("#comments li.comment", has_text=body)).to_have_count(0)
    expect_count(page, before)
    assert_marker(page)

    # Corrected, it posts, and the error messages go away.
    page.locator("#new-website").fill("https://iris.example.org/")
    with page.expect_response(is_comment_post) as info:
        page.get_by_role("button", name="Post comment", exact=True).click()
    assert info.value.status == 200
    new = page.locator("#comment-list > li.comment", has_text=body)
    expect(new).to_have_count(1)
    expect(new.locator("a.comment__author")).to_have_attribute("href", "https://iris.example.org/")
    expect(page.locator("#post-a-comment .field-error")).to_have_count(0)
    expect(page.locator("#post-a-comment .form-error")).to_have_count(0)
    expect(page.locator("#post-a-comment [aria-invalid]")).to_have_count(0)
    expect(page.locator("#comment-status")).to_have_text(SUCCESS.format(name="Iris Tester"))
    expect_count(page, before + 1)
    assert_marker(page)
    assert page.url == url
    problems.assert_none(page)


def test_replies_nest_two_levels(
    needs_chromium: None,
    commenting_server: str,
    page: Page,
    problems: Problems,
    articles: list[str],
) -> None:
    """Reply opens a form under its comment; replies, and replies to replies, nest in place."""
    url = commenting_server + articles[REPLIES]
    page.goto(url)
    title = page.title()
    if page.locator("#comment-list > li.comment").count() == 0:
        assert post_with_htmx(page, "Opening Poster", unique("Something to reply to.")).ok
        expect(page.locator("#comment-list > li.comment")).to_have_count(1)
    before = comment_count(page)
    set_marker(page)

    parent = page.locator("#comment-list > li.comment").first
    parent_id = (parent.get_attribute("id") or "").removeprefix("comment-")
    assert parent_id.isdigit(), parent_id
    parent_name = parent.locator(".comment__author").first.inner_text().strip()

    # Reply: the form is loaded into the slot under that comment.
    reply_link = page.locator(f"#comment-{parent_id}-actions a.comment__action").filter(
        has_text=re.compile(r"^Reply")
    )
    expect(reply_link).to_have_accessible_name(f"Reply to {parent_name}")
    reply_link.click()
    slot = page.locator(f"#comment-{parent_id} > #reply-slot-{parent_id}")
    expect(slot.locator("form")).to_be_visible()
    # The first empty required field (nothing is remembered in this browser).
    expect(slot.locator(f"#reply-{parent_id}-name")).to_be_focused()
    expect(page.locator("#comments form")).to_have_count(2)  # the reply form and the new one
    problems.soft(
        "opening the reply form renamed the article's tab",
        lambda: expect(page).to_have_title(title),
    )
    assert page.url == url

    # An empty reply: the messages appear in the reply form, still under its comment.
    with page.expect_response(is_comment_post) as info:
        slot.get_by_role("button", name="Post reply", exact=True).click()
    assert info.value.status == 422
    problems.expect_failure(info.value)
    expect(slot.locator(f"#reply-{parent_id}-name-error")).to_have_text(NAME_REQUIRED)
    expect(slot.locator(f"#reply-{parent_id}-body-error")).to_have_text(BODY_REQUIRED)
    expect(page.locator(f"#reply-{parent_id}-name")).to_be_focused()
    expect(page.locator("#new-name-error")).to_have_count(0)
    expect_count(page, before)
    assert_marker(page)

    first_body = unique("A first-level reply.")
    page.locator(f"#reply-{parent_id}-name").fill("Rowan Replier")
    page.locator(f"#reply-{parent_id}-body").fill(first_body)
    with page.expect_response(is_comment_post) as info:
        slot.get_by_role("button", name="Post reply", exact=True).click()
    assert info.value.status == 200

    replies = page.locator(f"#comment-{parent_id} > ol.comment-replies > li.comment")
    reply = replies.filter(has_text=first_body)
    expect(reply).to_have_count(1)
    expect(reply).to_be_focused()
    expect_count(page, before + 1)
    expect(page.locator("#comment-status")).to_have_text(SUCCESS.format(name="Rowan Replier"))
    expect(page.locator(f"#reply-slot-{parent_id}")).to_be_empty()
    expect(page.locator("#comment-list > li.comment", has_text=first_body)).to_have_id(
        f"comment-{parent_id}"
    )
    assert_marker(page)

    # A reply to that reply nests one level deeper.
    reply_id = (reply.get_attribute("id") or "").removeprefix("comment-")
    assert reply_id.isdigit(), reply_id
    page.locator(f"#comment-{reply_id}-actions a.comment__action").filter(
        has_text=re.compile(r"^Reply")
    ).click()
    expect(page.locator(f"#reply-slot-{reply_id} form")).to_be_visible()
    expect(page.locator(f"#reply-{reply_id}-name")).to_be_focused()
    second_body = unique("A second-level reply.")
    page.locator(f"#reply-{reply_id}-name").fill("Sage Second")
    page.locator(f"#reply-{reply_id}-body").fill(second_body)
    with page.expect_response(is_comment_post) as info:
        page.locator(f"#reply-slot-{reply_id}").get_by_role(
            "button", name="Post reply", exact=True
        ).click()
    assert info.value.status == 200

    nested = page.locator(
        f"#comment-list > #comment-{parent_id} > ol.comment-replies > #comment-{reply_id}"
        " > ol.comment-replies > li.comment"
    ).filter(has_text=second_body)
    expect(nested).to_have_count(1)
    expect(nested).to_be_focused()
    expect_count(page, before + 2)
    expect(page.locator("#comment-status")).to_have_text(SUCCESS.format(name="Sage Second"))
    assert_marker(page)
    assert page.url == url
    expect(page).to_have_title(title)
    problems.assert_none(page)


def ensure_more_threads(page: Page, url: str) -> None:
    """Post top-level comments through the form until the article has a second page of them."""
    for number in range(4):
        page.goto(url)
        if page.locator("#comment-more").count():
            return
        assert post_with_htmx(page, "Thread Starter", unique(f"Thread {number}.")).ok
    page.goto(url)
    expect(page.locator("#comment-more")).to_have_count(1)


def test_show_more_comments(
    needs_chromium: None,
    commenting_server: str,
    page: Page,
    problems: Problems,
    browser: Browser,
    articles: list[str],
) -> None:
    """The "Show more comments" link appends the next threads in place; without JS it is a page."""
    url = commenting_server + articles[MORE]
    ensure_more_threads(page, url)
    page.goto(url)
    title = page.title()
    first_ids = top_level_ids(page, "#comment-list")
    assert len(first_ids) == 3, f"COMMENTS_PER_PAGE is 3, but page 1 shows {first_ids}"
    more = page.locator("#comment-more a")
    expect(more).to_have_text(re.compile(r"^Show more comments"))
    more_href = more.get_attribute("href") or ""
    assert re.fullmatch(r"/posts/[^/]+/comments\?page=2", more_href), more_href

    # Without JavaScript the link is an ordinary link to a page of comments.
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        problems.watch(plain)
        plain.goto(url)
        plain.locator("#comment-more a").click()
        expect(plain).to_have_url(commenting_server + more_href)
        expect(plain.locator("h1")).to_have_text("Comments, page 2")
        second_ids = top_level_ids(plain, ".comment-list")
        assert second_ids, "page 2 of the comments is empty"
        assert not set(second_ids) & set(first_ids), f"page 2 repeats page 1: {second_ids}"
        third_page = plain.locator("#comment-more a").count() > 0
        if third_page:
            expect(plain.locator("#comment-more a")).to_have_attribute(
                "href", more_href.replace("=2", "=3")
            )
        expect(plain.get_by_role("link", name="Post a comment")).to_have_attribute(
            "href", articles[MORE] + "#post-a-comment"
        )
    finally:
        context.close()

    # With htmx, the same link appends those threads to the list.
    set_marker(page)
    with page.expect_response(lambda r: r.url == commenting_server + more_href) as info:
        more.click()
    assert info.value.status == 200
    assert info.value.request.headers.get("hx-request") == "true", "not an htmx request"
    expect(page.locator("#comment-list > li.comment")).to_have_count(
        len(first_ids) + len(second_ids)
    )
    assert top_level_ids(page, "#comment-list") == first_ids + second_ids
    # The link is replaced: by one to page 3 if there is one, else by nothing.
    expect(page.locator("#comment-more")).to_have_count(1 if third_page else 0)
    if third_page:
        expect(page.locator("#comment-more a")).to_have_attribute(
            "href", more_href.replace("=2", "=3")
        )
    expect(page.locator("#comment-list")).to_have_count(1)
    assert_marker(page)
    assert page.url == url
    problems.soft(
        "showing more comments in place renamed the article's tab",
        lambda: expect(page).to_have_title(title),
    )
    problems.assert_none(page)


def test_comments_without_javascript(
    needs_chromium: None,
    commenting_server: str,
    browser: Browser,
    articles: list[str],
) -> None:
    """Post, fail validation, and reply with plain forms: redirects and full pages."""
    path = articles[NO_JS]
    url = commenting_server + path
    context = browser.new_context(java_script_enabled=False)
    problems = Problems()
    try:
        page = context.new_page()
        problems.watch(page)
        page.goto(url)
        before = comment_count(page)

        # The article is the page every reader shares (cached), so its form carries no stamp:
        # the first post shows the form again, filled in, with one, to confirm (422).
        name = "Nell Noscript"
        body = unique("Posted without JavaScript.")
        page.locator("#new-name").fill(name)
        page.locator("#new-body").fill(body)
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Post comment", exact=True).click()
        confirm = navigation.value
        assert confirm is not None and confirm.status == 422
        problems.expect_failure(confirm)
        expect(page.locator("#post-a-comment .form-error")).to_have_text(CONFIRM)
        expect(page.locator("#new-name")).to_have_value(name)
        expect(page.locator("#new-body")).to_have_value(body)

        # Posting it then redirects (303) back to the article, at the new comment.
        with page.expect_response(is_comment_post) as posted:
            page.get_by_role("button", name="Post comment", exact=True).click()
        assert posted.value.status == 303
        assert posted.value.request.headers.get("hx-request") is None
        expect(page).to_have_url(re.compile(re.escape(url) + r"#comment-\d+$"))
        anchor = page.url.rsplit("#", 1)[1]
        new = page.locator(f"#{anchor}")
        expect(new).to_contain_text(body)
        expect(page.locator("#comment-list > li.comment", has_text=body)).to_have_id(anchor)
        expect(page.locator("#comment-status")).to_have_text(SUCCESS.format(name=name))
        expect(new.locator("#comment-status-here")).to_have_text(SUCCESS.format(name=name))
        expect(new.locator("#comment-status-here")).to_be_visible()
        expect_count(page, before + 1)
        expect(page.locator("#new-name")).to_have_value("")
        expect(page.locator("#new-body")).to_have_value("")

        # The message was for that one page view.
        page.goto(url)
        expect(page.locator("#comment-status p")).to_have_count(0)
        expect(page.locator("#comment-status-here")).to_have_count(0)

        # A validation error is a full page (422) with the messages and what was typed.
        page.locator("#new-email").fill("nell@example.org")
        page.locator("#new-website").fill("javascript:alert(1)")
        kept_body = unique("Kept after an error.")
        page.locator("#new-body").fill(kept_body)
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Post comment", exact=True).click()
        failed = navigation.value
        assert failed is not None and failed.status == 422
        problems.expect_failure(failed)
        expect(page.locator(".site-header")).to_have_count(1)
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator("#new-name-error")).to_have_text(NAME_REQUIRED)
        expect(page.locator("#new-website-error")).to_have_text(BAD_WEBSITE)
        expect(page.locator("#new-body-error")).to_have_count(0)
        expect(page.locator("#new-name")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#new-website")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#new-email")).to_have_value("nell@example.org")
        expect(page.locator("#new-website")).to_have_value("javascript:alert(1)")
        expect(page.locator("#new-body")).to_have_value(kept_body)
        expect(page.locator("#post-a-comment .form-error")).to_have_text(NOT_POSTED)
        expect(page.locator("#comment-status")).to_have_text(NOT_POSTED)  # announced
        assert_off_screen(page, "#comment-status p")  # ... but shown once, in the form
        expect(page.locator("#comments li.comment", has_text=kept_body)).to_have_count(0)
        expect_count(page, before + 1)

        # Reply goes to a page of its own; posting there lands under the parent comment.
        page.goto(url)
        parent_id = anchor.removeprefix("comment-")
        page.locator(f"#comment-{parent_id}-actions a.comment__action").filter(
            has_text=re.compile(r"^Reply")
        ).click()
        expect(page).to_have_url(f"{url}/comments/{parent_id}/reply")
        expect(page.locator("h1")).to_have_text(f"Reply to {name}")
        reply_name = "Otto Offline"
        reply_body = unique("A reply without JavaScript.")
        page.locator(f"#reply-{parent_id}-name").fill(reply_name)
        page.locator(f"#reply-{parent_id}-body").fill(reply_body)
        with page.expect_response(is_comment_post) as replied:
            page.get_by_role("button", name="Post reply", exact=True).click()
        assert replied.value.status == 303
        expect(page).to_have_url(re.compile(re.escape(url) + r"#comment-\d+$"))
        reply_anchor = page.url.rsplit("#", 1)[1]
        reply = page.locator(f"#comment-{parent_id} > ol.comment-replies > li#{reply_anchor}")
        expect(reply).to_contain_text(reply_body)
        expect(page.locator("#comment-status")).to_have_text(SUCCESS.format(name=reply_name))
        expect_count(page, before + 2)
        problems.assert_none(page, scripts=False)
    finally:
        context.close()
