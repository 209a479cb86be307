"""The commenter's comforts in headless Chromium, against a real app server.

A remembered commenter (opt-in, in the browser only), the reply form's focus, the "Thanks"
message at the new comment on a 360 px phone, Cancel and Esc closing reply and edit forms in
place, the "Author" mark on the post author's replies, and a highlighted comment permalink.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browserkit import unique
from tests.conftest import COMMENTING_ENV
from tests.liveserver import app_server, create_author
from tests.test_comments_browser import (
    Problems,
    assert_marker,
    is_comment_post,
    post_with_htmx,
    set_marker,
)

pytestmark = [pytest.mark.browser]

POST_AUTHOR = ("wren@example.org", "Wren Writer")
OTHER_AUTHOR = ("olive@example.org", "Olive Other")
PASSWORD = "a long test passphrase"
STORE_KEY = "blog.commenter"
PHONE = {"width": 360, "height": 640}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app server with the demo posts, quick commenting, and two author accounts."""
    work: Path = tmp_path_factory.mktemp("comforts")
    with app_server(work, extra_env=COMMENTING_ENV) as base:
        for email, name in (POST_AUTHOR, OTHER_AUTHOR):
            create_author(work, email, PASSWORD, name=name)
        yield base


@pytest.fixture(scope="module")
def articles(server: str, browser: Browser) -> list[str]:
    """Article URLs from the home page, one per test that needs its own."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server + "/")
        hrefs = page.locator("#post-list .post-card__title a").evaluate_all(
            "(links) => links.map((link) => link.href)"
        )
    finally:
        context.close()
    assert len(hrefs) >= 5, hrefs
    return list(hrefs)


@pytest.fixture
def problems(page: Page) -> Iterator[Problems]:
    """Console errors and CSP violations on `page`, checked by each test at its end."""
    found = Problems()
    found.watch(page)
    yield found


REMEMBER, FOCUS, STATUS, REPLY_CANCEL, EDIT_CANCEL = range(5)
PERMALINK = FOCUS  # it only needs two comments, whoever wrote them


def stored(page: Page) -> object:
    """What the page's script keeps in localStorage (None when nothing)."""
    return page.evaluate(f"() => JSON.parse(localStorage.getItem('{STORE_KEY}'))")


def first_comment_id(page: Page) -> str:
    """The id number of the first comment on the page, posting one first if there is none."""
    if page.locator("#comment-list > li.comment").count() == 0:
        assert post_with_htmx(page, "Opening Poster", unique("Something to reply to.")).ok
    found = page.locator("#comment-list > li.comment").first.get_attribute("id") or ""
    assert found.startswith("comment-"), found
    return found.removeprefix("comment-")


def open_reply(page: Page, comment_id: str) -> None:
    """Click Reply under a comment and wait for the form in its slot."""
    page.locator(f'#comment-{comment_id}-actions [data-comment-opens="reply"]').click()
    expect(page.locator(f"#reply-slot-{comment_id} form")).to_be_visible()


# --- remembered commenter -------------------------------------------------------------------------


