"""The default span (both sides, or which one is missing) and coverage counts, against the store's own rows."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from kadry.api.sample import build_store
from kadry.indicators import Engine
from kadry.indicators.coverage import coverage, data_span
from kadry.store import Store


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("span") / "kadry.duckdb", vacancies=800, months=8, start="2022-01-01")


def _edit(path, *sql):
    with Store(path) as store:
        for q in sql:
            store.con.execute(q)


def _copy(sample, tmp_path, name="k.duckdb"):
    import shutil

    target = tmp_path / name
    shutil.copy(sample, target)
    return target


def test_span_ends_at_the_latest_month_with_both_sides(sample, tmp_path):
    db = _copy(sample, tmp_path)
    # resumes stop in April: later months have vacancies only
    _edit(db, "DELETE FROM resumes WHERE created_at >= '2022-04-01' OR updated_at >= '2022-04-01'")
    with Engine.duckdb(db) as eng:
        span = data_span(eng)
    con = duckdb.connect(str(db), read_only=True)
    last_resume = con.execute("SELECT max(updated_at)::DATE FROM resumes").fetchone()[0]
    con.close()
    assert span.missing is None and span.start == date(2022, 1, 1)  # December 2021 has resumes only
    # a resume stays active for 30 days after its last update: the span ends in that month, not later
    assert span.end.month in (last_resume.month, last_resume.month + 1) and span.end < date(2022, 6, 1)
    months = {m: (v, r) for m, v, r in span.months}
    assert months[date(2022, 7, 1)] == (True, False)  # vacancies without resumes: outside the default


def test_no_resumes_is_said(sample, tmp_path):
    db = _copy(sample, tmp_path)
    _edit(db, "DELETE FROM resumes")
    with Engine.duckdb(db) as eng:
        span = data_span(eng)
    assert span.missing == "resumes" and span.reason == "store_no_resumes" and span.resumes == 0
    assert span.start is not None  # the vacancy side's range is still offered


def test_undated_records_are_counted(sample, tmp_path):
    db = _copy(sample, tmp_path)
    _edit(
        db,
        "UPDATE vacancies SET published_at = NULL, created_at = NULL, first_seen = NULL WHERE vacancy_id LIKE 'sim:v1%'",
    )
    con = duckdb.connect(str(db), read_only=True)
    expected = con.execute("SELECT count(*) FROM vacancies WHERE vacancy_id LIKE 'sim:v1%'").fetchone()[0]
    con.close()
    with Engine.duckdb(db) as eng:
        span = data_span(eng)
    assert span.undated == {"vacancies": expected} and expected > 0


def test_coverage_counts_match_the_rows(sample, tmp_path):
    db = _copy(sample, tmp_path)
    _edit(
        db,
        "UPDATE vacancies SET region_code = NULL, federal_district = NULL WHERE vacancy_id LIKE 'sim:v2%'",
        "UPDATE vacancies SET role_id = NULL WHERE vacancy_id LIKE 'sim:v3%'",
    )
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT vacancy_id, region_code, role_id, salary_rub, len(skills) FROM vacancies").fetchall()
    con.close()
    with Engine.duckdb(db) as eng:
        cov = {(r["kind"], r["source"]): r for r in coverage(eng).to_pylist()}
    v = cov[("vacancy", "sim")]
    assert v["records"] == len(rows)
    assert v["region_known"] == sum(1 for r in rows if r[1] is not None)
    assert v["role_known"] == sum(1 for r in rows if r[2] is not None)
    assert v["salary_known"] == sum(1 for r in rows if r[3] is not None)
    assert v["skills_known"] == sum(1 for r in rows if r[4])
    assert v["region_known"] < v["records"]
