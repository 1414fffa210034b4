"""Stored activity intervals: the fast path gives the cells the computed path gives, and stays current.

Every query runs twice on one store: reading the stored intervals (``stored_intervals``
on) and merging them from the records as before (off); the tables must be equal. The
incremental refresh (only the records a batch touched) must leave the same rows as a full
rebuild, and a store changed without a refresh must not be read through stale intervals.
The hand-written SQL baseline of bench/indicators_bench.py must give the same cells too.
"""

from __future__ import annotations

import importlib.util
from datetime import datetime
from pathlib import Path

import pyarrow.compute as pc
import pytest

from kadry.indicators import Engine, compute
from kadry.indicators.stored import freshness, refresh_intervals
from kadry.store import Store
from tests.indicators.conftest import Rows, build_world

D = datetime

QUERIES = [
    ("index", {"by": ["role", "region"]}),
    ("index", {"by": ["role", "region"], "rollups": False}),
    ("stock", {"by": ["region"], "period": "day", "start": "2022-01-15", "end": "2022-03-05"}),
    (
        "stock",
        {
            "by": ["it", "remote", "experience"],
            "period": "day",
            "start": "2022-01-30",
            "end": "2022-02-15",
            "vacancy_rule": "last_seen",
        },
    ),
    ("stock", {"by": ["role"], "include_duplicates": True, "period": "week"}),
    ("stock", {"by": ["federal_district", "country", "isco2", "role_category"], "period": "quarter"}),
    ("index", {"by": ["role"], "filters": {"region": ["RU-SPE"]}}),
    ("index", {"by": ["region"], "filters": {"remote": True, "role": "A"}}),
    ("stock", {"by": ["role"], "window": 10}),  # other options: merged on the fly, same answer either way
    ("skills", {"by": []}),
    ("experience", {"by": ["region"]}),
]


def _both(store: Store, indicator: str, kw: dict):
    fast = Engine.from_store(store)
    slow = Engine.from_store(store)
    slow.stored_intervals = False
    args = {"start": "2022-01", "end": "2022-03", **kw}
    return compute(indicator, engine=fast, **args), compute(indicator, engine=slow, **args), fast


@pytest.fixture
def world_with_intervals():
    store = Store(":memory:")
    build_world(store)
    refresh_intervals(store)
    yield store
    store.close()


@pytest.mark.parametrize("indicator,kw", QUERIES, ids=[f"{q[0]}-{i}" for i, q in enumerate(QUERIES)])
def test_stored_equals_computed(world_with_intervals, indicator, kw):
    fast, slow, eng = _both(world_with_intervals, indicator, kw)
    assert eng.stored_intervals
    assert fast.num_rows > 0
    assert fast.equals(slow)


def test_query_settings_do_not_leak_into_the_store_connection(world_with_intervals):
    """The direct-indexed grouping is set for an indicator query only: ingest shares the connection."""
    con = world_with_intervals.con
    before = con.execute("SELECT current_setting('perfect_ht_threshold')").fetchone()
    compute(
        "index", by=["role", "region"], start="2022-01", end="2022-03", engine=Engine.from_store(world_with_intervals)
    )
    assert con.execute("SELECT current_setting('perfect_ht_threshold')").fetchone() == before


def _decoded(store: Store) -> list[tuple]:
    """The stored rows with string keys and values (integer keys depend on the order records arrived)."""
    dims = ("role", "region", "federal_district", "country", "experience", "remote", "it", "isco2", "role_category")
    values = ", ".join(f"(SELECT value FROM segment_codes c WHERE c.dim = '{d}' AND c.code = i.{d})" for d in dims)
    return sorted(
        store.con.execute(
            f"SELECT i.kind, k.record_id, {values}, i.simulated, i.dup, i.s, i.e, i.e_seen, i.next_s"
            " FROM activity_intervals i JOIN activity_keys k USING (kind, rec)"
        ).fetchall(),
        key=repr,
    )


