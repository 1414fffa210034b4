"""Trajectories from simulated daily CV dumps: the region moves are the simulator's, flows are published suppressed."""

from __future__ import annotations

import csv
from collections import Counter

from kadry.ingest.snapshots import ingest_snapshot
from kadry.mobility.trajectories import profession_flows, region_moves
from kadry.publish.cubes import trajectory_tables
from kadry.simulate.trudvsem import simulate_trudvsem
from kadry.sources.trudvsem_xml import region_name


def test_moves_and_flows(tmp_path, store):
    sim = tmp_path / "sim"
    simulate_trudvsem(sim, days=6, start="2024-03-26", vacancies=20, cvs=600, regions=4, seed=2)
    for f in sorted((sim / "7710538364-cv").glob("data-*.xml.gz")):
        ingest_snapshot(store, f)
    with open(sim / "truth" / "moves.csv", encoding="utf-8") as fh:
        want = Counter((region_name(r["from"]), region_name(r["to"])) for r in csv.DictReader(fh))
    got = region_moves(store.con)
    assert sum(want.values()) > 5
    assert Counter({(r.from_region, r.to_region): r.moves for r in got.itertuples()}) == want
    flows = profession_flows(store.con)
    jobs, people = store.con.execute("SELECT count(*), count(DISTINCT resume_id) FROM career_history").fetchall()[0]
    assert flows.transitions.sum() == jobs - people > 0
    pub = trajectory_tables(store.con, k=5)  # what a release holds
    small = pub["profession-flows"][pub["profession-flows"]["suppressed"]]
    assert small["transitions"].isna().all()
    assert (flows.transitions < 5).sum() <= len(small)


def test_the_api_serves_the_released_tables(tmp_path, store):
    """``/api/v1/trajectories/<table>``: published cells are the raw counts (>= k), hidden ones carry none."""
    import asyncio

    import httpx

    from kadry.api import create_app

    sim = tmp_path / "sim"
    simulate_trudvsem(sim, days=4, start="2024-03-26", vacancies=20, cvs=500, regions=4, seed=4)
    for f in sorted((sim / "7710538364-cv").glob("data-*.xml.gz")):
        ingest_snapshot(store, f)
    raw = {(r.from_profession, r.to_profession): r.transitions for r in profession_flows(store.con).itertuples()}
    store.close()  # the app opens the store read-only, as a server does

    async def get(url):
        app = create_app(store.path, k=5, make=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kadry") as c:
            return await c.get(url)

    body = asyncio.run(get("/api/v1/trajectories/profession-flows")).json()
    shown = {(r["from_profession"], r["to_profession"]): r["transitions"] for r in body["rows"]}
    assert set(shown) == set(raw) and any(v is not None for v in shown.values())
    for key, n in shown.items():
        assert (n is None and raw[key] < 5) or (n == raw[key] >= 5)
    assert asyncio.run(get("/api/v1/trajectories/salaries")).status_code in (400, 404, 422)
