"""What leaves kadry: suppressed flows through the API router, the CLI and the report section."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import httpx
import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from typer.testing import CliRunner

from kadry.errors import KadryError
from kadry.indicators import Engine
from kadry.mobility import flows
from kadry.mobility.report import flows_report_section
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


def test_small_cells_hidden_in_the_release_not_in_the_analysts_view(crowd):
    """``kadry.mobility.flows`` is the owner's unsuppressed view; what leaves kadry is the release's moves."""
    from datetime import date

    from kadry.mobility.released import flow_view
    from kadry.publish import whole_table

    with Engine.duckdb(crowd) as eng:
        raw = flows(eng, view="abroad", period="month", start="2022-03", end="2022-03").to_pandas()
    assert dict(zip(raw.destination, raw.n_moves)) == {"KZ": 12, "AM": 2, "all": 14} and not raw.suppressed.any()
    moves = whole_table(crowd, "moves", 10)
    march = {"occupation": "all", "by_it": False, "first": date(2022, 3, 1), "last": date(2022, 3, 31)}
    pub = flow_view(moves, view="abroad", level="region", **march)
    got = {r.destination: (r.n_moves, r.suppressed) for r in pub.itertuples()}
    assert got["KZ"][1] and got["AM"][1]  # AM is small; KZ hidden too, or AM = all - KZ
    assert pd.isna(got["AM"][0]) and pd.isna(got["KZ"][0])
    od = flow_view(moves, view="od", level="region", **march)
    spe = od[(od.origin == "RU-MOW") & (od.destination == "RU-SPE")]
    assert spe.n_moves.tolist() == [15] and not spe.suppressed.any()


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
    assert rows["AM"]["n_moves"] == 2  # the owner's own view: unsuppressed, and said so
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
    assert "RU-SPE" in r.output and "estimate" in r.output and "unsuppressed" in r.output
    r = runner.invoke(
        app, ["relocation", "--db", str(crowd), "--from", "2022-02", "--to", "2022-02", "--format", "csv"]
    )
    assert r.exit_code == 0, r.output
    assert r.output.startswith('"period"')
    r = runner.invoke(app, ["flows", "--db", str(crowd), "--by", "region,country"])
    assert r.exit_code != 0 and "two region levels" in str(r.exception or r.output)


def test_report_section(crowd, monkeypatch):
    monkeypatch.setenv("KADRY_MIN_CELL", "10")
    from kadry.publish import whole_table

    html = flows_report_section(whole_table(crowd, "moves", 10), start="2022-01", end="2022-12", k=10)
    assert html.startswith('<section id="mobility"') and html.rstrip().endswith("</section>")
    assert "<svg" in html and "RU-SPE" in html and ">15<" in html
    assert ">2<" not in html  # the two moves to Yerevan are never published


def test_views_cut_from_one_cube(crowd):
    from kadry.errors import InputError
    from kadry.mobility import flow_views

    with Engine.duckdb(crowd) as eng:
        both = flow_views(eng, views=("od", "balance"), period="month", start="2022-03", end="2022-03")
        alone = flows(eng, view="balance", period="month", start="2022-03", end="2022-03")
        assert both["balance"].equals(alone)
        bal = both["balance"].to_pandas().set_index("place")
        od = both["od"].to_pandas()
        # an inflow is the sum of the flows into the place
        spe = od[od.destination == "RU-SPE"]
        assert not spe.suppressed.any() and bal.loc["RU-SPE", "inflow"] == spe.n_moves.sum() == 15
        with pytest.raises(InputError):
            flow_views(eng, views=("od", "abroad"))


def _app(path, k: int) -> FastAPI:
    """The mobility router over the store's publisher, rendered as the API app renders errors."""
    from kadry.api.cube import Publisher
    from kadry.mobility.router import make_router

    app = FastAPI()

    @app.exception_handler(KadryError)
    def _error(request, exc: KadryError):  # the shape the API app renders (one handler for every KadryError)
        return JSONResponse(status_code=exc.status, content={"error": type(exc).__name__, "message": str(exc)})

    app.include_router(make_router(Publisher(path, k=k, make=False)))
    return app


