"""Flows: moves counted by origin, destination, occupation and period, and the views cut from them.

One cube per region level holds every answer: move counts by occupation dimensions,
``origin``, ``destination`` and period, with roll-ups (``"all"``) of every subset of those
dimensions. These are the analyst's unsuppressed counts (``kadry flows``, the mobility
benchmarks, the truth tests); what is published is the release's moves cube, suppressed once
by the publisher (``kadry.publish.moves``) and cut by ``kadry.mobility.released``. The views:

- ``od``: origin-destination pairs;
- ``balance``: per place, inflow = the (origin ``all``, destination = place) cell, outflow =
  the (origin = place, destination ``all``) cell, net = inflow - outflow;
- ``abroad``: the country-level cube's cells with origin ``RU`` (destination a country, or
  ``all`` = every move out of Russia).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from itertools import product
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa

from kadry.errors import InputError
from kadry.indicators.engine import Engine
from kadry.indicators.periods import Calendar, parse_day
from kadry.indicators.segments import ALL, parse_filters, resolve_dims
from kadry.mobility.moves import HOME, OCCUPATION_DIMS, moves, resolve_level
from kadry.mobility.scaling import Coverage, base_count, scale

__all__ = [
    "VIEWS",
    "parse_filters",
    "occupation_dims",
    "expand_rollup",
    "od_expr",
    "od_cube",
    "flows",
    "flow_views",
    "observed_span",
    "one_blas_thread",
]

VIEWS = ("od", "balance", "abroad")
_EST = ("estimate", "low", "high")


def occupation_dims(by: Iterable[str] | str | None) -> list[str]:
    """Resume dimensions to cut moves by; places are the level's business, not a dimension here."""
    try:
        dims = resolve_dims(by)
    except InputError as exc:
        raise InputError(
            f"{exc.message.split(':')[0]}: flows are cut by region level (region, federal_district, country) "
            f"and by {', '.join(OCCUPATION_DIMS)}"
        ) from None
    bad = [d for d in dims if d not in OCCUPATION_DIMS]
    if bad:
        raise InputError(
            f"flows cannot be cut by {', '.join(bad)}: use one of {', '.join(OCCUPATION_DIMS)} "
            "(places are the origin and destination at --level)"
        )
    return dims


def od_expr(engine: Engine, level: str, dims: list[str], cal: Calendar, filters: dict | None = None) -> ibis.Table:
    """The flow cube as one Ibis expression: ``<dims>, origin, destination, ps, pe, n_moves, n_movers, simulated``."""
    mv = moves(engine, level, dims, filters).view()  # a relation of its own, not part of moves' join chain
    days = cal.days
    j = mv.join(days, mv.day == days.d)  # a move belongs to the period of its day
    rel = j.select("record_id", "ps", "pe", "origin", "destination", "simulated", *dims)
    return expand_rollup(
        rel,
        [*dims, "origin", "destination"],
        ["ps", "pe"],
        lambda t: {"n_moves": t.count(), "n_movers": t.record_id.nunique(), "simulated": t.simulated.any()},
    )


def expand_rollup(rel: ibis.Table, dims: list[str], keys: list[str], metrics) -> ibis.Table:
    """Roll-ups of every subset of ``dims`` (``"all"`` where rolled up) in one aggregation.

    The same result as ``kadry.indicators.segments.rollup``, computed differently: each row
    is repeated once per subset (a cross join with a table of 2^n masks) and aggregated
    once, so the input (here a window over all sightings) is evaluated once instead of once
    per subset, which Spark does not share between the branches of a union.
    """
    if not dims:
        return rel.group_by(keys).aggregate(**metrics(rel))
    masks = list(product([True, False], repeat=len(dims)))
    grid = ibis.memtable(pa.table({f"_keep_{d}": [m[i] for m in masks] for i, d in enumerate(dims)}))
    x = rel.cross_join(grid)
    x = x.mutate(**{d: ibis.ifelse(x[f"_keep_{d}"], x[d], ibis.literal(ALL)) for d in dims})
    return x.group_by([*dims, *keys]).aggregate(**metrics(x))


def observed_span(engine: Engine) -> tuple[date, date]:
    """First and last day with a resume sighting (the default range of a flows query)."""
    o = engine.table("observations")
    o = o.filter(o.kind == "resume")
    t = engine.execute(o.aggregate(lo=o.observed_at.min(), hi=o.observed_at.max()))
    lo, hi = t.column("lo")[0].as_py(), t.column("hi")[0].as_py()
    if lo is None:
        raise InputError("the store holds no resume sightings: nothing to measure moves from")
    return lo.date(), hi.date()


