"""The page cache: reader pages rendered once, served again until anything on them changes.

How it stays right:
- Every write that readers could see (a post, comment, tag, author, redirect or site flag, by
  the ORM or by a bulk UPDATE/DELETE) bumps one counter, `cache_state.generation`, in the same
  transaction (see `blog.core.changes`). Every server process and every app server reads that
  counter before it serves a copy, so the next request after a commit sees the change, whoever
  answers it. `cache_state.next_due` holds the time the next scheduled post goes live; a copy
  is not served past it (the first request after it bumps the counter).
- Only anonymous requests share copies: a browser signed in as an author, holding its own
  comments, or owed a message (see `personal_session_key`) always gets a fresh page. A shared
  page carries nothing of any one visitor: the comment form fetches its per-visitor parts
  (CSRF token, form stamp) when first used (`blog.comments`).
- Copies are kept per process, keyed by host, scheme, path and query, htmx fragment or page,
  and content encoding; the hit path runs before Flask, in WSGI, for speed.
- With PAGE_CACHE_DIR set, whole HTML pages without a query are also written there as files
  that nginx serves itself (`deploy/nginx.conf`), removed when the counter moves.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Flask, Response, current_app, g, request, session
from itsdangerous import BadSignature
from werkzeug.http import parse_date

from blog.core.cachestate import State, StateReader, bump_if_due
from blog.core.compression import negotiated_encoding
from blog.core.models import utcnow
from blog.core.pagefiles import PageFiles
from blog.extensions import db

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Session keys that make a page one visitor's own; features add theirs at import time.
_PERSONAL_KEYS = {"_user_id", "_flashes"}
# Cookies whose presence alone means "not anonymous" (flask-login's remember-me).
_PERSONAL_COOKIES = ("remember_token",)
# A response the app marks as shareable; the middleware strips it before the client sees it.
SHARED_HEADER = "X-Blog-Shared"
# Paths never kept here: static files have their own caching (core.assets), media too.
_NEVER_CACHED = ("/static/", "/media/")
# Headers of a stored copy that are not replayed (they belong to one response).
_NOT_REPLAYED = {"set-cookie", "date", SHARED_HEADER.lower(), "content-length"}

F = TypeVar("F", bound=Callable[..., Any])


def personal_session_key(name: str) -> None:
    """Declare a session key whose presence makes pages personal (never shared)."""
    _PERSONAL_KEYS.add(name)


def shared_page(view: F) -> F:
    """Mark a reader view whose anonymous answers may be shared from the cache."""
    view.page_cache_shared = True  # type: ignore[attr-defined]
    return view


def page_is_shared() -> bool:
    """True while rendering a page that will be served to every anonymous reader."""
    return bool(g.get("page_shared", False))


# --- the copies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Copy:
    """One stored answer."""

    generation: int
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str


class Store:
    """Copies in this process, least recently used dropped first, within a byte budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.copies: OrderedDict[str, Copy] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Copy | None:
        """The copy under `key`, if any."""
        with self.lock:
            found = self.copies.get(key)
            if found is not None:
                self.copies.move_to_end(key)
            return found

    def put(self, key: str, copy: Copy) -> None:
        """Keep `copy` under `key` (unless it alone is over a tenth of the budget)."""
        if len(copy.body) > self.budget // 10:
            return
        with self.lock:
            old = self.copies.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self.copies[key] = copy
            self.size += len(copy.body)
            while self.size > self.budget and self.copies:
                _, dropped = self.copies.popitem(last=False)
                self.size -= len(dropped.body)

    def clear(self) -> None:
        """Forget every copy."""
        with self.lock:
            self.copies.clear()
            self.size = 0


# --- the middleware ----------------------------------------------------------------------------


def _encoding(environ: WSGIEnvironment) -> str:
    """The encoding the answer gets: the very choice compression makes (q-values and all)."""
    accepted = environ.get("HTTP_ACCEPT_ENCODING", "")
    return (negotiated_encoding(accepted) or "") if accepted else ""


