"""Indicators: stocks, flows, the deficiency index, salaries, skills, remote work, experience mix.

Each indicator is defined once (Ibis) and runs on DuckDB or Spark; the engine is chosen at
the edge. Usage::

    from kadry.indicators import Engine, compute
    with Engine.duckdb("kadry.duckdb") as eng:
        t = compute("index", by=["role", "region"], period="month",
                    start="2022-01", end="2022-12", engine=eng)

See docs/indicators.md for the formulas, the activity rules and the output columns.
"""

from kadry.indicators.activity import VACANCY_RULES, Options
from kadry.indicators.api import INDICATORS, band, compute
from kadry.indicators.engine import Engine, spark_for_store
from kadry.indicators.measures import BANDS
from kadry.indicators.periods import PERIODS, calendar, parse_day
from kadry.indicators.segments import ALL, DIMENSIONS, UNKNOWN, parse_filters, resolve_dims

__all__ = [
    "compute",
    "Engine",
    "spark_for_store",
    "Options",
    "INDICATORS",
    "DIMENSIONS",
    "PERIODS",
    "BANDS",
    "VACANCY_RULES",
    "ALL",
    "UNKNOWN",
    "band",
    "calendar",
    "parse_day",
    "resolve_dims",
    "parse_filters",
]
