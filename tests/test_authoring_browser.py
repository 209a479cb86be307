"""The authors' side in headless Chromium: sign-in, writing with live preview, moderation.

Runs against `authoring_server`: a real app server with the demo posts, an author account, and
every new comment held for moderation. Each test signs in for itself and marks what it writes
with a fresh token, so the tests do not depend on each other's order.
"""

from __future__ import annotations

import re
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import (
    BrowserContext,
    Dialog,
    Locator,
    Page,
    Response,
    expect,
)

from tests.browserkit import MARKER, BrowserProblems, count_label, sign_in, unique
from tests.conftest import AUTHOR_EMAIL, AUTHOR_PASSWORD

pytestmark = [
    pytest.mark.browser,
]


AUTHOR_NAME = "Wren Writer"
WRONG_PASSWORD = "That email and password do not match an author account."
HELD = "awaiting moderation"


# --- helpers -----------------------------------------------------------------------------------


# Each heading is followed by its "#" link (see reading/outline.py).
HEADING_1 = re.compile(r"^Section heading( #)?$")
HEADING_2 = re.compile(r"^Second part( #)?$")


def comment_count(page: Page) -> int:
    """The number in the article's comment heading."""
    heading = page.locator("#comments-heading").inner_text().strip()
    found = re.fullmatch(r"(\d+) Comments?", heading)
    assert found, f"unexpected comments heading: {heading!r}"
    return int(found.group(1))


def set_marker(page: Page) -> None:
    """A value that only survives as long as the document does (a reload would lose it)."""
    page.evaluate(f"() => {{ window.__marker = {MARKER}; }}")


def assert_marker(page: Page) -> None:
    assert page.evaluate("() => window.__marker") == MARKER, "the page navigated or reloaded"


def is_comment_post(response: Response) -> bool:
    """The comment form's POST to /posts/<slug>/comments."""
    return (
        response.request.method == "POST"
        and re.search(r"/posts/[^/]+/comments$", response.url) is not None
    )


def is_preview(response: Response) -> bool:
    """The editor's live-preview POST."""
    return response.request.method == "POST" and response.url.endswith("/editor/preview")


def is_moderation_post(response: Response) -> bool:
    """A POST to the moderation queue (one comment or bulk)."""
    return response.request.method == "POST" and "/editor/comments/" in response.url


@dataclass
class Problems(BrowserProblems):
    """The shared recorder, keeping the pages it watches to check each one at the end."""

    pages: list[Page] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        """Record what goes wrong on `page`; returns it."""
        self.pages.append(super().watch(page))
        return page

    def may_log(self, url: str, status: int) -> None:
        """Excuse (at most) one console line for this deliberate error response."""
        self.excuse(url, status)

    def assert_none(self) -> None:
        """No CSP violation on any open watched page, and no unexpected console error.

        Violations on pages navigated away from were logged to the console, so they show up
        among the errors.
        """
        for page in self.pages:
            if not page.is_closed():
                self.check_csp(page)
        errors = self.unexpected()
        assert errors == [], "\n".join(errors)


@pytest.fixture
def problems(page: Page) -> Iterator[Problems]:
    """A recorder already watching the `page` fixture."""
    found = Problems()
    found.watch(page)
    yield found


def open_reader(new_context: Callable[..., BrowserContext], problems: Problems) -> Page:
    """A page in a fresh browser context (its own cookies: an anonymous reader), watched."""
    return problems.watch(new_context().new_page())


@pytest.fixture(scope="module")
def articles(authoring_server: str) -> list[str]:
    """Paths of the demo articles linked from the home page, newest first."""
    with urllib.request.urlopen(authoring_server + "/", timeout=10) as response:
        html = response.read().decode("utf-8")
    paths: list[str] = []
    for path in re.findall(r'href="(/posts/[^"#?]+)"', html):
        if path not in paths:
            paths.append(path)
    assert len(paths) >= 3, f"the home page links to too few articles: {paths}"
    # The last ones on the page: the newest may be displaced by a post a test publishes.
    return paths[-3:]


