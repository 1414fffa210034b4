"""What leaves kadry: suppressed flows through the API router, the CLI and the report section."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from typer.testing import CliRunner

from kadry.errors import KadryError
from kadry.indicators import Engine
from kadry.mobility import flows
from kadry.mobility.report import flows_report_section
from kadry.mobility.router import get_engine, router
from kadry.privacy import recoverable_cells
from kadry.store import Store
from tests.mobility.conftest import D, Histories


class TestClient:
    """A synchronous client over httpx.ASGITransport (the app in-process), replacing Starlette's
    deprecated TestClient; usable as a context manager like it."""

    __test__ = False

    def __init__(self, app) -> None:
        self.app = app

    def __enter__(self) -> TestClient:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def get(self, url: str, params: dict | None = None) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://kadry") as c:
                return await c.get(url, params=params)

        return asyncio.run(go())


def _crowd(store: Store) -> None:
    """12 IT resumes move Moscow -> Almaty in March 2022, 2 Moscow -> Yerevan, 15 Moscow -> St Petersburg."""
    h = Histories(store)
    for i in range(29):
        dest = ("KZ", None) if i < 12 else ("AM", None) if i < 14 else ("RU", "RU-SPE")
        h.resume(
            f"m{i}",
            [(D(2022, 2, 1) + timedelta(hours=i), "RU", "RU-MOW"), (D(2022, 3, 10) + timedelta(hours=i), *dest)],
        )
    for i in range(5):
        h.resume(f"s{i}", [(D(2022, 2, 2), "RU", "RU-TA")])


@pytest.fixture(scope="module")
def crowd(tmp_path_factory):
    path = tmp_path_factory.mktemp("crowd") / "kadry.duckdb"
    with Store(path) as store:
        _crowd(store)
    return path


def test_small_cells_hidden_and_not_recoverable(crowd):
    with Engine.duckdb(crowd) as eng:
        raw = flows(eng, view="abroad", period="month", start="2022-03", end="2022-03", suppressed=False).to_pandas()
        pub = flows(eng, view="abroad", period="month", start="2022-03", end="2022-03", k=10).to_pandas()
    assert dict(zip(raw.destination, raw.n_moves)) == {"KZ": 12, "AM": 2, "all": 14}
    got = {r.destination: (r.n_moves, r.suppressed) for r in pub.itertuples()}
    assert got["KZ"][1] and got["AM"][1]  # AM is small; KZ hidden too, or AM = all - KZ
    assert got["AM"][0] is None or got["AM"][0] != got["AM"][0]
    od = flows(Engine.duckdb(crowd), view="od", period="month", start="2022-03", end="2022-03", k=10).to_pandas()
    spe = od[(od.origin == "RU-MOW") & (od.destination == "RU-SPE")]
    assert spe.n_moves.tolist() == [15] and not spe.suppressed.any()


def test_suppression_leaves_nothing_recoverable(crowd):
    from kadry.mobility.flows import _suppressed, od_cube
    from kadry.privacy import Hierarchy
    from kadry.privacy.suppression import _equations

    with Engine.duckdb(crowd) as eng:
        cube = od_cube(eng, level="region", period="month", start="2022-03", end="2022-03")
    out = _suppressed(cube, [], 10, False)
    keys = ["origin", "destination", "period"]
    cells = [tuple(r) for r in out[keys].astype(str).itertuples(index=False, name=None)]
    eqs = _equations(cells, keys, [Hierarchy.flat(d, sorted(out[d].unique())) for d in ("origin", "destination")])
    hidden = out["suppressed"].to_numpy()
    assert hidden.any()
    assert recoverable_cells(hidden, eqs) == set()


@pytest.fixture
def client(crowd, monkeypatch):
    monkeypatch.setenv("KADRY_MIN_CELL", "10")
    app = FastAPI()

    @app.exception_handler(KadryError)
    def _error(request, exc: KadryError):  # the shape the API app renders (one handler for every KadryError)
        return JSONResponse(status_code=exc.status, content={"error": type(exc).__name__, "message": str(exc)})

    app.include_router(router)

    def engine():
        eng = Engine.duckdb(crowd)
        try:
            yield eng
        finally:
            eng.close()

    app.dependency_overrides[get_engine] = engine
    return TestClient(app)


def test_api_flows(client):
    with client as c:
        r = c.get("/api/v1/flows", params={"view": "abroad", "period": "month", "from": "2022-03", "to": "2022-03"})
        assert r.status_code == 200
        body = r.json()
        assert body["meta"]["view"] == "abroad" and body["meta"]["min_cell"] == 10
        rows = {row["destination"]: row for row in body["rows"]}
        assert rows["AM"]["n_moves"] is None and rows["AM"]["suppressed"] is True
        r = c.get(
            "/api/v1/flows",
            params={"view": "balance", "from": "2022-01", "to": "2022-12", "population": "1000", "filter": "it=true"},
        )
        assert r.status_code == 200
        rows = {row["place"]: row for row in r.json()["rows"]}
        assert rows["RU-SPE"]["inflow"] == 15 and rows["RU-SPE"]["inflow_estimate"] > 15
        assert r.json()["meta"]["coverage"]["base"] == 34
        bad = c.get("/api/v1/flows", params={"view": "sideways"})
        assert bad.status_code == 400 and bad.json()["error"] == "BadRequest"
        bad = c.get("/api/v1/flows", params={"population": "100", "coverage": "0.5"})
        assert bad.status_code == 400
        sig = c.get("/api/v1/flows/signals", params={"from": "2022-02", "to": "2022-03", "by": "country"})
        assert sig.status_code == 200 and sig.json()["rows"]


def test_cli_flows(crowd, monkeypatch):
    from kadry.cli import app

    monkeypatch.setenv("KADRY_MIN_CELL", "10")
    runner = CliRunner()
    r = runner.invoke(
        app,
        [
            "flows",
            "--db",
            str(crowd),
            "--abroad",
            "--period",
            "month",
            "--from",
            "2022-03",
            "--to",
            "2022-03",
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    rows = {row["destination"]: row for row in json.loads(r.stdout)}
    assert rows["AM"]["n_moves"] is None
    r = runner.invoke(
        app,
        [
            "flows",
            "--db",
            str(crowd),
            "--by",
            "region",
            "--period",
            "quarter",
            "--population-range",
            "500..1000",
            "--filter",
            "it=true",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "RU-SPE" in r.output and "estimate" in r.output and "hidden" in r.output
    r = runner.invoke(
        app, ["relocation", "--db", str(crowd), "--from", "2022-02", "--to", "2022-02", "--format", "csv"]
    )
    assert r.exit_code == 0, r.output
    assert r.output.startswith('"period"')
    r = runner.invoke(app, ["flows", "--db", str(crowd), "--by", "region,country"])
    assert r.exit_code != 0 and "two region levels" in str(r.exception or r.output)


def test_report_section(crowd, monkeypatch):
    monkeypatch.setenv("KADRY_MIN_CELL", "10")
    with Engine.duckdb(crowd) as eng:
        html = flows_report_section(eng, start="2022-01", end="2022-12")
    assert html.startswith('<section id="mobility"') and html.rstrip().endswith("</section>")
    assert "<svg" in html and "RU-SPE" in html and ">15<" in html
    assert ">2<" not in html  # the two moves to Yerevan are never published


def test_views_cut_from_one_suppressed_cube(crowd):
    from kadry.errors import InputError
    from kadry.mobility import flow_views

    with Engine.duckdb(crowd) as eng:
        both = flow_views(eng, views=("od", "balance"), period="month", start="2022-03", end="2022-03", k=10)
        alone = flows(eng, view="balance", period="month", start="2022-03", end="2022-03", k=10)
        assert both["balance"].equals(alone)
        bal = both["balance"].to_pandas().set_index("place")
        od = both["od"].to_pandas()
        # a published inflow is the sum of the published flows into the place when none is hidden
        spe = od[od.destination == "RU-SPE"]
        assert not spe.suppressed.any() and bal.loc["RU-SPE", "inflow"] == spe.n_moves.sum() == 15
        with pytest.raises(InputError):
            flow_views(eng, views=("od", "abroad"))


def test_router_for_an_app_store_and_k(crowd):
    """The wiring the API app uses: make_router(engine_for(db), k=...)."""
    from kadry.mobility.router import engine_for, make_router

    app = FastAPI()
    app.include_router(make_router(engine_for(crowd), k=2))
    with TestClient(app) as c:
        rows = c.get(
            "/api/v1/flows", params={"view": "abroad", "period": "month", "from": "2022-03", "to": "2022-03"}
        ).json()
    assert rows["meta"]["min_cell"] == 2
    assert {r["destination"]: r["n_moves"] for r in rows["rows"]} == {"AM": 2, "KZ": 12, "all": 14}
