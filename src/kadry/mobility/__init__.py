"""Mobility: moves between regions and abroad from resume histories, readiness signals,
and population estimates from a platform's sample.

    from kadry.indicators import Engine
    from kadry.mobility import flows, Coverage
    with Engine.duckdb("kadry.duckdb") as eng:
        t = flows(eng, view="abroad", by=["it"], period="month", start="2022-01", end="2022-12",
                  coverage=Coverage.of(population_range="500000..1000000"))

HTTP routes: ``kadry.mobility.router.router``; report section: ``kadry.mobility.report.
flows_report_section``. See docs/indicators.md, "## Mobility", for the definitions and the
estimation method.
"""

from kadry.mobility.flows import VIEWS, flow_views, flows, observed_span, od_cube
from kadry.mobility.moves import HOME, LEVELS, OCCUPATION_DIMS, moves
from kadry.mobility.scaling import METHODS, Coverage, base_count, poisson_interval, scale
from kadry.mobility.signals import SIGNALS, signals

__all__ = [
    "flows",
    "flow_views",
    "signals",
    "SIGNALS",
    "od_cube",
    "moves",
    "observed_span",
    "Coverage",
    "base_count",
    "poisson_interval",
    "scale",
    "VIEWS",
    "LEVELS",
    "HOME",
    "METHODS",
    "OCCUPATION_DIMS",
]
