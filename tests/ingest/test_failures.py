"""Nothing half-done, every failure named: corrupt gzip, full or read-only disk, FIFOs, exit codes."""

from __future__ import annotations

import gzip
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kadry.ingest import ingest_paths
from kadry.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


def _kadry(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, KADRY_SALT="failure-test-salt-0123456789", COLUMNS="300")
    return subprocess.run(
        [sys.executable, "-m", "kadry", *args], check=False, capture_output=True, text=True, env=env, timeout=300
    )


def _jsonl(n: int) -> bytes:
    """Records whose descriptions do not compress, so the store really grows."""
    return "".join(
        json.dumps(
            {
                "id": str(i),
                "name": f"Инженер {i}",
                "area": {"name": "Москва"},
                "published_at": "2024-01-02T10:00:00+0300",
                "description": secrets.token_hex(100),
            },
            ensure_ascii=False,
        )
        + "\n"
        for i in range(n)
    ).encode()


@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_bad_gzip_leaves_no_rows_and_a_logged_failure(store, tmp_path, damage):
    packed = gzip.compress(_jsonl(20_000))
    if damage == "truncated":
        packed = packed[: len(packed) // 2]
    else:
        middle = len(packed) // 2
        packed = packed[:middle] + bytes(b ^ 0xFF for b in packed[middle : middle + 64]) + packed[middle + 64 :]
    path = tmp_path / "dump.jsonl.gz"
    path.write_bytes(packed)
    report = ingest_paths(store, [path], batch_size=500)
    assert not report.ok and report.files[0].failed
    assert store.count("vacancies") + store.count("observations") + store.count("quarantine") == 0
    assert store.con.execute("SELECT status, read FROM ingest_log").fetchall() == [("failed", 0)]
    out = _kadry("ingest", "--db", str(tmp_path / "k.duckdb"), str(path))
    assert out.returncode == 1 and "Traceback" not in out.stderr and out.stderr.count("\n") == 1


def test_fifo_refused_at_once(store, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    started = time.time()
    report = ingest_paths(store, [fifo])
    assert "not a regular file (a FIFO" in report.files[0].skipped and time.time() - started < 5
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.json")
    (folder / "ok.csv").write_bytes((FIXTURES / "quoted_titles.csv").read_bytes())
    report = ingest_paths(store, [folder])
    assert [bool(f.skipped) for f in report.files] == [False, True] and report.total.stored == 3


def test_folder_of_unrecognised_files_exits_non_zero_with_whole_reasons(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.csv").write_bytes((FIXTURES / "djinni_jobs.csv").read_bytes())
    (folder / "b.json").write_text('{"categories": [], "roles": []}')
    out = _kadry("ingest", "--db", str(tmp_path / "k.duckdb"), str(folder))
    assert out.returncode == 1
    lines = [line for line in out.stdout.splitlines() if line.startswith("skipped ")]
    assert len(lines) == 2 and all(line.endswith("(see docs/formats.md)") for line in lines), out.stdout


def _tmpfs(path: Path, size: str) -> bool:
    path.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=False, capture_output=True
    )
    return done.returncode == 0


def test_disk_full_says_no_space_and_stores_nothing_half(tmp_path):
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "3m"):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        src = tmp_path / "big.jsonl"
        src.write_bytes(_jsonl(60_000))
        out = _kadry("ingest", "--quiet", "--db", str(disk / "k.duckdb"), str(src))
        assert out.returncode == 1, out.stdout + out.stderr
        assert "no space left on device" in out.stderr and "cannot rollback" not in out.stderr
        assert out.stderr.count("\n") == 1
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_read_only_store_names_the_cause(tmp_path):
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "64m"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        with Store(disk / "k.duckdb"):
            pass
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        out = _kadry("ingest", "--db", str(disk / "k.duckdb"), str(FIXTURES / "quoted_titles.csv"))
        assert out.returncode == 1 and "read-only" in out.stderr.lower() and out.stderr.count("\n") == 1, out.stderr
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_file_size_limit_is_named(tmp_path):
    src = tmp_path / "big.jsonl"
    src.write_bytes(_jsonl(60_000))
    code = (
        "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (2_000_000, 2_000_000)); "
        "sys.argv = ['kadry', 'ingest', '--quiet', '--db', sys.argv[1], sys.argv[2]]; "
        "from kadry.cli import main; main()"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "k.duckdb"), str(src)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, KADRY_SALT="failure-test-salt-0123456789"),
    )
    assert out.returncode == 1, out.stderr
    assert "file size limit" in out.stderr or "no space" in out.stderr or "too large" in out.stderr.lower(), out.stderr
    assert "cannot rollback" not in out.stderr
