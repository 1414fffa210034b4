"""The command as a user meets it: one-line errors, non-zero exits, help for every option."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "ingest" / "fixtures"


def kadry(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, KADRY_SALT="cli-test-salt-0123456789", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "kadry", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def test_unreadable_file_one_line_error(tmp_path):
    out = kadry("ingest", "--db", str(tmp_path / "k.duckdb"), str(FIXTURES / "garbage.bin"))
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0
    assert "garbage.bin: format not recognised" in out.stderr
    assert "Traceback" not in out.stderr


def test_debug_shows_traceback(tmp_path):
    out = kadry("--debug", "ingest", "--db", str(tmp_path / "k.duckdb"), str(FIXTURES / "garbage.bin"))
    assert out.returncode != 0 and "Traceback" in out.stderr


def test_unknown_format_lists_known_ones(tmp_path):
    out = kadry("ingest", "--format", "xml", "--db", str(tmp_path / "k.duckdb"), str(FIXTURES / "search_page.json"))
    assert out.returncode == 1 and "unknown format 'xml'" in out.stderr and "hh-json" in out.stderr


def test_ingest_prints_four_counts_and_stats_reads_them(tmp_path):
    db = str(tmp_path / "k.duckdb")
    out = kadry("ingest", "--db", db, str(FIXTURES / "broken_vacancies.jsonl"))
    assert out.returncode == 0, out.stderr
    assert "read 11 = stored 2 + merged 1 + quarantined 8" in out.stdout
    stats = kadry("stats", "--db", db)
    assert stats.returncode == 0 and "missing title" in stats.stdout


def test_help_explains_every_option():
    out = kadry("ingest", "--help")
    for option in ("--db", "--format", "--mapping", "--observed-at", "--batch-size", "--quiet"):
        assert option in out.stdout


def test_bad_observed_at(tmp_path):
    out = kadry(
        "ingest", "--observed-at", "someday", "--db", str(tmp_path / "k.duckdb"), str(FIXTURES / "search_page.json")
    )
    assert out.returncode == 1 and "unparseable --observed-at" in out.stderr
