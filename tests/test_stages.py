"""Stages that keep themselves current: ingest normalizes, readers of the store never compute on a stale one."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from kadry.cli import app
from kadry.errors import StaleStore
from kadry.ingest import ingest_paths
from kadry.normalize import normalize_store
from kadry.stages import ensure_current, normalize_behind, normalize_pending
from kadry.store import Store

MOSCOW = "vacancies/hh-api-2025-moscow.json.gz"
BELARUS = "vacancies/hh-api-2023-belarus.jsonl.gz"
INDEX = ["index", "--by", "region", "--period", "quarter", "--from", "2025-10", "--to", "2025-12", "--format", "csv"]


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, KADRY_SALT="stages-test-salt-0123456789", COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "kadry", *args], capture_output=True, text=True, env=env, timeout=600)


def _regions(text: str) -> dict[str, int]:
    return {r["region"]: int(r["n_vacancies"]) for r in csv.DictReader(io.StringIO(text))}


def test_ingest_then_index_gives_normalized_regions(tmp_path, samples):
    db = str(tmp_path / "k.duckdb")
    out = _cli("ingest", "-q", "--db", db, str(samples / MOSCOW))
    assert out.returncode == 0, out.stderr
    out = _cli(*INDEX, "--db", db)
    assert out.returncode == 0, out.stderr
    regions = _regions(out.stdout)
    # the sample is 100 Moscow vacancies (one in Yakutia): counted independently with the stdlib
    assert regions["RU-MOW"] >= 90 and regions.get("unknown", 0) == 0
    assert sum(n for r, n in regions.items() if r != "all") == regions["all"] == 100


def test_index_refuses_a_stale_store_it_cannot_write(tmp_path, samples):
    db = tmp_path / "k.duckdb"
    assert _cli("ingest", "-q", "--no-normalize", "--db", str(db), str(samples / MOSCOW)).returncode == 0
    with Store(db, read_only=True):  # another reader holds the file: no writer can open it
        out = _cli(*INDEX, "--db", str(db))
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "not normalized" in lines[0] and f"kadry normalize --db {db}" in lines[0], out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_index_normalizes_a_stale_store_it_can_write(tmp_path, samples, monkeypatch):
    monkeypatch.setenv("KADRY_SALT", "stages-test-salt-0123456789")
    db = tmp_path / "k.duckdb"
    with Store(db) as store:
        ingest_paths(store, [samples / MOSCOW])
        assert normalize_behind(store) == "records were ingested but never normalized"
    result = CliRunner().invoke(app, [*INDEX, "--db", str(db)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert _regions(result.stdout)["RU-MOW"] >= 90
    with Store(db, read_only=True) as store:
        assert normalize_behind(store) is None
        assert store.con.execute("SELECT count(*) FROM vacancies WHERE norm_version IS NULL").fetchall()[0][0] == 0


def test_normalization_is_incremental(store, samples):
    ingest_paths(store, [samples / MOSCOW])
    normalize_store(store)
    # a mark on an already normalized record: an incremental pass must leave it alone
    store.con.execute(
        "UPDATE vacancies SET region_code = 'XX-MARK' WHERE vacancy_id = (SELECT min(vacancy_id) FROM vacancies)"
    )
    assert normalize_behind(store) is None
    ingest_paths(store, [samples / BELARUS])
    assert normalize_behind(store) == "records were ingested after the last normalization"
    done = normalize_pending(store)
    assert done["pending"] == {"vacancies": 415, "resumes": 0}
    con = store.con
    assert con.execute("SELECT count(*) FROM vacancies WHERE region_code = 'XX-MARK'").fetchall()[0][0] == 1
    assert con.execute("SELECT count(*) FROM vacancies WHERE country_code = 'BY'").fetchall()[0][0] == 415
    assert normalize_behind(store) is None and normalize_pending(store) is None
    # `kadry normalize` reruns everything
    normalize_store(store)
    assert con.execute("SELECT count(*) FROM vacancies WHERE region_code = 'XX-MARK'").fetchall()[0][0] == 0


def test_changed_rules_make_normalization_stale(store, samples):
    ingest_paths(store, [samples / MOSCOW])
    normalize_store(store)
    done = store.stage("normalize")
    # as a store normalized by an older kadry looks: its records and its stage carry the old rules
    store.con.execute(
        "UPDATE vacancies SET norm_version = '0.9+old' WHERE vacancy_id IN "
        "(SELECT vacancy_id FROM vacancies ORDER BY vacancy_id LIMIT 40)"
    )
    store.record_stage("normalize", "0.9+old")
    assert normalize_behind(store).startswith("normalization rules changed (0.9+old ->")
    assert normalize_pending(store)["pending"] == {"vacancies": 40, "resumes": 0}
    assert store.stage("normalize")["rules"] == done["rules"]


def test_a_store_built_without_ingest_is_never_stale(tmp_path):
    with Store(tmp_path / "k.duckdb") as store:
        store.con.execute("INSERT INTO vacancies (vacancy_id, source, title) VALUES ('x', 'hh', 't')")
        assert store.data_version() is None and normalize_behind(store) is None
        store.bump()
        assert normalize_behind(store) == "records were ingested but never normalized"


def test_ensure_current_says_what_to_run_for_a_locked_store(tmp_path, samples, monkeypatch):
    monkeypatch.setenv("KADRY_SALT", "stages-test-salt-0123456789")
    db = tmp_path / "k.duckdb"
    with Store(db) as store:
        ingest_paths(store, [samples / MOSCOW])
    with Store(db, read_only=True):
        with pytest.raises(StaleStore, match="run `kadry normalize --db"):
            ensure_current(db)
    assert ensure_current(db) == db
    with Store(db, read_only=True) as store:
        assert normalize_behind(store) is None


@pytest.mark.slow
def test_simulator_folder_is_ingested_without_format(tmp_path):
    sim = tmp_path / "sim"
    out = _cli(
        "simulate",
        "--vacancies",
        "300",
        "--resumes",
        "600",
        "--from",
        "2022-01",
        "--to",
        "2022-03",
        "--out",
        str(sim),
        "--quiet",
    )
    assert out.returncode == 0, out.stderr
    db = str(tmp_path / "k.duckdb")
    out = _cli("ingest", "--db", db, str(sim))
    assert out.returncode == 0, out.stderr
    assert "canonical" in out.stdout
    with Store(db, read_only=True) as store:
        assert store.count("vacancies") == 300 and store.count("resumes") == 600
        assert normalize_behind(store) is None
