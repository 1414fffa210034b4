"""The start rule, rendered for SQL and Ibis, and the activity defaults everyone uses."""

from __future__ import annotations

from datetime import datetime

from kadry.indicators import Options
from kadry.rules import activity
from kadry.store import ibis_backend, scratch


def test_start_sql_and_ibis_agree():
    rows = [
        (datetime(2022, 1, 5), datetime(2022, 1, 1), datetime(2022, 1, 2)),
        (None, datetime(2022, 2, 1), datetime(2022, 2, 3)),
        (None, None, datetime(2022, 3, 9)),
        (None, None, None),
    ]
    con = scratch()
    try:
        con.execute("CREATE TABLE v (published_at TIMESTAMP, created_at TIMESTAMP, first_seen TIMESTAMP)")
        con.executemany("INSERT INTO v VALUES (?, ?, ?)", rows)
        sql = [r[0] for r in con.execute(f"SELECT {activity.start_sql('vacancy')} FROM v").fetchall()]
        t = ibis_backend(con).table("v")
        via_ibis = t.select(s=activity.start_ibis(t, "vacancy")).to_pyarrow().column("s").to_pylist()
    finally:
        con.close()
    assert sql == [datetime(2022, 1, 5), datetime(2022, 2, 1), datetime(2022, 3, 9), None]
    assert via_ibis == sql
    assert activity.start_sql("resume", "r.") == "coalesce(r.created_at, r.first_seen, r.updated_at)"


def test_indicator_defaults_come_from_the_rules():
    assert (Options().lifetime, Options().window) == (activity.LIFETIME_DAYS, activity.RESUME_WINDOW_DAYS)
