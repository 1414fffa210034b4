"""The FastAPI app: indicators, dimensions and health as JSON/CSV, and the dashboard at ``/``.

Aggregates only: every number comes from a suppressed cube (``kadry.api.cube``); no
endpoint here reads a person-level row. Every error, whatever raised it, leaves as one
JSON shape (``ErrorResponse``), never a stack trace.
"""

from __future__ import annotations

import gzip
import io
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from kadry import __version__
from kadry.api.cube import Publisher, slice_cube
from kadry.api.limits import Gate, clamp_range
from kadry.api.models import (
    DATE_PATTERN,
    OCCUPATION_PATTERN,
    REGION_PATTERN,
    SOURCE_PATTERN,
    Dimensions,
    ErrorResponse,
    Format,
    GroupBy,
    Health,
    Indicator,
    IndicatorPage,
    IndicatorRow,
    Named,
    Period,
    PeriodInfo,
    Rules,
)
from kadry.api.names import occupation_names, region_names
from kadry.errors import BadRequest, KadryError

__all__ = ["create_app", "install_error_handlers", "install_caching", "STATIC"]

STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
_ERRORS: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: If-None-Match holds the current ETag (the store has not changed)"},
    400: {"model": ErrorResponse, "description": "Bad parameter value, or a request over the budget (OverBudget)"},
    404: {"model": ErrorResponse, "description": "Not found"},
    422: {"model": ErrorResponse, "description": "Parameter fails validation (type, enum, pattern, range)"},
    503: {"model": ErrorResponse, "description": "Store or engine unavailable, or busy (Busy, with Retry-After)"},
}


def _error(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "type": kind, "message": message}}, status_code=status)


#: answers at least this long are served gzipped to clients that accept it
_GZIP_FROM = 1024
_GZIPPED = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}


class _ResponseCache:
    """LRU of rendered answers keyed by normalized parameters and the store version: the body,
    its media type, and the body gzipped once (None when too small to be worth it)."""

    def __init__(self, size: int = 512) -> None:
        self._data: OrderedDict[tuple, tuple] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> tuple | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return value

    def put(self, key: tuple, value: tuple) -> None:
        with self._lock:
            self._data[key] = value
            while len(self._data) > self._size:
                self._data.popitem(last=False)


