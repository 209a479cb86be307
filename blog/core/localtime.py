"""The site's time zone (the TIMEZONE setting): stored naive UTC times in and out of local time.

Every stored time is naive UTC (`core.models.utcnow`). Readers and authors see times in the site
zone, authors schedule in it, and the archive's months are its calendar months.

Where a local time of day happens twice (the clocks go back), it means the first of the two
(fold=0); where it never happens (the clocks go forward), `to_utc` refuses it.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from flask import current_app

from blog.config import time_zone


class NonexistentTime(ValueError):
    """A local time the clocks skip over (the hour lost when daylight saving time starts)."""


def site_zone() -> tzinfo:
    """The site's time zone, from the TIMEZONE setting."""
    return time_zone(current_app.config["TIMEZONE"])


def zone_name() -> str:
    """The site zone's IANA name, e.g. "Europe/Paris", to tell authors which zone they type in."""
    return str(current_app.config["TIMEZONE"])


def to_local(value: datetime, zone: tzinfo | None = None) -> datetime:
    """A stored (naive UTC) time as an aware time in the site zone."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    try:
        return aware.astimezone(zone or site_zone())
    except OverflowError:
        return aware  # within hours of year 1 or 9999 the zone has no calendar: stay in UTC


def zone_abbreviation(local: datetime) -> str:
    """The zone's short name at that moment: "CET", "EDT"; "UTC+04" where it has no letters."""
    name = local.tzname() or "UTC"
    return f"UTC{name}" if name[0] in "+-" else name


def to_utc(local: datetime, zone: tzinfo | None = None) -> datetime:
    """A naive local time in the site zone as naive UTC; NonexistentTime if clocks skip it."""
    zone = zone or site_zone()
    aware = local.replace(tzinfo=zone, fold=0)
    try:
        instant = aware.astimezone(UTC)
    except OverflowError as error:
        raise NonexistentTime("That time is out of range.") from error
    # A time inside a spring-forward gap does not come back the same from UTC.
    if instant.astimezone(zone).replace(tzinfo=None) != local:
        raise NonexistentTime(
            f"{local:%H:%M} on {local:%B} {local.day} does not exist in {zone}: the clocks "
            "go forward then. Please choose another time."
        )
    return instant.replace(tzinfo=None)


def month_start(year: int, month: int, zone: tzinfo | None = None) -> datetime:
    """When a calendar month of the site zone begins, as naive UTC (local midnight on the 1st).

    Where the clocks skip midnight on the 1st, the month begins when they jump (fold=0 reads
    the skipped midnight with the offset before the change, which lands on that instant).
    """
    if year > datetime.max.year:
        return datetime.max
    if (year, month) == (1, 1):
        # The calendar's first month takes in what is earlier: year 0, west of UTC (`to_local`
        # leaves such a time in UTC, which puts it in this month too).
        return datetime.min
    instant = datetime(year, month, 1, tzinfo=zone or site_zone()).astimezone(UTC)
    return instant.replace(tzinfo=None)


def next_month(year: int, month: int) -> tuple[int, int]:
    """The calendar month after (year, month)."""
    return (year, month + 1) if month < 12 else (year + 1, 1)


def month_bounds(year: int, month: int, zone: tzinfo | None = None) -> tuple[datetime, datetime]:
    """A local calendar month as a half-open range of naive UTC times."""
    zone = zone or site_zone()
    return month_start(year, month, zone), month_start(*next_month(year, month), zone)


def local_month(value: datetime, zone: tzinfo | None = None) -> tuple[int, int]:
    """The (year, month) of the site zone's calendar that a stored time falls in."""
    local = to_local(value, zone)
    return local.year, local.month
