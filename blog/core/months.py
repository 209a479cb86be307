"""Counting rows by the site zone's calendar months in SQL, a few rows a month however many.

The archive follows the site zone's months, while SQL sees only UTC. A UTC day from the 2nd to
the 27th lies wholly inside its UTC month's local month (zone offsets stay under a day), so
SQL counts those days per UTC month. Only a month's first and last UTC days can hold a local
month boundary; those are counted per day, and per "part": how many of the times of day at
which the zone's months begin in UTC (a handful: one per offset it has had at midnight) the
row comes at or after. Python then puts each part on its side of that day's boundary. One
scan, a few rows per month however many posts. A boundary at a time of day missing from the
list (a month outside 1970-2100) costs a second query, for those days only.
"""

from __future__ import annotations

import functools
from collections import Counter
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Connection, Integer, String, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from blog.core.localtime import local_month, month_start, next_month

_EDGE_DAYS = (1, 28, 29, 30, 31)
_BOUNDARY_YEARS = range(1970, 2101)

# A UTC day: the local month it starts in, and the time of day ("HH:MM:SS") the next begins.
_Split = dict[tuple[int, int, int], tuple[tuple[int, int], str]]
Months = Counter[tuple[int, int]]


# Pieces of a naive UTC time in SQL, written for each database: SQLite keeps a DateTime as the
# text "YYYY-MM-DD HH:MM:SS.ffffff", and slicing it is several times cheaper than strftime;
# PostgreSQL has a timestamp. The month comes as year * 100 + month, the day as a number, the
# time of day as "HH:MM:SS" (which compares in order as text).
_PIECES: dict[str, tuple[str, str]] = {
    "utc_month": (
        "CAST(substr({0}, 1, 4) || substr({0}, 6, 2) AS INTEGER)",
        "CAST(extract(year FROM {0}) * 100 + extract(month FROM {0}) AS INTEGER)",
    ),
    "utc_day": ("CAST(substr({0}, 9, 2) AS INTEGER)", "CAST(extract(day FROM {0}) AS INTEGER)"),
    "utc_time": ("substr({0}, 12, 8)", "to_char({0}, 'HH24:MI:SS')"),
}


class _UtcPiece(FunctionElement[Any]):
    """A piece of a naive UTC time column (see _PIECES)."""

    inherit_cache = True


class _UtcMonth(_UtcPiece):
    """The year and month in UTC, as year * 100 + month."""

    name = "utc_month"
    inherit_cache = True
    type = Integer()


class _UtcDay(_UtcPiece):
    """The day of the month, in UTC."""

    name = "utc_day"
    inherit_cache = True
    type = Integer()


class _UtcTime(_UtcPiece):
    """The time of day in UTC, as "HH:MM:SS"."""

    name = "utc_time"
    inherit_cache = True
    type = String()


@compiles(_UtcPiece)
def _piece_sqlite(element: _UtcPiece, compiler: SQLCompiler, **kw: Any) -> str:
    return _PIECES[element.name][0].format(compiler.process(element.clauses, **kw))


@compiles(_UtcPiece, "postgresql")
def _piece_postgresql(element: _UtcPiece, compiler: SQLCompiler, **kw: Any) -> str:
    return _PIECES[element.name][1].format(compiler.process(element.clauses, **kw))


@functools.lru_cache(maxsize=16)
def _boundary_times(zone: tzinfo) -> tuple[str, ...]:
    """The UTC times of day at which the zone's months began in 1970-2100, but midnight."""
    times = {
        f"{month_start(year, month, zone):%H:%M:%S}"
        for year in _BOUNDARY_YEARS
        for month in range(1, 13)
    }
    return tuple(sorted(times - {"00:00:00"}))


def _pieces(
    column: ColumnElement[datetime],
) -> tuple[ColumnElement[int], ColumnElement[int], ColumnElement[str]]:
    """The time's UTC month (year * 100 + month), day of month and "HH:MM:SS"."""
    return _UtcMonth(column), _UtcDay(column), _UtcTime(column)


def _part(time_of_day: ColumnElement[str], times: tuple[str, ...]) -> ColumnElement[int]:
    """How many of `times` (ascending "HH:MM:SS") a row's UTC time of day is at or after."""
    steps = [(time_of_day >= moment, index + 1) for index, moment in enumerate(times)]
    return case(*reversed(steps), else_=0)


def count_by_month(
    connection: Connection,
    column: ColumnElement[datetime],
    where: ColumnElement[bool],
    zone: tzinfo,
) -> Months:
    """How many rows matching `where` have `column` (naive UTC) in each month of `zone`."""
    times = _boundary_times(zone)
    year_month, day, time_of_day = _pieces(column)
    edge = day.in_(_EDGE_DAYS)
    part = case((edge, _part(time_of_day, times)), else_=0) if times else literal(0)
    rows = connection.execute(
        select(
            year_month.label("archive_month"),
            case((edge, day), else_=0).label("archive_day"),
            part.label("archive_part"),
            func.count(),
        )
        .where(where)
        .group_by("archive_month", "archive_day", "archive_part")
    ).all()
    counts: Months = Counter()
    unlisted: _Split = {}
    for ym, d, p, count in rows:
        (y, m), d, after, n = divmod(int(ym), 100), int(d), int(p), int(count)
        if d == 0:
            counts[(y, m)] += n
            continue
        day_start = datetime(y, m, d)
        here = local_month(day_start, zone)
        boundary = month_start(*next_month(*here), zone)
        if not day_start < boundary < day_start + timedelta(days=1):
            counts[here] += n
        elif (moment := f"{boundary:%H:%M:%S}") in times:
            counts[next_month(*here) if after > times.index(moment) else here] += n
        else:
            counts[here] += n
            unlisted[(y, m, d)] = (here, moment)
    if unlisted:
        later_by_day = _counted_after_boundaries(connection, column, where, unlisted)
        for key, later in later_by_day.items():
            here, _ = unlisted[key]
            counts[here] -= later
            counts[next_month(*here)] += later
    return counts


def _counted_after_boundaries(
    connection: Connection,
    column: ColumnElement[datetime],
    where: ColumnElement[bool],
    split: _Split,
) -> dict[tuple[int, int, int], int]:
    """For each split UTC day, how many of its rows come at or after its month boundary."""
    times = tuple(sorted({moment for _, moment in split.values()}))
    year_month, day, time_of_day = _pieces(column)
    rows = connection.execute(
        select(
            year_month.label("archive_month"),
            day.label("archive_day"),
            _part(time_of_day, times).label("archive_part"),
            func.count(),
        )
        .where(where, day.in_(_EDGE_DAYS))
        .group_by("archive_month", "archive_day", "archive_part")
    )
    later: Counter[tuple[int, int, int]] = Counter()
    for ym, d, p, n in rows:
        key = (*divmod(int(ym), 100), int(d))
        if key in split and int(p) > times.index(split[key][1]):
            later[key] += int(n)
    return dict(later)