def post_held_comment(page: Page, url: str, name: str, body: str) -> None:
    """As a reader, post a comment on the article at `url`; it is held for moderation."""
    page.goto(url)
    page.locator("#new-name").fill(name)
    page.locator("#new-body").fill(body)
    with page.expect_response(is_comment_post) as info:
        page.get_by_role("button", name="Post comment", exact=True).click()
    assert info.value.status in (200, 303), f"posting the comment answered {info.value.status}"
    expect(page.locator("#comment-status")).to_contain_text(HELD)
    # Held: only its writer sees it, marked as waiting for an author.
    mine = page.locator("#comments li.comment", has_text=body)
    expect(mine).to_have_count(1)
    expect(mine).to_have_class(re.compile(r"\bcomment--held\b"))
    expect(mine.locator(".comment__held")).to_have_text(
        "Only you can see this comment until an author approves it."
    )


def post_two_held(page: Page, url: str, name: str, text: str) -> tuple[str, list[str]]:
    """Post two held comments sharing a fresh token; return the token and their bodies."""
    token = uuid.uuid4().hex[:12]
    bodies = [f"{text} number {n} [{token}]" for n in (1, 2)]
    for body in bodies:
        post_held_comment(page, url, name, body)
    return token, bodies


def show_all_comments(page: Page) -> None:
    """Follow "Show more comments" (3 threads a page here) until every thread is on the page."""
    threads = page.locator("#comment-list > li.comment")
    for _ in range(50):
        more = page.locator("#comment-more a")
        if more.count() == 0:
            return
        shown = threads.count()
        more.click()
        expect(threads).not_to_have_count(shown)
    raise AssertionError("the comments never ran out")


def queue_item(page: Page, body: str) -> Locator:
    """The moderation queue's entry for the comment with `body`."""
    return page.locator("li.queue-item", has_text=body)


# --- tests -------------------------------------------------------------------------------------


