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

__all__ = ["stock_cells"]

_SUMS = ("sv", "ev", "gv", "sr", "er", "gr", "ss", "es", "gs")


def _events(iv: ibis.Table, kind: str, dims: list[str], cal: Calendar) -> ibis.Table:
    """Start, end and gap events of one kind, each with the period it falls in."""
    iv = iv.filter(iv.e >= cal.first, iv.s <= cal.last)
    days = cal.days
    starts = iv.mutate(day=ibis.greatest(iv.s, cal.first), what=ibis.literal("s"))
    ends = iv.filter(iv.e <= cal.last).mutate(day=iv.e, what=ibis.literal("e"))
    parts = [starts, ends]
    if kind == "resume":
        gaps = iv.filter(iv.next_s.notnull(), iv.next_s <= cal.last)
        d2 = days.select(d2="d", ps2="ps")
        gaps = gaps.join(d2, gaps.next_s == d2.d2)
        gaps = gaps.mutate(day=gaps.e, what=ibis.literal("g"))
        parts.append(gaps.select("day", "what", "ps2", *dims, "simulated"))
    cols = []
    for part in parts:
        if "ps2" not in part.columns:
            part = part.mutate(ps2=ibis.null("int64"))
        cols.append(part.select("day", "what", "ps2", *dims, "simulated"))
    ev = ibis.union(*cols, distinct=False)
    ev = ev.join(days, ev.day == days.d)
    # a gap counts only when both of its ends fall in the same period
    ev = ev.filter((ev.what != "g") | (ev.ps == ev.ps2))
    return ev.select(*dims, "ps", "what", "simulated", kind=ibis.literal(kind))


def stock_cells(engine: Engine, dims: list[str], cal: Calendar, filters: dict | None, opts: Options) -> ibis.Table:
    """Stocks per full segment and period: ``<dims>, ps, pe, n_vacancies, n_resumes, n_simulated``.

    Only cells where something is active are returned; ``n_simulated`` counts the active
    simulated records (of either kind).
    """
    ev = ibis.union(
        *[_events(intervals(engine, kind, dims, filters, opts), kind, dims, cal) for kind in ("vacancy", "resume")],
        distinct=False,
    )
    v, r, sim = ev.kind == "vacancy", ev.kind == "resume", ev.simulated
    counts = ev.group_by([*dims, "ps"]).aggregate(
        sv=ev.what.count(where=v & (ev.what == "s")),
        ev=ev.what.count(where=v & (ev.what == "e")),
        gv=ev.what.count(where=v & (ev.what == "g")),
        sr=ev.what.count(where=r & (ev.what == "s")),
        er=ev.what.count(where=r & (ev.what == "e")),
        gr=ev.what.count(where=r & (ev.what == "g")),
        ss=ev.what.count(where=sim & (ev.what == "s")),
        es=ev.what.count(where=sim & (ev.what == "e")),
        gs=ev.what.count(where=sim & (ev.what == "g")),
    )
    # dense grid: every segment that has an event, in every period
    periods = cal.periods
    if dims:
        grid = counts.select(*dims).distinct().cross_join(periods)
    else:
        grid = periods
    c = counts.rename(**{f"k_{d}": d for d in dims}, k_ps="ps")
    j = grid.left_join(c, [grid[d] == c[f"k_{d}"] for d in dims] + [grid.ps == c.k_ps])
    j = j.select(*dims, "ps", "pe", **{k: j[k].fill_null(0) for k in _SUMS})
    # one running sum per level: stock(p) = sum_{q<=p}(S - E)(q) + E(p) - G(p)
    j = j.mutate(nv=j.sv - j.ev, nr=j.sr - j.er, ns=j.ss - j.es)
    upto = ibis.window(group_by=[j[d] for d in dims] or None, order_by=j.ps, rows=(None, 0))
    out = j.select(
        *dims,
        "ps",
        "pe",
        n_vacancies=j.nv.sum().over(upto) + j.ev - j.gv,
        n_resumes=j.nr.sum().over(upto) + j.er - j.gr,
        n_simulated=j.ns.sum().over(upto) + j.es - j.gs,
    )
    return out.filter((out.n_vacancies > 0) | (out.n_resumes > 0))
