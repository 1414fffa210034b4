"""Stocks by a sweep over interval ends: no record is ever met with more than one period.

For one segment, with a record's merged activity intervals disjoint and ordered,

    stock(p) = S(<=p) - E(<p) - G(p)

S(<=p): intervals starting (clamped to the range) in p or before; E(<p): intervals ending
before p; G(p): gaps between consecutive intervals of one record that lie inside p (both
neighbours touch p, but the record counts once). Starts, ends and gaps are mapped to
periods by an equi-join with the day map, counted per segment and period, laid on a dense
grid of segments x periods and summed cumulatively. Cost: O(intervals), whatever the
period length, so daily stocks over years never multiply rows by days.
"""

from __future__ import annotations

import ibis

from kadry.indicators.activity import Options, intervals
from kadry.indicators.engine import Engine
from kadry.indicators.periods import Calendar
from kadry.indicators.stored import decode, stored_intervals, usable

__all__ = ["stock_cells"]

_SUMS = ("nv", "tv", "nr", "tr", "ns", "ts")


def _events(iv: ibis.Table, dims: list[str], cal: Calendar) -> ibis.Table:
    """Start, end and gap events of both kinds, each with its period and signed contributions.

    Each event adds to two sums per population (vacancies ``v``, resumes ``r``, simulated
    ``s``): ``n*`` (starts minus ends, summed cumulatively over periods) and ``t*`` (ends minus
    gaps of the period itself). Integer columns only, so one pass of sums does all counting.
    """
    iv = iv.filter(iv.e >= cal.first, iv.s <= cal.last)
    v = iv.is_v.cast("int64")
    r = 1 - v
    sim = iv.simulated.fill_null(False).cast("int64")
    zero = ibis.literal(0, "int64")
    no_period = ibis.null("int64")
    starts = iv.select(
        *dims, day=ibis.greatest(iv.s, cal.first), ps2=no_period, nv=v, tv=zero, nr=r, tr=zero, ns=sim, ts=zero
    )
    if cal.period == "day":
        # a day is its own period: an interval counts from its first day to its last, so its end is
        # a -1 on the next day (no same-period end sums, no join with the day map: every event lies
        # in the range), and no gap lies inside one day, since merged intervals are never adjacent
        after = iv.filter(iv.e < cal.last)
        after = after.select(*dims, day=after.e + 1, nv=-v, nr=-r, ns=-sim)
        ev = ibis.union(starts.select(*dims, "day", "nv", "nr", "ns"), after, distinct=False)
        return ev.select(*dims, ps=ev.day, nv=ev.nv, nr=ev.nr, ns=ev.ns)
    ends = iv.filter(iv.e <= cal.last)
    ends = ends.select(*dims, day=ends.e, ps2=no_period, nv=-v, tv=v, nr=-r, tr=r, ns=-sim, ts=sim)
    # a gap between two intervals of one record counts only when both of its ends fall in one period
    gaps = iv.filter(iv.next_s.notnull(), iv.next_s <= cal.last)
    d2 = cal.days.select(d2="d", ps2="ps")
    gaps = gaps.join(d2, gaps.next_s == d2.d2)
    gaps = gaps.select(*dims, day=gaps.e, ps2=gaps.ps2, nv=zero, tv=-v, nr=zero, tr=-r, ns=zero, ts=-sim)
    ev = ibis.union(starts, ends, gaps, distinct=False)
    days = cal.days
    ev = ev.join(days, ev.day == days.d)
    ev = ev.filter(ev.ps2.isnull() | (ev.ps == ev.ps2))
    return ev.select(*dims, "ps", *_SUMS)


def _computed(engine: Engine, dims: list[str], filters: dict | None, opts: Options) -> ibis.Table:
    """Both kinds' intervals merged from the records, with ``is_v``."""
    parts = []
    for kind in ("vacancy", "resume"):
        iv = intervals(engine, kind, dims, filters, opts)
        parts.append(iv.select("s", "e", "next_s", *dims, "simulated", is_v=ibis.literal(kind == "vacancy")))
    return ibis.union(*parts, distinct=False)


def stock_cells(engine: Engine, dims: list[str], cal: Calendar, filters: dict | None, opts: Options) -> ibis.Table:
    """Stocks per full segment and period: ``<dims>, ps, pe, n_vacancies, n_resumes, n_simulated``.

    Only cells where something is active are returned; ``n_simulated`` counts the active
    simulated records (of either kind).
    """
    # the store's merged intervals, keyed by integers, when current; else merged here
    fast = usable(engine, opts)
    iv = stored_intervals(engine, dims, filters, opts) if fast else _computed(engine, dims, filters, opts)
    ev = _events(iv, dims, cal)
    sums = [k for k in _SUMS if k in ev.columns]  # daily events carry no same-period end sums
    counts = ev.group_by([*dims, "ps"]).aggregate(**{k: ev[k].sum() for k in sums})
    # dense grid: every segment that has an event, in every period
    periods = cal.periods
    if dims:
        grid = counts.select(*dims).distinct().cross_join(periods)
    else:
        grid = periods
    c = counts.rename(**{f"k_{d}": d for d in dims}, k_ps="ps")
    j = grid.left_join(c, [grid[d] == c[f"k_{d}"] for d in dims] + [grid.ps == c.k_ps])
    zero = ibis.literal(0, "int64")
    j = j.select(*dims, "ps", "pe", **{k: j[k].fill_null(0) if k in sums else zero for k in _SUMS})
    # one running sum per level: stock(p) = sum_{q<=p}(S - E)(q) + E(p) - G(p)
    upto = ibis.window(group_by=[j[d] for d in dims] or None, order_by=j.ps, rows=(None, 0))
    out = j.select(
        *dims,
        "ps",
        "pe",
        n_vacancies=j.nv.sum().over(upto) + j.tv,
        n_resumes=j.nr.sum().over(upto) + j.tr,
        n_simulated=j.ns.sum().over(upto) + j.ts,
    )
    out = out.filter((out.n_vacancies > 0) | (out.n_resumes > 0))
    return decode(engine, out, dims) if fast else out
