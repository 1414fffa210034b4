"""``kadry index --source``: one index per source; the portal's records are never pooled silently."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

from kadry.config import SAMPLES
from kadry.ingest.snapshots import ingest_snapshot
from kadry.simulate.trudvsem import simulate_trudvsem
from kadry.store import Store


def _kadry(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KADRY_SALT": "index-source-salt-0123"}
    return subprocess.run([sys.executable, "-m", "kadry", *args], env=env, capture_output=True, text=True, check=False)


def test_index_per_source(tmp_path, monkeypatch):
    monkeypatch.setenv("KADRY_SALT", "index-source-salt-0123")
    sim = tmp_path / "sim"
    simulate_trudvsem(sim, days=2, start="2024-03-26", vacancies=30, cvs=90, regions=3, seed=1)
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        for f in sorted(sim.glob("7710538364-*/data-*.xml.gz")):
            ingest_snapshot(store, f)
    hh = SAMPLES / "vacancies" / "hh-api-2025-moscow.json.gz"
    assert _kadry("ingest", str(hh), "--db", str(db), "-q").returncode == 0
    mixed = _kadry("index", "--from", "2024-03-26", "--to", "2024-03-27", "--db", str(db), "-f", "csv")
    assert mixed.returncode == 1 and "several sources" in mixed.stderr and "Traceback" not in mixed.stderr
    one = _kadry(
        "index",
        "--source",
        "trudvsem",
        "--by",
        "profession",
        "--from",
        "2024-03-26",
        "--to",
        "2024-03-27",
        "--period",
        "day",
        "--db",
        str(db),
        "-f",
        "csv",
        "--no-rollups",
    )
    assert one.returncode == 0, one.stderr
    rows = list(csv.DictReader(io.StringIO(one.stdout)))
    with Store(db) as store:
        want = store.con.execute(
            "SELECT count(*) FROM vacancies WHERE source = 'trudvsem' AND first_seen::DATE <= "
            "'2024-03-26' AND activity_end::DATE >= '2024-03-26'"
        ).fetchall()[0][0]
    day1 = [r for r in rows if r["period"] == "2024-03-26"]
    assert sum(int(r["n_vacancies"]) for r in day1) == want
    side = _kadry(
        "index",
        "--by",
        "source",
        "--from",
        "2024-03-26",
        "--to",
        "2024-03-27",
        "--db",
        str(db),
        "-f",
        "csv",
        "--no-rollups",
    )
    assert side.returncode == 0 and "trudvsem" in side.stdout