def test_remembered_commenter(
    needs_chromium: None,
    server: str,
    page: Page,
    problems: Problems,
    articles: list[str],
    browser: Browser,
) -> None:
    """Opt in, post, come back: the fields are filled by the browser, never by the server."""
    url = articles[REMEMBER]
    page.goto(url)
    box = page.locator("#new-remember")
    expect(box).to_be_visible()
    expect(box).not_to_be_checked()  # off by default
    expect(page.get_by_label("Remember my name, email and website on this browser")).to_have_count(
        1
    )

    name, email, website = "Remy Remembered", "remy@example.org", "https://remy.example/"
    page.locator("#new-email").fill(email)
    page.locator("#new-website").fill(website)
    box.check()
    response = post_with_htmx(page, name, unique("Remember me, please."))
    assert response.status == 200
    assert "remember" not in (response.request.post_data or ""), "the box was sent"
    assert stored(page) == {"name": name, "email": email, "website": website}
    # The fresh form after posting is filled again, and says it remembers.
    expect(page.locator("#new-name")).to_have_value(name)
    expect(page.locator("#new-email")).to_have_value(email)
    expect(page.locator("#new-website")).to_have_value(website)
    expect(page.locator("#new-body")).to_have_value("")
    expect(page.locator("#new-remember")).to_be_checked()

    # Next visit: filled in by the browser; the server's HTML holds none of it.
    page.reload()
    expect(page.locator("#new-name")).to_have_value(name)
    expect(page.locator("#new-email")).to_have_value(email)
    expect(page.locator("#new-website")).to_have_value(website)
    expect(page.locator("#new-remember")).to_be_checked()
    html = page.request.get(url).text()
    assert email not in html and website not in html
    assert f'value="{name}"' not in html

    # A reply form is filled too, and the cursor waits in the reply text.
    comment_id = first_comment_id(page)
    open_reply(page, comment_id)
    expect(page.locator(f"#reply-{comment_id}-name")).to_have_value(name)
    expect(page.locator(f"#reply-{comment_id}-email")).to_have_value(email)
    expect(page.locator(f"#reply-{comment_id}-remember")).to_be_checked()
    expect(page.locator(f"#reply-{comment_id}-body")).to_be_focused()
    reply_link = page.locator(f'#comment-{comment_id}-actions [data-comment-opens="reply"]')
    reply_url = server + (reply_link.get_attribute("href") or "")
    reply_html = page.request.get(reply_url, headers={"HX-Request": "true"}).text()
    assert email not in reply_html and f'value="{name}"' not in reply_html

    # Untick and post: forgotten.
    page.reload()
    page.locator("#new-remember").uncheck()
    assert post_with_htmx(page, name, unique("Forget me now.")).status == 200
    assert stored(page) is None
    expect(page.locator("#new-name")).to_have_value("")
    page.reload()
    expect(page.locator("#new-name")).to_have_value("")
    expect(page.locator("#new-email")).to_have_value("")
    expect(page.locator("#new-remember")).not_to_be_checked()

    # Without JavaScript there is no box to mislead anyone.
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(url)
        expect(plain.locator("#new-remember")).to_be_hidden()
    finally:
        context.close()
    problems.assert_none(page)


def test_errors_are_not_overwritten_by_remembered_values(
    needs_chromium: None, server: str, page: Page, problems: Problems, articles: list[str]
) -> None:
    """A name deliberately emptied stays empty when the form comes back with its error."""
    page.goto(articles[REMEMBER])
    page.evaluate(
        f"""() => localStorage.setItem("{STORE_KEY}",
            JSON.stringify({{name: "Stored Name", email: "", website: ""}}))"""
    )
    page.reload()
    expect(page.locator("#new-name")).to_have_value("Stored Name")
    page.locator("#new-name").fill("")
    page.locator("#new-body").fill(unique("No name on this one."))
    with page.expect_response(is_comment_post) as info:
        page.get_by_role("button", name="Post comment", exact=True).click()
    assert info.value.status == 422
    problems.expect_failure(info.value)
    expect(page.locator("#new-name-error")).to_be_visible()
    expect(page.locator("#new-name")).to_have_value("")
    expect(page.locator("#new-name")).to_be_focused()
    problems.assert_none(page)


# --- the reply form's focus -----------------------------------------------------------------------


def test_reply_form_focuses_first_empty_required_field(
    needs_chromium: None, server: str, page: Page, problems: Problems, articles: list[str]
) -> None:
    """Nothing remembered: the name. A remembered name: the reply text."""
    page.goto(articles[FOCUS])
    comment_id = first_comment_id(page)
    open_reply(page, comment_id)
    expect(page.locator(f"#reply-{comment_id}-name")).to_be_focused()

    page.evaluate(
        f"""() => localStorage.setItem("{STORE_KEY}",
            JSON.stringify({{name: "Fay Focus", email: "fay@example.org", website: ""}}))"""
    )
    page.reload()
    open_reply(page, comment_id)
    expect(page.locator(f"#reply-{comment_id}-name")).to_have_value("Fay Focus")
    expect(page.locator(f"#reply-{comment_id}-body")).to_be_focused()
    problems.assert_none(page)