def _range(engine: Engine, start: Any, end: Any) -> tuple[date, date]:
    if start in (None, "") or end in (None, ""):
        lo, hi = observed_span(engine)
        first = parse_day(start) if start not in (None, "") else lo
        last = parse_day(end, end=True) if end not in (None, "") else hi
    else:
        first, last = parse_day(start), parse_day(end, end=True)
    return first, last


def od_cube(
    engine: Engine,
    *,
    level: str = "region",
    by: Iterable[str] | str | None = (),
    period: str = "quarter",
    start: Any = None,
    end: Any = None,
    filters: dict | None = None,
) -> pd.DataFrame:
    """The unsuppressed cube, executed: one row per cell, ``period``/``period_end`` as dates."""
    level = resolve_level(level)
    dims = occupation_dims(by)
    first, last = _range(engine, start, end)
    cal = Calendar(period, first, last)
    t = engine.execute(od_expr(engine, level, dims, cal, filters))
    df = t.to_pandas()
    df["period"] = pd.to_datetime(df.pop("ps"), unit="D").dt.date
    df["period_end"] = pd.to_datetime(df.pop("pe"), unit="D").dt.date
    df["n_moves"] = df["n_moves"].astype("int64")
    df["n_movers"] = df["n_movers"].astype("int64")
    df["simulated"] = df["simulated"].fillna(False).astype(bool)
    for c in (*dims, "origin", "destination"):  # plain Python strings: Arrow-backed keys fail to merge when empty
        df[c] = df[c].astype(object)
    cols = [*dims, "origin", "destination", "period", "period_end", "n_moves", "n_movers", "simulated"]
    return df[cols].sort_values([*dims, "origin", "destination", "period"]).reset_index(drop=True)


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run linear algebra on one BLAS thread: the suppression's many small SVDs ran 20x slower
    on two busy cores with OpenBLAS's default threads (16 s against 0.7 s, bench/results/mobility.md)."""
    try:
        import scipy.linalg  # noqa: F401  (load SciPy's BLAS first, so the limit reaches it too)
        from threadpoolctl import threadpool_limits
    except ImportError:  # an optional speed-up (threadpoolctl comes with scikit-learn)
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def flows(
    engine: Engine,
    *,
    view: str = "od",
    level: str = "region",
    by: Iterable[str] | str | None = (),
    period: str = "quarter",
    start: date | datetime | str | None = None,
    end: date | datetime | str | None = None,
    filters: dict[str, Any] | None = None,
    coverage: Coverage | None = None,
    cube: pd.DataFrame | None = None,
) -> pa.Table:
    """Moves as an origin-destination table, a per-place balance, or the outflow abroad.

    ``level`` is ``region`` (federal subject; a country abroad), ``federal_district`` or
    ``country``; ``abroad`` always uses countries. ``by`` cuts by resume dimensions (role,
    role_category, isco2, it, ...), with roll-ups ``"all"``. ``coverage`` adds population
    estimates with intervals. The counts are not suppressed: this is the analyst's own view
    of the store (``kadry flows``); what leaves kadry is cut from the release's moves cube
    (``kadry.publish.moves``, ``kadry.mobility.released``). ``cube``: the result of
    ``od_cube`` with the same level, by, period, range and filters, to cut several views from
    one computation (a cube with a ``suppressed`` column keeps its pattern).
    """
    if view not in VIEWS:
        raise InputError(f"unknown flows view {view!r}: use one of {', '.join(VIEWS)}")
    return flow_views(
        engine,
        views=(view,),
        level=level,
        by=by,
        period=period,
        start=start,
        end=end,
        filters=filters,
        coverage=coverage,
        cube=cube,
    )[view]


