"""What one request may cost: its date range, its periods, its groupings, and how many run at once.

A public server must answer every client, so no single request may occupy it: ranges are
clamped to the data's span (a range wholly outside it is refused), a request asking for
more periods or groupings than a budget allows is refused with ``OverBudget`` (400, saying
which limit and how to stay inside it), and at most ``Gate.size`` computations run at once
(another gets ``Busy``, 503 with ``Retry-After``), so cheap routes such as ``/health`` stay fast
while heavy ones work. The limits are checked before any computation starts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from kadry.errors import BadRequest, Busy, InputError, OverBudget
from kadry.indicators.periods import PERIODS, parse_day

__all__ = ["Budget", "BUDGET", "Gate", "clamp_range", "count_periods", "check_request", "ordered"]


@dataclass(frozen=True)
class Budget:
    """Limits of one request: at most ``periods`` periods and ``groupings`` dimensions to cut by."""

    periods: int = 120  # 4 months of days, 2 years of weeks, 10 years of months
    groupings: int = 2  # each grouping multiplies the cells by its members and doubles the roll-ups


BUDGET = Budget()


def _day(value: str | date | None, *, end: bool) -> date | None:
    if value in (None, ""):
        return None
    try:
        return parse_day(value, end=end)
    except InputError:
        raise
    except (ValueError, TypeError):
        raise BadRequest(f"not a date: {value!r} (use YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD)") from None


def clamp_range(start: str | date | None, end: str | date | None, first: date, last: date) -> tuple[date, date]:
    """``start``..``end`` (defaults: the data's ``first``..``last``) cut to the data's span.

    A range that does not meet the data is refused: it could only answer with nothing.
    """
    lo, hi = _day(start, end=False) or first, _day(end, end=True) or last
    if hi < first or lo > last:
        raise BadRequest(f"the range {lo}..{hi} lies outside the data ({first}..{last})")
    ordered(lo, hi)
    return max(lo, first), min(hi, last)


def ordered(lo: date, hi: date) -> None:
    """Refuse a reversed range: it is a mistake, not a question whose answer is empty."""
    if lo > hi:
        raise BadRequest(f"empty date range: {lo} is after {hi}")


def count_periods(period: str, first: date, last: date) -> int:
    """How many periods of ``period`` length touch ``first``..``last`` (computed, not enumerated)."""
    if period not in PERIODS:
        raise BadRequest(f"unknown period {period!r}: use one of {', '.join(PERIODS)}")
    if period == "day":
        return (last - first).days + 1
    if period == "week":
        return (last.toordinal() - last.weekday() - (first.toordinal() - first.weekday())) // 7 + 1
    months = (last.year - first.year) * 12 + last.month - first.month
    if period == "month":
        return months + 1
    return (last.year * 4 + (last.month - 1) // 3) - (first.year * 4 + (first.month - 1) // 3) + 1


def check_request(period: str, first: date, last: date, groupings: Iterable[str] = (), budget: Budget = BUDGET) -> None:
    """Refuse a request over ``budget`` with a message that says which limit and what fits."""
    n = count_periods(period, first, last)
    if n > budget.periods:
        raise OverBudget(
            f"{n} {period} periods from {first} to {last} exceed the limit of {budget.periods} per request: "
            "use a longer period or a shorter range",
            periods=n,
            limit=budget.periods,
        )
    dims = [g for g in groupings if g]
    if len(dims) > budget.groupings:
        raise OverBudget(
            f"grouping by {len(dims)} dimensions ({', '.join(dims)}) exceeds the limit of {budget.groupings} "
            "per request",
            groupings=len(dims),
            limit=budget.groupings,
        )


class Gate:
    """At most ``size`` heavy computations at once; one more is refused at once, not queued.

    Queueing would let a burst of expensive requests hold every worker thread while cheap
    ones wait; refusing with ``Busy`` (503, ``Retry-After``) keeps the server responsive.
    """

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def hold(self) -> Iterator[None]:
        """One slot while the block runs, or ``Busy`` at once."""
        if not self._slots.acquire(blocking=False):
            raise Busy(f"the server is computing {self.size} answers already: retry in a few seconds")
        try:
            yield
        finally:
            self._slots.release()
