"""``--filter`` is one syntax: ``kadry index`` and ``kadry flows`` read it with the same parser."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from typer.testing import CliRunner

from kadry.cli import app
from kadry.errors import InputError
from kadry.indicators import parse_filters
from kadry.store import Store

D = datetime


def test_parser():
    assert parse_filters(["it=true", "role=96,97", "remote=no"]) == {
        "it": [True],
        "role": ["96", "97"],
        "remote": [False],
    }
    assert parse_filters(["is_it=it", "IT=non_it"]) == {"it": ["it", "non_it"]}
    assert parse_filters(None) == {}
    for bad in ("it", "it=maybe", "colour=red", "role="):
        with pytest.raises(InputError):
            parse_filters([bad])


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """Four resumes that move Moscow -> St Petersburg in 2022-Q1 (three IT, one not), and vacancies to match."""
    path = tmp_path_factory.mktemp("filters") / "k.duckdb"
    with Store(path) as store:
        for i, it in enumerate([True, True, True, False]):
            rid = f"r{i}"
            store.con.execute(
                "INSERT INTO resumes (resume_id, source, source_key, simulated, role_id, role_category, is_it, "
                "created_at, updated_at, country_code, region_code, federal_district, salary_flag) "
                "VALUES (?, 'hh', ?, false, ?, ?, ?, ?, ?, 'RU', 'RU-SPE', 'NWFD', 'missing')",
                [rid, rid, "96" if it else "40", "11" if it else "4", it, D(2022, 1, 3), D(2022, 2, 20)],
            )
            for when, region, area in ((D(2022, 1, 3), "RU-MOW", "1"), (D(2022, 2, 20), "RU-SPE", "2")):
                store.con.execute(
                    "INSERT INTO observations (kind, record_id, observed_at, updated_at, area_id_raw, country_code, "
                    "region_code) VALUES ('resume', ?, ?, ?, ?, 'RU', ?)",
                    [rid, when, when, area, region],
                )
        for i, it in enumerate([True, False, False]):
            store.con.execute(
                "INSERT INTO vacancies (vacancy_id, source, source_id, title, simulated, role_id, role_category, "
                "is_it, published_at, country_code, region_code, federal_district) "
                "VALUES (?, 'hh', ?, 't', false, ?, ?, ?, ?, 'RU', 'RU-MOW', 'CFD')",
                [f"v{i}", f"v{i}", "96" if it else "40", "11" if it else "4", it, D(2022, 1, 10)],
            )
    return path


def _csv(*args: str) -> list[dict]:
    result = CliRunner().invoke(app, [*args, "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    # notes under the table go to stderr; the CSV alone is on stdout
    return list(csv.DictReader(io.StringIO(result.stdout)))


@pytest.mark.parametrize("value,resumes,vacancies", [("true", 3, 1), ("it", 3, 1), ("false", 1, 2), ("no", 1, 2)])
def test_index_and_flows_read_the_same_filter(db, value, resumes, vacancies):
    rows = _csv("index", "--db", str(db), "--from", "2022-01", "--to", "2022-01", "--filter", f"it={value}")
    assert [(int(r["n_resumes"]), int(r["n_vacancies"])) for r in rows] == [(resumes, vacancies)]
    moves = _csv(
        "flows",
        "--db",
        str(db),
        "--period",
        "quarter",
        "--from",
        "2022-01",
        "--to",
        "2022-03",
        "--filter",
        f"it={value}",
    )
    pair = [r for r in moves if r["origin"] == "RU-MOW" and r["destination"] == "RU-SPE"]
    assert [int(r["n_moves"]) for r in pair] == [resumes]


def test_a_bad_filter_is_the_same_error_in_both(db):
    for command in (["index", "--from", "2022-01", "--to", "2022-01"], ["flows"]):
        with pytest.raises(InputError, match="it is true or false"):
            CliRunner().invoke(app, [*command, "--db", str(db), "--filter", "it=maybe"], catch_exceptions=False)
