"""Screenshots of the reader pages (desktop and phone, light and dark) into `screenshots/`.

Run with `make screenshots`; it serves the blog (serve.py) on a throwaway demo database.
"""

from __future__ import annotations

import re
import sys
import tempfile
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.liveserver import ROOT, app_server

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
    with tempfile.TemporaryDirectory() as work, app_server(Path(work)) as base:
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
            browser.close()


if __name__ == "__main__":
    main()
