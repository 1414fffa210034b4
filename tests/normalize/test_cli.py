"""The thin CLI: rerun, report, and a clear error when training data is absent."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from kadry.cli import app
from kadry.store import Store


def test_normalize_and_report(tmp_path, monkeypatch, add_vacancy):
    monkeypatch.setenv("KADRY_SALT", "test-salt-0123456789abcdef")
    db = tmp_path / "k.duckdb"
    with Store(db) as s:
        add_vacancy(
            s, "1", title="Программист Python", region_raw="Москва", salary_from=100000.0, salary_currency="RUR"
        )
        add_vacancy(s, "2", title="Повар", region_raw="Нарния")
    runner = CliRunner()
    res = runner.invoke(app, ["normalize", "--db", str(db), "--quiet"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["normalize", "report", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["coverage"]["covered"] == 1 and data["coverage"]["vacancies"] == 2
    res = runner.invoke(app, ["normalize", "report", "--db", str(db)])
    assert res.exit_code == 0 and "region coverage" in res.output and "skill extraction precision" in res.output


def test_train_without_shared_data(tmp_path, monkeypatch):
    import subprocess
    import sys

    monkeypatch.setenv("KADRY_SHARED_DATA", str(tmp_path / "nowhere"))
    res = subprocess.run(
        [sys.executable, "-c", "from kadry.cli import main; main()", "normalize", "train"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ},
    )
    assert res.returncode == 1
    assert "needs the shared data" in res.stderr and "Traceback" not in res.stderr


def test_normalize_without_a_store(tmp_path):
    import subprocess
    import sys

    res = subprocess.run(
        [
            sys.executable,
            "-c",
            "from kadry.cli import main; main()",
            "normalize",
            "--db",
            str(tmp_path / "none.duckdb"),
        ],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 1 and "no store at" in res.stderr
    assert not (tmp_path / "none.duckdb").exists()
