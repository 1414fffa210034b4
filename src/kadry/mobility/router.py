"""HTTP: ``GET /api/v1/flows`` and ``GET /api/v1/flows/signals``, cut from the release.

Every number is a released cell (``kadry.publish.moves``, through the app's ``Publisher``):
the moves cube and the signal counts are suppressed once per store version, over fixed
dimensions, so no request chooses what is suppressed and two answers cannot differ by a
hidden cell. A request names released months, levels and segments; anything else is 400.
Errors are ``kadry.errors`` exceptions, for the app's one error handler to render.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from fastapi import APIRouter, Depends, Query

from kadry.api.cube import Publisher
from kadry.api.limits import Gate, clamp_range
from kadry.errors import BadRequest, InputError
from kadry.indicators.output import to_records
from kadry.mobility.released import flow_view, segment, signal_view, span
from kadry.mobility.scaling import Coverage, base_count, scale

__all__ = ["router", "make_router", "get_publisher", "publisher_for"]

_MONTHS_ONLY = "moves and signals are published by month only: add up the months"


@cache
def _publisher(path: str) -> Publisher:
    return Publisher(path, make=False)


def get_publisher() -> Publisher:
    """The publisher of the store at ``KADRY_DB`` (one per process)."""
    from kadry.config import default_db

    return _publisher(str(default_db()))


def publisher_for(db_path: str | Path) -> Callable[[], Publisher]:
    """A dependency giving the publisher of the store at ``db_path``."""
    return lambda: _publisher(str(db_path))


def _months(period: str) -> None:
    if period.strip().lower() != "month":
        raise BadRequest(_MONTHS_ONLY, period=period)


def _answer(frame: pd.DataFrame, meta: dict) -> dict:
    out = frame.copy()
    for c in out.columns:
        if str(out[c].dtype) in ("Float64", "Int64"):
            out[c] = out[c].astype("float64")
    counts = [c for c in ("n_moves", "inflow", "outflow", "net", "n_resumes") if c in out.columns]
    table = pa.Table.from_pandas(out, preserve_index=False)
    rows = to_records(table)
    for row in rows:  # counts are whole numbers
        for c in counts:
            if row.get(c) is not None:
                row[c] = int(round(row[c]))
    return {"meta": meta, "rows": rows}


def _estimates(frame: pd.DataFrame, cov: Coverage, base: int | None) -> pd.DataFrame:
    """Population estimates of the published counts (post-processing: nothing hidden is used)."""
    out = frame.copy()
    for count, prefix in (("n_moves", ""), ("inflow", "inflow_"), ("outflow", "outflow_")):
        if count not in out.columns:
            continue
        values = out[count].astype("Float64")
        est, low, high = scale(values.fillna(0).to_numpy(dtype=float), cov, base)
        hidden = values.isna().to_numpy()
        for name, arr in (("estimate", est), ("low", low), ("high", high)):
            out[f"{prefix}{name}"] = np.where(hidden, np.nan, arr)
    if "inflow_estimate" in out.columns:
        out["net_estimate"] = out["inflow_estimate"] - out["outflow_estimate"]
    return out


def make_router(
    publisher: Publisher | Callable[[], Publisher] | None = None, prefix: str = "/api/v1", gate: Gate | None = None
) -> APIRouter:
    """The mobility routes over one store's publisher (default: the store at ``KADRY_DB``).

    Cutting a view is cheap; computing the moves family alone (no current release yet)
    holds a slot of ``gate`` (kadry.api.limits), once per store version."""
    router = APIRouter(prefix=prefix, tags=["mobility"])
    dependency = publisher if callable(publisher) and not isinstance(publisher, Publisher) else None
    if dependency is None:
        fixed = publisher

        def dependency() -> Publisher:
            return fixed if isinstance(fixed, Publisher) else get_publisher()

    def slot():
        return gate.hold() if gate is not None else nullcontext()

    def released(pub: Publisher, name: str) -> pd.DataFrame:
        with slot():
            return pub.table(name)

    @router.get("/flows", summary="Moves between regions and abroad (origin-destination, balance, outflow abroad)")
    def get_flows(
        view: str = Query(
            "od", description="od (origin-destination), balance (inflow/outflow/net per place) or abroad"
        ),
        level: str = Query(
            "region", description="region (federal subject; country abroad), federal_district or country"
        ),
        by: str = Query("", description="'' or it (the released IT segments: it, non_it, unknown)"),
        period: str = Query("month", description="month (moves are released by month only)"),
        start: str | None = Query(None, alias="from", description="first month: YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD"),
        end: str | None = Query(None, alias="to", description="last month (default: the last released)"),
        filter: list[str] = Query([], description="it=true or it=false (the released segments)"),
        population: str | None = Query(
            None, description="population size N (or A..B) the platform's resumes stand for"
        ),
        population_range: str | None = Query(None, description="uncertainty range A..B of the population"),
        coverage: str | None = Query(None, description="or: share of the population the platform sees (s or s1..s2)"),
        confidence: float = Query(0.95, gt=0, lt=1),
        interval: str = Query("envelope", description="envelope or monte_carlo"),
        pub: Publisher = Depends(dependency),
    ) -> dict:
        try:
            _months(period)
            cov = Coverage.of(population, population_range, coverage, confidence, interval)
            occupation, dims = segment(by, filter, ("it",))
            if dims and occupation != "all":
                raise InputError("by=it already shows every IT segment: drop the it filter, or the by")
            table = released(pub, "moves")
            first, last = clamp_range(start, end, *span(table))
            frame = flow_view(
                table, view=view, level=level, occupation=occupation, by_it=bool(dims), first=first, last=last
            )
            base = None
            if cov is not None:
                base = _base(pub, occupation, first, last) if cov.needs_base else None
                frame = _estimates(frame, cov, base)
        except InputError as exc:
            raise BadRequest(exc.message, **exc.context) from None
        meta: dict[str, Any] = {
            "view": view,
            "level": "country" if view == "abroad" else level,
            "by": dims,
            "period": "month",
            "start": first.isoformat(),
            "end": last.isoformat(),
            "filters": {"it": [occupation == "it"]} if occupation != "all" else {},
            **_protection(pub, table),
            "release": pub.served(),
            "dated": "at the later of the two sightings (the first that shows the new place)",
            "levels": "every level rolls up the moves between federal subjects and countries",
            "coverage": cov.describe(base) if cov is not None else None,
        }
        return _answer(frame, meta)

    @router.get(
        "/flows/signals", summary="Shares of active resumes ready to relocate, ready to go abroad, abroad and remote"
    )
    def get_signals(
        by: str = Query("", description="'', federal_district or region"),
        period: str = Query("month", description="month (signals are released by month only)"),
        start: str | None = Query(None, alias="from"),
        end: str | None = Query(None, alias="to"),
        filter: list[str] = Query([], description="it=true (the released segment)"),
        pub: Publisher = Depends(dependency),
    ) -> dict:
        try:
            _months(period)
            occupation, dims = segment(by, filter, ("federal_district", "region"))
            if len(dims) > 1:
                raise InputError("signals are released by one region level: federal_district or region")
            stock = pub.release().cube("index", "month")  # the denominators: none before a release
            table = released(pub, "signals")
            first, last = clamp_range(start, end, *span(table, "the store holds no active resumes to publish"))
            frame = signal_view(table, stock, occupation=occupation, dims=dims, first=first, last=last)
        except InputError as exc:
            raise BadRequest(exc.message, **exc.context) from None
        meta = {
            "indicator": "relocation signals",
            "by": dims,
            "period": "month",
            "start": first.isoformat(),
            "end": last.isoformat(),
            "filters": {"it": [True]} if occupation == "it" else {},
            "suppressed": True,
            "min_cell": pub.k,
            "release": pub.served(),
        }
        return _answer(frame, meta)

    return router


def _protection(pub: Publisher, table: pd.DataFrame) -> dict:
    """How the moves are protected: small-cell suppression at k, or noise with its privacy loss,
    the ledger's total for the store beside it (every release's spend adds up)."""
    noise = table.attrs.get("noise")
    if not noise:
        return {"suppressed": True, "min_cell": pub.k}

    def spent() -> float:
        from kadry.privacy.noise import spent as total
        from kadry.store import Store

        with Store(pub.db_path, read_only=True) as store:
            return total(store)

    shown = {k: noise[k] for k in ("epsilon", "mechanism", "scale", "sensitivity", "accuracy95", "cap") if k in noise}
    return {"suppressed": False, "min_cell": None, "noise": {**shown, "epsilon_spent": pub.cached(("spent",), spent)}}


def _base(pub: Publisher, occupation: str, first, last) -> int:
    """The platform's resumes in the population (``base_count``), once per store version and range."""
    from kadry.indicators import Engine

    filters = {"it": [occupation == "it"]} if occupation != "all" else None

    def build() -> int:
        with Engine.duckdb(pub.db_path) as engine:
            return base_count(engine, filters, first, last)

    return pub.cached(("base", occupation, first, last), build)


router = make_router()
