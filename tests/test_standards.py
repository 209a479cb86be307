"""Web standards: axe-core accessibility checks in Chromium, and the Nu HTML Checker (vnu)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import skip_unless
from tests.liveserver import ROOT

pytestmark = [
    pytest.mark.standards,
]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = "/usr/bin/java"

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def fetch(url: str) -> tuple[int, str]:
    """The status and HTML of `url`; an HTTP error's body is read like any other."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode("utf-8")


def first_link(html: str, prefix: str) -> str:
    """The first href in `html` that starts with `prefix` (a path like "/posts/")."""
    found = re.search(rf'href="({re.escape(prefix)}[^"#?]+)"', html)
    assert found, f"no link starting with {prefix}"
    return found.group(1)


def reply_link(html: str) -> str:
    """The first comment's reply page linked from an article."""
    found = re.search(r'href="(/posts/[^"]+/comments/\d+/reply)"', html)
    assert found, "the article has no comment to reply to"
    return found.group(1)


@pytest.fixture(scope="module")
def article_path(live_server: str) -> str:
    """The path of the first article linked from the home page."""
    return first_link(fetch(live_server + "/")[1], "/posts/")


# --- axe-core ---------------------------------------------------------------------------------


@pytest.fixture
def axe_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page at the test's viewport whose CSP lets us inject axe (for these checks only)."""
    context = browser.new_context(bypass_csp=True, viewport=VIEWPORTS[request.param])
    try:
        yield context.new_page()
    finally:
        context.close()


def describe(violations: list[dict[str, Any]]) -> str:
    """Each violation's rule, help text and first few offending nodes, for a failure message."""
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation.get('impact')}): {violation['help']}"
            f" [{len(violation['nodes'])} node(s)] {violation.get('helpUrl', '')}"
        )
        for node in violation["nodes"][:3]:
            lines.append(f"    at {node['target']}: {node.get('html', '')[:160]}")
            for summary in (node.get("failureSummary") or "").splitlines():
                lines.append(f"        {summary}")
    return "\n".join(lines)


@pytest.mark.browser
@pytest.mark.parametrize("axe_page", list(VIEWPORTS), indirect=True)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("which", ["home", "article"])
def test_axe(
    needs_chromium: None,
    live_server: str,
    article_path: str,
    axe_page: Page,
    scheme: str,
    which: str,
) -> None:
    """axe-core finds no accessibility violations on the home page and an article."""
    skip_unless(AXE.is_file(), f"{AXE} is missing (run npm ci)")
    page = axe_page
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    path = "/" if which == "home" else article_path
    response = page.goto(live_server + path)
    assert response is not None and response.status == 200
    assert page.evaluate(f"() => matchMedia('(prefers-color-scheme: {scheme})').matches")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document)")
    assert results["passes"], "axe checked nothing"
    violations = results["violations"]
    assert violations == [], f"axe on {path} ({scheme}):\n{describe(violations)}"


# --- Nu HTML Checker --------------------------------------------------------------------------


def test_vnu(live_server: str, article_path: str, tmp_path: Path) -> None:
    """The Nu HTML Checker reports no errors on any kind of page, the 404 page included."""
    java = shutil.which(JAVA)
    skip_unless(java is not None, f"{JAVA} is missing (apt-get install default-jre-headless)")
    skip_unless(VNU.is_file(), f"{VNU} is missing (run npm ci)")
    assert java is not None

    tags_status, tags = fetch(live_server + "/tags/")
    assert tags_status == 200
    pages = {
        "home": "/",
        "article": article_path,
        "tags": "/tags/",
        "archive": "/archive/",
        "tag": first_link(tags, "/tags/"),
        "not-found": "/no-such-page",
        "sign-in": "/account/sign-in",
        "reply": reply_link(fetch(live_server + article_path)[1]),
        "comments-page": article_path + "/comments?page=1",
    }
    files = []
    for name, path in pages.items():
        status, html = fetch(live_server + path)
        assert status == (404 if name == "not-found" else 200), f"{path} answered {status}"
        file = tmp_path / f"{name}.html"
        file.write_text(html, encoding="utf-8")
        files.append(file)

    run = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # vnu writes its report to stderr; the JVM may print notes before it.
    start = run.stderr.find("{")
    assert start >= 0, f"vnu gave no JSON report (exit {run.returncode}):\n{run.stderr}"
    report = json.loads(run.stderr[start:])
    errors = [
        message
        for message in report["messages"]
        if message.get("type") in {"error", "non-document-error"}
    ]
    names = {f"{name}.html": f"{name} page ({path})" for name, path in pages.items()}
    assert errors == [], "\n".join(
        f"{names.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))} line {m.get('lastLine')}:"
        f" {m['message']}"
        f" -- {m.get('extract', '').strip()!r}"
        for m in errors
    )
    assert run.returncode == 0, run.stderr
