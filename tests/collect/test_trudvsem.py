"""``kadry collect trudvsem`` against a real loopback server with faults: nothing lost, nothing doubled."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest

from kadry.collect.http import Retry
from kadry.collect.trudvsem import collect_trudvsem, list_dataset
from kadry.ingest.snapshots import ingest_snapshot
from kadry.store import Store
from tests.collect.conftest import ROOT, served_files
from tests.ingest.test_snapshots import _state

SALT = "collect-test-salt-0123456789"
FAST = Retry(attempts=5, backoff=0.0)


@pytest.fixture(autouse=True)
def _salt(monkeypatch):
    monkeypatch.setenv("KADRY_SALT", SALT)


def _reference(dumps: Path, path: Path) -> dict:
    """The store the served snapshots make when ingested straight from disk, in date order."""
    with Store(path) as store:
        for local in served_files(dumps).values():
            ingest_snapshot(store, local)
        state = _state(store)
        state["snapshots"] = store.con.execute(
            "SELECT dataset, snapshot_at, records FROM snapshots ORDER BY ALL"
        ).fetchall()
    return state


def _collected(path: Path) -> dict:
    with Store(path) as store:
        state = _state(store)
        state["snapshots"] = store.con.execute(
            "SELECT dataset, snapshot_at, records FROM snapshots ORDER BY ALL"
        ).fetchall()
    return state


def test_listing_keeps_dated_gz_dumps_one_per_day(portal):
    path = f"{ROOT}7710538364-vacancy/data-20240326T231500-structure-20161130T143000.xml.gz"
    portal.put(path, b"later dump of the same day")
    with httpx.Client() as client:
        remotes = list_dataset(client, portal.url + ROOT, "vacancy")
    names = [r.name for r in remotes]
    assert len(names) == 3 and names[0] == path.rsplit("/", 1)[1]  # the day's last dump wins
    assert all(n.startswith("data-") and n.endswith(".gz") for n in names)


def test_faults_then_rerun_end_with_exactly_the_served_snapshots(portal, dumps, tmp_path):
    files = served_files(dumps)
    cv = [p for p in files if "-cv/" in p]
    vac = [p for p in files if "-vacancy/" in p]
    resp = [p for p in files if "-response/" in p]
    portal.faults[f"{ROOT}7710538364-vacancy/"] = ["500"]
    portal.faults[cv[0]] = ["429", "cut", "cut"]
    portal.faults[cv[1]] = ["500", "500"]
    # a file replaced on the server while it is downloaded: new bytes (same records), new ETag
    body = portal.files[vac[1]]
    portal.replacements[vac[1]] = gzip.compress(gzip.decompress(body), compresslevel=1, mtime=12345)
    portal.faults[vac[1]] = ["replace"]
    # a truncated gzip served whole (right length, broken stream): never ingested
    portal.broken[resp[2]] = portal.files[resp[2]][: len(portal.files[resp[2]]) * 2 // 3]
    db = tmp_path / "c.duckdb"
    with Store(db) as store:
        first = collect_trudvsem(store, tmp_path / "w", base_url=portal.url + ROOT, retry=FAST, sleep=lambda s: None)
        done = set(store.con.execute("SELECT dataset, snapshot_at FROM snapshots").fetchall())
    assert first.failed == 1 and "broken gzip" in first.failures[0]
    assert ("response", datetime(2024, 3, 28, 19, 11, 6)) not in done
    assert ("response", datetime(2024, 3, 27, 19, 11, 6)) in done
    assert portal.requests(vac[1]) == 2  # the second request got the replaced file whole
    assert not list((tmp_path / "w").rglob("*.part"))
    del portal.broken[resp[2]]
    with Store(db) as store:
        second = collect_trudvsem(store, tmp_path / "w", base_url=portal.url + ROOT, retry=FAST, sleep=lambda s: None)
    assert (second.fetched, second.failed, second.skipped) == (1, 0, len(files) - 1)
    assert _collected(db) == _reference(dumps, tmp_path / "ref.duckdb")
    with Store(db) as store:  # a third run finds nothing to do
        third = collect_trudvsem(store, tmp_path / "w", base_url=portal.url + ROOT, retry=FAST, sleep=lambda s: None)
    assert (third.fetched, third.ingested, third.skipped) == (0, 0, len(files))


def test_since_and_datasets(portal, tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        report = collect_trudvsem(
            store,
            tmp_path / "w",
            base_url=portal.url + ROOT,
            datasets=["vacancy"],
            since=date(2024, 3, 27),
            retry=FAST,
            sleep=lambda s: None,
        )
        rows = store.con.execute("SELECT dataset, snapshot_at::DATE::VARCHAR FROM snapshots ORDER BY 2").fetchall()
    assert report.ingested == 2
    assert rows == [("vacancy", "2024-03-27"), ("vacancy", "2024-03-28")]


def _cli(db: Path, work: Path, url: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "kadry",
        "collect",
        "trudvsem",
        "--db",
        str(db),
        "--workdir",
        str(work),
        "--base-url",
        url,
        "--backoff",
        "0",
        "--quiet",
    ]


@pytest.mark.parametrize("kill_after", [0.4, 1.5])
def test_sigkill_then_rerun(portal, dumps, tmp_path, kill_after):
    portal.delay = 0.05  # slow the downloads so the kill lands mid-run
    env = {**os.environ, "KADRY_SALT": SALT}
    db, work = tmp_path / "k.duckdb", tmp_path / "w"
    proc = subprocess.Popen(_cli(db, work, portal.url + ROOT), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(kill_after)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    portal.delay = 0.0
    done = subprocess.run(
        _cli(db, work, portal.url + ROOT), env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "failed 0" in done.stdout
    assert _collected(db) == _reference(dumps, tmp_path / "ref.duckdb")


def test_unknown_dataset_is_one_line_error(tmp_path):
    env = {**os.environ, "KADRY_SALT": SALT}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "kadry",
            "collect",
            "trudvsem",
            "--db",
            str(tmp_path / "x.duckdb"),
            "--datasets",
            "cvs",
            "--base-url",
            "http://127.0.0.1:9/",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1
    assert out.stderr.strip().startswith("error: unknown dataset(s) cvs") and "Traceback" not in out.stderr
