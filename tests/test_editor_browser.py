"""The post editor in headless Chromium: unsaved-changes warning, autosave, Ctrl+S, comforts.

Runs against `authoring_server`; each test signs in for itself and writes under a fresh title.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Dialog, Page, expect

from tests.browserkit import MARKER, BrowserProblems, sign_in, unique

pytestmark = [pytest.mark.browser]


def open_new_post(page: Page, base: str) -> BrowserProblems:
    """Signed in, on an empty editor; returns the recorder watching the page."""
    problems = BrowserProblems()
    problems.watch(page)
    sign_in(page, base)
    page.goto(base + "/editor/posts/new")
    return problems


def body(page: Page):  # type: ignore[no-untyped-def]
    """The Markdown body field."""
    return page.locator("#editor-body")


def test_leaving_with_unsaved_changes_asks_first(authoring_server: str, page: Page) -> None:
    problems = open_new_post(page, authoring_server)
    page.locator("#editor-title").fill(unique("Never saved"))
    body(page).press_sequentially("A sentence.")
    asked: list[str] = []

    def stay(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("link", name="← Your posts").click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    expect(page).to_have_url(re.compile(r"/editor/posts/new$"))
    # Saving is leaving on purpose: no question.
    page.on("dialog", lambda dialog: asked.append(dialog.type) or dialog.dismiss())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#messages")).to_contain_text("Draft saved.")
    assert asked == ["beforeunload"]
    assert problems.unexpected() == []


def test_autosave_brings_the_text_back_after_a_reload(authoring_server: str, page: Page) -> None:
    problems = open_new_post(page, authoring_server)
    words = unique("Words typed and never saved")
    page.locator("#editor-title").fill(unique("Autosaved"))
    body(page).press_sequentially(words, delay=5)
    expect(page.locator("#autosave-status")).to_contain_text("Autosaved at", timeout=10_000)
    page.once("dialog", lambda dialog: dialog.accept())
    page.reload()
    offer = page.locator("#autosave-offer")
    expect(offer).to_contain_text("Restore unsaved text from")
    expect(body(page)).to_have_value("")
    offer.get_by_role("link", name="Restore it").click()
    expect(body(page)).to_have_value(words)
    expect(page.locator("#autosave-offer")).to_contain_text("back in the form")
    assert problems.unexpected() == []


def test_two_new_posts_in_two_tabs_are_both_kept(
    authoring_server: str, page: Page, context: BrowserContext
) -> None:
    problems = open_new_post(page, authoring_server)
    other = context.new_page()
    problems.watch(other)
    other.goto(authoring_server + "/editor/posts/new")
    first, second = unique("The first tab's words"), unique("The second tab's words")
    for tab, words in ((page, first), (other, second)):
        tab.locator("#editor-title").fill(unique("Two tabs"))
        tab.locator("#editor-body").press_sequentially(words, delay=5)
        expect(tab.locator("#autosave-status")).to_contain_text("Autosaved at", timeout=10_000)
    other.close(run_before_unload=False)
    page.once("dialog", lambda dialog: dialog.accept())
    page.goto(authoring_server + "/editor/posts/new")
    # The newest comes back first; discarded, the other one is offered next.
    page.locator("#autosave-offer").get_by_role("link", name="Restore it").click()
    expect(body(page)).to_have_value(second)
    page.goto(authoring_server + "/editor/posts/new")
    page.locator("#autosave-offer").get_by_role("button", name="Discard it").click()
    expect(page.locator("#messages")).to_contain_text("The unsaved text is discarded.")
    page.locator("#autosave-offer").get_by_role("link", name="Restore it").click()
    expect(body(page)).to_have_value(first)
    assert problems.unexpected() == []


def test_ctrl_s_saves_without_leaving_the_page(authoring_server: str, page: Page) -> None:
    problems = open_new_post(page, authoring_server)
    title = unique("Saved with the keyboard")
    page.locator("#editor-title").fill(title)
    body(page).press_sequentially("First words.")
    page.evaluate(f"() => {{ window.__marker = {MARKER}; }}")
    body(page).press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("Draft saved.")
    expect(page).to_have_url(re.compile(r"/editor/posts/\d+$"))
    assert page.evaluate("() => window.__marker") == MARKER, "the page reloaded"
    post_url = page.url
    # A second save updates the same post (the form now posts to its address).
    body(page).press_sequentially(" More words.")
    body(page).press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("Draft saved.")
    assert page.url == post_url
    # Nothing unsaved: leaving asks nothing.
    asked: list[str] = []
    page.on("dialog", lambda dialog: asked.append(dialog.type) or dialog.dismiss())
    page.goto(authoring_server + "/editor/")
    expect(page.locator("#content")).to_contain_text(title)
    assert asked == []
    page.goto(post_url)
    expect(body(page)).to_have_value("First words. More words.")
    assert problems.unexpected() == []


def test_writing_comforts(authoring_server: str, page: Page) -> None:
    problems = open_new_post(page, authoring_server)
    area = body(page)
    area.press_sequentially("hello world")
    expect(page.locator("#editor-stats")).to_have_text("2 words · 1 min read")
    # Select "world", make it bold from the keyboard.
    area.evaluate("(el) => el.setSelectionRange(6, 11)")
    area.press("Control+b")
    expect(area).to_have_value("hello **world**")
    # Tab indents inside the field; Esc then Tab moves on.
    area.evaluate("(el) => el.setSelectionRange(0, 0)")
    area.press("Tab")
    expect(area).to_have_value("    hello **world**")
    expect(area).to_be_focused()
    area.press("Shift+Tab")
    expect(area).to_have_value("hello **world**")
    area.press("Escape")
    area.press("Tab")
    expect(area).not_to_be_focused()
    # The toolbar: one tab stop, arrows along it, Enter applies.
    area.evaluate("(el) => { el.focus(); el.setSelectionRange(0, 5); }")
    toolbar = page.get_by_role("toolbar", name="Formatting")
    toolbar.get_by_role("button", name="Bold").focus()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Italic")).to_be_focused()
    page.keyboard.press("Enter")
    expect(area).to_have_value("*hello* **world**")
    area.evaluate("(el) => el.setSelectionRange(0, 0)")
    toolbar.get_by_role("button", name="Section heading").click()
    expect(area).to_have_value("## *hello* **world**")
    # The preview follows (htmx), with the heading.
    expect(page.locator("#preview h2")).to_contain_text("hello world")
    assert problems.unexpected() == []


def test_a_refused_save_puts_the_cursor_in_the_first_field_in_error(
    authoring_server: str, page: Page
) -> None:
    problems = open_new_post(page, authoring_server)
    body(page).fill("A body without a title.")
    problems.excuse(authoring_server + "/editor/posts/new", 422)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#editor-title-error")).to_be_visible()
    expect(page.locator("#editor-title")).to_be_focused()
    assert problems.unexpected() == []


def png_bytes() -> list[int]:
    """A small real PNG, as numbers the page can turn back into a file."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 20)).save(out, format="PNG")
    return list(out.getvalue())


