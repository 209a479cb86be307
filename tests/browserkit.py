"""Helpers shared by the browser tests."""

from __future__ import annotations

import uuid

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
