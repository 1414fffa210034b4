"""Moves released with differential privacy (``KADRY_MOVES_EPSILON``): noise on a fixed domain, a ledger.

The store is the mobility tests' crowd (29 IT resumes leave Moscow in March 2022: 15 for St
Petersburg, 12 for Almaty, 2 for Yerevan). The checks count with their own arithmetic: which
cells exist, what the ledger adds up to, how far a noisy count may stray at the scale OpenDP
certifies.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from kadry.errors import ConfigError, KadryError
from kadry.settings import Settings
from kadry.store import Store
from tests.mobility.test_publish import _crowd


@pytest.fixture
def crowd(tmp_path, monkeypatch):
    monkeypatch.setenv("KADRY_MOVES_EPSILON", "1.0")
    path = tmp_path / "kadry.duckdb"
    with Store(path) as store:
        _crowd(store)
    return path


def _get(path, url: str) -> httpx.Response:
    from kadry.api.cube import Publisher
    from kadry.mobility.router import make_router

    app = FastAPI()

    @app.exception_handler(KadryError)
    def _error(request, exc: KadryError):
        return JSONResponse(status_code=exc.status, content={"error": type(exc).__name__, "message": str(exc)})

    app.include_router(make_router(Publisher(path, k=10, make=False)))

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kadry") as c:
            return await c.get(url)

    return asyncio.run(go())


def test_noisy_moves_cover_a_fixed_domain_and_are_recorded(crowd):
    from kadry.privacy.noise import ledger
    from kadry.publish import make

    # no noisy answer before a release: noise is spent once per release, never per request
    assert _get(crowd, "/api/v1/flows?view=abroad").status_code == 503

    first = make(crowd, k=10)
    second = make(crowd, k=10)
    assert first.moves_epsilon == second.moves_epsilon == 1.0
    moves = second.cube("moves", "all")
    noise = moves.attrs["noise"]
    assert noise["epsilon"] == 1.0 and noise["sensitivity"] == noise["cap"] and noise["secure"]
    assert noise["scale"] == pytest.approx(noise["cap"] / 1.0)
    assert not moves["suppressed"].any() and (moves["n_moves"] >= 0).all()

    # the domain is fixed: noise lands on pairs nobody moved between (3 true pairs in the crowd)
    leaves = moves[(moves["it"] == "it") & moves["origin"].str.startswith("RU-") & (moves["destination"] != "all")]
    assert leaves[["origin", "destination"]].drop_duplicates().shape[0] > 50
    # a noisy count strays from the truth by the scale OpenDP certifies (4x the 95% bound: ~1e-4 to fail)
    spe = leaves[(leaves.origin == "RU-MOW") & (leaves.destination == "RU-SPE") & (leaves.period == "2022-03-01")]
    got = int(spe["n_moves"].iloc[0]) if len(spe) else 0
    assert abs(got - 15) <= 4 * noise["accuracy95"], got

    with Store(crowd, read_only=True) as store:
        book = ledger(store)
    assert book["release"].tolist() == [first.id, second.id]
    assert book["epsilon"].astype(float).tolist() == [1.0, 1.0] and book["epsilon_total"].iloc[-1] == 2.0

    r = _get(crowd, "/api/v1/flows?view=abroad&from=2022-03&to=2022-03")
    assert r.status_code == 200, r.text
    meta = r.json()["meta"]
    assert meta["suppressed"] is False and meta["noise"]["epsilon"] == 1.0 and meta["noise"]["epsilon_spent"] == 2.0
    assert all(row["n_moves"] is not None for row in r.json()["rows"])


def test_the_privacy_loss_is_a_checked_setting():
    assert Settings.from_env({"KADRY_MOVES_EPSILON": "0.5"}).moves_epsilon == 0.5
    for bad in ("0", "-1", "lots", "inf"):
        with pytest.raises(ConfigError, match="KADRY_MOVES_EPSILON"):
            Settings.from_env({"KADRY_MOVES_EPSILON": bad})


def test_publish_refuses_a_bad_privacy_loss_in_one_line(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "kadry.duckdb"
    with Store(path) as store:
        _crowd(store)
    run = subprocess.run(
        [sys.executable, "-m", "kadry", "publish", "--db", str(path), "--moves-epsilon", "-1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode != 0
    assert "KADRY_MOVES_EPSILON must be a positive number" in run.stderr + run.stdout
    assert "Traceback" not in run.stderr
