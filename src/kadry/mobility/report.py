"""The report's "Mobility" section: self-contained HTML with inline SVG, from suppressed flows only.

``flows_report_section(moves, start=..., end=...)`` returns one ``<section>`` the report
pipeline pastes into its page: the outflow abroad by month (bars stacked by destination),
the largest origin-destination pairs, and inflow/outflow/net by region. Every number comes
from the release's moves cube (``kadry.publish.moves``); hidden cells show as "—".
"""

from __future__ import annotations

import html
import math
from datetime import date
from typing import Any

import pandas as pd

from kadry.indicators.periods import calendar

__all__ = ["flows_report_section", "outflow_svg"]

#: destination colours (colour-blind safe Okabe-Ito), others grey
_PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
_OTHER = "#999999"


def _num(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return "—"
    return f"{float(v):,.0f}"


def _nice(peak: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``peak``."""
    power = 10 ** math.floor(math.log10(max(peak, 1.0)))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= peak:
            return step * power
    return 10 * power


def outflow_svg(
    abroad: pd.DataFrame, *, periods: list | None = None, width: int = 720, height: int = 260, top: int = 6
) -> str:
    """Bars of the monthly outflow abroad (destination ``all``), split by the ``top`` destinations.

    Suppressed segments are not drawn; a month whose total is hidden gets a hatched stub.
    ``periods``: every period of the range (months without moves show as empty).
    """
    if abroad.empty:
        return "<p>No moves abroad in this range.</p>"
    total = abroad[abroad["destination"] == "all"].set_index("period")["n_moves"]
    parts = abroad[abroad["destination"] != "all"]
    rank = parts.groupby("destination")["n_moves"].sum().sort_values(ascending=False)
    keep = [d for d in rank.index if rank[d] > 0][:top]
    periods = sorted(set(periods or []) | set(abroad["period"]))
    peak = _nice(max([float(x) for x in total.dropna()] + [1.0]))
    left, bottom, right, top_pad = 48, 28, 130, 12
    plot_w, plot_h = width - left - right, height - bottom - top_pad
    bar_w = plot_w / max(len(periods), 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-label="Outflow abroad by month" font-family="sans-serif" font-size="11">',
        '<defs><pattern id="kadry-hidden" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#bbb" stroke-width="3"/></pattern></defs>',
    ]
    for i in range(5):
        v = peak * i / 4
        y = top_pad + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{v:,.4g}</text>')
    colours = {d: _PALETTE[i % len(_PALETTE)] for i, d in enumerate(keep)}
    for i, p in enumerate(periods):
        x = left + i * bar_w + bar_w * 0.1
        w = bar_w * 0.8
        y = top_pad + plot_h
        tot = total.get(p)
        if p not in total.index:
            pass  # no move abroad in this period
        elif tot is None or tot is pd.NA or (isinstance(tot, float) and math.isnan(tot)):
            out.append(
                f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="{w:.1f}" height="8" fill="url(#kadry-hidden)">'
                f"<title>{html.escape(str(p))}: hidden (small cell)</title></rect>"
            )
        else:
            shown = 0.0
            rows = parts[parts["period"] == p].set_index("destination")["n_moves"]
            for d in keep:
                v = rows.get(d)
                if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or float(v) <= 0:
                    continue
                h = plot_h * float(v) / peak
                y -= h
                shown += float(v)
                out.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{colours[d]}">'
                    f"<title>{html.escape(str(p))} {html.escape(d)}: {_num(v)}</title></rect>"
                )
            rest = float(tot) - shown
            if rest > 0:
                h = plot_h * rest / peak
                y -= h
                out.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{_OTHER}">'
                    f"<title>{html.escape(str(p))} other or hidden destinations: {_num(rest)}</title></rect>"
                )
        if len(periods) <= 24 or i % 3 == 0:
            label = p.strftime("%Y-%m") if isinstance(p, date) else str(p)
            out.append(f'<text x="{x + w / 2:.1f}" y="{height - 10}" text-anchor="middle">{html.escape(label)}</text>')
    for i, d in enumerate([*keep, "other / hidden"]):
        y = top_pad + 14 * i
        out.append(f'<rect x="{width - right + 12}" y="{y}" width="10" height="10" fill="{colours.get(d, _OTHER)}"/>')
        out.append(f'<text x="{width - right + 26}" y="{y + 9}">{html.escape(d)}</text>')
    out.append("</svg>")
    return "".join(out)


def _table(df: pd.DataFrame, columns: dict[str, str]) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    body = []
    for _, r in df.iterrows():
        cells = []
        for c in columns:
            v = r[c]
            text = _num(v) if c not in ("origin", "destination", "place", "period") else html.escape(str(v))
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="kadry-flows"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def flows_report_section(
    moves: pd.DataFrame,
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    filters: dict | None = None,
    k: int | None = None,
    top: int = 15,
    title: str = "Mobility",
) -> str:
    """HTML ``<section id="mobility">`` with the outflow abroad, the top flows and region balances.

    ``moves`` is the released moves table (``kadry.publish.whole_table(db, "moves")``): the
    section shows the very cells the API serves. Moves are released for all resumes and the
    IT segment; another segment's report shows all resumes and says so.
    """
    from kadry.api.limits import clamp_range
    from kadry.mobility.released import flow_view, span

    chosen = dict(filters or {})
    it = chosen.get("it")
    occupation = "it" if it == [True] else "non_it" if it == [False] else "all"
    other = bool(chosen) and (set(chosen) != {"it"} or occupation == "all")
    first, last = clamp_range(start or None, end or None, *span(moves))
    ab = flow_view(moves, view="abroad", level="country", occupation=occupation, by_it=False, first=first, last=last)
    od = flow_view(moves, view="od", level="region", occupation=occupation, by_it=False, first=first, last=last)
    bal = flow_view(moves, view="balance", level="region", occupation=occupation, by_it=False, first=first, last=last)
    ab["period"] = pd.to_datetime(ab["period"]).dt.date  # the chart's months are dates
    meta: dict[str, Any] = {"start": first.isoformat(), "end": last.isoformat(), "min_cell": k}
    simulated = bool(ab["simulated"].any() or od["simulated"].any())
    # cells as published (per month): sums over hidden cells would misstate totals
    pairs = (
        od.dropna(subset=["n_moves"])
        .sort_values(["n_moves", "period", "origin"], ascending=[False, True, True])
        .head(top)
    )
    shown = bal.dropna(subset=["net"])
    shown = shown.reindex(shown["net"].abs().sort_values(ascending=False, kind="stable").index).head(top)
    total_abroad = ab.loc[ab["destination"] == "all", "n_moves"].dropna().sum()
    parts = [f'<section id="mobility" class="kadry-mobility"><h2>{html.escape(title)}</h2>']
    if simulated:
        parts.append(
            '<p class="kadry-simulated"><strong>Simulated data</strong>: some figures come from records made by '
            "<code>kadry simulate</code>, not from a real source.</p>"
        )
    noise = moves.attrs.get("noise")
    protection = (
        f"Every count carries differential-privacy noise (discrete Laplace, epsilon {noise['epsilon']:g} for this "
        f"release): a cell is off by at most {noise['accuracy95']:.0f} in 95% of cells, and sums by more."
        if noise
        else f"Cells resting on fewer than {meta['min_cell']} records are hidden (—), together with any cell that "
        "would let a hidden one be recomputed."
    )
    parts.append(
        f"<p>Moves of resumes between two consecutive sightings, {html.escape(meta['start'])} to {html.escape(meta['end'])}. "
        "A move is dated at the later sighting, the first that shows the new place; a region is a federal subject in "
        f"Russia and a country abroad. {protection}</p>"
    )
    if other:
        parts.append("<p>Moves are released for all resumes and for the IT segment: shown here for all resumes.</p>")
    parts.append(
        f"<h3>Outflow abroad by month</h3><p>Published moves from Russia to other countries: {_num(total_abroad)}.</p>"
    )
    months = [
        date.fromordinal(date(1970, 1, 1).toordinal() + int(d))
        for d in calendar("month", date.fromisoformat(meta["start"]), date.fromisoformat(meta["end"]))["ps"].to_pylist()
    ]
    parts.append(outflow_svg(ab, periods=months))
    parts.append("<h3>Largest flows between regions (by month)</h3>")
    parts.append(
        _table(pairs, {"period": "month", "origin": "from", "destination": "to", "n_moves": "moves"})
        if len(pairs)
        else "<p>None published.</p>"
    )
    parts.append("<h3>Inflow, outflow and net flow by region (by month, largest net first)</h3>")
    parts.append(
        _table(shown, {"period": "month", "place": "region", "inflow": "inflow", "outflow": "outflow", "net": "net"})
        if len(shown)
        else "<p>None published.</p>"
    )
    parts.append("</section>")
    return "\n".join(parts)
