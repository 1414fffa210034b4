"""``kadry serve --workers N``: several processes over one store give the in-process app's answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

URLS = ["/api/v1/indicators?occupation=it&group_by=region", "/api/v1/indicators?indicator=flow&region=RU-MOW"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_workers_answer_like_the_app(store_path, get):
    port = _port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kadry", "serve", "--db", str(store_path), "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 900  # serve answers at once and publishes the release meanwhile
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5)
                r.raise_for_status()
                assert r.json()["release"], "no release yet"
                break
            except (httpx.HTTPError, AssertionError):
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            for url in URLS:
                expected = get(url).json()["rows"]
                # enough requests that both workers answer some of them
                for _ in range(6):
                    assert client.get(url).json()["rows"] == expected
    finally:
        proc.terminate()
        proc.wait(timeout=30)
