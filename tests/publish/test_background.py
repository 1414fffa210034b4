"""`kadry serve` on a store without a release: it answers at once and publishes meanwhile."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from kadry.api.sample import build_store
from kadry.publish import current


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_at_once_and_publishes_in_the_background(tmp_path):
    db = build_store(tmp_path / "kadry.duckdb", vacancies=600, months=3)
    assert current(db) is None
    port = _port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kadry", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                health = httpx.get(f"{base}/api/v1/health", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() - started < 120, "kadry serve did not listen"
                time.sleep(0.2)
        seen_publishing = False
        if health.json()["release"] is None:  # the usual case: publishing takes longer than starting
            seen_publishing = True
            assert health.json()["publishing"], health.json()
            r = httpx.get(f"{base}/api/v1/indicators?group_by=region", timeout=30)
            assert r.status_code == 503 and r.headers["Retry-After"], r.text
            assert r.json()["error"]["type"] == "Publishing"
        deadline = time.monotonic() + 900
        while httpx.get(f"{base}/api/v1/health", timeout=5).json()["release"] is None:
            assert time.monotonic() < deadline, "the release was not made"
            time.sleep(1)
        r = httpx.get(f"{base}/api/v1/indicators?group_by=region", timeout=30)
        assert r.status_code == 200 and r.headers["X-Kadry-Release"] == current(db).id
        assert seen_publishing
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # the publishing process ends with the server: nothing is left running on the store
    time.sleep(1)
    assert not (tmp_path / "kadry.duckdb.release.making").exists()
