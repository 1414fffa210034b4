"""Periods: the calendar a range of dates is cut into (day, week, month, quarter).

Days are handled as integers (days since 1970-01-01) inside the engines, so date
arithmetic is plain integer arithmetic and identical on DuckDB and Spark.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

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
    """Whole periods covering ``start``..``end``: columns ``ps``, ``pe`` (first/last day numbers)."""
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
    return pa.table({"ps": pa.array(starts, pa.int64()), "pe": pa.array(ends, pa.int64())})


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
    """Every day of the whole periods covering ``start``..``end``: ``d``, and its period's ``ps``, ``pe``."""
    periods = calendar(period, start, end).to_pylist()
    ds, ps, pe = [], [], []
    for p in periods:
        for d in range(p["ps"], p["pe"] + 1):
            ds.append(d)
            ps.append(p["ps"])
            pe.append(p["pe"])
    return pa.table({"d": pa.array(ds, pa.int64()), "ps": pa.array(ps, pa.int64()), "pe": pa.array(pe, pa.int64())})


class Calendar:
    """The periods of a query, as Ibis tables: ``periods`` (ps, pe) and ``days`` (d, ps, pe).

    ``days`` maps a day to its period by an equi-join, so counting starts and ends per
    period never needs a range join; ``first`` / ``last`` bound the covered days.
    """

    def __init__(self, period: str, start: date, end: date) -> None:
        import ibis

        periods = calendar(period, start, end)
        self.period = period
        self.first = periods["ps"][0].as_py()
        self.last = periods["pe"][-1].as_py()
        self.periods = ibis.memtable(periods)
        self.days = ibis.memtable(day_map(period, start, end))


def epoch_day(ts: Any) -> Any:
    """An Ibis timestamp as whole days since 1970-01-01 (int64): the unit every interval is kept in."""
    return ts.date().epoch_days().cast("int64")