def test_incremental_refresh_equals_full_rebuild():
    store = Store(":memory:")
    build_world(store)
    refresh_intervals(store)
    rows = Rows(store)
    # a batch: a new vacancy, a new resume with a sighting, a resume seen again, one vacancy re-coded
    rows.vacancy("v8", D(2022, 2, 20), role="C", region="RU-KDA", closed_at=D(2022, 3, 2))
    rows.resume("r5", D(2022, 2, 2), role="C", region="RU-KDA")
    rows.observation("resume", "r5", D(2022, 3, 20), D(2022, 3, 18))
    rows.observation("resume", "r2", D(2022, 3, 25), D(2022, 3, 24))
    store.con.execute("UPDATE vacancies SET region_code = 'RU-TAT' WHERE vacancy_id = 'v2'")
    assert not freshness(store.con)
    stale = Engine.from_store(store)
    assert not stale.stored_intervals  # changed since the refresh: never read through stale intervals
    refresh_intervals(store, {"vacancy": ["v8", "v2"], "resume": ["r5", "r2"]})
    assert freshness(store.con)
    incremental = _decoded(store)

    full = Store(":memory:")
    for table in ("vacancies", "resumes", "observations"):
        full.con.register("_src", store.con.sql(f"SELECT * FROM {table}").to_arrow_table())
        full.con.execute(f"INSERT INTO {table} SELECT * FROM _src")
        full.con.unregister("_src")
    refresh_intervals(full)
    assert incremental == _decoded(full)
    assert any(r[1] == "r5" for r in incremental) and any(r[1] == "v8" for r in incremental)
    # and the cells: the refreshed store read fast equals the same store computed
    for indicator, kw in QUERIES[:4]:
        fast, slow, eng = _both(store, indicator, kw)
        assert eng.stored_intervals and fast.equals(slow)
    full.close()
    store.close()


def test_unrefreshed_store_computes():
    store = Store(":memory:")
    build_world(store)
    eng = Engine.from_store(store)
    assert not eng.stored_intervals
    t = compute("index", by=["role", "region"], start="2022-01", end="2022-03", engine=eng)
    rows = {(r["role"], r["region"], r["period"].isoformat()): r for r in t.to_pylist()}
    assert rows[("all", "all", "2022-02-01")]["index"] == pytest.approx(1.5)
    store.close()


def _bench():
    path = Path(__file__).resolve().parents[2] / "bench" / "indicators_bench.py"
    spec = importlib.util.spec_from_file_location("indicators_bench", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _cells(t) -> dict:
    return {
        (r["role"], r["region"], r["period"].isoformat()): (r["n_vacancies"], r["n_resumes"]) for r in t.to_pylist()
    }


def _copy(store: Store, tmp_path: Path) -> Path:
    """The store's tables in a file the benchmark's baselines open themselves."""
    db = tmp_path / "w.duckdb"
    store.con.execute(f"ATTACH '{db}' AS w")
    for t in ("vacancies", "resumes", "observations", "activity_keys", "segment_codes", "activity_intervals", "meta"):
        store.con.execute(f"CREATE TABLE w.{t} AS SELECT * FROM {t}")
    store.con.execute("DETACH w")
    return db


@pytest.mark.parametrize("baseline", ["sql", "polars", "pandas"])
def test_bench_baselines_give_the_same_cells(world_with_intervals, tmp_path, baseline):
    """The benchmark's hand-written baselines compute exactly kadry's cells (counts and roll-ups)."""
    bench = _bench()
    db = _copy(world_with_intervals, tmp_path)
    kadry = compute(
        "index", by=["role", "region"], start="2022-01", end="2022-03", engine=Engine.from_store(world_with_intervals)
    )
    got = bench.baseline_cells(baseline, str(db), "2022-01", "2022-03")
    assert got == _cells(kadry)
    assert sum(v for v, _ in got.values()) == pc.sum(kadry["n_vacancies"]).as_py()


@pytest.mark.parametrize("baseline", ["daily_sql", "polars_daily"])
def test_bench_daily_baselines_give_the_same_cells(world_with_intervals, tmp_path, baseline):
    """The daily baselines (SQL and Polars sweeps) give kadry's daily stocks by region, roll-up included."""
    bench = _bench()
    db = _copy(world_with_intervals, tmp_path)
    kadry = compute(
        "stock",
        by=["region"],
        period="day",
        start="2022-01-01",
        end="2022-03-31",
        engine=Engine.from_store(world_with_intervals),
    )
    want = {(r["region"], r["period"].isoformat()): (r["n_vacancies"], r["n_resumes"]) for r in kadry.to_pylist()}
    got = bench.daily_cells(baseline, str(db), "2022-01-01", "2022-03-31")
    assert len(want) > 30
    assert got == want