# --- the message at the new comment, on a phone ---------------------------------------------------


def test_status_is_at_the_new_comment_on_a_phone(
    needs_chromium: None, server: str, browser: Browser, articles: list[str]
) -> None:
    """On a 360x640 screen the "Thanks" line is in view, inside the new comment."""
    url = articles[STATUS]
    problems = Problems()
    context = browser.new_context(viewport=PHONE)
    try:
        page = problems.watch(context.new_page())
        page.goto(url)
        # A long comment: its top (where the message is) must still be on screen.
        name = "Petra Phone"
        body = (
            unique("A long comment from a phone.")
            + "\n\n"
            + "\n\n".join(
                f"Paragraph {n} of a comment long enough to be taller than the screen."
                for n in range(25)
            )
        )
        response = post_with_htmx(page, name, body)
        assert response.status == 200
        new = page.locator("#comment-list > li.comment").filter(has_text="A long comment from")
        status = new.locator("#comment-status-here")
        expect(status).to_have_text(f"Thanks, {name}! Your comment is posted.")
        expect(status).to_be_in_viewport()
        expect(new).to_be_focused()
        expect(page.locator("#comment-status")).to_have_text(
            f"Thanks, {name}! Your comment is posted."
        )  # announced by the live region, which is not shown twice
        expect(page.locator("#comment-status p")).to_have_class(re.compile(r"\bvisually-hidden\b"))

        # A reply: the message sits at the reply.
        comment_id = first_comment_id(page)
        open_reply(page, comment_id)
        page.locator(f"#reply-{comment_id}-name").fill("Rory Reply")
        page.locator(f"#reply-{comment_id}-body").fill(unique("A reply from a phone."))
        with page.expect_response(is_comment_post) as info:
            page.locator(f"#reply-slot-{comment_id}").get_by_role(
                "button", name="Post reply"
            ).click()
        assert info.value.status == 200
        reply = page.locator(f"#comment-{comment_id} > ol.comment-replies > li.comment").filter(
            has_text="A reply from a phone."
        )
        expect(reply.locator("#comment-status-here")).to_have_text(
            "Thanks, Rory Reply! Your comment is posted."
        )
        expect(reply.locator("#comment-status-here")).to_be_in_viewport()
        problems.assert_none(page)
    finally:
        context.close()

    # Without JavaScript: the redirect lands on the comment, message first.
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = problems.watch(context.new_page())
        page.goto(url)
        page.locator("#new-name").fill("Nia Noscript")
        page.locator("#new-body").fill(unique("Posted from a phone without JavaScript."))
        # The shared (cached) article's form has no stamp: the first post asks to confirm.
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Post comment", exact=True).click()
        confirm = navigation.value
        assert confirm is not None and confirm.status == 422
        problems.excuse(confirm.url, 422)
        with page.expect_response(is_comment_post) as posted:
            page.get_by_role("button", name="Post comment", exact=True).click()
        assert posted.value.status == 303
        expect(page).to_have_url(re.compile(r"#comment-\d+$"))
        anchor = page.url.rsplit("#", 1)[1]
        status = page.locator(f"#{anchor} > #comment-status-here")
        expect(status).to_have_text("Thanks, Nia Noscript! Your comment is posted.")
        expect(status).to_be_in_viewport()
        expect(page.locator("#messages")).to_be_empty()  # not a second time at the top
        problems.assert_none(page, scripts=False)
    finally:
        context.close()


# --- Cancel and Esc -------------------------------------------------------------------------------


