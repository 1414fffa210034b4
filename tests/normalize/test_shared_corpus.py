"""On the shared data: the overlapping December 2022 downloads are found and counted."""

from __future__ import annotations

import pytest

from kadry.ingest import ingest_paths
from kadry.normalize import normalize_store, report


@pytest.mark.shared
@pytest.mark.slow
def test_daily_download_overlap(store, shared):
    daily = shared / "vacancies" / "hh-csv-daily-2022-12"
    ingest_paths(store, [daily])
    normalize_store(store)
    r = report(store)
    d = r["duplicates"]["hh-csv-daily-2022-12"]
    assert d["ingest_merged_rows"] >= 3000  # LysenkoKris and pfmaria13 downloaded the same day
    assert d["records"] + d["ingest_merged_rows"] >= 14_600
    cov = r["coverage"]["by_dataset"]["hh-csv-daily-2022-12"]
    assert cov["coverage"] >= 0.999
    assert r["roles"]["by_source"].get("classifier", 0) > 0.75 * d["records"]
