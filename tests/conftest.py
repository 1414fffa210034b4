"""Fixtures shared by the whole suite: the bundled samples, the optional shared data, a fresh store."""

from __future__ import annotations

from pathlib import Path

import pytest

from kadry.config import SAMPLES, shared_data
from kadry.store import Store


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_data()
    if path is None:
        pytest.skip("shared data not found: set KADRY_SHARED_DATA to the shared/data folder")
    return path


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    monkeypatch.setenv("KADRY_SALT", "test-salt-0123456789abcdef")
    with Store(tmp_path / "kadry.duckdb") as s:
        yield s