def flow_views(
    engine: Engine,
    *,
    views: Iterable[str] = ("od", "balance"),
    level: str = "region",
    by: Iterable[str] | str | None = (),
    period: str = "quarter",
    start: date | datetime | str | None = None,
    end: date | datetime | str | None = None,
    filters: dict[str, Any] | None = None,
    coverage: Coverage | None = None,
    cube: pd.DataFrame | None = None,
) -> dict[str, pa.Table]:
    """Several views cut from one cube: ``{view: table}`` (arguments as ``flows``).

    ``od`` and ``balance`` share a level; ``abroad`` alone is at the country level, so it
    cannot be asked together with the others unless ``level="country"``.
    """
    views = list(dict.fromkeys(views))
    bad = [v for v in views if v not in VIEWS]
    if bad or not views:
        raise InputError(f"unknown flows view {', '.join(map(repr, bad)) or '(none)'}: use one of {', '.join(VIEWS)}")
    if not isinstance(engine, Engine):
        raise InputError("engine must be a kadry.indicators.Engine")
    level = resolve_level(level)
    if "abroad" in views:
        if len(views) > 1 and level != "country":
            raise InputError(
                "the abroad view is cut from the country-level cube: ask for it alone or with level='country'"
            )
        level = "country"
    dims = occupation_dims(by)
    first, last = _range(engine, start, end)
    if cube is None:
        cube = od_cube(engine, level=level, by=dims, period=period, start=first, end=last, filters=filters)
    cube = cube.copy()
    base = None
    if coverage is not None:
        base = base_count(engine, filters, first, last) if coverage.needs_base else None
        est, low, high = scale(cube["n_moves"].to_numpy(dtype=float), coverage, base)
        cube["estimate"], cube["low"], cube["high"] = est, low, high
    if "suppressed" not in cube.columns:  # a cube given already suppressed (a benchmark's) keeps its pattern
        cube["suppressed"] = False
        cube["suppression"] = None
    out: dict[str, pa.Table] = {}
    for view in views:
        if view == "od":
            cut = cube[(cube["origin"] != ALL) & (cube["destination"] != ALL)]
            cut = cut.sort_values(
                ["period", *dims, "n_moves", "origin", "destination"],
                ascending=[True] * (1 + len(dims)) + [False, True, True],
            )
        elif view == "abroad":
            cut = cube[(cube["origin"] == HOME) & (cube["destination"] != HOME)].drop(columns=["origin"])
            cut = cut.sort_values([*dims, "period", "destination"])
        else:
            cut = _balance(cube, dims, coverage is not None)
        meta = {
            "view": view,
            "level": level,
            "by": dims,
            "period": period,
            "start": first.isoformat(),
            "end": last.isoformat(),
            "engine": engine.name,
            "filters": filters or {},
            "suppressed": bool(cube["suppressed"].any()),  # kadry.publish releases what leaves kadry
            "dated": "at the later of the two sightings (the first that shows the new place)",
            "coverage": coverage.describe(base) if coverage is not None else None,
        }
        table = pa.Table.from_pandas(_nullable(cut.reset_index(drop=True)), preserve_index=False)
        out[view] = table.replace_schema_metadata({"kadry": json.dumps(meta, default=str)})
    return out


def _balance(cube: pd.DataFrame, dims: list[str], estimates: bool) -> pd.DataFrame:
    keys = [*dims, "place", "period", "period_end"]
    carry = ["n_moves", "simulated", "suppressed", "suppression", *(_EST if estimates else ())]
    inflow = cube[(cube["origin"] == ALL) & (cube["destination"] != ALL)].rename(columns={"destination": "place"})[
        [*keys, *carry]
    ]
    outflow = cube[(cube["destination"] == ALL) & (cube["origin"] != ALL)].rename(columns={"origin": "place"})[
        [*keys, *carry]
    ]
    b = inflow.merge(outflow, on=keys, how="outer", suffixes=("_in", "_out"))
    out = b[keys].copy()
    for side, name in (("_in", "inflow"), ("_out", "outflow")):
        present = b[f"suppressed{side}"].notna()
        out[name] = b[f"n_moves{side}"].astype("Float64").where(present, 0)  # no row: no move
        if estimates:
            for c in _EST:
                out[f"{name}_{c}"] = b[f"{c}{side}"].astype("Float64").where(present, 0)
    out["net"] = out["inflow"] - out["outflow"]
    if estimates:
        out["net_estimate"] = out["inflow_estimate"] - out["outflow_estimate"]
    out["simulated"] = b["simulated_in"].fillna(False).astype(bool) | b["simulated_out"].fillna(False).astype(bool)
    out["suppressed"] = b["suppressed_in"].fillna(False).astype(bool) | b["suppressed_out"].fillna(False).astype(bool)
    why = b["suppression_in"].where(b["suppression_in"].notna(), b["suppression_out"])
    out["suppression"] = why.astype(object).where(why.notna(), None)
    return out.sort_values([*dims, "period", "place"])


def _nullable(df: pd.DataFrame) -> pd.DataFrame:
    """Counts as nullable integers (suppressed cells are null), other floats as float64 with NaN."""
    out = df.copy()
    for c in ("n_moves", "n_movers", "inflow", "outflow", "net"):
        if c in out.columns:
            out[c] = out[c].astype("Float64").round().astype("Int64")
    for c in out.columns:
        if str(out[c].dtype) == "Float64":
            out[c] = out[c].astype("float64")
    if "suppression" in out.columns:
        out["suppression"] = out["suppression"].astype(object).where(out["suppression"].notna(), None)
    return out
