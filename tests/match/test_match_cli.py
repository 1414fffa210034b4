"""The CLI end to end, as a user runs it (a subprocess: exit codes and one-line errors included)."""

import json
import os
import subprocess
import sys

import pytest


def _kadry(*args, cwd=None):
    env = dict(os.environ, KADRY_SALT="test-salt-0123456789abcdef", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "kadry", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


@pytest.fixture
def db(tmp_path, new_store):
    path = tmp_path / "k.duckdb"
    new_store(path).close()
    return path


def test_match_resume_json_and_table(db):
    r = _kadry("match", "--resume", "hh:aa11", "--k", "3", "--db", str(db), "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["matches"][0]["id"] == "hh:1" and len(data["matches"]) <= 3
    assert set(data["matches"][0]["parts"]) == {"title", "skills", "salary", "place", "experience"}
    r = _kadry("match", "--vacancy", "hh:2", "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert "hh:bb22" in r.stdout


def test_match_errors_are_one_line(db):
    r = _kadry("match", "--resume", "hh:nobody", "--db", str(db))
    assert (
        r.returncode == 1
        and r.stderr.strip().startswith("error: no resume")
        and len(r.stderr.strip().splitlines()) == 1
    )
    r = _kadry("match", "--db", str(db))
    assert r.returncode == 1 and "exactly one" in r.stderr


def test_build_then_keys_lifecycle(db):
    r = _kadry("match", "build", "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert "7 vacancies" in r.stdout
    r = _kadry("keys", "create", "--scope", "match", "--name", "office", "--db", str(db))
    assert r.returncode == 0, r.stderr
    key = r.stdout.strip()
    assert key.startswith("kadry_") and "cannot be shown again" in r.stderr
    r = _kadry("keys", "list", "--db", str(db))
    assert "office" in r.stdout and key not in r.stdout
    key_id = r.stdout.split("office")[0].split("│")[-2].strip()
    r = _kadry("keys", "revoke", key_id, "--db", str(db))
    assert r.returncode == 0, r.stderr
    r = _kadry("keys", "revoke", "nope", "--db", str(db))
    assert r.returncode == 1 and "no API key" in r.stderr
