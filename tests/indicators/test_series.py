"""Seasonal adjustment, year on year and the trend line on series whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from kadry.indicators.series import analyse

SEASON = np.array([1.3, 1.2, 1.0, 0.9, 0.85, 0.8, 0.8, 0.9, 1.0, 1.1, 1.1, 1.05])


def _months(n: int, year: int = 2019) -> list[str]:
    return [f"{year + i // 12}-{i % 12 + 1:02d}-01" for i in range(n)]


def _series(n: int, growth: float = 0.01, noise: float = 0.02, seed: int = 3) -> np.ndarray:
    t = np.arange(n)
    return 100 * np.exp(growth * t) * SEASON[t % 12] * np.exp(np.random.default_rng(seed).normal(0, noise, n))


def test_stl_removes_a_known_seasonal_pattern():
    raw = _series(60)
    a = analyse(_months(60), list(raw))
    assert a.adjusted and "STL" in a.method and "period 12" in a.method and a.span == "2019-01..2023-12"
    sa = np.array([r["adjusted"] for r in a.rows])
    # month-to-month changes of the adjusted series are about the noise, of the raw one the season
    assert np.std(np.diff(np.log(sa))) < 0.4 * np.std(np.diff(np.log(raw)))
    seasonal = np.array([r["seasonal"] for r in a.rows])[24:36]
    assert np.corrcoef(seasonal, SEASON)[0, 1] > 0.95
    # the raw value stays beside the adjusted one
    assert [r["value"] for r in a.rows] == pytest.approx(list(raw))


def test_short_series_says_why_it_is_not_adjusted():
    a = analyse(_months(18), list(_series(18)))
    assert not a.adjusted and a.method is None
    assert a.why == {"code": "short_series", "n": 18, "need": 24}
    assert all(r["adjusted"] is None for r in a.rows)


def test_gappy_series_is_not_adjusted_and_gaps_stay_gaps():
    values = list(_series(48))
    for i in range(5, 45, 4):
        values[i] = None
    a = analyse(_months(48), values)
    assert not a.adjusted and a.why["code"] == "gappy_series"
    assert all(a.rows[i]["value"] is None for i in range(5, 45, 4))


def test_a_few_interior_gaps_are_bridged_for_the_fit_only():
    values = list(_series(48))
    values[20] = None
    a = analyse(_months(48), values)
    assert a.adjusted and a.rows[20]["adjusted"] is None and a.rows[20]["value"] is None


def test_year_on_year_is_exact():
    values = [float(10 + i) for i in range(24)]
    a = analyse(_months(24), values)
    assert a.rows[11]["yoy"] is None
    assert a.rows[12]["yoy"] == pytest.approx(22 / 10 - 1)
    assert a.rows[23]["yoy"] == pytest.approx(33 / 21 - 1)


def test_trend_interval_covers_the_true_slope():
    # a straight line plus noise: 2 units a month = 24 a year
    rng = np.random.default_rng(5)
    values = list(50 + 2 * np.arange(30) + rng.normal(0, 1, 30))
    a = analyse(_months(30), values, period="month")
    t = a.trend
    assert t["fitted"] and t["slope_low"] < 24 < t["slope_high"]
    assert all(r["trend_low"] <= r["trend"] <= r["trend_high"] for r in a.rows)


def test_quarters_use_a_season_of_four_and_weeks_are_not_adjusted():
    q = [f"{2018 + i // 4}-{3 * (i % 4) + 1:02d}-01" for i in range(12)]
    a = analyse(q, [10.0, 12.0, 9.0, 8.0] * 3, period="quarter")
    assert a.adjusted and "period 4" in a.method
    w = analyse(["2022-01-03", "2022-01-10", "2022-01-17"], [1.0, 2.0, 3.0], period="week")
    assert not w.adjusted and w.why["code"] == "weekly"