def test_api_flows_are_cut_from_the_released_cube(crowd):
    with TestClient(_app(crowd, 10)) as c:
        r = c.get("/api/v1/flows", params={"view": "abroad", "from": "2022-03", "to": "2022-03"})
        assert r.status_code == 200
        body = r.json()
        assert body["meta"]["view"] == "abroad" and body["meta"]["min_cell"] == 10
        rows = {row["destination"]: row for row in body["rows"]}
        assert rows["AM"]["n_moves"] is None and rows["AM"]["suppressed"] is True
        assert rows["KZ"]["n_moves"] is None  # or KZ = all - AM
        assert rows["all"]["n_moves"] == 14
        r = c.get(
            "/api/v1/flows",
            params={"view": "balance", "from": "2022-01", "to": "2022-12", "population": "1000", "filter": "it=true"},
        )
        assert r.status_code == 200, r.text
        rows = {(row["place"], row["period"]): row for row in r.json()["rows"]}
        spe = rows[("RU-SPE", "2022-03-01")]
        assert spe["inflow"] == 15 and spe["outflow"] == 0 and spe["inflow_estimate"] > 15
        assert r.json()["meta"]["coverage"]["base"] == 34
        # every level rolls up the same cube: Moscow's district sends 15 to the North-West, Russia 14 abroad
        r = c.get("/api/v1/flows", params={"view": "od", "level": "federal_district"}).json()["rows"]
        assert {(x["origin"], x["destination"]): x["n_moves"] for x in r}[("CFD", "NWFD")] == 15
        r = c.get("/api/v1/flows", params={"view": "balance", "level": "country"}).json()["rows"]
        assert {x["place"]: x["outflow"] for x in r}["RU"] == 14
        for params in (
            {"view": "sideways"},
            {"population": "100", "coverage": "0.5"},
            {"period": "quarter"},
            {"period": "day"},
            {"filter": "role=96"},
            {"by": "role"},
            {"by": "it", "filter": "it=true"},
            {"from": "2030-01"},
        ):
            bad = c.get("/api/v1/flows", params=params)
            assert bad.status_code == 400 and bad.json()["error"] == "BadRequest", (params, bad.text)
        # signals rest on the stock cube's active resumes: none before the store is published
        assert c.get("/api/v1/flows/signals").status_code == 503


def test_api_signals_from_the_release(crowd):
    from kadry.publish import make

    release = make(crowd, k=10)
    stock = release.cube("index", "month")
    with TestClient(_app(crowd, 10)) as c:
        r = c.get("/api/v1/flows/signals", params={"from": "2022-02", "to": "2022-03"})
        assert r.status_code == 200, r.text
        rows = r.json()["rows"]
        assert rows and {x["period"] for x in rows} <= set(stock["period"])  # the release's months
        # one row per month, ending after it starts (each month was once crossed with every month's end)
        assert len({x["period"] for x in rows}) == len(rows) and all(x["period_end"] > x["period"] for x in rows)
        published = stock[(stock.occupation == "all") & (stock.region == "all")].set_index("period")["n_resumes"]
        for row in rows:  # the denominator is the stock cube's number, hidden where it is hidden
            want = published.get(row["period"])
            assert row["n_resumes"] == (None if pd.isna(want) else int(want))
        by = c.get("/api/v1/flows/signals", params={"by": "region", "filter": "it=true"})
        assert by.status_code == 200 and all("region" in x for x in by.json()["rows"])
        assert c.get("/api/v1/flows/signals", params={"by": "country"}).status_code == 400
        assert c.get("/api/v1/flows/signals", params={"period": "week"}).status_code == 400


def test_router_for_an_app_store_and_k(crowd):
    """The minimum cell is the publisher's: with k=2 the two moves to Yerevan are published."""
    with TestClient(_app(crowd, 2)) as c:
        rows = c.get("/api/v1/flows", params={"view": "abroad", "from": "2022-03", "to": "2022-03"}).json()
    assert rows["meta"]["min_cell"] == 2
    assert {r["destination"]: r["n_moves"] for r in rows["rows"]} == {"AM": 2, "KZ": 12, "all": 14}


def test_released_signals_publish_no_count_below_k(crowd):
    """The signal counts leave kadry only through the release (``kadry.mobility.signals`` is the
    owner's unsuppressed view): a published count is at least k, a hidden one carries none."""
    from kadry.publish import whole_table

    table = whole_table(crowd, "signals", 10)
    hidden = table["suppressed"].astype(bool)
    assert hidden.any() and table.loc[hidden, "n"].isna().all()
    assert (table.loc[~hidden, "n"] >= 10).all()
    assert set(table.loc[hidden, "suppression"]) == {"confidential"}
