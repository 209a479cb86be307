"""Compressed answers when no proxy compresses them: brotli or gzip, through Flask-Compress.

Every text answer of 1 KB or more (HTML, htmx fragments, CSS, JS, feeds, sitemaps, JSON) goes
out compressed to a client that accepts it; every answer says `Vary: Accept-Encoding`. A 304,
a redirect, an error page and a body under the threshold are sent as they are. A strong ETag
gets the encoding appended (`"abc:br"`), so one address's encodings are never confused with
each other, and conditional GETs are answered again after compressing (an `If-None-Match` that
holds the compressed ETag still gets its 304).

Behind nginx, compressed answers pass through untouched; `BLOG_COMPRESS_REGISTER=false` leaves
compressing to the proxy. Static files have precompressed copies (`blog.core.assets`).
"""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress
from flask_compress.flask_compress import _choose_algorithm

# Brotli first (smaller, and every current browser sends it over HTTPS and to localhost),
# then gzip. Neither zstd nor deflate: two encodings are enough, and caches keyed on the
# encoding (the page cache) then keep at most three copies of a page.
ENCODINGS = ("br", "gzip")
# A body smaller than this fits in one packet: compressing it gains nothing and costs work.
MIN_SIZE = 1024

DEFAULTS: dict[str, object] = {
    "COMPRESS_ALGORITHM": list(ENCODINGS),
    # Streamed answers (large exports) compress chunk by chunk; Flask-Compress leaves gzip out.
    "COMPRESS_ALGORITHM_STREAMING": ["br"],
    "COMPRESS_MIN_SIZE": MIN_SIZE,
    # Brotli 5 takes 0.5 ms for a 22 KB article (5.6 KB out); the best, 11, takes 30 ms for
    # 15 % less. Static files are compressed once, at set-up, at the best level.
    "COMPRESS_BR_LEVEL": 5,
    "COMPRESS_LEVEL": 6,
}


def negotiated_encoding(accept_encoding: str, offered: tuple[str, ...] = ENCODINGS) -> str | None:
    """The encoding an answer to this `Accept-Encoding` gets ("br", "gzip"), or None.

    The very choice Flask-Compress makes (q-values, `identity`, `*`): a cache that keeps one
    copy per encoding keys on this, never on its own reading of the header. `offered` narrows
    the choice to the encodings at hand (a file's precompressed copies), in order of preference.
    """
    if not offered:
        return None
    return _choose_algorithm(offered, accept_encoding)


def init_app(app: Flask) -> None:
    """Compress answers; called before anything else adds an `after_request`, so it runs last.

    Flask runs `after_request` functions in reverse order of registration: registered first,
    compression sees each response's final body and headers (security headers, ETags).
    """
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    # One Compress per app: it keeps the app's settings on itself.
    app.extensions["compress"] = Compress(app)
