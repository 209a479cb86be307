"""Whole reader pages as files under PAGE_CACHE_DIR, for nginx to serve without the app."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

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

    def write(
        self, path: str, body: bytes, content_type: str, still_true: Callable[[], bool]
    ) -> None:
        """Write the page, unless `still_true()` says it changed while it was made."""
        target = self.path_for(path)
        if target is None or not content_type.startswith("text/html"):
            return
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
            temporary.write_bytes(body)
            temporary.replace(target)
        except OSError:
            return
        if not still_true():
            target.unlink(missing_ok=True)

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


def files_for(app: Flask) -> PageFiles:
    """The page files of `app` (to clear them after a change)."""
    return PageFiles(app.config["PAGE_CACHE_DIR"])
