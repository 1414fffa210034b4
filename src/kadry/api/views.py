"""What the dashboard reads besides the indicators: words, the default range, coverage, series.

- ``/api/v1/labels``: the one vocabulary (``kadry.vocabulary``) in Russian or English;
- ``/api/v1/span``: the default range (``kadry.indicators.coverage.data_span``) and what is
  missing (no resumes, no vacancies, undated records);
- ``/api/v1/coverage``: per kind and source, the share of records with a known region,
  role, salary and skills (unknowns are coverage, never a place);
- ``/api/v1/series``: a published series with its seasonally adjusted values, year-on-year
  change and trend line (``kadry.indicators.series``), for one segment or two compared.

Every figure comes from the publisher's suppressed cubes, or is a store-wide total; a
series' derived values rest only on its published (unsuppressed) points.
"""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd
from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from kadry.api.limits import ordered
from kadry.api.models import DATE_PATTERN, OCCUPATION_PATTERN, REGION_PATTERN, SOURCE_PATTERN, Period
from kadry.errors import BadRequest

__all__ = ["MEASURES", "make_router"]

#: measure -> (indicator cube, column)
MEASURES = {
    "index": ("index", "index"),
    "n_vacancies": ("index", "n_vacancies"),
    "n_resumes": ("index", "n_resumes"),
    "new_vacancies": ("flow", "new_vacancies"),
    "new_resumes": ("flow", "new_resumes"),
}


