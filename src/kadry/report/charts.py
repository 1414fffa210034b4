"""Charts as inline SVG strings, drawn in Python so the report needs no script and no network.

Every chart scales with its container (``viewBox``, width 100%) and prints in colour or
grey: bands and series differ in lightness as well as hue. A hidden (suppressed) value is
never drawn: the line breaks, the bar is absent.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from kadry.report.labels import is_missing
from kadry.rules import bands

__all__ = [
    "BAND_COLOURS",
    "Point",
    "Bar",
    "index_trend_svg",
    "bars_svg",
    "salary_svg",
    "paired_bars_svg",
    "series_svg",
    "nice_max",
]

#: HeadHunter band -> (lower bound, fill); the bands' pale tints, light enough to print under a dark line
BAND_COLOURS = [(b.lower, b.key, b.tint) for b in bands.BANDS]
_LINE = "#1f3b5a"
_OFFERED = "#1f77b4"
_EXPECTED = "#e6791e"
_FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, DejaVu Sans, Arial, sans-serif"'


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _f(value: float | None) -> float:
    """A value that ``is_missing`` has let through, as a float (None never reaches a coordinate)."""
    if value is None:
        raise ValueError("a missing value reached a chart coordinate")
    return float(value)


def nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 times a power of ten)."""
    if value <= 0 or math.isnan(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _svg_open(width: int, height: int, label: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'role="img" aria-label="{_e(label)}" {_FONT} font-size="12">'
    )


@dataclass
class Point:
    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    simulated: bool = False


def index_trend_svg(
    points: Sequence[Point], *, band_names: dict[str, str], title: str, width: int = 760, height: int = 300
) -> str:
    """The index over periods as a line over HeadHunter's bands, with its interval as a ribbon."""
    left, right, top, bottom = 52, 190, 14, 36
    pw, ph = width - left - right, height - top - bottom
    shown = [p for p in points if not is_missing(p.value)]
    peak = max([_f(p.high) if not is_missing(p.high) else _f(p.value) for p in shown] + [2.2])
    ymax = nice_max(peak * 1.08)
    n = max(len(points), 1)

    def x(i: int) -> float:
        return left + (pw * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + ph - ph * min(max(v, 0.0), ymax) / ymax

    out = [_svg_open(width, height, title)]
    for i, (lo, name, colour) in enumerate(BAND_COLOURS):
        hi = BAND_COLOURS[i + 1][0] if i + 1 < len(BAND_COLOURS) else math.inf
        if lo >= ymax:
            break
        y0, y1 = y(min(hi, ymax)), y(lo)
        out.append(f'<rect x="{left}" y="{y0:.1f}" width="{pw}" height="{y1 - y0:.1f}" fill="{colour}"/>')
        if y1 - y0 >= 11:
            out.append(
                f'<text x="{left + pw + 6}" y="{(y0 + y1) / 2 + 4:.1f}" fill="#444" font-size="11">{_e(band_names[name])}</text>'
            )
    for t in range(6):
        v = ymax * t / 5
        out.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ffffff" stroke-opacity="0.7"/>'
        )
        out.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#333">{_fmt_axis(v)}</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" stroke="#555"/>')
    out.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#555"/>')
    # runs of consecutive published points: a ribbon and a line each
    runs: list[list[int]] = []
    for i, p in enumerate(points):
        if is_missing(p.value):
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        ci = [i for i in run if not is_missing(points[i].low) and not is_missing(points[i].high)]
        if len(ci) > 1:
            upper = " ".join(f"{x(i):.1f},{y(_f(points[i].high)):.1f}" for i in ci)
            lower = " ".join(f"{x(i):.1f},{y(_f(points[i].low)):.1f}" for i in reversed(ci))
            out.append(f'<polygon points="{upper} {lower}" fill="#555" fill-opacity="0.22"/>')
        for i in ci:
            out.append(
                f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{y(_f(points[i].low)):.1f}" '
                f'y2="{y(_f(points[i].high)):.1f}" stroke="#555" stroke-width="1.2"/>'
            )
        if len(run) > 1:
            line = " ".join(f"{x(i):.1f},{y(_f(points[i].value)):.1f}" for i in run)
            out.append(f'<polyline points="{line}" fill="none" stroke="{_LINE}" stroke-width="2.2"/>')
    for i, p in enumerate(points):
        if not is_missing(p.value):
            fill = "#ffffff" if p.simulated else _LINE
            out.append(
                f'<circle cx="{x(i):.1f}" cy="{y(_f(p.value)):.1f}" r="3.6" fill="{fill}" stroke="{_LINE}" '
                f'stroke-width="1.6"><title>{_e(p.label)}: {_f(p.value):.2f}</title></circle>'
            )
        else:
            out.append(f'<text x="{x(i):.1f}" y="{top + ph - 6:.1f}" text-anchor="middle" fill="#777">—</text>')
    step = max(1, math.ceil(n / 12))
    for i, p in enumerate(points):
        if i % step == 0:
            out.append(
                f'<text x="{x(i):.1f}" y="{top + ph + 18:.1f}" text-anchor="middle" fill="#333">{_e(p.label)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def _fmt_axis(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v / 1000:,.0f}k" if abs(v) < 1_000_000 else f"{v / 1e6:,.1f}M"
    return f"{v:g}" if abs(v) >= 1 else f"{v:.2g}"


@dataclass
class Bar:
    label: str
    value: float
    colour: str = _LINE
    low: float | None = None
    high: float | None = None
    strong: bool = False


def bars_svg(bars: Sequence[Bar], *, title: str, width: int = 760, digits: int = 2, label_width: int = 230) -> str:
    """Horizontal bars with values (and interval whiskers where given), one row each."""
    row, top, right = 22, 8, 60
    height = top * 2 + row * max(len(bars), 1)
    pw = width - label_width - right
    peak = max([_f(b.high) if not is_missing(b.high) else b.value for b in bars] + [1e-9])
    xmax = nice_max(peak * 1.02)

    def x(v: float) -> float:
        return label_width + pw * min(max(v, 0.0), xmax) / xmax

    out = [_svg_open(width, height, title)]
    for i, b in enumerate(bars):
        y = top + i * row
        weight = ' font-weight="700"' if b.strong else ""
        out.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" fill="#222"{weight}>{_e(b.label)}</text>'
        )
        out.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{max(x(b.value) - label_width, 0.5):.1f}" height="{row - 8}" '
            f'fill="{b.colour}" stroke="#333" stroke-width="{1.5 if b.strong else 0.4}"/>'
        )
        end = x(b.value)
        if not is_missing(b.low) and not is_missing(b.high):
            out.append(
                f'<line x1="{x(_f(b.low)):.1f}" x2="{x(_f(b.high)):.1f}" y1="{y + row / 2:.1f}" y2="{y + row / 2:.1f}" stroke="#333"/>'
            )
            end = max(end, x(_f(b.high)))
        out.append(f'<text x="{end + 5:.1f}" y="{y + 15}" fill="#222"{weight}>{b.value:,.{digits}f}</text>')
    out.append("</svg>")
    return "".join(out)


