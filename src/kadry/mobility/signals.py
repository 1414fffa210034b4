"""Signals of moves to come: shares of active resumes ready to relocate, ready to go abroad,
and located abroad while seeking remote work (on a Russian platform), by segment and period.

Active follows the indicators' resume activity rule (``kadry.indicators.activity``), and a
resume's segment is its current normalized state, as for every indicator.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa

from kadry.errors import InputError
from kadry.indicators.activity import Options, active_rows
from kadry.indicators.engine import Engine
from kadry.indicators.periods import Calendar, parse_day
from kadry.indicators.segments import resolve_dims
from kadry.mobility.flows import expand_rollup
from kadry.mobility.moves import HOME

__all__ = ["SIGNALS", "signals_expr", "signals"]

#: share column -> the count it rests on (numerator); the denominator is n_resumes
SIGNALS = {
    "ready_to_relocate_share": "n_ready_to_relocate",
    "ready_abroad_share": "n_ready_abroad",
    "abroad_share": "n_abroad",
    "abroad_remote_share": "n_abroad_remote",
}


def _extra() -> dict:
    def abroad(t):
        return t.country_code.notnull() & (t.country_code != HOME)

    return {
        "is_ready": lambda t: t.ready_to_relocate.fill_null(False),
        "is_ready_abroad": lambda t: t.ready_abroad.fill_null(False),
        "is_abroad": lambda t: abroad(t).fill_null(False),
        "is_abroad_remote": lambda t: (abroad(t) & t.remote.fill_null(False)).fill_null(False),
    }


def signals_expr(engine: Engine, dims: list[str], cal: Calendar, filters: dict | None, opts: Options) -> ibis.Table:
    """Counts of active resumes and of each signal by ``dims`` (with roll-ups) and period."""
    rows = active_rows(engine, "resume", dims, cal, filters, opts, _extra())
    return expand_rollup(
        rows,
        dims,
        ["ps", "pe"],
        lambda t: {
            "n_resumes": t.count(),
            "n_ready_to_relocate": t.is_ready.cast("int64").sum(),
            "n_ready_abroad": t.is_ready_abroad.cast("int64").sum(),
            "n_abroad": t.is_abroad.cast("int64").sum(),
            "n_abroad_remote": t.is_abroad_remote.cast("int64").sum(),
            "simulated": t.simulated.any(),
        },
    )


def signals(
    engine: Engine,
    *,
    by: Iterable[str] | str | None = (),
    period: str = "month",
    start: date | datetime | str,
    end: date | datetime | str,
    filters: dict[str, Any] | None = None,
    window: int = 30,
) -> pa.Table:
    """Shares of active resumes showing each signal, unsuppressed (the analyst's own view of the
    store, ``kadry relocation``; the published counts are the release's, ``kadry.publish.moves``).

    ``abroad_remote_share`` = resumes located abroad (country not RU) that want remote work,
    over all active resumes of the segment: people working for Russia from elsewhere.
    """
    if not isinstance(engine, Engine):
        raise InputError("engine must be a kadry.indicators.Engine")
    dims = resolve_dims(by)
    first, last = parse_day(start), parse_day(end, end=True)
    opts = Options(window=window)
    cal = Calendar(period, first, last)
    df = engine.execute(signals_expr(engine, dims, cal, filters, opts)).to_pandas()
    df["period"] = pd.to_datetime(df.pop("ps"), unit="D").dt.date
    df["period_end"] = pd.to_datetime(df.pop("pe"), unit="D").dt.date
    counts = ["n_resumes", *SIGNALS.values()]
    for c in counts:
        df[c] = df[c].fillna(0).astype("int64")
    df["simulated"] = df["simulated"].fillna(False).astype(bool)
    for share, count in SIGNALS.items():
        df[share] = df[count] / df["n_resumes"].where(df["n_resumes"] > 0)
    df = df[[*dims, "period", "period_end", *counts, *SIGNALS, "simulated"]]
    df = df.sort_values([*dims, "period"]).reset_index(drop=True)
    meta = {
        "indicator": "relocation signals",
        "by": dims,
        "period": period,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "engine": engine.name,
        "window": window,
        "suppressed": False,  # internal use: kadry.publish releases what leaves kadry
    }
    return pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata({"kadry": json.dumps(meta)})
