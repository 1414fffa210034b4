"""The README's run command, on one bundled sample: real demand, simulated supply, an index."""

from __future__ import annotations

import shutil

import pytest

from kadry.demo import largest_places, run_demo
from kadry.indicators import Engine, compute
from kadry.store import Store


@pytest.mark.slow
def test_demo_builds_a_store_with_labelled_supply_and_an_index(tmp_path, samples, monkeypatch):
    monkeypatch.setenv("KADRY_SALT", "demo-test-salt-0123456789")
    folder = tmp_path / "samples" / "vacancies"
    folder.mkdir(parents=True)
    shutil.copy(samples / "vacancies" / "hh-csv-2022.csv.gz", folder)
    db = tmp_path / "kadry.duckdb"
    lines: list[str] = []
    result = run_demo(db, samples=tmp_path / "samples", start="2022-01", end="2022-06", say=lines.append)
    assert result.ingest["read"] == result.ingest["stored"] + result.ingest["merged"] + result.ingest["quarantined"]
    assert result.supply["resumes"] > 0 and not result.supply["reused"]
    with Store(db, read_only=True) as store:
        real_resumes = store.con.execute("SELECT count(*) FROM resumes WHERE NOT simulated").fetchall()[0][0]
        assert real_resumes == 0
        assert store.con.execute("SELECT count(*) FROM vacancies WHERE simulated").fetchall()[0][0] == 0
    with Engine.duckdb(db) as engine:
        table = compute("index", by=[], period="month", start="2022-01", end="2022-06", engine=engine)
    rows = table.to_pylist()
    assert all(r["simulated"] for r in rows)
    march = next(r for r in rows if str(r["period"]) == "2022-03-01")
    assert march["n_vacancies"] > 1000 and 1.0 < march["index"] < 8.0
    # a second run reuses the store: nothing is added twice
    again = run_demo(db, samples=tmp_path / "samples", start="2022-01", end="2022-06", say=lines.append)
    assert again.ingest["stored"] == 0 and again.supply["reused"]


def test_the_largest_places_never_rank_unknown():
    import pyarrow as pa

    t = pa.table({"region": ["unknown", "RU-MOW", "RU-SPE", "RU-TA"], "n_vacancies": [900, 500, 120, 99]})
    top = largest_places(t, "region", least=100, n=12)
    assert top["region"].to_pylist() == ["RU-MOW", "RU-SPE"]