def create_app(db_path: str | Path, *, k: int | None = None, cache: bool = True, make: bool = True) -> FastAPI:
    """The app for one store (opened read-only, per request; several servers may share it).

    ``make``: publish the store's release now if it has none (else answers wait for one: 503).
    """
    publisher = Publisher(db_path, k=k, make=make)
    threading.Thread(target=publisher.preload, name="kadry-preload", daemon=True).start()
    responses = _ResponseCache() if cache else None
    app = FastAPI(
        title="kadry",
        version=__version__,
        description="Labour-market aggregates (deficiency index, stocks, flows, salaries, skills) by occupation, "
        "region and period. Every number passes small-cell suppression (cells resting on fewer than k records, "
        "and the cells that would let them be recomputed, are null with `suppressed: true`). "
        'Every error has the shape `{"error": {"status", "type", "message"}}`.',
        responses={500: {"model": ErrorResponse, "description": "Unexpected failure (reported without details)"}},
    )
    app.state.publisher = publisher
    app.state.responses = responses
    install_error_handlers(app)
    install_caching(app, publisher.version, publisher.served, edge=cache)
    gate = Gate()

    api = APIRouter(prefix="/api/v1", responses=_ERRORS)
    counts: dict[str, tuple[int, int]] = {}  # store version -> (vacancies, resumes)

    @api.get("/health", response_model=Health, summary="Server and store status")
    async def health() -> Health:
        # on the event loop, never queued behind worker threads: answered from memory after the first call
        version = publisher.version()
        release, publishing = publisher.state()
        cached = counts.get(version)
        if cached is not None:
            return Health(
                status="ok",
                version=__version__,
                store=publisher.db_path.name,
                store_version=version,
                vacancies=cached[0],
                resumes=cached[1],
                release=release,
                publishing=publishing,
            )
        v, r = await run_in_threadpool(_record_counts, publisher.db_path)
        counts.clear()
        counts[version] = (v, r)
        return Health(
            status="ok",
            version=__version__,
            store=publisher.db_path.name,
            store_version=version,
            vacancies=v,
            resumes=r,
            release=release,
            publishing=publishing,
        )

    @api.get("/dimensions", response_model=Dimensions, summary="Occupations, regions and periods available")
    def dimensions() -> Dimensions:
        first, last = publisher.data_range()
        cube = publisher.cube("index", "month", first, last)
        return Dimensions(
            indicators=list(Indicator),
            occupations=_named(cube, "occupation", occupation_names()),
            regions=_named(cube, "region", region_names()),
            periods=PeriodInfo(granularities=list(Period), first=first, last=last),
            k=publisher.k,
        )

    @api.get("/rules", response_model=Rules, summary="Bands of the index, experience bands, activity rules")
    def rules() -> Rules:
        """The rules behind the numbers (HeadHunter's bands with labels and colours, experience bands, when a
        record is active), from their one definition in kadry.rules: displays take them from here."""
        from kadry import rules as defined

        return Rules.model_validate(defined.as_json())

    @api.get(
        "/indicators",
        response_model=IndicatorPage,
        summary="An indicator by occupation, region and period (suppressed)",
        responses={
            200: {
                "content": {"text/csv": {"schema": {"type": "string"}}},
                "description": "JSON page, or CSV with format=csv",
            }
        },
    )
    async def indicators(
        request: Request,
        indicator: Indicator = Query(Indicator.index, description="what to compute"),
        occupation: str = Query(
            "all",
            pattern=OCCUPATION_PATTERN,
            max_length=48,
            description="all, it (the IT segment), role:<hh role id>, category:<hh category id>",
        ),
        region: str = Query(
            "all",
            pattern=REGION_PATTERN,
            max_length=24,
            description="all (every region), RU-XXX (ISO 3166-2:RU subject), district:<code> (CFD, NWFD, ...)",
        ),
        group_by: GroupBy = Query(
            GroupBy.none,
            description="list every region, district, role or category inside the selection instead of one row per period",
        ),
        period: Period = Query(Period.month, description="period length"),
        start: str | None = Query(
            None,
            pattern=DATE_PATTERN,
            max_length=10,
            description="YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD (default: first data)",
        ),
        end: str | None = Query(
            None, pattern=DATE_PATTERN, max_length=10, description="same forms, inclusive (default: last data)"
        ),
        format: Format = Query(Format.json, description="json or csv"),
        limit: int = Query(1000, ge=1, le=10000, description="rows per page"),
        offset: int = Query(0, ge=0, le=10_000_000, description="rows to skip"),
        source: str = Query(
            "all",
            pattern=SOURCE_PATTERN,
            max_length=32,
            description="all (every source), or one source (hh, trudvsem, sim, ...: see /api/v1/coverage); "
            "by source the release holds the index and flows over all occupations and regions",
        ),
    ) -> Response:
        # a repeated query is answered on the event loop from the LRU; anything else (store,
        # cube, slicing) runs in a worker thread so it never blocks other clients
        key = (
            publisher.version(),
            indicator.value,
            occupation,
            region,
            group_by.value,
            period.value,
            start,
            end,
            format.value,
            limit,
            offset,
            source,
        )
        if responses is not None:
            hit = responses.get(key)
            if hit is not None:
                if hit[2] is not None and "gzip" in request.headers.get("accept-encoding", ""):
                    # compressed once when cached, not per answer (GZipMiddleware passes it through)
                    return Response(hit[2], media_type=hit[1], headers=_GZIPPED)
                return Response(hit[0], media_type=hit[1])
        # a slice of the persisted release: cheap, so it holds no slot of the gate (which bounds
        # computations); a burst of 64 first requests got 503 Busy from a gate of two
        body, media = await run_in_threadpool(
            _answer,
            publisher,
            indicator,
            occupation,
            region,
            group_by,
            period,
            start,
            end,
            format,
            limit,
            offset,
            source,
        )
        if responses is not None:
            packed = await run_in_threadpool(gzip.compress, body, 6) if len(body) >= _GZIP_FROM else None
            responses.put(key, (body, media, packed))
        return Response(body, media_type=media)

    app.include_router(api)
    from kadry.api.views import make_router as views_router

    app.include_router(views_router(publisher), responses=_ERRORS)
    _include_flows(app, publisher, gate)
    _include_match(app, publisher.db_path)

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


# --- slicing -------------------------------------------------------------------------------


def _record_counts(db_path: Path) -> tuple[int, int]:
    from kadry.store import connect

    con = connect(db_path, read_only=True)
    try:
        v_row = con.execute("SELECT count(*) FROM vacancies").fetchone()
        r_row = con.execute("SELECT count(*) FROM resumes").fetchone()
        assert v_row is not None and r_row is not None  # an aggregate always gives one row
        return v_row[0], r_row[0]
    finally:
        con.close()


