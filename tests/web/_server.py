"""A real `kadry serve` on a free loopback port, for the browser tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def need_browser() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(db: Path, min_cell: int, *, release: bool = True) -> Iterator[str]:
    """Start the server on ``db``, wait until it answers (and, with ``release``, serves a release), stop it."""
    port = free_port()
    cmd = [sys.executable, "-m", "kadry", "serve", "--db", str(db), "--port", str(port)]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "KADRY_MIN_CELL": str(min_cell)}
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # `kadry serve` answers at once and publishes the store's release meanwhile (minutes on a larger store)
        deadline = time.monotonic() + 1800
        while True:
            try:
                with urllib.request.urlopen(base + "/api/v1/health", timeout=2) as r:
                    if not release or json.loads(r.read())["release"]:
                        break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(proc.stdout.read().decode()) from None
            if time.monotonic() > deadline:
                raise RuntimeError("kadry serve did not answer (with a release) within 30 minutes") from None
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # still busy computing a table the page asked for
            proc.kill()
            proc.wait()
