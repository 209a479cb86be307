"""How uploaded images are named, so that a page knows their size and copies from the URL alone.

An upload is stored as `<hash>-<W>x<H>.<ext>` (at most MAX_WIDTH wide) with narrower copies
`<hash>-<w>w.<ext>` for each of WIDTHS below W. The renderer turns a Markdown image with such
an address into an <img> with width, height (no layout shift) and srcset, reading no file and no
row. Older uploads (`<hash>.<ext>`) keep working, without those attributes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

WIDTHS: Final = (480, 960, 1600)
MAX_WIDTH: Final = 2000
EXTENSIONS: Final = ("png", "jpg", "gif", "webp")
# How wide the image shows: the article's text column, or the screen on a phone.
SIZES: Final = "(max-width: 44rem) 100vw, 42rem"

_HASH = r"[0-9a-f]{32}"
_EXT = "|".join(EXTENSIONS)
_MAIN = re.compile(
    rf"/media/(?P<hash>{_HASH})-(?P<w>[1-9]\d{{0,4}})x(?P<h>[1-9]\d{{0,4}})\.(?P<ext>{_EXT})"
)
_FILE = re.compile(
    rf"(?P<hash>{_HASH})(?:-[1-9]\d{{0,4}}x[1-9]\d{{0,4}}|-[1-9]\d{{0,4}}w)?\.(?P<ext>{_EXT})"
)
_SRCSET = re.compile(
    rf"/media/{_HASH}-[1-9]\d{{0,4}}(?:w|x[1-9]\d{{0,4}})\.(?:{_EXT}) [1-9]\d{{0,4}}w"
)


@dataclass(frozen=True)
class Sized:
    """An uploaded image's address read back: its hash, size and kind."""

    digest: str
    width: int
    height: int
    ext: str

    @property
    def name(self) -> str:
        """The stored file's name."""
        return main_name(self.digest, self.width, self.height, self.ext)

    def copies(self) -> list[tuple[int, str]]:
        """(width, file name) of the narrower copies made at upload (none for a GIF)."""
        if self.ext == "gif":
            return []
        return [(w, f"{self.digest}-{w}w.{self.ext}") for w in WIDTHS if w < self.width]

    def srcset(self) -> str:
        """Every copy with its width, the full size last."""
        entries = [f"/media/{name} {w}w" for w, name in self.copies()]
        return ", ".join([*entries, f"/media/{self.name} {self.width}w"])


def main_name(digest: str, width: int, height: int, ext: str) -> str:
    """The name an upload is stored under."""
    return f"{digest}-{width}x{height}.{ext}"


def sized(src: str) -> Sized | None:
    """The size and copies an image address names, if it is one of our sized uploads."""
    found = _MAIN.fullmatch(src)
    if found is None:
        return None
    return Sized(found["hash"], int(found["w"]), int(found["h"]), found["ext"])


def stored_file(name: str) -> str | None:
    """The extension of a media file name we could have stored, else None."""
    found = _FILE.fullmatch(name)
    return found["ext"] if found else None


def our_srcset(value: str) -> bool:
    """True for a srcset our renderer writes: only our uploads' copies."""
    return all(_SRCSET.fullmatch(entry.strip()) for entry in value.split(","))


def uploaded_image(src: str) -> bool:
    """True for the address of an image stored by an upload here."""
    name = src.removeprefix("/media/")
    return name != src and stored_file(name) is not None


def uploaded_or_none(src: str | None) -> str | None:
    """`src` when it is the address of an image stored by an upload here, else None."""
    return src if src and uploaded_image(src) else None
