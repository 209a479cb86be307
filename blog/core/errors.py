"""Error pages in the site's look, as full pages and as htmx fragments."""

from __future__ import annotations

from flask import Flask, Response
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from blog.core.models import Post
from blog.core.posts import newest_posts
from blog.core.web import Refused, refusal_response, render_page, wants_fragment
from blog.extensions import db

# What a reader is told for each status; the technical detail stays in the log.
MESSAGES: dict[int, tuple[str, str]] = {
    400: ("Bad request", "The request could not be understood. Please check it and try again."),
    403: ("Forbidden", "You are not allowed to do that."),
    404: (
        "Page not found",
        "There is no page at this address. It may have moved, or the link may be mistyped.",
    ),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "What you sent is larger than this blog accepts."),
    422: ("Could not be processed", "Some of what you sent was not valid."),
    429: ("Too many requests", "You are going a little fast. Please wait a moment and try again."),
    500: ("Something went wrong", "The blog hit an error on its side. Please try again shortly."),
}
NEWEST_ON_404 = 5
CSRF_MESSAGE = (
    "This form has expired or was sent from elsewhere. Please reload the page and try again."
)


def error_title(code: int) -> str:
    """The heading of the error page for `code`."""
    return MESSAGES.get(code, (f"Error {code}", ""))[0]


def render_error(code: int, message: str | None = None, retry_after: int | None = None) -> Response:
    """The error page with the right status; for htmx, a message for the page's message area."""
    return error_response(
        Refused(
            message or MESSAGES.get(code, ("", "The request failed."))[1],
            code,
            retry_after=retry_after,
        )
    )


def _newest() -> list[Post]:
    try:
        return newest_posts(NEWEST_ON_404)
    except SQLAlchemyError:
        # The page that says "not found" must not fail because the database did.
        db.session.rollback()
        return []


def error_response(refused: Refused) -> Response:
    """A refusal shown as the error page, or for htmx in the page's message area."""
    # Whatever an htmx request meant to swap, the message goes where messages are shown.
    fragment = wants_fragment()
    # A lost reader gets a way on: the search box and the newest posts.
    newest = _newest() if refused.status == 404 and not fragment else []
    html = render_page(
        "core/error.html",
        "error_message" if fragment else "error",
        code=refused.status,
        title=error_title(refused.status),
        message=refused.message,
        newest=newest,
    )
    return refusal_response(refused, html, retarget="#messages", reswap="innerHTML")


def init_app(app: Flask) -> None:
    """Route every refusal, HTTP error and unexpected exception to an error page."""

    @app.errorhandler(SecurityError)
    def untrusted_host(_error: SecurityError) -> Response:
        # No URL can be built for a host we do not serve, so no page in the site's look either.
        return Response(
            "Bad request: this site does not answer to that host name.\n",
            400,
            mimetype="text/plain",
        )

    @app.errorhandler(Refused)
    def refused(error: Refused) -> Response:
        return error_response(error)

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> Response:
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | HTTPException:
        if error.code is None or error.code < 400:
            return error
        response = render_error(error.code)
        # Keep what the exception says in headers (Allow on 405, Retry-After on 429).
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(InternalServerError)
    def server_error(_error: InternalServerError) -> Response:
        return render_error(500)
