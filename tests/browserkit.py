"""Helpers shared by the browser tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from playwright.sync_api import ConsoleMessage, Error, Page, expect

from tests.conftest import AUTHOR_EMAIL, AUTHOR_PASSWORD

# Injected before any page script runs (the page's CSP does not apply to it). Each violation is
# kept for the test to read and also logged, so the console recorder sees it across navigations.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const violation = {
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  };
  window.__cspViolations.push(violation);
  console.error("CSP violation: " + JSON.stringify(violation));
});
"""

# Set on `window` before an action; still there afterwards means the page did not reload.
MARKER = 42


def unique(text: str) -> str:
    """`text` with a token nothing else on the site has (duplicates are refused)."""
    return f"{text} [{uuid.uuid4().hex[:12]}]"


def count_label(count: int) -> str:
    """How the page writes a number of comments."""
    return f"{count} Comment" if count == 1 else f"{count} Comments"


@dataclass
class BrowserProblems:
    """Console errors, uncaught exceptions and CSP violations seen while a test ran."""

    errors: list[str] = field(default_factory=list)
    # Error responses a test provoked on purpose, as the start of the console line Chromium
    # writes for each: "Failed to load resource: the server responded with a status of <n>".
    expected: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        """Record what goes wrong on `page` (with JS off only the console can tell); return it."""

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                where = message.location.get("url") or page.url
                self.errors.append(f"console error from {where}: {message.text}")

        def on_page_error(error: Error) -> None:
            self.errors.append(f"uncaught exception at {page.url}: {error}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.add_init_script(RECORD_CSP_VIOLATIONS)
        return page

    def excuse(self, url: str, status: int) -> None:
        """Allow (at most) one console line for this deliberate error response."""
        self.expected.append(
            f"console error from {url}: Failed to load resource: the server responded "
            f"with a status of {status} "
        )

    def unexpected(self) -> list[str]:
        """The console errors left once each expected failure has excused one line."""
        allowed = list(self.expected)
        left = []
        for text in self.errors:
            match = next((prefix for prefix in allowed if text.startswith(prefix)), None)
            if match is None:
                left.append(text)
            else:
                allowed.remove(match)
        return left

    @staticmethod
    def check_csp(page: Page) -> None:
        """No CSP violation recorded in the document `page` shows now."""
        # securitypolicyviolation events are queued as tasks; let pending ones fire.
        page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 150))")
        assert page.evaluate("() => Array.isArray(window.__cspViolations)"), (
            f"the CSP recorder did not run on {page.url}"
        )
        violations = page.evaluate("() => window.__cspViolations")
        assert violations == [], f"CSP violations on {page.url}: {violations}"


def sign_in(page: Page, base: str) -> None:
    """Sign in with the test author's account on the sign-in page; ends on the dashboard."""
    page.goto(base + "/account/sign-in")
    page.locator("#sign-in-email").fill(AUTHOR_EMAIL)
    page.locator("#sign-in-password").fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(base + "/editor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your posts")