def test_sign_in_write_preview_and_publish(
    needs_chromium: None, authoring_server: str, page: Page, problems: Problems
) -> None:
    """A wrong password is refused; then the author writes with live preview and publishes."""
    base = authoring_server
    page.goto(base + "/")
    page.locator("#site-footer").get_by_role("link", name="Author sign-in").click()
    expect(page).to_have_url(base + "/account/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # A wrong password: 401, the message, the email kept, and nobody signed in.
    page.locator("#sign-in-email").fill(AUTHOR_EMAIL)
    page.locator("#sign-in-password").fill("not the passphrase")
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/account/sign-in" in r.url
    ) as info:
        page.get_by_role("button", name="Sign in", exact=True).click()
    refused = info.value
    assert refused.status == 401, f"a wrong password answered {refused.status}"
    problems.may_log(refused.url, 401)
    expect(page.locator(".form-error[role=alert]")).to_have_text(WRONG_PASSWORD)
    expect(page.locator("#sign-in-email")).to_have_value(AUTHOR_EMAIL)
    expect(page.locator("#sign-in-password")).to_have_value("")
    expect(page.locator("#site-footer").get_by_role("link", name="Author sign-in")).to_be_visible()
    expect(page.locator("#site-footer")).not_to_contain_text("Signed in as")

    # The right one: to the dashboard, signed in.
    page.locator("#sign-in-password").fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(base + "/editor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your posts")
    expect(page.locator(".flash-messages")).to_contain_text(f"Welcome back, {AUTHOR_NAME}.")
    expect(page.locator("#site-footer")).to_contain_text(f"Signed in as {AUTHOR_NAME}")

    # A new post, with the preview following the typing in place.
    page.get_by_role("link", name="New post", exact=True).click()
    expect(page).to_have_url(base + "/editor/posts/new")
    expect(page.locator("#editor-heading")).to_have_text("New post")
    set_marker(page)
    token = uuid.uuid4().hex[:8]
    title = f"Browser Test Post {token}"
    page.locator("#editor-title").fill(title)
    page.locator("#editor-tags").fill("Browser Tests, Rivers")
    page.locator("#editor-summary").fill("Written by the browser test.")
    first_paragraph = f"The first paragraph of the test post {token}."
    page.locator("#editor-body").fill(f"## Section heading\n\n{first_paragraph}\n")

    preview = page.locator("#preview")
    expect(preview.locator("h1.post__title")).to_have_text(title)
    expect(preview.locator("h1")).to_have_count(1)
    heading = preview.locator(".post__body h2")
    expect(heading).to_have_text(HEADING_1)
    expect(heading).to_have_attribute("id", re.compile(r"\S"))
    expect(preview.locator(".post__body p")).to_have_text(first_paragraph)
    expect(preview.locator(".post__lede")).to_have_text("Written by the browser test.")
    tags = preview.locator("a.tag")
    expect(tags).to_have_text(["Browser Tests", "Rivers"])
    expect(tags.first).to_have_attribute("href", "/tags/browser-tests")
    expect(tags.nth(1)).to_have_attribute("href", "/tags/rivers")
    # The preview went into the frame: the editor is still there, once, and the tab unchanged.
    expect(page.locator("#editor-form")).to_have_count(1)
    expect(page.locator("#preview")).to_have_count(1)
    expect(page).to_have_title(re.compile(r"^New post · "))
    assert_marker(page)

    # Typing again refreshes it.
    second_paragraph = f"A new paragraph written later {token}."
    with page.expect_response(is_preview) as info:
        page.locator("#editor-body").fill(
            f"## Section heading\n\n{first_paragraph}\n\n## Second part\n\n{second_paragraph}\n"
        )
    assert info.value.status == 200
    assert info.value.request.headers.get("hx-request") == "true", "not an htmx request"
    expect(preview.locator(".post__body h2")).to_have_text([HEADING_1, HEADING_2])
    expect(preview.locator(".post__body p")).to_have_text([first_paragraph, second_paragraph])
    expect(preview.locator("h1.post__title")).to_have_text(title)
    assert_marker(page)
    assert page.url == base + "/editor/posts/new"

    # Publish now and save: to the post's editor, with the message.
    page.get_by_label("Publish now").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/editor/posts/\d+$"))
    expect(page.locator(".flash-messages")).to_have_text("Published.")
    expect(page.locator("#editor-heading")).to_have_text("Edit post")
    expect(page.locator("#editor-title")).to_have_value(title)
    expect(page.get_by_label("Publish now")).to_be_checked()

    # Readers see it: first on the home page ...
    page.goto(base + "/")
    expect(page.locator("#post-list .post-card__title a").first).to_have_text(title)
    # ... under the new tag ...
    page.goto(base + "/tags/browser-tests")
    expect(page.locator("#post-list .post-card__title a", has_text=title)).to_have_count(1)
    # ... and as an article.
    page.locator("#post-list .post-card__title a", has_text=title).click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/posts/[^/?#]+$"))
    expect(page.locator("h1")).to_have_text(title)
    body = page.locator(".post__body")
    expect(body.locator("h2")).to_have_text([HEADING_1, HEADING_2])
    expect(body.locator("h2").first).to_have_attribute("id", re.compile(r"\S"))
    expect(body.locator("p")).to_have_text([first_paragraph, second_paragraph])
    expect(page.locator(".post__footer a.tag")).to_have_text(["Browser Tests", "Rivers"])
    problems.assert_none()


def test_approve_a_held_comment(
    needs_chromium: None,
    authoring_server: str,
    new_context: Callable[..., BrowserContext],
    page: Page,
    problems: Problems,
    articles: list[str],
) -> None:
    """A held comment is hidden until the author approves it in the queue, in place."""
    base = authoring_server
    url = base + articles[0]
    reader = open_reader(new_context, problems)
    other = open_reader(new_context, problems)

    reader.goto(url)
    before = comment_count(reader)
    name = "Petra Reader"
    body = unique("A comment for the author to approve.")
    post_held_comment(reader, url, name, body)
    expect(reader.locator("#comments-heading")).to_have_text(count_label(before))

    other.goto(url)
    show_all_comments(other)
    expect(other.locator("#comments li.comment", has_text=body)).to_have_count(0)
    expect(other.locator("#comments-heading")).to_have_text(count_label(before))

    # The author finds it in the queue (held comments are shown first) and approves it.
    sign_in(page, base)
    page.get_by_role("link", name="Comments", exact=True).click()
    expect(page).to_have_url(base + "/editor/comments/")
    expect(page.locator("#queue-status")).to_have_value("held")
    item = queue_item(page, body)
    expect(item).to_have_count(1)
    expect(item.locator(".status")).to_have_text("Held")
    expect(item).to_contain_text(name)
    item_id = item.get_attribute("id")
    assert item_id and re.fullmatch(r"queue-comment-\d+", item_id), item_id
    set_marker(page)

    with page.expect_response(is_moderation_post) as info:
        item.get_by_role("button", name=re.compile(r"^Approve")).click()
    assert info.value.status == 200, f"approving answered {info.value.status}"
    assert info.value.request.headers.get("hx-request") == "true", "not an htmx request"
    # The new queue replaces the old one: drawn once, not nested inside the clicked button.
    expect(
        page.locator("#queue"), "the queue was swapped into the Approve button, not over #queue"
    ).to_have_count(1)
    expect(page.locator(".queue-message")).to_have_text("1 comment approved.")
    # Approved, it leaves the list of held comments.
    expect(page.locator(f"#{item_id}")).to_have_count(0)
    expect(page.locator(".queue-filter")).to_have_count(1)
    expect(page.locator("#queue-status")).to_have_value("held")
    expect(page.get_by_role("heading", level=1)).to_have_text("Comments")
    assert_marker(page)
    assert page.url == base + "/editor/comments/"

    # The "Approved" filter has it, marked as approved.
    with page.expect_response(lambda r: "status=approved" in r.url):
        page.locator("#queue-status").select_option("approved")
        page.get_by_role("button", name="Filter", exact=True).click()
    approved = page.locator(f"#{item_id}")
    expect(approved).to_have_count(1)
    expect(approved.locator(".status")).to_have_text("Approved")
    expect(approved.get_by_role("button", name=re.compile(r"^Approve"))).to_have_count(0)

    # Now readers see it, and the count has gone up.
    reader.reload()
    show_all_comments(reader)
    shown = reader.locator("#comments li.comment", has_text=body)
    expect(shown).to_have_count(1)
    expect(shown).not_to_have_class(re.compile(r"\bcomment--held\b"))
    expect(shown.locator(".comment__held")).to_have_count(0)
    expect(shown.locator(".comment__author").first).to_have_text(name)
    expect(reader.locator("#comments-heading")).to_have_text(count_label(before + 1))
    expect(reader.locator("#comment-count-link")).to_have_text(count_label(before + 1))
    other.reload()
    show_all_comments(other)
    expect(other.locator("#comments li.comment", has_text=body)).to_have_count(1)
    problems.assert_none()


def test_bulk_mark_as_spam(
    needs_chromium: None,
    authoring_server: str,
    new_context: Callable[..., BrowserContext],
    page: Page,
    problems: Problems,
    articles: list[str],
) -> None:
    """Two ticked held comments are marked as spam at once, in place."""
    base = authoring_server
    url = base + articles[1]
    reader = open_reader(new_context, problems)
    token, bodies = post_two_held(reader, url, "Spam Sender", "Buy cheap things")

    sign_in(page, base)
    page.goto(base + "/editor/comments/")
    expect(page.locator("#queue-status")).to_have_value("held")
    # Narrow the list to this test's comments with the search box, in place.
    set_marker(page)
    with page.expect_response(lambda r: "/editor/comments/" in r.url and token in r.url):
        page.locator("#queue-q").fill(token)
        page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.locator("li.queue-item")).to_have_count(2)
    assert_marker(page)
    for body in bodies:
        queue_item(page, body).get_by_role("checkbox").check()

    with page.expect_response(is_moderation_post) as info:
        page.locator("#bulk-form .bulk-actions").get_by_role(
            "button", name="Mark as spam", exact=True
        ).click()
    assert info.value.status == 200, f"the bulk action answered {info.value.status}"
    assert info.value.request.headers.get("hx-request") == "true", "not an htmx request"
    expect(page.locator(".queue-message")).to_have_text("2 comments marked as spam.")
    for body in bodies:
        expect(queue_item(page, body)).to_have_count(0)
    expect(page.locator("#queue")).to_have_count(1)
    expect(page.locator("#queue-status")).to_have_value("held")
    expect(page.locator("#queue-q")).to_have_value(token)
    assert_marker(page)

    # The Spam filter lists both.
    with page.expect_response(lambda r: "status=spam" in r.url):
        page.locator("#queue-status").select_option("spam")
        page.get_by_role("button", name="Filter", exact=True).click()
    for body in bodies:
        item = queue_item(page, body)
        expect(item).to_have_count(1)
        expect(item.locator(".status")).to_have_text("Spam")
    expect(page.locator("li.queue-item")).to_have_count(2)
    assert_marker(page)

    # And nobody sees them on the article, not even their writer.
    reader.goto(url)
    show_all_comments(reader)
    for body in bodies:
        expect(reader.locator("#comments li.comment", has_text=body)).to_have_count(0)
    problems.assert_none()