def _variant(environ: WSGIEnvironment) -> str:
    """The variant: "frag" for an htmx request that swaps part of a page, else "page"."""
    if (
        environ.get("HTTP_HX_REQUEST") == "true"
        and environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true"
        and environ.get("HTTP_HX_REQUEST_TYPE", "partial") == "partial"
    ):
        return "frag"
    return "page"


def cache_key(environ: WSGIEnvironment) -> str:
    """Where a request's copy is kept."""
    return "\n".join(
        (
            environ.get("wsgi.url_scheme", "http"),
            environ.get("HTTP_HOST", "").lower(),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            _variant(environ),
            _encoding(environ),
        )
    )


class PageCache:
    """WSGI middleware serving stored copies, and storing what the app marks as shared."""

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.store = Store(int(app.config["PAGE_CACHE_MEMORY_MB"]) * 1024 * 1024)
        self.files = PageFiles(app.config["PAGE_CACHE_DIR"])
        self._reader: StateReader | None = None
        self._reader_lock = threading.Lock()

    @property
    def reader(self) -> StateReader:
        """The counter's reader, made on first use (the engine needs the app)."""
        if self._reader is None:
            with self._reader_lock, self.app.app_context():
                if self._reader is None:
                    self._reader = StateReader(db.engine)
        return self._reader

    def anonymous(self, environ: WSGIEnvironment) -> bool:
        """True when nothing in the request's cookies makes its pages personal."""
        cookies = environ.get("HTTP_COOKIE", "")
        if not cookies:
            return True
        if any(f"{name}=" in cookies for name in _PERSONAL_COOKIES):
            return False
        name = self.app.config["SESSION_COOKIE_NAME"]
        value = _cookie(cookies, name)
        if value is None:
            return True
        serializer = self.app.session_interface.get_signing_serializer(self.app)  # type: ignore[attr-defined]
        if serializer is None:
            return False
        try:
            data = serializer.loads(value)
        except BadSignature:
            return True  # the app will ignore this cookie too
        return isinstance(data, dict) and not (_PERSONAL_KEYS & data.keys())

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if (
            method not in ("GET", "HEAD")
            or path.startswith(_NEVER_CACHED)
            or not self.anonymous(environ)
        ):
            return self.wsgi_app(environ, start_response)
        key = cache_key(environ)
        state = self.reader.read()
        if state is not None and state.next_due is not None and utcnow() >= state.next_due:
            # A scheduled post has gone live: every copy is out of date from now on.
            with self.app.app_context():
                bump_if_due()
            state = self.reader.read()
        found = self.store.get(key)
        if state is not None and found is not None and found.generation == state.generation:
            return self._replay(found, environ, start_response, method)
        environ["blog.page_cache.generation"] = state.generation if state else None
        return self._render_and_keep(key, environ, start_response, state)

    def _still_current(self, generation: int) -> bool:
        """Nothing changed since `generation`, and no scheduled post's time can pass unseen.

        A page file written past a change could outlive the truth (nothing wakes the app when
        nginx serves it), so it is not kept. Nor while a scheduled post is pending, unless
        `flask cache refresh` runs every minute (deploy/blog-cache.timer) to remove it then.
        """
        state = self.reader.read()
        return (
            state is not None
            and state.generation == generation
            and (state.next_due is None or self.files.watched())
        )

    def _replay(
        self, found: Copy, environ: WSGIEnvironment, start_response: StartResponse, method: str
    ) -> Iterable[bytes]:
        if _not_modified(found, environ):
            headers = [(k, v) for k, v in found.headers if k.lower() in ("vary", "cache-control")]
            start_response("304 Not Modified", [*headers, ("ETag", found.etag)])
            return []
        start_response(
            found.status,
            [
                *found.headers,
                ("Content-Length", str(len(found.body))),
                ("ETag", found.etag),
                ("X-Page-Cache", "hit"),
            ],
        )
        return [] if method == "HEAD" else [found.body]

    def _render_and_keep(
        self,
        key: str,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        state: State | None,
    ) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = status
            captured["headers"] = headers
            shared = any(k.lower() == SHARED_HEADER.lower() for k, _ in headers)
            captured["shared"] = shared
            kept = [(k, v) for k, v in headers if k.lower() != SHARED_HEADER.lower()]
            if shared and state is not None:
                captured["kept"] = kept
                return lambda _data: None  # the body is sent below, with its ETag
            return start_response(status, kept, exc_info)

        result = self.wsgi_app(environ, capture)
        if "kept" not in captured:
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        kept: list[tuple[str, str]] = captured["kept"]
        own_etag = next((v for k, v in kept if k.lower() == "etag"), None)
        headers = [(k, v) for k, v in kept if k.lower() not in _NOT_REPLAYED | {"etag"}]
        cookies = any(k.lower() == "set-cookie" for k, _ in kept)
        assert state is not None
        copy = Copy(
            state.generation,
            captured["status"],
            headers,
            body,
            own_etag or '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"',
        )
        method = environ.get("REQUEST_METHOD")
        if not cookies and method == "GET" and captured["status"].startswith("200"):
            self.store.put(key, copy)
            if (
                _variant(environ) == "page"
                and not environ.get("QUERY_STRING")
                and not _encoding(environ)
            ):
                content_type = dict((k.lower(), v) for k, v in headers).get("content-type", "")
                self.files.write(
                    environ.get("PATH_INFO", ""),
                    body,
                    content_type,
                    lambda: self._still_current(copy.generation),
                )
        sent = [*(item for item in kept if item[0].lower() != "etag"), ("ETag", copy.etag)]
        if copy.etag in environ.get("HTTP_IF_NONE_MATCH", "") and not cookies:
            start_response(
                "304 Not Modified", [(k, v) for k, v in sent if k.lower() != "content-length"]
            )
            return []
        start_response(captured["status"], sent)
        return [] if method == "HEAD" else [body]


