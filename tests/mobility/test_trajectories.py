"""Trajectories from simulated daily CV dumps: the region moves are the simulator's, flows are published suppressed."""

from __future__ import annotations

import csv
from collections import Counter

from kadry.ingest.snapshots import ingest_snapshot
from kadry.mobility.trajectories import profession_flows, published, region_moves
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
    pub = published(store.con, k=5)
    small = pub["profession_flows"][pub["profession_flows"]["suppressed"]]
    assert small["transitions"].isna().all()
    assert (flows.transitions < 5).sum() <= len(small)
