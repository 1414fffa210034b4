"""The released quarantine table: records by kind and reason with each kind's total, a reason
below k hidden together with enough others that the total minus the shown reasons tells nothing."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from kadry.ingest import ingest_paths
from kadry.publish import make, whole_table
from kadry.store import Store

K = 10
GOOD, BROKEN, NO_ID = 60, 25, 3  # counted here, as written


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quarantine")
    src = folder / "vacancies.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for i in range(GOOD):
            record = {"id": str(i), "name": "Инженер", "published_at": "2022-03-01T10:00:00+0300"}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        f.write('{"id": "broken\n' * BROKEN)  # unparseable lines
        for _ in range(NO_ID):
            f.write(json.dumps({"name": "Инженер", "published_at": "2022-03-01T10:00:00+0300"}) + "\n")
    path = folder / "kadry.duckdb"
    with Store(path) as store:
        ingest_paths(store, [src], batch_size=7)
    return path


def test_small_reasons_are_hidden_with_a_complement(store_path):
    table = whole_table(store_path, "quarantine", K)  # no release yet: the family computed alone
    rows = {r["reason"]: r for r in table.to_dict(orient="records") if r["kind"] == "vacancy"}
    assert rows["all"]["records"] == BROKEN + NO_ID and not rows["all"]["suppressed"]
    assert rows["missing id"]["suppressed"]  # 3 < k
    members = [r for reason, r in rows.items() if reason != "all"]
    hidden = [r for r in members if r["suppressed"]]
    # a published total with exactly one hidden member would give that member away
    assert len(hidden) != 1
    for r in hidden:
        assert r["records"] is None or r["records"] != r["records"]  # no number at all (None or NaN)
    shown = sum(r["records"] for r in members if not r["suppressed"])
    assert rows["all"]["records"] - shown >= K or not hidden


def test_the_release_holds_the_same_table(store_path):
    alone = whole_table(store_path, "quarantine", K)
    make(store_path, K)
    served = whole_table(store_path, "quarantine", K)  # now read back from the release's Parquet
    assert _cells(served) == _cells(alone)


def _cells(frame: pd.DataFrame) -> list[dict]:
    """Rows with every missing value as None (Parquet gives NaN where pandas had None)."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
