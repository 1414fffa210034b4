"""Snapshots: ten simulated daily dumps give back the simulator's truth, in any order, once."""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from kadry.indicators import Engine, compute
from kadry.ingest.snapshots import ingest_snapshot
from kadry.normalize.regions import region_mapper
from kadry.normalize.run import normalize_regions
from kadry.simulate.trudvsem import simulate_trudvsem
from kadry.sources.trudvsem_xml import region_name
from kadry.store import Store

DATASETS = ("vacancy", "cv", "response", "invitation")


@pytest.fixture(scope="module")
def sim(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("trudvsem-sim")
    simulate_trudvsem(out, days=10, start="2024-03-26", vacancies=150, cvs=450, regions=6, seed=3)
    return out


def _dumps(root: Path) -> list[Path]:
    return [f for ds in DATASETS for f in sorted((root / f"7710538364-{ds}").glob("data-*.xml.gz"))]


def _ingest(path: Path, files: list[Path]) -> Store:
    store = Store(path)
    for f in files:
        ingest_snapshot(store, f)
    return store


_TABLES = {
    "vacancies": "SELECT * EXCLUDE (norm_version) FROM vacancies ORDER BY vacancy_id",
    "resumes": "SELECT * EXCLUDE (norm_version) FROM resumes ORDER BY resume_id",
    "presence": "SELECT * FROM presence ORDER BY ALL",
    "versions": "SELECT * FROM versions ORDER BY ALL",
    "career_history": "SELECT * FROM career_history ORDER BY ALL",
    "links": "SELECT kind, link_id, resume_id, vacancy_id, created_at FROM links ORDER BY ALL",
    "quarantine": "SELECT * FROM quarantine ORDER BY ALL",
}


def _state(store: Store) -> dict[str, list]:
    return {name: store.con.execute(sql).fetchall() for name, sql in _TABLES.items()}


def test_out_of_order_and_rerun_give_the_same_store(sim, tmp_path, monkeypatch):
    monkeypatch.setenv("KADRY_SALT", "snapshot-test-salt")
    files = _dumps(sim)
    ordered = _ingest(tmp_path / "a.duckdb", files)
    shuffled = list(files)
    random.Random(7).shuffle(shuffled)
    mixed = _ingest(tmp_path / "b.duckdb", shuffled)
    try:
        a, b = _state(ordered), _state(mixed)
        for name in _TABLES:
            assert a[name] == b[name], name
        # the same snapshots again add nothing and are not re-read
        for f in files:
            assert ingest_snapshot(mixed, f).skipped == "snapshot already ingested"
        assert _state(mixed) == b
    finally:
        ordered.close()
        mixed.close()


def _truth(sim: Path) -> tuple[dict, dict]:
    mapper = region_mapper()
    iso = {}
    cells: dict[tuple, set] = defaultdict(set)
    with open(sim / "truth" / "live.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["in_dump"] != "True":
                continue
            code = row["region"]
            iso.setdefault(code, mapper.resolve(None, region_name(code)).region_code)
            month = row["day"][:7]
            cells[(row["kind"], row["profession"], iso[code], month)].add(row["id"])
    assert len(set(iso.values())) == len(iso), "region codes must map one-to-one for this comparison"
    out: dict[tuple, dict] = defaultdict(lambda: {"vacancy": 0, "resume": 0})
    for (kind, prof, region, month), ids in cells.items():
        out[(prof, region, month)][kind] = len(ids)
    return dict(out), iso


def test_index_from_dumps_equals_the_simulators_truth(sim, tmp_path, monkeypatch):
    monkeypatch.setenv("KADRY_SALT", "snapshot-test-salt")
    store = _ingest(tmp_path / "t.duckdb", _dumps(sim))
    try:
        normalize_regions(store.con)
        engine = Engine.from_store(store)
        result = compute(
            "index",
            by="profession,region",
            period="month",
            start="2024-03-26",
            end="2024-04-04",
            engine=engine,
            rollups=False,
            filters={"source": ["trudvsem"]},
        )
        rows = result.to_pylist()
        assert rows and all(r["simulated"] for r in rows)
        assert "snapshot" in rows[0]["vacancy_activity_rule"]
        truth, _ = _truth(sim)
        got = {(r["profession"], r["region"], r["period"].strftime("%Y-%m")): r for r in rows}
        assert set(got) == set(truth)
        for key, want in truth.items():
            assert got[key]["n_vacancies"] == want["vacancy"], key
            assert got[key]["n_resumes"] == want["resume"], key
            if want["vacancy"]:
                assert got[key]["index"] == pytest.approx(want["resume"] / want["vacancy"])
        # the quarantined records (negative salaries) are counted, not lost
        reasons = store.con.execute("SELECT reason, count(*) FROM quarantine GROUP BY 1").fetchall()
        assert reasons == [("negative salary (salary_amount=-15000)", 20)]
    finally:
        store.close()


def test_closed_records_are_dated_within_one_snapshot_interval(tmp_path, monkeypatch):
    monkeypatch.setenv("KADRY_SALT", "snapshot-test-salt")
    out = tmp_path / "sim"
    # days 3 and 4 without a dump: a record closed then is known closed only by day 5's dump
    simulate_trudvsem(out, days=8, start="2024-05-01", vacancies=80, cvs=200, regions=4, seed=5, skip_days=(3, 4))
    store = _ingest(tmp_path / "c.duckdb", _dumps(out))
    try:
        dumps = sorted({date.fromisoformat(f"{p.name[5:9]}-{p.name[9:11]}-{p.name[11:13]}") for p in _dumps(out)})
        got = {}
        for table, key in (("vacancies", "vacancy_id"), ("resumes", "resume_id")):
            for rid, end, closed in store.con.execute(f"SELECT {key}, activity_end, closed_at FROM {table}").fetchall():
                got[rid] = (end.date() if end else None, closed.date() if closed else None)
        salt = store.salt
        from kadry.ingest.pipeline import resume_key

        n = 0
        with open(out / "truth" / "closures.csv", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                rid = (
                    f"trudvsem:{row['id']}"
                    if row["kind"] == "vacancy"
                    else f"trudvsem:{resume_key(salt, 'trudvsem', row['id'])}"
                )
                if rid not in got:
                    continue  # opened and closed between two dumps: no dump ever showed it
                end, closed = got[rid]
                closed_on = date.fromisoformat(row["closed_on"])
                if closed_on > dumps[-1]:
                    continue
                assert closed is not None, row
                assert end < closed_on <= closed, row
                # within one snapshot interval: the close falls between two consecutive dumps
                assert dumps.index(closed) == dumps.index(end) + 1
                n += 1
        assert n > 20
    finally:
        store.close()


def _vacancy_ids(path: Path) -> list[str]:
    """The dump's vacancy ids, read with ElementTree (not kadry's reader)."""
    import gzip
    import xml.etree.ElementTree as ET

    with gzip.open(path) as f:
        return [v.findtext("identifier") or "" for v in ET.parse(f).getroot().iter("vacancy")]


def test_merged_is_counted_against_independently_read_ids(sim, tmp_path, monkeypatch):
    """read, new and merged of each daily dump match ids counted here; merged is no remainder."""
    monkeypatch.setenv("KADRY_SALT", "snapshot-test-salt")
    store = Store(tmp_path / "m.duckdb")
    seen: set[str] = set()
    total_merged = 0
    for f in sorted((sim / "7710538364-vacancy").glob("data-*.xml.gz")):
        ids = _vacancy_ids(f)
        r = ingest_snapshot(store, f)
        assert r.read == len(ids)
        assert r.quarantined == 0
        fresh = set(ids) - seen
        assert r.new == len(fresh)
        assert r.merged == len(ids) - len(fresh)
        assert r.read == r.new + r.merged + r.quarantined
        seen |= set(ids)
        total_merged += r.merged
    assert total_merged > 0
    assert store.count("vacancies") == len(seen)
