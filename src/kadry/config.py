"""Paths kadry ships with, and the settings-derived paths (the store, the shared data, the salt).

The environment itself is read only by ``kadry.settings``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from kadry.errors import ConfigError
from kadry.settings import DEFAULT_DB, settings

__all__ = [
    "DEFAULT_DB",
    "RESOURCES",
    "SAMPLES",
    "default_db",
    "shared_data",
    "salt_for",
]

#: package data shipped with kadry (dictionaries, trained models, calibration tables)
RESOURCES = Path(__file__).parent / "resources"
#: real samples bundled in the repository (data/samples), used by the demo and default tests
SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def default_db() -> Path:
    """The store file: ``KADRY_DB`` or ``./kadry.duckdb``."""
    return settings().db


def shared_data() -> Path | None:
    """The larger real data set (``KADRY_SHARED_DATA``, else ``../shared/data`` beside the repo)."""
    env = settings().shared_data
    candidates = [env] if env else [Path(__file__).resolve().parents[3] / "shared" / "data"]
    for path in candidates:
        if path.is_dir():
            return path
    return None


def salt_for(db: Path) -> bytes:
    """The secret salt for hashing resume ids: ``KADRY_SALT``, else a file beside the store.

    Generated on first use so that two stores never share hashes by accident, and kept
    beside the database so the same resume hashes the same way on every ingest.
    """
    env = settings().salt
    if env:
        return env.encode()
    path = Path(str(db) + ".salt") if str(db) != ":memory:" else None
    if path is None:
        return b"kadry-in-memory"
    if path.exists():
        value = path.read_bytes().strip()
        if len(value) < 16:
            raise ConfigError(f"salt file {path} is too short (need 16+ bytes)")
        return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(value + b"\n")
    return value
