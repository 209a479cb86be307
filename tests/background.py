"""Readers commenting from another thread while a test does something long (backup, import)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from blog.comments.spam import form_started_token


@contextmanager
def comments_arriving(app: Flask, slug: str, at_least: int = 20) -> Iterator[list[int]]:
    """Post comments to `slug` from another thread for as long as the block runs.

    Starts the block once `at_least` comments went in; yields the status codes of every post,
    which the caller checks after the block. Limits and moderation are switched off for them.
    """
    app.config.update(
        COMMENT_MIN_SECONDS=0,
        COMMENT_MODERATION="open",
        COMMENT_RATE_LIMIT=10_000,
        COMMENT_ADDRESS_RATE_LIMIT=10_000,
    )
    codes: list[int] = []
    failed: list[BaseException] = []
    stop = threading.Event()

    def comment_away() -> None:
        try:
            with app.app_context():
                browser = app.test_client()
                for number in range(2000):  # bounded, whatever happens
                    if stop.is_set():
                        return
                    data = {
                        "name": "Reader",
                        "body": f"Meanwhile {number}",
                        "started": form_started_token(),
                    }
                    codes.append(browser.post(f"/posts/{slug}/comments", data=data).status_code)
        except BaseException as error:  # reported by the test, not lost in the thread
            failed.append(error)

    writer = threading.Thread(target=comment_away)
    writer.start()
    try:
        deadline = time.monotonic() + 60
        while len(codes) < at_least and not failed and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not failed, failed
        assert len(codes) >= at_least, "the comments never got going"
        yield codes
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not failed, failed