def test_bulk_delete_asks_first(
    needs_chromium: None,
    authoring_server: str,
    new_context: Callable[..., BrowserContext],
    page: Page,
    problems: Problems,
    articles: list[str],
) -> None:
    """Bulk delete asks for confirmation: dismissed, nothing happens; accepted, they go."""
    base = authoring_server
    url = base + articles[2]
    reader = open_reader(new_context, problems)
    token, bodies = post_two_held(reader, url, "Short Lived", "Delete me")

    sign_in(page, base)
    page.goto(base + "/editor/comments/?q=" + token)
    expect(page.locator("li.queue-item")).to_have_count(2)
    set_marker(page)
    for body in bodies:
        queue_item(page, body).get_by_role("checkbox").check()
    delete = page.locator("#bulk-form .bulk-actions").get_by_role(
        "button", name="Delete", exact=True
    )
    answers = iter([False, True])
    asked: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        asked.append(dialog.message)
        if next(answers):
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", on_dialog)
    delete.click()
    expect(page.locator("li.queue-item")).to_have_count(2)
    with page.expect_response(is_moderation_post) as info:
        delete.click()
    assert info.value.status == 200
    expect(page.locator(".queue-message")).to_have_text("2 comments deleted.")
    expect(page.locator("li.queue-item")).to_have_count(0)
    assert asked == ["Delete the ticked comments for good?"] * 2
    assert_marker(page)
    problems.assert_none()


