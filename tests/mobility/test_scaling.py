"""Scaling observed counts to a population: coverage parsing, Poisson intervals, both methods."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kadry.errors import InputError
from kadry.mobility import Coverage, poisson_interval, scale
from kadry.mobility.scaling import parse_range


def test_parse_range():
    assert parse_range("700000", "p") == (700000.0, 700000.0)
    assert parse_range("500000..1000000", "p") == (500000.0, 1000000.0)
    assert parse_range("500_000-1_000_000", "p") == (500000.0, 1000000.0)
    for bad in ("lots", "10..5", "1..2..3", "inf", "1e400", "nan", "1..inf", float("inf")):
        with pytest.raises(InputError):
            parse_range(bad, "p")


def test_coverage_from_options():
    assert Coverage.of() is None
    c = Coverage.of(population_range="500000..1000000")
    assert (c.population, c.population_low, c.population_high) == (750000.0, 500000.0, 1000000.0)
    c = Coverage.of(population="700000", population_range="500000..1000000")
    assert c.population == 700000.0
    assert Coverage.of(coverage="0.2").factors(None) == (5.0, 5.0, 5.0)
    f, lo, hi = Coverage.of(coverage="0.1..0.2").factors(None)
    assert (lo, hi) == (5.0, 10.0) and lo <= f <= hi
    with pytest.raises(InputError):
        Coverage.of(population="1200000", population_range="500000..1000000")
    with pytest.raises(InputError):
        Coverage.of(population="100", coverage="0.5")
    with pytest.raises(InputError):
        Coverage.of(coverage="1.5")
    with pytest.raises(InputError):
        Coverage.of(population="100", method="guess")
    with pytest.raises(InputError):
        Coverage.of(population="100").factors(0)


def test_garwood_interval_known_values():
    low, high = poisson_interval(np.array([0, 1, 10]), 0.95)
    assert low[0] == 0 and high[0] == pytest.approx(3.689, abs=1e-3)
    assert low[1] == pytest.approx(0.0253, abs=1e-4) and high[1] == pytest.approx(5.572, abs=1e-3)
    assert low[2] == pytest.approx(4.795, abs=1e-3) and high[2] == pytest.approx(18.39, abs=1e-2)


def test_envelope_is_the_outer_bounds():
    cov = Coverage.of(population="1000", population_range="800..1250")
    est, low, high = scale(np.array([10.0, np.nan]), cov, base=100)
    assert est[0] == pytest.approx(100.0)
    assert low[0] == pytest.approx(4.795 * 8, rel=1e-3)
    assert high[0] == pytest.approx(18.39 * 12.5, rel=1e-3)
    assert math.isnan(est[1]) and math.isnan(low[1]) and math.isnan(high[1])


def test_monte_carlo_is_inside_the_envelope_and_repeats():
    env = Coverage.of(population="1000", population_range="800..1250")
    mc = Coverage.of(population="1000", population_range="800..1250", method="monte_carlo")
    counts = np.array([0.0, 3.0, 40.0, 40.0])
    _, lo_e, hi_e = scale(counts, env, 100)
    est, lo_m, hi_m = scale(counts, mc, 100)
    assert np.all(lo_m >= lo_e - 1e-9) and np.all(hi_m <= hi_e + 1e-9)
    assert np.all(lo_m <= est) and np.all(est <= hi_m)
    assert lo_m[2] == lo_m[3]
    assert np.array_equal(scale(counts, mc, 100)[1], lo_m)


def test_intervals_cover_at_the_stated_rate():
    """Sampling a population of movers at a known coverage: the truth is inside the envelope >= 95%."""
    rng = np.random.default_rng(5)
    truth, share = 400, 0.05
    observed = rng.binomial(truth, share, 2000).astype(float)
    cov = Coverage.of(coverage=share)
    _, low, high = scale(observed, cov, None)
    inside = np.mean((low <= truth) & (truth <= high))
    assert inside >= 0.95
