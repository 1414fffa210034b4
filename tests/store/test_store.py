import pytest

from kadry.errors import StoreError
from kadry.ingest import ingest_paths
from kadry.store import Store
from kadry.store.stats import store_stats


def test_read_only_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no store at"):
        Store(tmp_path / "nope.duckdb", read_only=True)


def test_export_parquet_round_trip(store, samples, tmp_path):
    ingest_paths(store, [samples / "vacancies" / "hh-api-2025-moscow.json.gz"])
    written = store.export_parquet(tmp_path / "pq")
    import duckdb

    n = duckdb.sql(f"SELECT count(*) FROM '{written['vacancies']}'").fetchall()[0][0]
    assert n == store.count("vacancies") == 100


def test_stats_counts_sources_and_quarantine(store, samples):
    ingest_paths(store, [samples / "vacancies" / "hh-daily-2022-12-Enfariches.csv.gz"])
    data = store_stats(store)
    assert data["records"] == [
        {"kind": "vacancy", "source": "hh", "simulated": False, "records": store.count("vacancies")}
    ]
    assert sum(r["records"] for r in data["quarantine"]) == store.count("quarantine")
    assert data["files"] == 1
