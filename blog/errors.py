"""Error pages in the site's look, as full pages and as htmx fragments."""

from __future__ import annotations

from flask import Flask, Response, make_response
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from blog.templating import render_page

# What a reader is told for each status; the technical detail stays in the log.
MESSAGES: dict[int, tuple[str, str]] = {
    400: ("Bad request", "The request could not be understood. Please check it and try again."),
    403: ("Forbidden", "You are not allowed to do that."),
    404: ("Page not found", "There is no page at this address. It may have moved, or the "
          "link may be mistyped."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "What you sent is larger than this blog accepts."),
    422: ("Could not be processed", "Some of what you sent was not valid."),
    429: ("Too many requests", "You are going a little fast. Please wait a moment and try again."),
    500: ("Something went wrong", "The blog hit an error on its side. Please try again shortly."),
}  # fmt: skip


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    """The error page (or, for htmx, its message block) with the right status."""
    title, default_message = MESSAGES.get(code, (f"Error {code}", "The request failed."))
    html = render_page(
        "error.html", "error", code=code, title=title, message=message or default_message
    )
    return html, code


def init_app(app: Flask) -> None:
    """Route every HTTP error and any unexpected exception to `render_error`."""

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        return render_error(
            400, "This form has expired or was sent from elsewhere. Please reload the page "
            "and try again."
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | HTTPException:
        if error.code is None or error.code < 400:
            return error
        response = make_response(render_error(error.code))
        # Keep what the exception says in headers (Allow on 405, Retry-After on 429).
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        return render_error(500)
