"""Screenshots of the reader pages and the author pages, into `screenshots/`.

Reader pages at desktop and phone width, light and dark; author pages (dashboard, editor,
moderation queue, profile, authors) as a signed-in editor, at both widths.

Run with `make screenshots`; it serves the blog (serve.py) on a throwaway demo database.
"""

from __future__ import annotations

import re
import sys
import tempfile
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.liveserver import ROOT, app_server, create_author

SIZES = {"desktop": (1280, 900), "phone": (360, 800)}
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    """Take every screenshot and print where they went."""
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    env = {"BLOG_COMMENT_MODERATION": "all", "BLOG_COMMENT_MIN_SECONDS": "0"}
    with tempfile.TemporaryDirectory() as work, app_server(Path(work), extra_env=env) as base:
        create_author(Path(work), EDITOR, PASSWORD, name="Screen Editor")
        with urllib.request.urlopen(base + "/") as response:
            home = response.read().decode()
        first_article = re.search(r'href="(/posts/[^"#]+)"', home)
        assert first_article, "no article link on the home page"
        with urllib.request.urlopen(base + first_article.group(1)) as response:
            article = response.read().decode()
        reply = re.search(r'href="(/posts/[^"]+/comments/\d+/reply)"', article)
        pages = {
            "home": "/",
            "article": first_article.group(1),
            "reply": reply.group(1) if reply else first_article.group(1),
            "sign-in": "/account/sign-in",
            "tags": "/tags/",
            "archive": "/archive/",
            "not-found": "/posts/no-such-post",
            "search": "/search?q=river",
        }
        # A long article, for its table of contents.
        for path in dict.fromkeys(re.findall(r'href="(/posts/[^"#?]+)"', home)):
            with urllib.request.urlopen(base + path) as response:
                if 'id="toc"' in response.read().decode():
                    pages["contents"] = path
                    break
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for scheme in ("light", "dark"):
                for size_name, (width, height) in SIZES.items():
                    context = browser.new_context(
                        viewport={"width": width, "height": height}, color_scheme=scheme
                    )
                    page = context.new_page()
                    for name, path in pages.items():
                        page.goto(base + path)
                        target = out / f"{name}-{size_name}-{scheme}.png"
                        full = name in ("article", "contents") and size_name == "desktop"
                        page.screenshot(path=str(target), full_page=full)
                        print(target.relative_to(ROOT))
                    context.close()
            author_pages(browser, base, first_article.group(1), out)
            browser.close()


EDITOR = "editor@example.org"
PASSWORD = "screenshots passphrase"


def author_pages(browser: Browser, base: str, article: str, out: Path) -> None:
    """Hold a comment for the queue, sign in, and take each author page at both sizes."""
    for size_name, (width, height) in SIZES.items():
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        if size_name == "desktop":
            page.goto(base + article)
            page.locator("#new-name").fill("Quinn Reader")
            page.locator("#new-email").fill("quinn@example.org")
            page.locator("#new-body").fill(
                "Two links worth a look: https://example.org/weirs and https://example.net/maps"
            )
            with page.expect_response(lambda response: response.request.method == "POST"):
                page.get_by_role("button", name="Post comment", exact=True).click()
        page.goto(base + "/account/sign-in")
        page.locator("#sign-in-email").fill(EDITOR)
        page.locator("#sign-in-password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url(base + "/editor/")
        edit = page.locator("a[href^='/editor/posts/']").nth(1).get_attribute("href")
        pages = {
            "dashboard": "/editor/?show=all",
            "editor-new": "/editor/posts/new",
            "editor": edit or "/editor/posts/new",
            "queue": "/editor/comments/",
            "profile": "/account/profile",
            "authors": "/account/authors",
        }
        for name, path in pages.items():
            page.goto(base + path)
            target = out / f"author-{name}-{size_name}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target.relative_to(ROOT))
        page.context.close()


if __name__ == "__main__":
    main()
