"""``compute``: the one entry point other parts of kadry (CLI, HTTP API, report, mobility) call."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kadry.errors import InputError
from kadry.indicators.activity import Options, vacancy_rule_label
from kadry.indicators.engine import Engine
from kadry.indicators.measures import BUILDERS
from kadry.indicators.periods import Calendar, parse_day
from kadry.indicators.segments import resolve_dims
from kadry.rules.bands import band_of

__all__ = ["INDICATORS", "compute", "band"]

INDICATORS = tuple(BUILDERS)
_OPTION_NAMES = {f.name for f in fields(Options)}


def band(index: float | None) -> str | None:
    """HeadHunter's band of an index value (None for an undefined index)."""
    return band_of(index)


def compute(
    indicator: str,
    *,
    by: Iterable[str] | str | None = (),
    period: str = "month",
    start: date | datetime | str,
    end: date | datetime | str,
    filters: dict[str, Any] | None = None,
    engine: Engine,
    options: Options | None = None,
    as_: str = "arrow",
    **option_values: Any,
) -> pa.Table | Any:
    """One indicator by segment (``by``) and period over ``start``..``end`` (whole periods).

    Options (``lifetime``, ``window``, ``vacancy_rule``, ``include_duplicates``, ``rollups``, ...)
    are given as an ``Options`` or as keywords. Returns Arrow (``as_="pandas"`` for a DataFrame)
    with one row per segment and period, roll-ups marked ``"all"``; see docs/indicators.md.
    """
    if indicator not in BUILDERS:
        raise InputError(f"unknown indicator {indicator!r}: use one of {', '.join(INDICATORS)}")
    unknown = set(option_values) - _OPTION_NAMES
    if unknown:
        raise InputError(f"unknown option(s) {', '.join(sorted(unknown))}: use {', '.join(sorted(_OPTION_NAMES))}")
    if options is None:
        options = Options(**option_values)
    elif option_values:
        options = Options(**{**asdict(options), **option_values})
    if as_ not in ("arrow", "pandas"):
        raise InputError(f"as_ must be 'arrow' or 'pandas', not {as_!r}")
    if not isinstance(engine, Engine):
        raise InputError("engine must be a kadry.indicators.Engine (Engine.duckdb(path) or Engine.spark(dir))")
    dims = resolve_dims(by)
    first, last = parse_day(start), parse_day(end, end=True)
    cal = Calendar(period, first, last, engine)
    expr = BUILDERS[indicator](engine, dims, cal, filters, options)
    table = _finish(engine.execute(expr), dims, indicator, period, options, first, last, engine.name)
    return table.to_pandas() if as_ == "pandas" else table


def _finish(
    t: pa.Table, dims: list[str], indicator: str, period: str, opts: Options, first: date, last: date, engine: str
) -> pa.Table:
    """Dates for day numbers, a stable column order and row order, and what the figures assume."""
    period_col = t["ps"].cast(pa.int32()).cast(pa.date32())  # day numbers count from 1970-01-01
    end_col = t["pe"].cast(pa.int32()).cast(pa.date32())
    rest = [c for c in t.column_names if c not in (*dims, "ps", "pe", "simulated")]
    cols = {d: t[d] for d in dims}
    cols["period"] = period_col
    cols["period_end"] = end_col
    for c in rest:
        cols[c] = t[c]
    cols["simulated"] = pc.fill_null(t["simulated"], False)
    out = pa.table(cols)
    out = out.sort_by([(c, "ascending") for c in row_order(dims, out.column_names)])
    out = out.append_column("vacancy_activity_rule", _constant(vacancy_rule_label(opts), out.num_rows))
    meta = {
        "indicator": indicator,
        "by": dims,
        "period": period,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "engine": engine,
        "vacancy_activity_rule": vacancy_rule_label(opts),
        "options": asdict(opts),
    }
    return out.replace_schema_metadata({"kadry": json.dumps(meta)})


def row_order(dims: list[str], columns: Iterable[str]) -> list[str]:
    """The columns an indicator's rows are sorted by: segment, period, then skill or experience band."""
    columns = set(columns)
    return [*dims, "period"] + [c for c in ("skill", "experience_level") if c in columns]


def _constant(label: str, rows: int) -> pa.Array:
    """One label for every row, added after the sort (a sort concatenates each column into one
    array), dictionary-encoded when plain copies would pass a string array's 2 GiB of offsets
    (tens of millions of rows: the skills cube of a store of a million vacancies)."""
    if rows * len(label.encode()) < 2**30:
        return pa.repeat(pa.scalar(label, pa.string()), rows)
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(rows, dtype=np.int32)), pa.array([label]))
