"""End to end: simulate -> kadry ingest (canonical) -> kadry normalize -> kadry index.

The stocks kadry's indicators find in the store must equal the simulator's truth exactly
(docs/simulator.md: the engine segments a resume by its record's latest place, so the
truth side to compare is ``resume_latest``; by role both resume sides are equal). Compared by
role and by primary category, which the simulator takes from the same role table as normalization.

Seen intermittently (same data, 1 cell of ~3,000 off by +1 resume): kadry.indicators.activity.
resume_intervals orders identical (s, e) events by [s, e] only, in two separate windows (reach,
then the island running sum); ties may be ordered differently in each, which can merge an
interval into the previous island across a gap. A unique tie-breaker (or DISTINCT events)
in both windows fixes it; reported to the indicators owner.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kadry.simulate import simulate

KADRY = str(Path(sys.executable).parent / "kadry")


def _kadry(*args: str, env: dict) -> None:
    p = subprocess.run([KADRY, *args], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr[-2000:]


@pytest.mark.slow
def test_indicators_recover_the_true_stocks(tmp_path):
    out = tmp_path / "sim"
    simulate(out, 2000, 6000, "2021-07", "2022-06", 21, "2022", chunk_size=2500)
    env = dict(os.environ, KADRY_SALT="simulate-end-to-end-test-salt")
    db = str(tmp_path / "store.duckdb")
    _kadry("ingest", str(out), "--format", "canonical", "--db", db, env=env)
    _kadry("normalize", "--db", db, env=env)
    # by role, and by primary category: the simulator and normalization share one role table
    for dim in ("role", "role_category"):
        csv = tmp_path / f"stock-{dim}.csv"
        _kadry(
            "index",
            "--db",
            db,
            "--by",
            dim,
            "--from",
            "2021-07",
            "--to",
            "2022-06",
            "-i",
            "stock",
            "--include-duplicates",
            "-f",
            "csv",
            "-o",
            str(csv),
            env=env,
        )
        got = pd.read_csv(csv, dtype={dim: str})
        got = got[got[dim].notna() & (got[dim] != "all")]
        got["month"] = pd.to_datetime(got["period"]).dt.date
        truth = pd.read_parquet(out / "truth" / "stocks.parquet")
        truth = truth[(truth["dim"] == dim) & truth["in_window"]]
        t = truth.pivot_table(index=["month", "key"], columns="side", values="stock", fill_value=0).reset_index()
        m = t.merge(got, left_on=["month", "key"], right_on=["month", dim], how="outer").fillna(0)
        bad = m[(m["vacancy"] != m["n_vacancies"]) | (m["resume_latest"] != m["n_resumes"])]
        assert len(m) > 100 if dim == "role" else len(m) > 20
        assert bad.empty, (
            dim,
            bad[["month", "key", "vacancy", "n_vacancies", "resume_latest", "n_resumes"]].head(20).to_string(),
        )
