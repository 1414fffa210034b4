"""The one write path, driven directly: which sighting wins, and what a resume's quarantine may say."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from kadry.ingest.staged import stage_schema, write_staged
from kadry.store.writes import transaction


def _stage(store, kind, rows):
    full = [{name: row.get(name) for name in stage_schema(kind).names} for row in rows]
    store.con.register("_rows", pa.Table.from_pylist(full, schema=stage_schema(kind)))
    store.con.execute("CREATE OR REPLACE TEMP TABLE _stage AS SELECT * FROM _rows")
    store.con.unregister("_rows")


def _vacancy(ord_, title, seen):
    return {
        "vacancy_id": "x:1",
        "source": "x",
        "source_id": "1",
        "simulated": False,
        "title": title,
        "observed_at": seen,
        "_ord": ord_,
    }


def test_latest_sighting_wins_and_among_equal_times_the_one_read_last(store):
    t1, t2 = datetime(2024, 1, 1), datetime(2024, 2, 1)
    rows = [_vacancy(0, "A", t2), _vacancy(1, "B", t2), _vacancy(2, "C", t1), _vacancy(3, "D", None)]
    with transaction(store.con, store.path):
        _stage(store, "vacancy", rows)
        staged = write_staged(store.con, "vacancy", "f.csv")
    assert store.con.execute("SELECT title FROM vacancies").fetchall() == [("B",)]
    c = staged.counts
    assert (c.read, c.stored, c.merged, c.quarantined) == (4, 1, 3, 0)
    # three distinct sighting times (t2 twice counts once, no time is one too)
    assert store.count("observations") == 3
    first, last = store.con.execute("SELECT first_seen, last_seen FROM vacancies").fetchall()[0]
    assert (first, last) == (t1, t2)


def test_a_resumes_quarantine_reason_carries_no_numbers_or_quoted_values(store):
    rows = [
        {"resume_id": "x:k1", "source": "x", "source_key": "k1", "salary_amount": -52000.0, "_ord": 0},
        {"resume_id": "x:k2", "source": "x", "source_key": "k2", "_ord": 1, "_bad": "age: '42 роки' is not a band"},
    ]
    with transaction(store.con, store.path):
        _stage(store, "resume", rows)
        write_staged(store.con, "resume", "cv.csv")
    reasons = [r for (r,) in store.con.execute("SELECT reason FROM quarantine ORDER BY position").fetchall()]
    assert reasons == ["negative salary (salary_amount=-N)", "age: '…' is not a band"]
    assert not any(ch.isdigit() for r in reasons for ch in r)
    assert store.con.execute("SELECT count(*) FROM quarantine WHERE excerpt IS NOT NULL").fetchall() == [(0,)]