def test_cancel_and_escape_close_a_reply_form_in_place(
    needs_chromium: None,
    server: str,
    page: Page,
    problems: Problems,
    articles: list[str],
    browser: Browser,
) -> None:
    url = articles[REPLY_CANCEL]
    page.goto(url)
    comment_id = first_comment_id(page)
    set_marker(page)
    reply_link = page.locator(f'#comment-{comment_id}-actions [data-comment-opens="reply"]')
    slot = page.locator(f"#reply-slot-{comment_id}")

    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_reply(page, comment_id)
    requests.clear()
    slot.get_by_role("link", name="Cancel").click()
    expect(slot).to_be_empty()
    expect(reply_link).to_be_focused()
    assert requests == [], f"Cancel asked the server: {requests}"

    # Keyboard only: Enter on Reply, type, Esc.
    reply_link.press("Enter")
    expect(slot.locator("form")).to_be_visible()
    page.locator(f"#reply-{comment_id}-body").fill("Never mind.")
    page.keyboard.press("Escape")
    expect(slot).to_be_empty()
    expect(reply_link).to_be_focused()
    assert_marker(page)
    assert page.url == url
    problems.assert_none(page)

    # Without JavaScript, Cancel on the reply page is a link back to the comment.
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(url)
        plain.locator(f'#comment-{comment_id}-actions [data-comment-opens="reply"]').click()
        plain.get_by_role("link", name="Cancel").click()
        expect(plain).to_have_url(f"{url}#comment-{comment_id}")
    finally:
        context.close()


def test_cancel_and_escape_close_an_edit_form_in_place(
    needs_chromium: None, server: str, page: Page, problems: Problems, articles: list[str]
) -> None:
    page.goto(articles[EDIT_CANCEL])
    body = unique("Words I may edit.")
    assert post_with_htmx(page, "Eddie Editor", body).status == 200
    mine = page.locator("#comment-list > li.comment", has_text=body)
    comment_id = (mine.get_attribute("id") or "").removeprefix("comment-")
    card = page.locator(f"#comment-{comment_id}-card")
    edit_link = page.locator(f'#comment-{comment_id}-actions [data-comment-opens="edit"]')
    set_marker(page)

    edit_link.click()
    textarea = page.locator(f"#edit-{comment_id}-body")
    expect(textarea).to_be_focused()
    textarea.fill("Changed my mind.")
    card.get_by_role("link", name="Cancel").click()
    expect(card.locator(".comment__body")).to_have_text(re.compile(re.escape(body)))
    expect(card.locator("form")).to_have_count(0)
    expect(edit_link).to_be_focused()

    # The restored links still work (htmx knows them again); Esc closes the form too.
    edit_link.press("Enter")
    expect(textarea).to_be_focused()
    textarea.press("Escape")
    expect(card.locator("form")).to_have_count(0)
    expect(card.locator(".comment__body")).to_have_text(re.compile(re.escape(body)))
    expect(edit_link).to_be_focused()

    # And saving still works after all that.
    edit_link.click()
    textarea.fill("Edited for real.")
    card.get_by_role("button", name="Save changes").click()
    expect(card.locator(".comment__body")).to_have_text("Edited for real.")
    assert_marker(page)
    problems.assert_none(page)


# --- the "Author" mark ----------------------------------------------------------------------------


