"""The shared (cached) article's comment form in Chromium: its per-visitor parts arrive late."""

from __future__ import annotations

import re
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.browserkit import unique

pytestmark = [pytest.mark.browser]


def test_a_quick_post_waits_for_the_forms_parts(
    needs_chromium: None, commenting_server: str, page: Page
) -> None:
    """Filled in by a script (no focus) and sent at once: the post waits for token and stamp."""
    with urllib.request.urlopen(commenting_server + "/", timeout=10) as response:
        home = response.read().decode()
    paths = list(dict.fromkeys(re.findall(r'href="(/posts/[^"#?]+)"', home)))
    url = commenting_server + paths[-1]

    def slow_parts(route: object) -> None:
        page.wait_for_timeout(600)
        route.continue_()  # type: ignore[attr-defined]

    page.route("**/comments/form-parts", slow_parts)
    page.goto(url)
    expect(page.locator("#post-a-comment .form-parts input")).to_have_count(0)
    body = unique("Sent before the form had its parts.")
    page.evaluate(
        """(body) => {
            document.getElementById("new-name").value = "Quick Quinn";
            document.getElementById("new-body").value = body;
        }""",
        body,
    )
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("#post-a-comment button[type=submit]").click()
    assert posted.value.status == 200
    expect(page.locator("#comment-list")).to_contain_text(body)