def _clean(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _calendar(period: str, first: str, last: str) -> list[str]:
    from datetime import timedelta

    from kadry.indicators.periods import EPOCH, calendar, parse_day

    cal = calendar(period, parse_day(first), parse_day(last, end=True))
    return [(EPOCH + timedelta(days=int(d))).isoformat() for d in cal["ps"].to_pylist()]


def make_router(publisher: Any) -> APIRouter:
    """The router over one ``Publisher`` (its store, k and cubes)."""
    router = APIRouter(prefix="/api/v1")
    cached = publisher.cached

    def engine():
        from kadry.indicators import Engine

        return Engine.duckdb(publisher.db_path)

    @router.get("/labels", summary="The words of the dashboard, CLI and report (kadry.vocabulary)")
    def labels(lang: str = Query("ru", pattern="^(ru|en)$", description="ru or en")) -> dict:
        from kadry.vocabulary import words

        return words(lang)

    @router.get("/span", summary="The default range: up to the latest month with both vacancies and resumes")
    async def span() -> dict:
        def build() -> dict:
            from kadry.indicators.coverage import data_span

            with engine() as eng:
                return data_span(eng).as_dict()

        return await run_in_threadpool(cached, ("span",), build)

    @router.get(
        "/coverage", summary="Share of records with a known region, role, salary and skills, per kind and source"
    )
    async def coverage(
        format: str = Query("json", pattern="^(json|csv)$", description="json or csv"),
    ) -> Response:
        frame = await run_in_threadpool(cached, ("coverage",), lambda: _coverage(publisher))
        if format == "csv":
            return Response(frame.to_csv(index=False), media_type="text/csv; charset=utf-8")
        rows = [{k: _clean(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]
        return JSONResponse({"k": publisher.k, "rows": rows})

    @router.get(
        "/trajectories/{table}",
        summary="Region moves between CV versions, or profession -> profession flows of work histories",
    )
    async def trajectories(
        table: str = Path(
            ..., pattern="^(region-moves|profession-flows)$", description="region-moves or profession-flows"
        ),
        format: str = Query("json", pattern="^(json|csv)$", description="json or csv"),
    ) -> Response:
        frame = await run_in_threadpool(publisher.table, table)
        if format == "csv":
            return Response(frame.to_csv(index=False), media_type="text/csv; charset=utf-8")
        rows = [{k: _clean(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]
        return JSONResponse({"k": publisher.k, "table": table, "rows": rows})

    @router.get(
        "/series", summary="A series with its seasonally adjusted values, year on year and trend; two segments compared"
    )
    async def series(
        measure: str = Query(
            "index",
            pattern="^(index|n_vacancies|n_resumes|new_vacancies|new_resumes)$",
            description="index, n_vacancies, n_resumes (stocks), new_vacancies, new_resumes (flows)",
        ),
        occupation: str = Query("all", pattern=OCCUPATION_PATTERN, max_length=48),
        region: str = Query("all", pattern=REGION_PATTERN, max_length=24),
        occupation2: str | None = Query(
            None, pattern=OCCUPATION_PATTERN, max_length=48, description="second segment's occupation"
        ),
        region2: str | None = Query(None, pattern=REGION_PATTERN, max_length=24, description="second segment's region"),
        source: str | None = Query(
            None,
            pattern=SOURCE_PATTERN,
            max_length=32,
            description="a source (hh, trudvsem, sim, ...): series over all occupations and regions",
        ),
        source2: str | None = Query(
            None, pattern=SOURCE_PATTERN, max_length=32, description="second source to compare"
        ),
        period: Period = Query(Period.month),
        start: str | None = Query(None, pattern=DATE_PATTERN, max_length=10, description="first period shown"),
        end: str | None = Query(None, pattern=DATE_PATTERN, max_length=10, description="last period shown"),
        format: str = Query("json", pattern="^(json|csv)$"),
    ) -> Response:
        segments = [{"occupation": occupation, "region": region, "source": source}]
        if occupation2 or region2 or source2:
            segments.append(
                {"occupation": occupation2 or occupation, "region": region2 or region, "source": source2 or source}
            )
        key = ("series", measure, period.value, start, end, tuple(tuple(s.items()) for s in segments))
        body = await run_in_threadpool(
            cached, key, lambda: _series(publisher, measure, period.value, segments, start, end)
        )
        if format == "csv":
            return Response(_series_csv(body), media_type="text/csv; charset=utf-8")
        return JSONResponse(body)

    return router


def _coverage(publisher: Any) -> pd.DataFrame:
    """The released coverage table (the whole store; a kind's total as ``all``): the same cells
    as the report's, whether or not the store's release is made yet."""
    from kadry.publish import coverage_cells

    return coverage_cells(publisher.db_path, publisher.k)


def _source_cube(publisher: Any, indicator: str, period: str) -> pd.DataFrame:
    """The released indicator by source (all occupations and regions)."""
    from kadry.publish.cubes import BY_SOURCE

    return publisher.cube(indicator + BY_SOURCE, period)


def _series(
    publisher: Any, measure: str, period: str, segments: list[dict], start: str | None, end: str | None
) -> dict:
    from kadry.api.cube import slice_cube
    from kadry.indicators import parse_day
    from kadry.indicators.series import analyse

    indicator, column = MEASURES[measure]
    first, last = publisher.data_range()
    periods = _calendar(period, first, last)
    lo = parse_day(start).isoformat() if start else None
    hi = parse_day(end, end=True).isoformat() if end else None
    if start and end:
        ordered(parse_day(start), parse_day(end, end=True))
    out: dict[str, Any] = {"measure": measure, "period": period, "k": publisher.k, "series": []}
    for seg in segments:
        if seg.get("source") and seg["source"] != "all":
            cube = _source_cube(publisher, indicator, period)
            if seg["source"] not in set(cube["source"]):
                raise BadRequest(f"unknown source {seg['source']!r}: see /api/v1/coverage")
            rows = cube[cube["source"] == seg["source"]]
            label = {"source": seg["source"]}
        else:
            cube = publisher.cube(indicator, period, first, last)
            if seg["occupation"] not in set(cube["occupation"]) or seg["region"] not in set(cube["region"]):
                raise BadRequest(f"unknown segment {seg['occupation']}/{seg['region']}: see /api/v1/dimensions")
            rows = slice_cube(cube, seg["occupation"], seg["region"], "none")
            label = {"occupation": seg["occupation"], "region": seg["region"]}
        by_period = dict(zip(rows["period"], rows[column]))
        hidden = dict(zip(rows["period"], rows["suppressed"])) if "suppressed" in rows else {}
        values = [_clean(by_period.get(p)) for p in periods]
        analysis = analyse(periods, values, period=period).as_dict()
        for r in analysis["rows"]:
            p = r["period"]
            r["reason"] = (
                None
                if r["value"] is not None
                else ("hidden" if hidden.get(p) else ("no_data" if p not in by_period else "no_index"))
            )
        analysis["rows"] = [
            r for r in analysis["rows"] if (lo is None or r["period"] >= lo) and (hi is None or r["period"] <= hi)
        ]
        simulated = (
            bool(rows["simulated"].fillna(False).astype(bool).any()) if "simulated" in rows and len(rows) else False
        )
        out["series"].append({"segment": label, "simulated": simulated, **analysis})
    return out


def _series_csv(body: dict) -> str:
    rows = []
    for s in body["series"]:
        name = "/".join(f"{k}={v}" for k, v in s["segment"].items())
        for r in s["rows"]:
            rows.append(
                {
                    "segment": name,
                    "measure": body["measure"],
                    **r,
                    "adjusted_method": s["method"] or "",
                    "not_adjusted_because": (s["why"] or {}).get("code", ""),
                }
            )
    buf = io.StringIO()
    pd.DataFrame(rows).to_csv(buf, index=False)
    return buf.getvalue()
