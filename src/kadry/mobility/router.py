"""HTTP: ``GET /api/v1/flows`` and ``GET /api/v1/flows/signals``, always suppressed.

The API app includes ``router``; the engine comes from the ``get_engine`` dependency (the
store at ``KADRY_DB``, read-only), which an app or a test replaces with
``app.dependency_overrides[get_engine] = ...``. Errors are ``kadry.errors`` exceptions
(caller mistakes become ``BadRequest``, 400), for the app's one error handler to render.
The minimum cell size is the server's (``KADRY_MIN_CELL``): a client cannot lower it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from pathlib import Path

from fastapi import APIRouter, Depends, Query

from kadry.api.limits import Gate, check_request, clamp_range
from kadry.errors import BadRequest, InputError
from kadry.indicators import parse_filters
from kadry.indicators.engine import Engine
from kadry.indicators.output import to_records
from kadry.mobility.flows import flows, observed_span
from kadry.mobility.scaling import Coverage
from kadry.mobility.signals import signals

__all__ = ["router", "make_router", "get_engine", "engine_for"]


def get_engine() -> Iterator[Engine]:
    """The store's engine for one request (DuckDB, read-only)."""
    from kadry.config import default_db

    eng = Engine.duckdb(default_db())
    try:
        yield eng
    finally:
        eng.close()


def engine_for(db_path: str | Path) -> Callable[[], Iterator[Engine]]:
    """A dependency opening the store at ``db_path`` read-only for each request."""

    def dependency() -> Iterator[Engine]:
        eng = Engine.duckdb(db_path)
        try:
            yield eng
        finally:
            eng.close()

    return dependency


def _bounded(engine: Engine, period: str, start: str | None, end: str | None, by: str) -> tuple[str, str]:
    """The range cut to the sightings' span and checked against the request budget (kadry.api.limits)."""
    first, last = clamp_range(start, end, *observed_span(engine))
    check_request(period.strip().lower(), first, last, [d.strip() for d in by.split(",")])
    return first.isoformat(), last.isoformat()


def _answer(table) -> dict:
    meta = json.loads((table.schema.metadata or {}).get(b"kadry", b"{}"))
    return {"meta": meta, "rows": to_records(table)}


def make_router(
    engine_dependency: Callable = get_engine, prefix: str = "/api/v1", k: int | None = None, gate: Gate | None = None
) -> APIRouter:
    """The mobility routes, with the app's own engine dependency and minimum cell ``k``
    (default: ``KADRY_MIN_CELL``, else 10) if it has them. A request over the budget is refused
    first; one within it computes while it holds a slot of ``gate`` (kadry.api.limits)."""
    router = APIRouter(prefix=prefix, tags=["mobility"])

    def slot():
        return gate.hold() if gate is not None else nullcontext()

    @router.get("/flows", summary="Moves between regions and abroad (origin-destination, balance, outflow abroad)")
    def get_flows(
        view: str = Query(
            "od", description="od (origin-destination), balance (inflow/outflow/net per place) or abroad"
        ),
        level: str = Query(
            "region", description="region (federal subject; country abroad), federal_district or country"
        ),
        by: str = Query(
            "", description="resume dimensions, comma-separated: role, role_category, isco2, it, experience, remote"
        ),
        period: str = Query("quarter", description="day, week, month or quarter"),
        start: str | None = Query(None, alias="from", description="first day: YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD"),
        end: str | None = Query(None, alias="to", description="last day (default: the last sighting)"),
        filter: list[str] = Query([], description="DIMENSION=VALUE[,VALUE], repeatable (e.g. it=true)"),
        population: str | None = Query(
            None, description="population size N (or A..B) the platform's resumes stand for"
        ),
        population_range: str | None = Query(None, description="uncertainty range A..B of the population"),
        coverage: str | None = Query(None, description="or: share of the population the platform sees (s or s1..s2)"),
        confidence: float = Query(0.95, gt=0, lt=1),
        interval: str = Query("envelope", description="envelope or monte_carlo"),
        engine: Engine = Depends(engine_dependency),
    ) -> dict:
        try:
            cov = Coverage.of(population, population_range, coverage, confidence, interval)
            start, end = _bounded(engine, period, start, end, by)
            with slot():
                table = flows(
                    engine,
                    view=view,
                    level=level,
                    by=by,
                    period=period,
                    start=start,
                    end=end,
                    filters=parse_filters(filter),
                    coverage=cov,
                    k=k,
                )
        except InputError as exc:
            raise BadRequest(exc.message, **exc.context) from None
        return _answer(table)

    @router.get(
        "/flows/signals", summary="Shares of active resumes ready to relocate, ready to go abroad, abroad and remote"
    )
    def get_signals(
        by: str = Query(
            "", description="dimensions: role, role_category, isco2, it, region, federal_district, country, ..."
        ),
        period: str = Query("month"),
        start: str = Query(..., alias="from"),
        end: str = Query(..., alias="to"),
        filter: list[str] = Query([]),
        engine: Engine = Depends(engine_dependency),
    ) -> dict:
        try:
            start, end = _bounded(engine, period, start, end, by)
            with slot():
                table = signals(engine, by=by, period=period, start=start, end=end, filters=parse_filters(filter), k=k)
        except InputError as exc:
            raise BadRequest(exc.message, **exc.context) from None
        return _answer(table)

    return router


router = make_router()