def _answer(
    publisher: Publisher,
    indicator: Indicator,
    occupation: str,
    region: str,
    group_by: GroupBy,
    period: Period,
    start: str | None,
    end: str | None,
    format: Format,
    limit: int,
    offset: int,
    source: str = "all",
) -> tuple[bytes, str]:
    first, last = publisher.data_range()
    lo, hi = clamp_range(start, end, date.fromisoformat(first), date.fromisoformat(last))
    start_day, end_day = lo.isoformat(), hi.isoformat()
    # one cube per indicator and period length over the whole data range (bounded work, one
    # suppression pattern); the requested range only selects its periods
    if source != "all":
        rows = _by_source(publisher, indicator, occupation, region, group_by, period, source)
    else:
        cube = publisher.cube(indicator.value, period.value, first, last)
        _known(occupation, cube["occupation"], occupation_names(), "occupation")
        _known(region, cube["region"], region_names(), "region")
        rows = slice_cube(cube, occupation, region, group_by.value)
    rows = rows[(rows["period_end"] >= start_day) & (rows["period"] <= end_day)]
    total = len(rows)
    page = rows.iloc[offset : offset + limit]
    if format is Format.csv:
        return _csv(page).encode("utf-8"), "text/csv; charset=utf-8"
    payload = IndicatorPage(
        indicator=indicator,
        period=period,
        start=start_day,
        end=end_day,
        k=publisher.k,
        simulated=bool(rows["simulated"].any()) if total else False,
        total=total,
        limit=limit,
        offset=offset,
        rows=[IndicatorRow.model_validate(r) for r in _records(page)],
    )
    return payload.model_dump_json(exclude_none=False).encode("utf-8"), "application/json"


def _by_source(
    publisher: Publisher,
    indicator: Indicator,
    occupation: str,
    region: str,
    group_by: GroupBy,
    period: Period,
    source: str,
) -> pd.DataFrame:
    """Rows of one source: the release's cube by source (all occupations and regions)."""
    from kadry.publish.cubes import BY_SOURCE

    if indicator.value not in ("index", "flow"):
        raise BadRequest("by source, the release holds the index and flows only")
    if occupation != "all" or region != "all" or group_by is not GroupBy.none:
        raise BadRequest("by source, the release holds all occupations and regions (occupation=all, region=all)")
    cube = publisher.cube(indicator.value + BY_SOURCE, period.value)
    if source not in set(cube["source"]):
        raise BadRequest(f"unknown source {source!r}: see /api/v1/coverage")
    return cube[cube["source"] == source]


def _known(value: str, present: pd.Series, names: dict, what: str) -> None:
    if value not in names and not (present == value).any():
        raise BadRequest(f"unknown {what} {value!r}: see /api/v1/dimensions")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
                value = None
            clean[key] = value
        out.append(clean)
    return out


def _csv(frame: pd.DataFrame) -> str:
    buf = io.StringIO()
    frame.drop(columns=[c for c in ("vacancy_activity_rule",) if c in frame.columns]).to_csv(buf, index=False)
    return buf.getvalue()


def _named(cube: pd.DataFrame, column: str, names: dict) -> list[Named]:
    parents = cube.attrs.get(f"parents:{column}", {})
    out = []
    for value in sorted(
        cube[column].unique(), key=lambda v: (v not in ("all", "it"), not v.startswith(("category:", "district:")), v)
    ):
        ru, en = names.get(value, (None, None))
        kind = value.split(":", 1)[0] if ":" in value else ("segment" if value in ("all", "it") else "subject")
        out.append(Named(id=value, name_ru=ru, name_en=en, parent=parents.get(value), kind=kind))
    return out


# --- caching -------------------------------------------------------------------------------


def install_caching(
    app: FastAPI, version: Callable[[], str], served: Callable[[], str | None] = lambda: None, *, edge: bool = False
) -> None:
    """Gzip for large answers, and an ETag on the aggregate routes with 304 on ``If-None-Match``.

    Every aggregate is a function of the store and of kadry's code, so the ETag is derived
    from ``version()`` (the store's) and kadry's version: a client or a proxy revalidates
    without the server computing anything. Weak, since gzip changes the bytes and not the
    meaning. The keyed match routes are person-level and audited per call: never cached.
    Every answer says which release it was cut from (``X-Kadry-Release``). With ``edge``, a
    repeated indicator query (same URL, store version, release and compression) is answered
    with the bytes of its first answer before routing, validation or the app's own cache.
    """
    app.add_middleware(GZipMiddleware, minimum_size=_GZIP_FROM)
    app.add_middleware(_Revalidation, version=version, served=served, edge=_ResponseCache(2048) if edge else None)


