"""Are the store's merged activity intervals current? (the bookkeeping of kadry.indicators.stored)

Kept apart from the intervals themselves so the engine can ask without importing them: the
engine opens the stored tables only when ``freshness`` says they match the records.
"""

from __future__ import annotations

import json
from typing import Any

from kadry.store import DuckDBError

__all__ = ["META_KEY", "freshness", "read_meta", "stored_state"]

#: the ``meta`` key the stored intervals record their options and the store state under
META_KEY = "activity_intervals"


def stored_state(con: Any) -> tuple:
    """Row counts and the newest sighting/update of the three tables: changes whenever records do."""
    try:
        presence = con.execute("SELECT count(*), CAST(max(last_at) AS VARCHAR) FROM presence").fetchall()[0]
    except DuckDBError:  # a store from before snapshot sources
        presence = (0, None)
    return presence + tuple(
        con.execute(
            "SELECT (SELECT count(*) FROM vacancies), (SELECT count(*) FROM resumes), (SELECT count(*) FROM observations),"
            " (SELECT CAST(max(last_seen) AS VARCHAR) FROM vacancies), (SELECT CAST(max(last_seen) AS VARCHAR) FROM resumes),"
            " (SELECT CAST(max(updated_at) AS VARCHAR) FROM resumes)"
        ).fetchall()[0]
    )


def read_meta(con: Any) -> dict | None:
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = ?", [META_KEY]).fetchall()
    except DuckDBError:  # no meta table yet
        return None
    return json.loads(rows[0][0]) if rows else None


def freshness(con: Any) -> bool:
    """True when the store holds intervals refreshed since its records last changed."""
    meta = read_meta(con)
    if meta is None:
        return False
    try:
        return tuple(meta["state"]) == tuple(stored_state(con))
    except (DuckDBError, KeyError, TypeError):  # a store without the tables, or an older meta value
        return False
