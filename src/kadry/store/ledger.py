"""The SQL of the privacy-budget ledger: one row per noisy table released, with the epsilon it spent.

Differential privacy composes: the privacy lost over several releases is the sum of their
epsilons. The ledger keeps every spend so the total can be shown beside the numbers and an
operator can see when a budget is used up; kadry.privacy.noise decides what is spent, this
module only writes and reads it (the store stays the one door to DuckDB).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from kadry.errors import StoreError

__all__ = ["LEDGER_COLUMNS", "append_spend", "read_ledger"]

LEDGER_COLUMNS = [
    "release",
    "table_name",
    "epsilon",
    "mechanism",
    "scale",
    "sensitivity",
    "cells",
    "counts",
    "recorded_at",
]

_DDL = """CREATE TABLE IF NOT EXISTS privacy_ledger (
    release VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    epsilon DOUBLE NOT NULL CHECK (epsilon > 0),
    mechanism VARCHAR NOT NULL,
    scale DOUBLE NOT NULL,
    sensitivity BIGINT NOT NULL,
    cells BIGINT NOT NULL,
    counts VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL
)"""


def append_spend(
    store,
    *,
    release: str,
    table_name: str,
    epsilon: float,
    mechanism: str,
    scale: float,
    sensitivity: int,
    cells: int,
    counts: list[str],
) -> None:
    """Add one spend to the ledger of ``store`` (a writable ``kadry.store.Store``)."""
    if store.read_only:
        raise StoreError("cannot record a privacy spend in a store opened read-only")
    store.con.execute(_DDL)
    store.con.execute(
        "INSERT INTO privacy_ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            release,
            table_name,
            float(epsilon),
            mechanism,
            float(scale),
            int(sensitivity),
            int(cells),
            ",".join(counts),
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )


def read_ledger(store, release: str | None = None) -> pd.DataFrame:
    """Every spend (of one ``release`` if given), oldest first; empty when nothing was ever spent."""
    exists = store.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'privacy_ledger'"
    ).fetchone()
    if not exists or not exists[0]:
        return pd.DataFrame({c: [] for c in LEDGER_COLUMNS})
    where, params = ("WHERE release = ?", [release]) if release is not None else ("", [])
    cols = ", ".join(LEDGER_COLUMNS)
    return store.con.execute(f"SELECT {cols} FROM privacy_ledger {where} ORDER BY recorded_at, rowid", params).df()
