"""Whole reader pages as files under PAGE_CACHE_DIR, for nginx to serve without the app."""

from __future__ import annotations

import gzip
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

# How fresh `flask cache refresh` (every minute from deploy/blog-cache.timer) must have been for
# pages to be written while a scheduled post is pending: it is what removes them at its time.
WATCH_SECONDS = 150

_SAFE_PATH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./")


class PageFiles:
    """Whole pages as files under PAGE_CACHE_DIR, for nginx to serve without asking the app."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder) if folder else None

    def path_for(self, path: str) -> Path | None:
        """The file for the page at `path`, or None when it should not have one."""
        if self.folder is None or not path.startswith("/") or ".." in path:
            return None
        if not set(path) <= _SAFE_PATH or "//" in path or len(path) > 400:
            return None
        return self.folder / path.lstrip("/") / "index.html"

    @property
    def _watch_mark(self) -> Path | None:
        # Beside the folder, not in it: clearing moves the folder away.
        return None if self.folder is None else self.folder.with_name(self.folder.name + ".watched")

    def mark_watched(self) -> None:
        """Note that a scheduled post's time is being watched for (`flask cache refresh`)."""
        mark = self._watch_mark
        if mark is not None:
            mark.parent.mkdir(parents=True, exist_ok=True)
            mark.touch()

    def watched(self) -> bool:
        """True when `flask cache refresh` ran lately: it will remove pages at a post's time."""
        mark = self._watch_mark
        try:
            return mark is not None and time.time() - mark.stat().st_mtime < WATCH_SECONDS
        except OSError:
            return False

    def write(
        self, path: str, body: bytes, content_type: str, still_true: Callable[[], bool]
    ) -> None:
        """Write the page (and its gzip copy), unless `still_true()` says it changed meanwhile.

        The gzip copy is made once here, so nginx (`gzip_static`) never compresses a page per
        request. Each file appears whole (written aside, then renamed).
        """
        target = self.path_for(path)
        if target is None or not content_type.startswith("text/html"):
            return
        packed = target.with_name(target.name + ".gz")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_whole(packed, gzip.compress(body, compresslevel=6, mtime=0))
            _write_whole(target, body)
        except OSError:
            return
        if not still_true():
            target.unlink(missing_ok=True)
            packed.unlink(missing_ok=True)

    def clear(self) -> None:
        """Remove every page file (moved aside first, so nginx never sees half a tree)."""
        if self.folder is None or not self.folder.exists():
            return
        aside = self.folder.with_name(f"{self.folder.name}.old.{os.getpid()}.{time.monotonic_ns()}")
        try:
            self.folder.rename(aside)
        except OSError:
            return
        shutil.rmtree(aside, ignore_errors=True)


def _write_whole(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_bytes(data)
    temporary.replace(target)


def files_for(app: Flask) -> PageFiles:
    """The page files of `app` (to clear them after a change)."""
    return PageFiles(app.config["PAGE_CACHE_DIR"])