def salary_svg(
    rows: Sequence[dict], *, title: str, legend: tuple[str, str], width: int = 760, height: int = 280
) -> str:
    """Per period, the offered and expected quartile ranges (Q1-Q3 boxes) with the median marked."""
    left, right, top, bottom = 64, 12, 28, 36
    pw, ph = width - left - right, height - top - bottom
    values = [
        float(r[c])
        for r in rows
        for c in ("offered_q3", "expected_q3", "offered_median", "expected_median")
        if not is_missing(r.get(c))
    ]
    ymax = nice_max(max(values + [1.0]) * 1.05)
    n = max(len(rows), 1)
    slot = pw / n

    def y(v: float) -> float:
        return top + ph - ph * v / ymax

    out = [_svg_open(width, height, title)]
    for t in range(6):
        v = ymax * t / 5
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e3e3e3"/>')
        out.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#333">{_fmt_axis(v)}</text>')
    box = min(slot * 0.32, 36)
    for i, r in enumerate(rows):
        cx = left + slot * (i + 0.5)
        for side, colour, dx in (("offered", _OFFERED, -box * 0.55), ("expected", _EXPECTED, box * 0.55)):
            q1, med, q3 = (r.get(f"{side}_{q}") for q in ("q1", "median", "q3"))
            bx = cx + dx - box / 2
            if not is_missing(q1) and not is_missing(q3):
                out.append(
                    f'<rect x="{bx:.1f}" y="{y(_f(q3)):.1f}" width="{box:.1f}" height="{max(y(_f(q1)) - y(_f(q3)), 1):.1f}" '
                    f'fill="{colour}" fill-opacity="0.35" stroke="{colour}"/>'
                )
            if not is_missing(med):
                out.append(
                    f'<line x1="{bx:.1f}" x2="{bx + box:.1f}" y1="{y(_f(med)):.1f}" y2="{y(_f(med)):.1f}" '
                    f'stroke="{colour}" stroke-width="3"><title>{_e(r["label"])}: {_f(med):,.0f}</title></line>'
                )
        step = max(1, math.ceil(n / 12))
        if i % step == 0:
            out.append(
                f'<text x="{cx:.1f}" y="{top + ph + 18:.1f}" text-anchor="middle" fill="#333">{_e(r["label"])}</text>'
            )
    out.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#555"/>')
    for j, (name, colour) in enumerate(zip(legend, (_OFFERED, _EXPECTED))):
        lx = left + j * 260
        out.append(
            f'<rect x="{lx}" y="6" width="14" height="12" fill="{colour}" fill-opacity="0.5" stroke="{colour}"/>'
        )
        out.append(f'<text x="{lx + 20}" y="16" fill="#222">{_e(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def paired_bars_svg(
    rows: Sequence[tuple[str, float | None, float | None]],
    *,
    title: str,
    legend: tuple[str, str],
    width: int = 760,
    label_width: int = 240,
) -> str:
    """Two bars per row (demand share, supply share), as percentages; hidden values not drawn."""
    row, top, right = 26, 26, 56
    height = top + row * max(len(rows), 1) + 6
    pw = width - label_width - right
    values = [_f(v) for _, a, b in rows for v in (a, b) if not is_missing(v)]
    xmax = nice_max(max(values + [0.01]) * 1.02)

    def w(v: float) -> float:
        return pw * v / xmax

    out = [_svg_open(width, height, title)]
    for j, (name, colour) in enumerate(zip(legend, (_OFFERED, _EXPECTED))):
        lx = label_width + j * 220
        out.append(f'<rect x="{lx}" y="4" width="14" height="12" fill="{colour}"/>')
        out.append(f'<text x="{lx + 20}" y="14" fill="#222">{_e(name)}</text>')
    for i, (label, a, b) in enumerate(rows):
        y = top + i * row
        short = label if len(label) <= 30 else label[:29] + "…"
        out.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" fill="#222"><title>{_e(label)}</title>{_e(short)}</text>'
        )
        for k, (v, colour) in enumerate(((a, _OFFERED), (b, _EXPECTED))):
            yy = y + 3 + k * 10
            if is_missing(v):
                out.append(f'<text x="{label_width + 2}" y="{yy + 8}" fill="#777" font-size="10">—</text>')
                continue
            out.append(
                f'<rect x="{label_width}" y="{yy}" width="{max(w(_f(v)), 0.5):.1f}" height="9" fill="{colour}"/>'
            )
            out.append(
                f'<text x="{label_width + w(_f(v)) + 4:.1f}" y="{yy + 8}" fill="#222" font-size="10">{_f(v):.0%}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def series_svg(
    labels: Sequence[str],
    rows: Sequence[dict],
    *,
    title: str,
    legend: tuple[str, str, str],
    width: int = 760,
    height: int = 260,
) -> str:
    """A series: raw values (thin), seasonally adjusted (bold, when present), the trend line (dashed) with its interval."""
    left, right, top, bottom = 64, 12, 26, 36
    pw, ph = width - left - right, height - top - bottom
    values = [float(r[c]) for r in rows for c in ("value", "adjusted", "trend_high") if not is_missing(r.get(c))]
    ymax = nice_max(max(values + [1e-9]) * 1.05)
    n = max(len(rows), 1)

    def x(i: int) -> float:
        return left + pw * (i + 0.5) / n

    def y(v: float) -> float:
        return top + ph - ph * min(max(v, 0.0), ymax) / ymax

    def runs(key: str) -> list[str]:
        out: list[str] = []
        cur: list[str] = []
        for i, r in enumerate(rows):
            if is_missing(r.get(key)):
                if len(cur) > 1:
                    out.append(" ".join(cur))
                cur = []
                continue
            cur.append(f"{x(i):.1f},{y(float(r[key])):.1f}")
        if len(cur) > 1:
            out.append(" ".join(cur))
        return out

    out = [_svg_open(width, height, title)]
    for t in range(6):
        v = ymax * t / 5
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e3e3e3"/>')
        out.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#333">{_fmt_axis(v)}</text>')
    ci = [i for i, r in enumerate(rows) if not is_missing(r.get("trend_low"))]
    if len(ci) > 1:
        upper = " ".join(f"{x(i):.1f},{y(float(rows[i]['trend_high'])):.1f}" for i in ci)
        lower = " ".join(f"{x(i):.1f},{y(float(rows[i]['trend_low'])):.1f}" for i in reversed(ci))
        out.append(f'<polygon class="trend-ci" points="{upper} {lower}" fill="#888" fill-opacity="0.2"/>')
    for pts in runs("value"):
        out.append(f'<polyline class="raw" points="{pts}" fill="none" stroke="#8fa9c4" stroke-width="1.6"/>')
    for pts in runs("adjusted"):
        out.append(f'<polyline class="adjusted" points="{pts}" fill="none" stroke="{_LINE}" stroke-width="2.4"/>')
    for pts in runs("trend"):
        out.append(
            f'<polyline class="trend" points="{pts}" fill="none" stroke="#b5651d" stroke-width="1.6" stroke-dasharray="6 4"/>'
        )
    for i, r in enumerate(rows):
        if is_missing(r.get("value")):
            out.append(f'<text x="{x(i):.1f}" y="{top + ph - 6:.1f}" text-anchor="middle" fill="#777">—</text>')
    step = max(1, math.ceil(n / 12))
    for i, label in enumerate(labels):
        if i % step == 0:
            out.append(
                f'<text x="{x(i):.1f}" y="{top + ph + 18:.1f}" text-anchor="middle" fill="#333">{_e(label)}</text>'
            )
    for j, (name, colour, dash) in enumerate(
        zip(legend, ("#8fa9c4", _LINE, "#b5651d"), ("", "", ' stroke-dasharray="6 4"'))
    ):
        lx = left + j * 220
        out.append(f'<line x1="{lx}" x2="{lx + 22}" y1="12" y2="12" stroke="{colour}" stroke-width="2.4"{dash}/>')
        out.append(f'<text x="{lx + 28}" y="16" fill="#222">{_e(name)}</text>')
    out.append("</svg>")
    return "".join(out)
