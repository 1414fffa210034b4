"""``kadry index``: table with bands and the simulated label, files, one-line errors, Spark."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from kadry.cli import app
from kadry.store import Store

from .conftest import build_world

ARGS = ["index", "--by", "role,region", "--period", "month", "--from", "2022-01", "--to", "2022-03"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "kadry.duckdb"
    with Store(path) as store:
        build_world(store)
    return path


def _run(*args):
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout  # the data; notes go to stderr when the output is not a table


def test_table_shows_bands_and_simulated_label(db):
    out = _run(*ARGS, "--db", str(db), "--format", "table", "--wide")
    assert "acute shortage" in out and "RU-SPE" in out
    assert "SIM" in out and "simulated records contributed" in out
    assert "closed_at, else lifetime 30d" in out


def test_csv_matches_the_api(db, world):
    rows = list(csv.DictReader(io.StringIO(_run(*ARGS, "--db", str(db), "--format", "csv"))))
    api = world("index")
    assert len(rows) == api.num_rows
    first = api.to_pylist()[0]
    assert rows[0]["role"] == first["role"] and int(rows[0]["n_vacancies"]) == first["n_vacancies"]


def test_json_and_parquet_files(db, tmp_path):
    out = tmp_path / "x.json"
    _run(*ARGS, "--db", str(db), "--format", "json", "--out", str(out), "--indicator", "salary")
    records = json.loads(out.read_text())
    assert records and {"offered_median", "expected_median", "n_salary_vacancies", "simulated"} <= set(records[0])
    pq_out = tmp_path / "x.parquet"
    _run(*ARGS, "--db", str(db), "--format", "parquet", "--out", str(pq_out), "-i", "stock", "--no-rollups")
    t = pq.read_table(pq_out)
    assert t.num_rows == 8 and "all" not in t["role"].to_pylist()


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--by", "planet"], "unknown dimension"),
        (["--format", "xml"], "unknown format"),
        (["--engine", "hadoop"], "unknown engine"),
        (["--lifetime", "0"], "lifetime"),
        (["--filter", "region"], "bad filter"),
        (["--format", "parquet"], "needs --out"),
    ],
)
def test_bad_options_give_one_line(db, extra, message):
    cmd = [sys.executable, "-c", "from kadry.cli import main; main()", *ARGS, "--db", str(db), *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], proc.stderr


@pytest.mark.spark
def test_spark_engine_gives_identical_numbers(db, spark_session, tmp_path):
    duck = _run(*ARGS, "--db", str(db), "--format", "csv")
    spark = _run(*ARGS, "--db", str(db), "--format", "csv", "--engine", "spark")
    assert spark == duck
    assert (db.parent / "kadry.duckdb.parquet").is_dir()  # the export is cached beside the store