# Builds a File in the page and hands it to the body as a paste or a drop would.
HAND_OVER = """
([kind, bytes]) => {
  const file = new File([new Uint8Array(bytes)], "shot.png", { type: "image/png" });
  const data = new DataTransfer();
  data.items.add(file);
  const area = document.getElementById("editor-body");
  const event = kind === "paste"
    ? new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true })
    : new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true });
  area.dispatchEvent(event);
}
"""


@pytest.mark.parametrize("kind", ["paste", "drop"])
def test_a_pasted_or_dropped_image_goes_in_at_the_cursor(
    authoring_server: str, page: Page, kind: str
) -> None:
    problems = open_new_post(page, authoring_server)
    area = body(page)
    area.fill("Before after")
    area.evaluate("(el) => { el.focus(); el.setSelectionRange(7, 7); }")
    page.evaluate(HAND_OVER, [kind, png_bytes()])
    expect(area).to_have_value(
        re.compile(r"^Before \n\n!\[\]\(/media/[0-9a-f]{32}-40x30\.png\)\n\nafter$")
    )
    expect(page.locator("#upload-result")).to_contain_text("type its description")
    # The preview shows it at once, flagged until it has a description.
    expect(page.locator("#preview img")).to_have_attribute("width", "40")
    expect(page.locator("#preview-warnings")).to_contain_text("1 image without a description")
    # The cursor waits between the brackets: typing gives the description.
    page.keyboard.type("A shot of the weir")
    expect(area).to_have_value(re.compile(r"!\[A shot of the weir\]\(/media/"))
    expect(page.locator("#preview img")).to_have_attribute("alt", "A shot of the weir")
    expect(page.locator("#preview-warnings")).not_to_contain_text("without a description")
    assert problems.unexpected() == []


def test_the_upload_box_puts_the_image_where_the_cursor_was(
    authoring_server: str, page: Page, tmp_path: Path
) -> None:
    problems = open_new_post(page, authoring_server)
    area = body(page)
    area.fill("First.\n\nLast.")
    area.evaluate("(el) => { el.focus(); el.setSelectionRange(6, 6); }")
    picture = tmp_path / "river.png"
    picture.write_bytes(bytes(png_bytes()))
    page.locator("#upload-image").set_input_files(str(picture))
    page.get_by_label("Description for readers who cannot see it").fill("The river")
    page.get_by_role("button", name="Upload and insert").click()
    expect(area).to_have_value(
        re.compile(r"^First\.\n\n!\[The river\]\(/media/[0-9a-f]{32}-40x30\.png\)\n\nLast\.$")
    )
    expect(page.locator("#preview img[alt='The river']")).to_be_visible()
    assert problems.unexpected() == []


def test_without_javascript_the_editor_saves_and_uploads_as_plain_forms(
    authoring_server: str, new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    problems = BrowserProblems()
    problems.watch(page)
    sign_in(page, authoring_server)
    page.goto(authoring_server + "/editor/posts/new")
    # The script's helpers stay out of the way: no toolbar, no shortcut hint.
    expect(page.get_by_role("toolbar", name="Formatting")).to_be_hidden()
    picture = tmp_path / "plain.png"
    picture.write_bytes(bytes(png_bytes()))
    page.locator("#upload-image").set_input_files(str(picture))
    page.get_by_label("Description for readers who cannot see it").fill("Plain upload")
    page.get_by_role("button", name="Upload and insert").click()
    expect(page.locator("main")).to_contain_text("Paste this into your post:")
    expect(page.locator(".upload-markdown")).to_have_text(
        re.compile(r"^!\[Plain upload\]\(/media/[0-9a-f]{32}-40x30\.png\)$")
    )
    page.goto(authoring_server + "/editor/posts/new")
    page.locator("#editor-title").fill(unique("Written without JavaScript"))
    body(page).fill("Plain words.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#messages")).to_contain_text("Draft saved.")
    assert problems.unexpected() == []
