"""From sample to population: observed move counts scaled by a user-supplied coverage, with intervals.

A platform sees part of a workforce. The user states how large the population is (``N``
people, or a range ``A..B``) or which share of it the platform covers (``s`` or ``s1..s2``).
With ``n`` = the platform's resumes in the same population (``base_count``), the scale factor
is ``f = N / n`` (or ``1 / s``); an observed count ``c`` becomes the estimate ``f * c``.

The interval combines two uncertainties (docs/indicators.md, "## Mobility"):

- sampling: ``c`` is treated as a Poisson count; its exact (Garwood) interval
  ``[chi2(a/2; 2c) / 2, chi2(1 - a/2; 2c + 2) / 2]``;
- coverage: the factor lies in ``[f_low, f_high]`` (from the range the user gives).

``envelope`` (default) takes the outer envelope ``[f_low * c_low, f_high * c_high]``: it
covers the truth whenever both parts do, so it holds at least the stated level for
sampling and is exact on coverage. ``monte_carlo`` draws the rate from the Jeffreys
posterior ``Gamma(c + 1/2)`` and the factor uniformly from its range, and takes quantiles:
narrower, and still seeded so results repeat (a zero count keeps the lower bound 0).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from kadry.errors import InputError
from kadry.indicators.activity import Options, resume_intervals
from kadry.indicators.engine import Engine
from kadry.indicators.periods import day_number

__all__ = ["METHODS", "Coverage", "parse_range", "base_count", "poisson_interval", "scale"]

METHODS = ("envelope", "monte_carlo")


def parse_range(text: str | float | int, what: str) -> tuple[float, float]:
    """``700000`` -> (700000, 700000); ``500000..1000000`` (or ``500000-1000000``) -> the pair."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        values = [float(text)]
    else:
        raw = str(text).strip().replace("_", "").replace(" ", "")
        try:
            values = [float(p) for p in re.split(r"\.\.|(?<=\d)-(?=\d)", raw)]
        except ValueError:
            raise InputError(f"bad {what} {text!r}: use a number or a range A..B") from None
    if not all(math.isfinite(v) for v in values):  # float() reads inf, nan and 1e400 (inf)
        raise InputError(f"bad {what} {text!r}: use a finite number or a range A..B")
    if len(values) == 1:
        values = values * 2
    if len(values) != 2 or values[0] > values[1]:
        raise InputError(f"bad {what} {text!r}: use a number or a range A..B with A <= B")
    return values[0], values[1]


@dataclass(frozen=True)
class Coverage:
    """What the platform covers: a population size ``N`` (or range) or a coverage share (or range)."""

    #: population: the point value (default: middle of the range) and the range
    population: float | None = None
    population_low: float | None = None
    population_high: float | None = None
    #: or the share of the population the platform sees (0 < s <= 1)
    share: float | None = None
    share_low: float | None = None
    share_high: float | None = None
    confidence: float = 0.95
    method: str = "envelope"
    draws: int = 20000
    seed: int = 0

    @classmethod
    def of(
        cls,
        population: str | float | None = None,
        population_range: str | None = None,
        coverage: str | float | None = None,
        confidence: float = 0.95,
        method: str = "envelope",
    ) -> Coverage | None:
        """From CLI/API values; None when none is given. ``population`` may itself be a range."""
        given = [x for x in (population, population_range, coverage) if x not in (None, "")]
        if not given:
            return None
        if coverage not in (None, "") and (population not in (None, "") or population_range not in (None, "")):
            raise InputError(
                "give either a population (--population / --population-range) or a coverage share, not both"
            )
        if coverage not in (None, ""):
            lo, hi = parse_range(coverage, "coverage")
            return cls(share=(lo + hi) / 2, share_low=lo, share_high=hi, confidence=confidence, method=method)
        point = None
        if population not in (None, ""):
            lo, hi = parse_range(population, "population")
            point = (lo + hi) / 2
        if population_range not in (None, ""):
            lo, hi = parse_range(population_range, "population range")
            if point is None:
                point = (lo + hi) / 2
            elif not lo <= point <= hi:
                raise InputError(f"population {point:g} lies outside the range {lo:g}..{hi:g}")
        return cls(population=point, population_low=lo, population_high=hi, confidence=confidence, method=method)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InputError(f"unknown interval method {self.method!r}: use one of {', '.join(METHODS)}")
        if not 0 < self.confidence < 1:
            raise InputError(f"confidence must be between 0 and 1, not {self.confidence!r}")
        if (self.population is None) == (self.share is None):
            raise InputError("coverage needs exactly one of a population or a share")
        if self.population is not None and not (
            0 < (self.population_low or 0) <= self.population <= (self.population_high or 0)
        ):
            raise InputError("population must be positive, and its range must hold the point value")
        if self.share is not None and not (0 < (self.share_low or 0) <= self.share <= (self.share_high or 0) <= 1):
            raise InputError("coverage share must lie in (0, 1], and its range must hold the point value")
        if self.draws < 100:
            raise InputError("monte carlo needs at least 100 draws")

    @property
    def needs_base(self) -> bool:
        return self.population is not None

    def factors(self, base: int | None) -> tuple[float, float, float]:
        """(point, low, high) scale factors; ``base`` is the platform's count of the population."""
        if self.share is not None:
            assert self.share_low is not None and self.share_high is not None  # checked in __post_init__
            return 1.0 / self.share, 1.0 / self.share_high, 1.0 / self.share_low
        if not base:
            raise InputError("no resume of the population is in the sample (base = 0): cannot scale")
        # exactly one of share and population is set, with its range (checked in __post_init__)
        assert self.population is not None and self.population_low is not None and self.population_high is not None
        return self.population / base, self.population_low / base, self.population_high / base

    def describe(self, base: int | None) -> dict:
        f, lo, hi = self.factors(base)
        out = {
            "method": self.method,
            "confidence": self.confidence,
            "base": base,
            "factor": f,
            "factor_low": lo,
            "factor_high": hi,
        }
        if self.population is not None:
            out.update(
                population=self.population, population_low=self.population_low, population_high=self.population_high
            )
        else:
            out.update(share=self.share, share_low=self.share_low, share_high=self.share_high)
        return out


