"""What every template can use: date filters, absolute URLs, site globals and length limits.

Dates and times are shown in the site's time zone (TIMEZONE); `iso_utc` writes the same instant
in UTC for machines (`<time datetime>`, OpenGraph, JSON-LD, feeds).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from flask import Flask, current_app, request

from blog.core.images import SIZES, sized
from blog.core.localtime import to_local, zone_abbreviation, zone_name
from blog.core.models import Limits, utcnow


def long_date(value: datetime) -> str:
    """How a stored time's date reads on the page, in the site zone: "November 3, 2026"."""
    local = to_local(value)
    return f"{local:%B} {local.day}, {local.year}"


def time_of_day(value: datetime) -> str:
    """A stored time's time of day in the site zone, with the zone named: "14:05 CET"."""
    local = to_local(value)
    return f"{local:%H:%M} {zone_abbreviation(local)}"


def long_datetime(value: datetime) -> str:
    """Date and time of day in the site zone: "November 3, 2026 at 14:05 CET"."""
    return f"{long_date(value)} at {time_of_day(value)}"


def recent_time(value: datetime) -> str:
    """A time of day when it is today in the site zone, else the date with it."""
    if to_local(value).date() == to_local(utcnow()).date():
        return time_of_day(value)
    return long_datetime(value)


def local_date(value: datetime) -> date:
    """The calendar day (in the site zone) a stored time falls on."""
    return to_local(value).date()


def iso_utc(value: datetime) -> str:
    """Machine-readable UTC time for `<time datetime>` and OpenGraph."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


# Words a reader gets through in a minute, for "N min read".
READING_SPEED = 230
_TAG = re.compile(r"<[^>]+>")


def reading_minutes(html: str) -> int:
    """Minutes to read an article's text (at least one)."""
    return max(1, round(len(_TAG.sub(" ", html).split()) / READING_SPEED))


def absolute_url(path: str) -> str:
    """`path` on this site as an absolute URL, based on SITE_URL when the operator set one."""
    base = current_app.config.get("SITE_URL") or request.host_url
    return base.rstrip("/") + path


def init_app(app: Flask) -> None:
    """Register filters and globals."""
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["iso_utc"] = iso_utc
    app.jinja_env.filters["time_of_day"] = time_of_day
    app.jinja_env.filters["long_datetime"] = long_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["recent_time"] = recent_time
    app.jinja_env.globals["site_timezone"] = zone_name
    app.jinja_env.globals["absolute_url"] = absolute_url
    app.jinja_env.globals["reading_minutes"] = reading_minutes
    # Templates read `maxlength` from the same constants as the columns and the forms.
    app.jinja_env.globals["limits"] = Limits
    app.jinja_env.globals["sized_image"] = sized
    app.jinja_env.globals["image_sizes"] = SIZES
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site_globals() -> dict[str, Any]:
        return {
            "site_name": current_app.config["SITE_NAME"],
            "site_tagline": current_app.config["SITE_TAGLINE"],
        }