def signed_in_context(browser: Browser, base: str, email: str) -> tuple[BrowserContext, Page]:
    """A browser signed in as the author with `email`."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/account/sign-in")
    page.locator("#sign-in-email").fill(email)
    page.locator("#sign-in-password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(base + "/editor/")
    return context, page


def test_author_badge(needs_chromium: None, server: str, browser: Browser) -> None:
    """The signed-in post author is marked; a reader typing that name, or another author, not."""
    problems = Problems()
    author_context, author = signed_in_context(browser, server, POST_AUTHOR[0])
    reader_context = browser.new_context()
    other_context, other = signed_in_context(browser, server, OTHER_AUTHOR[0])
    try:
        problems.watch(author)
        title = unique("A post by Wren")
        author.goto(server + "/editor/posts/new")
        author.locator("#editor-title").fill(title)
        author.locator("#editor-summary").fill("For the badge test.")
        author.locator("#editor-body").fill("Something to discuss.")
        author.get_by_label("Publish now").check()
        author.get_by_role("button", name="Save", exact=True).click()
        expect(author.locator(".flash-messages")).to_have_text("Published.")
        author.goto(server + "/")
        author.locator("#post-list .post-card__title a", has_text=title).click()
        url = author.url

        # A reader posing as the author.
        reader = problems.watch(reader_context.new_page())
        reader.goto(url)
        question = unique("A question for the author.")
        assert post_with_htmx(reader, POST_AUTHOR[1], question).status == 200
        posed = reader.locator("#comment-list > li.comment", has_text=question)
        expect(posed.locator(".comment__author").first).to_have_text(POST_AUTHOR[1])
        expect(posed.locator(".comment__badge")).to_have_count(0)
        comment_id = (posed.get_attribute("id") or "").removeprefix("comment-")

        # The author replies: their name is filled in, and their reply is marked.
        author.goto(url)
        open_reply(author, comment_id)
        expect(author.locator(f"#reply-{comment_id}-name")).to_have_value(POST_AUTHOR[1])
        expect(author.locator(f"#reply-{comment_id}-body")).to_be_focused()
        answer = unique("The author answers.")
        author.locator(f"#reply-{comment_id}-body").fill(answer)
        with author.expect_response(is_comment_post) as info:
            author.locator(f"#reply-slot-{comment_id}").get_by_role(
                "button", name="Post reply"
            ).click()
        assert info.value.status == 200

        # Another author replies too.
        other.goto(url)
        open_reply(other, comment_id)
        other_answer = unique("Another author chimes in.")
        other.locator(f"#reply-{comment_id}-body").fill(other_answer)
        with other.expect_response(is_comment_post) as info:
            other.locator(f"#reply-slot-{comment_id}").get_by_role(
                "button", name="Post reply"
            ).click()
        assert info.value.status == 200

        # Everyone sees one mark, on the author's reply, said in words.
        reader.reload()
        replies = reader.locator(f"#comment-{comment_id} > ol.comment-replies > li.comment")
        marked = replies.filter(has_text=answer)
        badge = marked.locator(".comment__badge")
        expect(badge).to_have_count(1)
        expect(badge).to_be_visible()
        expect(badge).to_have_text("Author of this post")  # "of this post" for screen readers
        expect(badge).to_have_attribute("class", "comment__badge")
        # What the eye reads is "Author": the rest is visually hidden.
        expect(badge.locator(".visually-hidden")).to_have_text(" of this post")
        expect(marked.locator("article")).to_have_accessible_name(
            f"Comment by {POST_AUTHOR[1]}, the author of this post"
        )
        expect(replies.filter(has_text=other_answer).locator(".comment__badge")).to_have_count(0)
        expect(reader.locator(".comment__badge")).to_have_count(1)
        problems.assert_none(reader, author)
    finally:
        for context in (author_context, reader_context, other_context):
            context.close()


# --- permalinks -----------------------------------------------------------------------------------


def test_permalink_highlights_its_comment(
    needs_chromium: None, server: str, page: Page, problems: Problems, articles: list[str]
) -> None:
    url = articles[PERMALINK]
    page.goto(url)
    while page.locator("#comment-list > li.comment").count() < 2:
        assert post_with_htmx(page, "Linker", unique("A comment to link to.")).status == 200
    ids = page.locator("#comment-list > li.comment").evaluate_all(
        "(items) => items.map((item) => item.id)"
    )
    target, other = ids[1], ids[0]
    page.goto(f"{url}#{target}")
    outline = (
        "(card) => getComputedStyle(card).outlineStyle + ' ' + getComputedStyle(card).outlineWidth"
    )
    highlighted = page.locator(f"#{target} > .comment__slot > .comment__card").evaluate(outline)
    plain = page.locator(f"#{other} > .comment__slot > .comment__card").evaluate(outline)
    assert highlighted != plain, (highlighted, plain)
    assert highlighted.startswith("solid"), highlighted
    expect(page.locator(f"#{target}")).to_be_in_viewport()
    problems.assert_none(page)
