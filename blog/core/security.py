"""Security headers on every response, and cookies that follow the connection's security."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import current_user, login_required

from blog.core.models import Author
from blog.core.web import Refused

# The names this machine answers to when no site address is configured.
LOCAL_HOSTS = ("localhost", "127.0.0.1")

# Scripts only from our own origin, no inline script and no eval; htmx is configured for that
# (its indicator styles come from our stylesheet, not injected at run time).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over TLS (or config says so)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure behind TLS, even when the operator did not set SESSION_COOKIE_SECURE."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Static files neither read nor set the session: no cookie and no `Vary: Cookie`.

        Flask-Login looks at the session after every request, which would otherwise mark
        each stylesheet as varying with the cookie (browsers then fetch it again).
        """
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)


def add_security_headers(response: Response) -> Response:
    """Set the headers every page must carry."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if response.mimetype == "text/html":
        # Any page may answer htmx with a fragment (errors included): caches key on the header.
        response.vary.add("HX-Request")
    if request.endpoint != "static" and current_user and current_user.is_authenticated:
        # A signed-in page (even a reader page, with the author's footer) is never cached.
        headers["Cache-Control"] = "no-store"
    return response


def trusted_hosts(app: Flask) -> None:
    """Answer only to the site's own host names (anything else is a 400).

    A forged Host header would otherwise end up in canonical links and redirects, which a
    shared cache keeps and serves to others. Without TRUSTED_HOSTS, the names are the host of
    SITE_URL (when set) and this machine's own.
    """
    if app.config.get("TRUSTED_HOSTS"):
        return
    hosts = list(LOCAL_HOSTS)
    if app.config.get("SITE_URL"):
        host = urlsplit(app.config["SITE_URL"]).hostname
        if host:
            hosts.insert(0, host)
    app.config["TRUSTED_HOSTS"] = hosts


def relative_redirects(response: Response) -> Response:
    """Redirects to this site name a path, never a host (Werkzeug's trailing-slash one did)."""
    location = response.headers.get("Location")
    if location and location.startswith(request.host_url):
        response.headers["Location"] = "/" + location.removeprefix(request.host_url)
    return response


def same_site_path(target: str | None) -> str | None:
    r"""`target` if it is a path on this site, else None: never a way to send anyone elsewhere.

    Browsers drop tabs, newlines and other control characters from URLs and read a backslash
    as a slash, so `/\t/evil.example` or `/\\evil.example` would leave the site: such targets
    are judged after the same clean-up, and refused outright when they contain a backslash.
    """
    if not target or len(target) > 2000 or not target.isprintable() or "\\" in target:
        return None
    cleaned = "".join(target.split())
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc or not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    return target.replace(" ", "%20")


def same_origin() -> bool:
    """The browser says this request comes from a page of this very site.

    Fetch Metadata (`Sec-Fetch-Site`, sent by every current browser) when present, else the
    `Origin` header against the address the request came to. Neither: not vouched for.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    return origin is not None and origin == request.host_url.rstrip("/")


def refuse_unreadable_requests() -> None:
    """A NUL character is never text: refuse it in the address (PostgreSQL would, with a 500).

    Query values and forms are each checked where they are read (forms by `TextForm`).
    """
    if "\x00" in request.path:
        raise Refused("The address contains characters that are not text.", 400)


def current_author() -> Author:
    """The signed-in author (call only behind `authors_only` or `login_required`)."""
    author: Author = current_user.author
    return author


def authors_only(blueprint: Blueprint) -> None:
    """Send anyone not signed in to the sign-in page, for every view of `blueprint`."""

    @blueprint.before_request
    @login_required
    def require_author() -> None:
        """Only signed-in authors get past this point."""


def init_app(app: Flask) -> None:
    """Attach the headers to every response, error pages and static files included."""
    app.session_interface = SessionInterface()
    trusted_hosts(app)
    app.before_request(refuse_unreadable_requests)
    app.after_request(add_security_headers)
    app.after_request(relative_redirects)
