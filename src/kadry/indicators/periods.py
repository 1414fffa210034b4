"""Periods: the calendar a range of dates is cut into (day, week, month, quarter).

Days are handled as integers (days since 1970-01-01) inside the engines, so date
arithmetic is plain integer arithmetic and identical on DuckDB and Spark.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from kadry.errors import InputError

__all__ = ["PERIODS", "EPOCH", "Calendar", "calendar", "day_map", "day_number", "epoch_day", "parse_day"]

PERIODS = ("day", "week", "month", "quarter")
EPOCH = date(1970, 1, 1)


def day_number(d: date) -> int:
    return (d - EPOCH).days


def _period_start(d: date, period: str) -> date:
    if period == "day":
        return d
    if period == "week":  # ISO weeks start on Monday
        return d - timedelta(days=d.weekday())
    if period == "month":
        return d.replace(day=1)
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _next_start(d: date, period: str) -> date:
    if period == "day":
        return d + timedelta(days=1)
    if period == "week":
        return d + timedelta(days=7)
    months = 1 if period == "month" else 3
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def calendar(period: str, start: date, end: date) -> pa.Table:
    """Whole periods covering ``start``..``end``: ``ps``, ``pe`` (first/last day numbers), ``pi`` (0, 1, ...).

    ``pi`` numbers the periods in order: a small integer key groups faster than a day number.
    """
    if period not in PERIODS:
        raise InputError(f"unknown period {period!r}: use one of {', '.join(PERIODS)}")
    if end < start:
        raise InputError(f"empty date range: {start} is after {end}")
    starts, ends = [], []
    cur = _period_start(start, period)
    while cur <= end:
        nxt = _next_start(cur, period)
        starts.append(day_number(cur))
        ends.append(day_number(nxt) - 1)
        cur = nxt
    return pa.table(
        {
            "ps": pa.array(starts, pa.int64()),
            "pe": pa.array(ends, pa.int64()),
            "pi": pa.array(range(len(starts)), pa.int32()),
        }
    )


_PATTERNS = [
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), "day"),
]


def parse_day(value: str | date | datetime, *, end: bool = False) -> date:
    """A date from ``2022``, ``2022-Q3``, ``2022-03`` or ``2022-03-15``; ``end`` gives the last day."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern, kind in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        try:
            y = int(m.group(1))
            if kind == "year":
                return date(y, 12, 31) if end else date(y, 1, 1)
            if kind == "day":
                return date(y, int(m.group(2)), int(m.group(3)))
            first_month = int(m.group(2)) if kind == "month" else 3 * (int(m.group(2)) - 1) + 1
            first = date(y, first_month, 1)
            if not end:
                return first
            return _next_start(first, "month" if kind == "month" else "quarter") - timedelta(days=1)
        except ValueError:
            break
    raise InputError(f"bad date {text!r}: use YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD")


def day_map(period: str, start: date, end: date) -> pa.Table:
    """Every day of the whole periods covering ``start``..``end``: ``d``, and its period's ``ps``, ``pe``, ``pi``."""
    periods = calendar(period, start, end)
    days = pa.array(range(periods["ps"][0].as_py(), periods["pe"][-1].as_py() + 1), pa.int64())
    # periods are contiguous: a day's period is the last one starting on or before it
    at = np.searchsorted(periods["ps"].to_numpy(), days.to_numpy(), side="right") - 1
    return pa.table({"d": days, **{c: periods[c].take(pa.array(at)) for c in ("ps", "pe", "pi")}})


class Calendar:
    """The periods of a query, as Ibis tables: ``periods`` (ps, pe, pi) and ``days`` (d, ps, pe, pi).

    ``days`` maps a day to its period by an equi-join, so counting starts and ends per
    period never needs a range join; ``first`` / ``last`` bound the covered days. Given the
    ``engine``, both are placed on it as tables (``Engine.small_table``) whose value ranges
    the engine knows, so it can group by them with direct-indexed tables.
    """

    def __init__(self, period: str, start: date, end: date, engine: Any = None) -> None:
        import ibis

        periods = calendar(period, start, end)
        self.period = period
        self.first = periods["ps"][0].as_py()
        self.last = periods["pe"][-1].as_py()
        place = engine.small_table if engine is not None else ibis.memtable
        self.periods = place(periods)
        self.days = place(day_map(period, start, end))


def epoch_day(ts: Any) -> Any:
    """An Ibis timestamp as whole days since 1970-01-01 (int64): the unit every interval is kept in."""
    return ts.date().epoch_days().cast("int64")
