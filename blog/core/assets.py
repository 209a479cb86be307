"""Static files: addresses named by their content, cached for a year, sent precompressed.

At start-up every file under static/ is read and hashed once (a process keeps the result while
the file is unchanged). `url_for("static", filename="css/blog.css")` then gives
`/static/css/blog.<hash>.css`: a new version of a file gets a new address, so browsers and
proxies keep each address for a year without asking again (`immutable`). The plain address
still works, cached for an hour; so does an older version's hashed address, which gets today's
file for an hour (a page kept from before an upgrade still gets its styles, and nothing is
kept for a year under a name that does not match it). What is sent is the very bytes that were
hashed, so an address never changes its content while the server runs.

nginx serves the same addresses from the same folder (deploy/nginx.conf): a regex location
maps `name.<hash>.ext` to the file `name.ext`.

`make setup` writes a `.br` and a `.gz` copy beside each text file worth compressing
(`blog.core.precompress`), at the highest compression level. The app sends them
when the browser accepts them (after checking at start-up that each still holds its file);
nginx's `gzip_static` sends the `.gz`. Without them, Flask-Compress compresses as it sends.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import mimetypes
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import brotli
from flask import Flask, Response, current_app, request

from blog.core.compression import MIN_SIZE, negotiated_encoding

HASH_LENGTH = 10
IMMUTABLE = "public, max-age=31536000, immutable"
# Addresses without the content's hash (old pages, the source map, /favicon.ico's target).
SHORT_LIVED = "public, max-age=3600"
_HASHED = re.compile(
    rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{HASH_LENGTH}}})(?P<suffix>\.[A-Za-z0-9]+)$"
)
# Text worth compressing, and the precompressed copies made of it: encoding -> file suffix.
COMPRESSIBLE = frozenset({".css", ".js", ".mjs", ".map", ".svg", ".json", ".txt", ".xml"})
PRECOMPRESSED = {"br": ".br", "gzip": ".gz"}
# Below this, compressing gains nothing worth a second file (the threshold answers have).
MIN_COMPRESS_SIZE = MIN_SIZE
# Files larger than this are not kept in memory: Flask sends them from disk, un-hashed.
MAX_KEPT_SIZE = 2 * 1024 * 1024


@dataclass(frozen=True)
class Asset:
    """One static file as read at start-up, with its verified precompressed copies."""

    name: str  # the path under static/, with forward slashes
    digest: str
    mimetype: str
    body: bytes
    encoded: Mapping[str, bytes]

    @property
    def hashed_name(self) -> str:
        """`css/blog.css` -> `css/blog.<digest>.css`; a name without a suffix stays as it is."""
        path = PurePosixPath(self.name)
        if not path.suffix or not path.stem:
            return self.name
        return str(path.with_name(f"{path.stem}.{self.digest}{path.suffix}"))


def decompress(encoding: str, data: bytes) -> bytes | None:
    """`data` decoded from `encoding` ("br" or "gzip"), or None when it is not such data."""
    try:
        if encoding == "br":
            return bytes(brotli.decompress(data))
        return gzip.decompress(data)
    except (brotli.error, OSError, EOFError, zlib.error):
        return None


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


@functools.lru_cache(maxsize=512)
def _load(path: Path, name: str, stamps: tuple[tuple[int, int] | None, ...]) -> Asset:
    """Read and hash one file (cached while its stamp and its copies' stamps stay the same)."""
    body = path.read_bytes()
    encoded = {}
    for encoding, suffix in PRECOMPRESSED.items():
        copy = path.with_name(path.name + suffix)
        try:
            data = copy.read_bytes()
        except OSError:
            continue
        # A copy left from an earlier version of the file is never sent.
        if decompress(encoding, data) == body:
            encoded[encoding] = data
    return Asset(
        name=name,
        digest=hashlib.sha256(body).hexdigest()[:HASH_LENGTH],
        mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream",
        body=body,
        encoded=encoded,
    )


def _is_copy(path: Path) -> bool:
    """A precompressed copy of another file (`blog.css.gz` beside `blog.css`)."""
    return path.suffix in PRECOMPRESSED.values() and path.with_suffix("").is_file()


class Assets:
    """The static folder's files, by name and by hashed name."""

    def __init__(self, folder: Path) -> None:
        self.by_name: dict[str, Asset] = {}
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            stamp = _stamp(path)
            if not path.is_file() or _is_copy(path) or stamp is None or stamp[1] > MAX_KEPT_SIZE:
                continue
            name = path.relative_to(folder).as_posix()
            copies = tuple(_stamp(path.with_name(path.name + s)) for s in PRECOMPRESSED.values())
            self.by_name[name] = _load(path, name, (stamp, *copies))
        self.by_hashed = {asset.hashed_name: asset for asset in self.by_name.values()}

    def url_name(self, name: str) -> str:
        """The name to link `name` by: hashed when the file is known."""
        asset = self.by_name.get(name)
        return asset.hashed_name if asset else name

    def find(self, filename: str) -> tuple[Asset, bool] | None:
        """The file an address names, and whether the address holds its current hash."""
        if (asset := self.by_hashed.get(filename)) and asset.hashed_name != asset.name:
            return asset, True
        if asset := self.by_name.get(filename):
            return asset, False
        if (found := _HASHED.match(filename)) and (
            asset := self.by_name.get(found["stem"] + found["suffix"])
        ):
            return asset, False  # an earlier version's address
        return None


def assets_of(app: Flask) -> Assets:
    """The app's static files; in debug mode read again each time (files change as you edit)."""
    if app.debug and app.static_folder:
        return Assets(Path(app.static_folder))
    found: Assets = app.extensions["assets"]
    return found


def hashed_static_urls(endpoint: str, values: dict[str, Any]) -> None:
    """`url_for("static", filename=...)` names the file by its content.

    `hashed=False` gives the plain address (for a permanent redirect, which must not point at
    one version forever).
    """
    if endpoint != "static":
        return
    if values.pop("hashed", True) is False:
        return
    filename = values.get("filename")
    if isinstance(filename, str):
        values["filename"] = assets_of(current_app).url_name(filename)


def send_static(filename: str) -> Response:
    """A static file from memory: precompressed when accepted, immutable under its hash."""
    found = assets_of(current_app).find(filename)
    if found is None:
        # Added since start-up, or too large to keep: Flask's own sending, from disk.
        return current_app.send_static_file(filename)
    asset, current = found
    offered = tuple(encoding for encoding in PRECOMPRESSED if encoding in asset.encoded)
    encoding = negotiated_encoding(request.headers.get("Accept-Encoding", ""), offered)
    response: Response = current_app.response_class(
        asset.encoded[encoding] if encoding else asset.body, mimetype=asset.mimetype
    )
    if encoding:
        response.headers["Content-Encoding"] = encoding
    if asset.encoded:
        response.vary.add("Accept-Encoding")
    # One ETag per representation: a gzip copy and a brotli copy are different bytes.
    response.set_etag(f"{asset.digest}-{encoding}" if encoding else asset.digest)
    response.headers["Cache-Control"] = IMMUTABLE if current else SHORT_LIVED
    response.make_conditional(request)  # a 304 in place when the browser's copy is current
    return response


def init_app(app: Flask) -> None:
    """Hash the static files once, link them by hash, and send them with the right caching."""
    if not app.static_folder or "static" not in app.view_functions:
        return
    app.extensions["assets"] = Assets(Path(app.static_folder))
    app.url_defaults(hashed_static_urls)
    app.view_functions["static"] = send_static
