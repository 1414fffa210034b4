"""Validation passes on a fresh simulation and fails on a distorted one."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from kadry.errors import InputError
from kadry.simulate import validate


def test_simulation_is_close_to_the_real_data(sim2022):
    out, _ = sim2022
    report = validate(out)
    bad = [r for r in report["rows"] if not r["ok"]]
    assert report["ok"], bad
    checks = {r["check"] for r in report["rows"]}
    assert {
        "vacancy.role_mix",
        "vacancy.region_mix",
        "vacancy.salary_mid",
        "resume.salary",
        "resume.age_band",
        "index.target",
        "simulated flag",
    } <= checks


def test_distorted_salaries_fail(sim2022, tmp_path):
    out, _ = sim2022
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    con = duckdb.connect()
    for f in sorted((copy / "resumes").glob("*.parquet")):
        con.execute(
            f"COPY (SELECT * REPLACE (salary_amount * 3 AS salary_amount) FROM '{f}') TO '{f}.tmp' (FORMAT parquet)"
        )
        (copy / "resumes" / (f.name + ".tmp")).replace(f)
    report = validate(copy)
    rows = {r["check"]: r for r in report["rows"]}
    assert not rows["resume.salary"]["ok"] and not report["ok"]
    assert rows["vacancy.salary_mid"]["ok"]


def test_not_a_simulation(tmp_path):
    with pytest.raises(InputError, match="not a directory written by kadry simulate"):
        validate(tmp_path)
