"""One template, two renderings (page or htmx fragment), and every refusal turned into a response.

Views render through `render_page`; whatever a view refuses (a comment, a post, a sign-in) is
raised as `Refused` and answered by `refusal_response`, so status, `Retry-After` and the htmx
headers are set in one place.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request
from htmx_flask import make_response as htmx_response
from jinja2_fragments.flask import render_block
from werkzeug.routing import IntegerConverter


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of the page (not a history restore)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Request-Type", "partial") == "partial"
    )


def render_page(
    template: str,
    block: str,
    *,
    oob_blocks: tuple[str, ...] = (),
    with_title: bool = False,
    **context: Any,
) -> str:
    """Render the whole page, or for htmx only `block` of that same template.

    `with_title` starts the fragment with the page's <title>, for swaps that push a new URL:
    htmx moves it into the document head, so the tab and the history entry are named as the
    full page would name them. `oob_blocks` are rendered after the block with `oob=True`, for
    pieces elsewhere on the page (a count, a status line) that htmx swaps by id.
    """
    if wants_fragment():
        return render_fragment(
            template, block, oob_blocks=oob_blocks, with_title=with_title, **context
        )
    return render_template(template, **context)


def render_fragment(
    template: str,
    block: str,
    *,
    oob_blocks: tuple[str, ...] = (),
    with_title: bool = False,
    **context: Any,
) -> str:
    """Only `block` of `template` (and its out-of-band blocks), whatever the request."""
    parts = [render_block(template, block, **context)]
    if with_title:
        parts.insert(0, f"<title>{render_block(template, 'title', **context).strip()}</title>")
    parts += [render_block(template, name, **context, oob=True) for name in oob_blocks]
    return "\n".join(parts)


# The largest id an integer column holds on every database we run on (PostgreSQL's integer).
LARGEST_ID = 2**31 - 1


class DatabaseInt(IntegerConverter):
    """`<int:...>` in our routes: a whole number a database column can hold, else 404.

    Werkzeug's own converter accepts any length, and a 20-digit id would reach the database
    driver and fail there.
    """

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def parse_id(raw: str | None) -> int | None:
    """An id from a form or query value: a whole number a column can hold, else None."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(LARGEST_ID)):
        return None
    number = int(raw)
    return number if 0 < number <= LARGEST_ID else None


def page_number() -> int:
    """The `page` query argument: a positive whole number, else 404."""
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or int(raw) < 1:
        abort(404)
    return int(raw)


class Refused(Exception):
    """Something a visitor asked for that is not done, with what to tell them.

    `status` is the HTTP status of the answer, `field` the form field the message belongs to
    (None for the form as a whole), `retry_after` the seconds to wait for a 429.
    """

    def __init__(
        self,
        message: str,
        status: int,
        *,
        field: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field
        self.retry_after = retry_after


def refusal_response(
    refused: Refused,
    html: str,
    *,
    retarget: str | None = None,
    reswap: str | None = None,
) -> Response:
    """The answer to a refusal: its status and `Retry-After`, and for htmx where to swap `html`.

    `retarget`/`reswap` apply to htmx requests only: a plain form post gets a whole page.
    """
    fragment = wants_fragment()
    response: Response = htmx_response(
        html,
        refused.status,
        retarget=retarget if fragment else None,
        reswap=reswap if fragment else None,
    )
    if refused.retry_after is not None:
        response.headers["Retry-After"] = str(refused.retry_after)
    return response
