"""The CLI is thin, deterministic with a seed, and fails with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

KADRY = str(Path(sys.executable).parent / "kadry")


def _run(*args, env=None):
    return subprocess.run([KADRY, *args], capture_output=True, text=True, env=env)


def test_same_seed_same_data_other_seed_other_data(tmp_path):
    outs = []
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        p = _run(
            "simulate",
            "--vacancies",
            "300",
            "--resumes",
            "900",
            "--from",
            "2022-01",
            "--to",
            "2022-03",
            "--seed",
            str(seed),
            "--out",
            str(tmp_path / name),
            "--quiet",
        )
        assert p.returncode == 0, p.stderr
        outs.append(tmp_path / name)
    read = lambda d, t: pq.read_table(d / t / "part-00000.parquet")  # noqa: E731
    for t in ("vacancies", "resumes", "observations"):
        a, b, c = (read(d, t) for d in outs)
        assert a.drop(["source_file"] if t == "observations" else []).equals(
            b.drop(["source_file"] if t == "observations" else [])
        )
        assert not a.equals(c)


def test_errors_are_one_line(tmp_path):
    p = _run(
        "simulate",
        "--vacancies",
        "10",
        "--resumes",
        "10",
        "--from",
        "2022-05",
        "--to",
        "2022-01",
        "--out",
        str(tmp_path / "x"),
    )
    assert p.returncode == 1 and p.stderr.strip().count("\n") == 0 and "before" in p.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "f").write_text("x")
    p = _run("simulate", "--vacancies", "10", "--resumes", "10", "--out", str(tmp_path / "full"))
    assert p.returncode == 1 and "not empty" in p.stderr
    p = _run(
        "simulate",
        "--vacancies",
        "10",
        "--resumes",
        "10",
        "--out",
        str(tmp_path / "y"),
        "--scenario",
        str(tmp_path / "none.yaml"),
    )
    assert p.returncode == 1 and "scenario file not found" in p.stderr


def test_calibrate_without_shared_data(tmp_path):
    import os

    env = dict(os.environ, KADRY_SHARED_DATA=str(tmp_path / "absent"))
    p = _run("simulate", "calibrate", "--out", str(tmp_path / "c.json"), env=env)
    assert p.returncode == 1 and p.stderr.startswith("error: kadry simulate calibrate needs the shared real data")
