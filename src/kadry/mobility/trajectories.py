"""Trajectories from snapshot sources: region moves between CV versions, profession -> profession flows.

The portal's CV dumps give two kinds of movement. A CV whose region changes between two
consecutive versions (``versions``: runs of snapshots per distinct content) moved; it is
dated at the first snapshot of the new version. A CV's work history (``career_history``,
titles and profession codes, no employers) gives career transitions: each pair of
consecutive jobs is a flow from one profession to the next (the code where given, else
the title). These are the raw counts; what is published is cut by ``kadry.publish``
(``whole_table(db, "region-moves" | "profession-flows")``), the only caller of suppression.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["region_moves", "profession_flows"]


def region_moves(con) -> pd.DataFrame:
    """``from_region, to_region, moves`` counted over consecutive versions of each CV."""
    return con.execute(
        """WITH v AS (SELECT record_id, first_at, region_raw,
                             lag(region_raw) OVER (PARTITION BY record_id ORDER BY first_at) AS prev
                      FROM versions WHERE kind = 'resume')
           SELECT prev AS from_region, region_raw AS to_region, count(*)::BIGINT AS moves FROM v
           WHERE prev IS NOT NULL AND region_raw IS NOT NULL AND prev <> region_raw
           GROUP BY ALL ORDER BY moves DESC, from_region, to_region"""
    ).fetchdf()


def profession_flows(con) -> pd.DataFrame:
    """``from_profession, to_profession, transitions`` between consecutive jobs of each work history."""
    return con.execute(
        """WITH j AS (SELECT resume_id, coalesce(profession_code, lower(job_title)) AS p,
                             row_number() OVER (PARTITION BY resume_id ORDER BY date_from NULLS LAST, position) AS n
                      FROM career_history),
                pairs AS (SELECT a.p AS from_profession, b.p AS to_profession FROM j a JOIN j b
                          ON a.resume_id = b.resume_id AND b.n = a.n + 1)
           SELECT from_profession, to_profession, count(*)::BIGINT AS transitions FROM pairs
           WHERE from_profession IS NOT NULL AND to_profession IS NOT NULL
           GROUP BY ALL ORDER BY transitions DESC, from_profession, to_profession"""
    ).fetchdf()