def _not_modified(found: Copy, environ: WSGIEnvironment) -> bool:
    """The client's copy is this one (by ETag, or by Last-Modified when it sent no ETag)."""
    if "HTTP_IF_NONE_MATCH" in environ:
        return found.etag in environ["HTTP_IF_NONE_MATCH"]
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    modified = parse_date(dict((k.lower(), v) for k, v in found.headers).get("last-modified"))
    return since is not None and modified is not None and modified <= since


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip('"')
    return None


def mark_shared(response: Response) -> Response:
    """After a view: tell the middleware this answer may be shared (anonymous, shareable)."""
    if page_is_shared() and response.status_code == 200 and not session.modified:
        response.headers[SHARED_HEADER] = "1"
        response.headers.setdefault("Cache-Control", "no-cache")
    return response


def decide_shared() -> None:
    """Before a view: will this answer be shared? Then it is rendered for everyone."""
    view = request.endpoint and current_view()
    g.page_shared = bool(
        view is not None
        and getattr(view, "page_cache_shared", False)
        and request.method in ("GET", "HEAD")
        and request.environ.get("blog.page_cache.generation") is not None
    )


def current_view() -> Callable[..., Any] | None:
    """The view function the request was routed to."""
    return current_app.view_functions.get(request.endpoint or "")


def forget_copies(app: Flask) -> None:
    """Drop this process's copies (settings changed while running: tests do that)."""
    cache: object = app.wsgi_app
    while cache is not None and not isinstance(cache, PageCache):
        cache = getattr(cache, "app", None)
    if isinstance(cache, PageCache):
        cache.store.clear()


def init_app(app: Flask) -> None:
    """Put the cache in front of the app (PAGE_CACHE off: no caching at all)."""
    app.jinja_env.globals["page_is_shared"] = page_is_shared
    if not app.config["PAGE_CACHE"]:
        return
    app.before_request(decide_shared)
    app.after_request(mark_shared)
    app.wsgi_app = PageCache(app, app.wsgi_app)  # type: ignore[method-assign]
