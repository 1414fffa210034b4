"""A real SIGKILL in the middle of a large ingest leaves nothing of the file; a rerun ends as if never killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kadry.store import Store

N = 30_000


def _write_input(path: Path) -> None:
    with path.open("w") as f:
        for i in range(N):
            f.write(
                json.dumps(
                    {
                        "id": str(i),
                        "name": f"Инженер {i % 97}",
                        "area": {"id": str(1 + i % 5), "name": "Москва"},
                        "salary": {"from": 50000 + i % 1000, "to": None, "currency": "RUR", "gross": bool(i % 2)},
                        "published_at": f"2022-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00+0300",
                        "key_skills": [{"name": "Python"}, {"name": f"skill{i % 13}"}],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
            if i % 1000 == 999:  # a broken line now and then: quarantine must survive the kill too
                f.write('{"id": "broken\n')


def _ingest(db: Path, src: Path) -> subprocess.Popen:
    env = dict(os.environ, KADRY_SALT="crash-test-salt-0123456789")
    return subprocess.Popen(
        # --no-normalize: the run is the file's transaction and nothing after it, so a kill at 60%
        # of the clean run's time lands inside the transaction, not in the normalization after it
        [sys.executable, "-m", "kadry", "ingest", "--quiet", "--no-normalize", "--batch-size", "500"]
        + ["--db", str(db), str(src)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _content(db: Path) -> dict:
    with Store(db, read_only=True) as s:
        return {
            t: s.con.execute(f"SELECT * EXCLUDE (source_file) FROM {t} ORDER BY ALL").fetchall()
            if t != "vacancies"
            else s.con.execute("SELECT * FROM vacancies ORDER BY ALL").fetchall()
            for t in ("vacancies", "observations", "quarantine")
        }


@pytest.mark.slow
def test_sigkill_then_rerun_equals_uninterrupted(tmp_path):
    src = tmp_path / "big.jsonl"
    _write_input(src)
    clean, killed = tmp_path / "clean.duckdb", tmp_path / "killed.duckdb"
    started = time.time()
    assert _ingest(clean, src).wait(timeout=600) == 0
    took = time.time() - started

    proc = _ingest(killed, src)
    # kill without warning half way through (batches written, the file's transaction not committed)
    time.sleep(took * 0.6)
    assert proc.poll() is None, "ingest finished before it could be killed: make the input larger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    with Store(killed, read_only=True) as s:
        partial = s.count("vacancies") + s.count("observations") + s.count("quarantine")
    assert partial == 0, f"a killed ingest left {partial} rows: a file must be stored whole or not at all"

    rerun = _ingest(killed, src)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err.decode()
    assert _content(killed) == _content(clean)
    with Store(killed, read_only=True) as s:
        assert s.count("vacancies") == N
        assert s.count("quarantine") == N // 1000