class _Revalidation:
    """The ETag / 304 and release headers as a plain ASGI middleware.

    Starlette's ``@app.middleware("http")`` runs each request through a task and a memory
    stream; two of them took most of the event loop's time under load (bench/api_load.py).
    """

    #: routes whose 200 answers are a function of the URL and the store (and so kept at the edge)
    EDGE = ("/api/v1/indicators",)

    def __init__(
        self, app, *, version: Callable[[], str], served: Callable[[], str | None], edge: _ResponseCache | None = None
    ) -> None:
        self.app, self.version, self.served, self.edge = app, version, served, edge

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        tag = None
        if scope["method"] in ("GET", "HEAD") and path.startswith("/api/v1/") and not path.startswith("/api/v1/match"):
            try:
                tag = f'W/"{__version__}-{self.version()}"'
            except KadryError:  # no store: let the route say so
                tag = None
        if tag is not None:
            header = dict(scope["headers"]).get(b"if-none-match", b"").decode("latin-1")
            asked = {t.strip().removeprefix("W/") for t in header.split(",")}
            if "*" in asked or tag.removeprefix("W/") in asked:
                headers = {"ETag": tag, "Cache-Control": "no-cache"}
                release = self.served()
                if release:
                    headers["X-Kadry-Release"] = release
                await Response(status_code=304, headers=headers)(scope, receive, send)
                return
        key = None
        if tag is not None and self.edge is not None and scope["method"] == "GET" and path in self.EDGE:
            gz = b"gzip" in dict(scope["headers"]).get(b"accept-encoding", b"")
            key = (tag, self.served(), path, scope.get("query_string", b""), gz)
            hit = self.edge.get(key)
            if hit is not None:
                start, body, _ = hit
                await send(self._marked(start, tag))
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
        kept: list = []

        async def sending(message) -> None:
            if message["type"] == "http.response.start":
                if key is not None and message["status"] == 200:
                    kept.append(message)
                message = self._marked(message, tag)
            elif kept:
                kept.append(message.get("body", b""))
                if not message.get("more_body", False) and self.edge is not None and key is not None:
                    self.edge.put(key, (kept[0], b"".join(kept[1:]), None))
            await send(message)

        await self.app(scope, receive, sending)

    def _marked(self, message: dict, tag: str | None) -> dict:
        """The response start with the ETag (on 200), Cache-Control and the release served."""
        headers = list(message.get("headers", []))
        names = {k.lower() for k, _ in headers}
        if tag is not None and message["status"] == 200:
            headers.append((b"etag", tag.encode("latin-1")))
            if b"cache-control" not in names:  # may be stored, must be revalidated
                headers.append((b"cache-control", b"no-cache"))
        release = self.served()
        if release:
            headers.append((b"x-kadry-release", release.encode("latin-1")))
        return {**message, "headers": headers}


# --- errors --------------------------------------------------------------------------------


def install_error_handlers(app: FastAPI) -> None:
    """Render every error, whatever raised it, as the one ``ErrorResponse`` shape with its status."""

    @app.exception_handler(KadryError)
    async def _kadry(request: Request, exc: KadryError) -> JSONResponse:
        status = int(getattr(exc, "status", 400) or 400)
        if status >= 500:
            status = 503  # the store or engine failed: say so without internals
        response = _error(status, type(exc).__name__, str(exc).splitlines()[0][:300])
        if exc.transient:
            response.headers["Retry-After"] = "5"
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="kadry"'
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:3]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "query")
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        return _error(422, "ValidationError", "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = {404: "NotFound", 405: "MethodNotAllowed", 403: "Forbidden", 401: "Unauthorized"}.get(
            exc.status_code, "HTTPError"
        )
        detail = exc.detail if isinstance(exc.detail, str) else kind
        response = _error(exc.status_code, kind, detail)
        response.headers.update(exc.headers or {})  # Allow on 405, WWW-Authenticate on 401
        return response

    @app.exception_handler(Exception)
    async def _anything(request: Request, exc: Exception) -> JSONResponse:
        return _error(500, "InternalError", "unexpected server error; it has been logged")

    original = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        # FastAPI documents its own 422 shape; ours is ErrorResponse everywhere
        for path in schema.get("paths", {}).values():
            for op in path.values():
                if any(p.get("name") == "format" for p in op.get("parameters", ())):  # format=csv answers CSV
                    ok = op.get("responses", {}).get("200", {}).setdefault("content", {})
                    ok.setdefault("text/csv", {"schema": {"type": "string"}})
                if "422" in op.get("responses", {}):
                    op["responses"]["422"] = {
                        "description": _ERRORS[422]["description"],
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
                    }
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the schema


def _include_match(app: FastAPI, db_path: Path) -> None:
    """The matching API (person-level: its router checks its own keys); a missing router is an error at start."""
    from kadry.match.router import make_router
    from kadry.store import Store

    def get_store():
        store = Store(db_path, read_only=True)
        try:
            yield store
        finally:
            store.close()

    app.include_router(make_router(get_store))


def _include_flows(app: FastAPI, publisher: Publisher, gate: Gate) -> None:
    """The mobility API (flows, relocation signals), cut from the app's release; a missing router is an error.

    Computing the moves family before a release exists holds a slot of the app's ``gate``."""
    from kadry.mobility.router import make_router

    app.include_router(make_router(publisher, gate=gate), responses=_ERRORS)
