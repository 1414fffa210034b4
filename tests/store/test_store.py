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


def test_partitioned_export_holds_every_row_in_its_source_and_month(store, samples, tmp_path):
    """Folders by source and month: read back with DuckDB's own Hive reader, every row is there
    once, in the folder its source and date name; an odd source name and an empty table too."""
    import duckdb

    ingest_paths(store, [samples / "vacancies" / "hh-api-2025-moscow.json.gz"])
    store.con.execute(
        "INSERT INTO vacancies (vacancy_id, source, source_id, simulated) VALUES ('csv:a/b c:1', 'csv:a/b c', '1', false)"
    )
    store.con.execute("DELETE FROM resumes")
    out = tmp_path / "pq"
    for _ in range(2):  # a second export replaces the first
        written = store.export_parquet(out, partitioned=True)
    con = duckdb.connect()
    got = con.sql(
        f"SELECT vacancy_id, source, month FROM read_parquet('{written['vacancies']}/**/*.parquet', hive_partitioning=true)"
    ).fetchall()
    want = store.con.execute(
        "SELECT vacancy_id, source, coalesce(strftime(coalesce(published_at, created_at, first_seen), '%Y-%m'), "
        "'undated') "
        "FROM vacancies"
    ).fetchall()
    assert sorted(got) == sorted(want) and len(got) == store.count("vacancies") == 101
    months = {p.name for p in (written["vacancies"] / "source=hh").iterdir()}
    assert months == {f"month={m}" for _, s, m in want if s == "hh"}
    obs = con.sql(
        f"SELECT count(*), count(DISTINCT source) FROM read_parquet('{written['observations']}/**/*.parquet', "
        "hive_partitioning=true)"
    ).fetchall()
    assert obs == [(store.count("observations"), 1)]
    empty = con.sql(f"SELECT * FROM read_parquet('{written['resumes']}/*.parquet')")
    assert len(empty.fetchall()) == 0 and {"source", "month"} <= set(empty.columns)


def test_stats_counts_sources_and_quarantine(store, samples):
    ingest_paths(store, [samples / "vacancies" / "hh-daily-2022-12-Enfariches.csv.gz"])
    data = store_stats(store)
    assert data["records"] == [
        {"kind": "vacancy", "source": "hh", "simulated": False, "records": store.count("vacancies")}
    ]
    assert sum(r["records"] for r in data["quarantine"]) == store.count("quarantine")
    assert data["files"] == 1


def test_one_checkpoint_defers_the_store_file_to_its_end_and_restores_the_setting(tmp_path):
    from kadry.store.writes import commit_part, one_checkpoint, transaction

    with Store(tmp_path / "k.duckdb") as store:
        con = store.con
        before = con.execute("SELECT current_setting('wal_autocheckpoint')").fetchall()[0][0]
        wal = tmp_path / "k.duckdb.wal"
        with one_checkpoint(con, store.path), transaction(con, store.path):
            con.execute("CREATE TABLE t (n BIGINT, s VARCHAR)")
            # fewer rows than a row group, so DuckDB logs them rather than writing them to the store file
            con.execute("INSERT INTO t SELECT range, repeat('x', 200) || range FROM range(100000)")
            commit_part(con, store.path)
            con.execute("INSERT INTO t SELECT range, 'y' FROM range(10)")
            # the commit after the log passed DuckDB's 16 MiB would checkpoint; here only the log grows
            commit_part(con, store.path)
            assert wal.stat().st_size > 16 << 20
        assert not wal.exists() or wal.stat().st_size < 1 << 20  # one checkpoint, at the end
        assert con.execute("SELECT current_setting('wal_autocheckpoint')").fetchall()[0][0] == before
        assert con.execute("SELECT count(*) FROM t").fetchall()[0][0] == 100010
        with pytest.raises(ZeroDivisionError), one_checkpoint(con, store.path):
            1 / 0  # noqa: B018 - the caller's error passes through, the setting is restored
        assert con.execute("SELECT current_setting('wal_autocheckpoint')").fetchall()[0][0] == before