def test_sign_out(
    needs_chromium: None, authoring_server: str, page: Page, problems: Problems
) -> None:
    """Signing out lands on the home page and closes the editor again."""
    base = authoring_server
    sign_in(page, base)
    page.locator("#site-footer").get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(base + "/")
    expect(page.locator(".flash-messages")).to_contain_text("You are signed out.")
    expect(page.locator("#site-footer").get_by_role("link", name="Author sign-in")).to_be_visible()
    expect(page.locator("#site-footer")).not_to_contain_text("Signed in as")

    page.goto(base + "/editor/")
    expect(page).to_have_url(re.compile(re.escape(base) + r"/account/sign-in(\?.*)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.goto(base + "/editor/comments/")
    expect(page).to_have_url(re.compile(re.escape(base) + r"/account/sign-in(\?.*)?$"))
    problems.assert_none()


def test_a_throttled_sign_in_counts_down_then_lets_the_author_try(
    needs_chromium: None, authoring_server: str, page: Page, problems: Problems
) -> None:
    """After a few failures the page says how long to wait, counts down, then allows a try."""
    base = authoring_server
    page.goto(base + "/account/sign-in")
    # An address nobody has: its failures slow only itself, not the shared author account.
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
    statuses = []
    for _ in range(4):
        page.locator("#sign-in-email").fill(nobody)
        page.locator("#sign-in-password").fill("wrong guess")
        with page.expect_response(
            lambda r: r.request.method == "POST" and "/account/sign-in" in r.url
        ) as info:
            page.get_by_role("button", name="Sign in", exact=True).click()
        statuses.append(info.value.status)
        problems.may_log(info.value.url, info.value.status)
    assert statuses == [401, 401, 401, 429]
    expect(page.locator(".form-error[role=alert]")).to_contain_text(
        "Too many failed sign-ins for this account. Please wait"
    )
    countdown = page.locator("[data-countdown]")
    expect(countdown).to_contain_text("You can try again in")
    button = page.get_by_role("button", name="Sign in", exact=True)
    expect(button).to_be_disabled()
    expect(countdown).to_have_text("You can try again now.", timeout=5000)
    expect(button).to_be_enabled()
    problems.assert_none()
