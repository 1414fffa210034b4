"""Series an economist reads: seasonally adjusted, year on year, a trend with its interval.

Input is one published series on a full calendar (a gap is ``None``: hidden, or no data);
output keeps the raw value beside every derived one, as Indeed's Hiring Lab and hh's index
pages do. Seasonal adjustment is STL (Cleveland et al. 1990, ``statsmodels``) on logs when
every value is positive (a multiplicative season, right for counts and ratios), robust to
outliers; the method, its parameters and the span it was fitted on are returned as text, and
a series too short or too gappy to adjust says why instead of pretending. Year on year is
value / value a year earlier - 1 on the raw series (which needs no adjustment). The trend is
an OLS straight line in time over the adjusted series (raw when not adjusted) with the
confidence interval of its mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

__all__ = ["MIN_CYCLES", "SEASON", "Analysis", "analyse", "season_length"]

#: observations per year for each period length (weeks are not adjusted: 52.18 is not a whole season)
SEASON = {"month": 12, "quarter": 4}
#: full years a seasonal pattern is estimated from, at least
MIN_CYCLES = 2
#: at most this share of interior gaps is interpolated for the fit (on logs), else no adjustment
MAX_GAP_SHARE = 0.15


def season_length(period: str) -> int | None:
    return SEASON.get(period)


@dataclass
class Analysis:
    """One series: ``rows`` (period, value, adjusted, seasonal, trend, trend_low, trend_high, yoy) and how."""

    rows: list[dict[str, Any]]
    adjusted: bool
    method: str | None
    span: str | None
    why: dict[str, Any] | None = None
    trend: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "adjusted": self.adjusted,
            "method": self.method,
            "span": self.span,
            "why": self.why,
            "trend": self.trend,
            "rows": self.rows,
        }


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def _label(d: str, period: str) -> str:
    day = date.fromisoformat(d[:10])
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}" if period == "month" else day.isoformat()


def analyse(
    periods: Sequence[str],
    values: Sequence[Any],
    *,
    period: str = "month",
    confidence: float = 0.95,
    seasonal_window: int = 7,
) -> Analysis:
    """Adjust, compare year on year and fit a trend to ``values`` on the calendar ``periods``."""
    y = np.array([np.nan if _num(v) is None else _num(v) for v in values], dtype=float)
    n = len(y)
    rows: list[dict[str, Any]] = [
        {
            "period": p,
            "value": _num(v),
            "adjusted": None,
            "seasonal": None,
            "trend": None,
            "trend_low": None,
            "trend_high": None,
            "yoy": None,
        }
        for p, v in zip(periods, values)
    ]
    season = season_length(period)
    # year on year, on the raw series
    if season:
        for i in range(season, n):
            a, b = y[i], y[i - season]
            if not np.isnan(a) and not np.isnan(b) and b != 0:
                rows[i]["yoy"] = float(a / b - 1)
    known = np.flatnonzero(~np.isnan(y))
    adjusted = np.full(n, np.nan)
    result = Analysis(rows, False, None, None)
    if len(known):
        lo, hi = int(known[0]), int(known[-1])
        result.span = f"{_label(periods[lo], period)}..{_label(periods[hi], period)}"
        core = y[lo : hi + 1]
        gaps = int(np.isnan(core).sum())
        if season is None:
            result.why = {"code": "weekly", "text": f"{period} series have no whole number of periods a year"}
        elif len(core) < MIN_CYCLES * season:
            result.why = {"code": "short_series", "n": len(core), "need": MIN_CYCLES * season}
        elif gaps > MAX_GAP_SHARE * len(core):
            result.why = {"code": "gappy_series", "n": gaps, "total": len(core)}
        else:
            adjusted[lo : hi + 1], seasonal, result.method = _stl(core, season, seasonal_window)
            result.adjusted = True
            for i in range(lo, hi + 1):
                if not np.isnan(y[i]):
                    rows[i]["adjusted"] = float(adjusted[i])
                    rows[i]["seasonal"] = float(seasonal[i - lo])
    else:
        result.why = {"code": "no_data"}
    base = np.where(np.isnan(adjusted), y, adjusted) if result.adjusted else y
    result.trend = _trend(base, rows, season or 52, confidence)
    return result


def _stl(core: np.ndarray, season: int, seasonal_window: int) -> tuple[np.ndarray, np.ndarray, str]:
    """STL on the series (logs if all positive), interior gaps interpolated for the fit only."""
    import statsmodels
    from statsmodels.tsa.seasonal import STL

    x = core.copy()
    idx = np.arange(len(x))
    ok = ~np.isnan(x)
    logs = bool((x[ok] > 0).all())
    if logs:
        x[ok] = np.log(x[ok])
    if not ok.all():
        x[~ok] = np.interp(idx[~ok], idx[ok], x[ok])
    fit = STL(x, period=season, seasonal=seasonal_window, robust=True).fit()
    seasonal = np.asarray(fit.seasonal)
    sa = x - seasonal
    if logs:
        sa, seasonal = np.exp(sa), np.exp(seasonal)
    method = (
        f"STL (statsmodels {statsmodels.__version__}), period {season}, seasonal window {seasonal_window}, robust"
        + (", on logs (multiplicative)" if logs else ", additive")
    )
    return sa, seasonal, method


def _trend(base: np.ndarray, rows: list[dict[str, Any]], per_year: int, confidence: float) -> dict[str, Any]:
    """OLS line through ``base`` in time (years) with the interval of its mean; slope per year."""
    import statsmodels.api as sm

    ok = np.flatnonzero(~np.isnan(base))
    if len(ok) < 3:
        return {"fitted": False, "why": {"code": "short_series", "n": len(ok), "need": 3}}
    t = ok / per_year
    model = sm.OLS(base[ok], sm.add_constant(t)).fit()
    grid = np.arange(ok[0], ok[-1] + 1)
    pred = model.get_prediction(sm.add_constant(grid / per_year)).summary_frame(alpha=1 - confidence)
    for j, i in enumerate(grid):
        rows[i]["trend"] = float(pred["mean"].iloc[j])
        rows[i]["trend_low"] = float(pred["mean_ci_lower"].iloc[j])
        rows[i]["trend_high"] = float(pred["mean_ci_upper"].iloc[j])
    low, high = model.conf_int(alpha=1 - confidence)[1]
    return {
        "fitted": True,
        "method": "OLS straight line in time",
        "confidence": confidence,
        "slope_per_year": float(model.params[1]),
        "slope_low": float(low),
        "slope_high": float(high),
    }