def poisson_interval(counts: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) interval of a Poisson mean for each observed count."""
    from scipy.stats import chi2

    c = np.asarray(counts, dtype=float)
    a = 1.0 - confidence
    low = np.where(c > 0, chi2.ppf(a / 2, 2 * c) / 2, 0.0)
    high = chi2.ppf(1 - a / 2, 2 * c + 2) / 2
    return np.nan_to_num(low), high


def scale(counts: np.ndarray, coverage: Coverage, base: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Population estimate, low and high for each observed count (nulls stay NaN)."""
    c = np.asarray(counts, dtype=float)
    known = ~np.isnan(c)
    f, f_lo, f_hi = coverage.factors(base)
    est = c * f
    low = np.full(c.shape, np.nan)
    high = np.full(c.shape, np.nan)
    if coverage.method == "envelope":
        lo_c, hi_c = poisson_interval(c[known], coverage.confidence)
        low[known], high[known] = lo_c * f_lo, hi_c * f_hi
        return est, low, high
    rng = np.random.default_rng(coverage.seed)
    a = 1.0 - coverage.confidence
    values = c[known]
    lo_out, hi_out = np.empty(len(values)), np.empty(len(values))
    for value in np.unique(values):
        rate = rng.gamma(value + 0.5, 1.0, coverage.draws)
        if coverage.share is not None:  # uniform in the share, not in its inverse
            assert coverage.share_low is not None and coverage.share_high is not None  # checked in __post_init__
            factor = 1.0 / rng.uniform(coverage.share_low, coverage.share_high, coverage.draws)
        else:
            factor = rng.uniform(f_lo, f_hi, coverage.draws)
        q = np.quantile(rate * factor, [a / 2, 1 - a / 2])
        if value == 0:  # nothing seen: the lower bound is 0, as in the exact interval
            q[0] = 0.0
        lo_out[values == value], hi_out[values == value] = q
    low[known], high[known] = lo_out, hi_out
    return est, low, high


def base_count(engine: Engine, filters: dict | None, first: date, last: date, window: int = 30) -> int:
    """The platform's part of the population: distinct resumes (after ``filters``) active at some
    time in ``first..last`` (the indicators' activity rule) that were ever seen in Russia.

    The population the user states must be the same set of people (e.g. IT specialists in
    Russia for ``filters={"it": True}``); the same factor then scales every cell."""
    iv = resume_intervals(engine, filters, Options(window=window))
    lo, hi = day_number(first), day_number(last)
    active = iv.filter(iv.s <= hi, iv.e >= lo).select(rid=iv.record_id).distinct()
    o = engine.table("observations")
    home = o.filter(o.kind == "resume", o.country_code == "RU").select(hid=o.record_id).distinct()
    keep = active.join(home, active.rid == home.hid).select("rid")
    table = engine.execute(keep.aggregate(n=keep.rid.nunique()))
    return int(table.column("n")[0].as_py() or 0)
