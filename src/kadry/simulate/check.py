"""Recompute the truth's stocks and flows from the written records with DuckDB SQL.

An independent implementation of the definitions in docs/simulator.md (SQL over the Parquet
output instead of numpy over the chunks): the simulator's own consistency test, and a
reference for the indicator engine, which must reproduce the same numbers from the store.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kadry.store import scratch

__all__ = ["recompute", "compare_with_truth"]


def _months_sql(directory: Path) -> str:
    return f"SELECT DISTINCT month FROM read_parquet('{directory}/truth/cube.parquet')"


def recompute(directory: str | Path, window_days: int = 30) -> pd.DataFrame:
    """side, month, role_id, area_id, stock, flow from vacancies/, resumes/ and observations/.

    Sides: ``vacancy``; ``resume`` (a resume's place in a month = its latest sighting up to the
    month's end); ``resume_latest`` (its place = the record's area_id_raw, i.e. its last sighting).
    """
    d = Path(directory)
    con = scratch()
    con.execute(f"CREATE VIEW months AS {_months_sql(d)}")
    con.execute(f"CREATE VIEW v AS SELECT * FROM read_parquet('{d}/vacancies/*.parquet')")
    con.execute(f"CREATE VIEW r AS SELECT * FROM read_parquet('{d}/resumes/*.parquet')")
    con.execute(
        f"CREATE VIEW o AS SELECT record_id, observed_at, area_id_raw, CAST(observed_at AS DATE) AS d "
        f"FROM read_parquet('{d}/observations/*.parquet') WHERE kind = 'resume'"
    )
    vac = con.execute(
        """
        SELECT 'vacancy' AS side, m.month, v.role_ids_raw[1] AS role_id, v.area_id_raw AS area_id,
               count(DISTINCT v.vacancy_id) AS stock,
               count(DISTINCT v.vacancy_id) FILTER (WHERE v.published_at >= m.month) AS flow
        FROM v JOIN months m
          ON v.published_at < m.month + INTERVAL 1 MONTH AND v.archived_at >= m.month
        GROUP BY ALL
        """
    ).df()
    res = con.execute(
        f"""
        WITH act AS (
            SELECT DISTINCT o.record_id, m.month
            FROM o JOIN months m ON o.d < m.month + INTERVAL 1 MONTH AND o.d + {window_days - 1} >= m.month
        ), placed AS (
            SELECT a.record_id, a.month, arg_max(o.area_id_raw, o.observed_at) AS area_id
            FROM act a JOIN o ON o.record_id = a.record_id AND o.d < a.month + INTERVAL 1 MONTH
            GROUP BY ALL
        ), stock AS (
            SELECT p.month, r.role_ids_raw[1] AS role_id, p.area_id, count(*) AS stock
            FROM placed p JOIN r ON r.resume_id = p.record_id GROUP BY ALL
        ), first_seen AS (
            SELECT record_id, min(observed_at) AS t, arg_min(area_id_raw, observed_at) AS area_id FROM o GROUP BY ALL
        ), flow AS (
            SELECT date_trunc('month', f.t)::DATE AS month, r.role_ids_raw[1] AS role_id, f.area_id, count(*) AS flow
            FROM first_seen f JOIN r ON r.resume_id = f.record_id GROUP BY ALL
        )
        SELECT 'resume' AS side, coalesce(s.month, f.month) AS month, coalesce(s.role_id, f.role_id) AS role_id,
               coalesce(s.area_id, f.area_id) AS area_id, coalesce(s.stock, 0) AS stock, coalesce(f.flow, 0) AS flow
        FROM stock s FULL JOIN flow f USING (month, role_id, area_id)
        WHERE coalesce(s.month, f.month) IN (SELECT month FROM months)
        """
    ).df()
    latest = con.execute(
        f"""
        WITH act AS (
            SELECT DISTINCT o.record_id, m.month
            FROM o JOIN months m ON o.d < m.month + INTERVAL 1 MONTH AND o.d + {window_days - 1} >= m.month
        ), stock AS (
            SELECT a.month, r.role_ids_raw[1] AS role_id, r.area_id_raw AS area_id, count(*) AS stock
            FROM act a JOIN r ON r.resume_id = a.record_id GROUP BY ALL
        ), flow AS (
            SELECT date_trunc('month', r.created_at)::DATE AS month, r.role_ids_raw[1] AS role_id, r.area_id_raw AS area_id,
                   count(*) AS flow
            FROM r GROUP BY ALL
        )
        SELECT 'resume_latest' AS side, coalesce(s.month, f.month) AS month, coalesce(s.role_id, f.role_id) AS role_id,
               coalesce(s.area_id, f.area_id) AS area_id, coalesce(s.stock, 0) AS stock, coalesce(f.flow, 0) AS flow
        FROM stock s FULL JOIN flow f USING (month, role_id, area_id)
        WHERE coalesce(s.month, f.month) IN (SELECT month FROM months)
        """
    ).df()
    out = pd.concat([vac, res, latest], ignore_index=True)
    out["month"] = pd.to_datetime(out["month"]).dt.date
    return out


def compare_with_truth(directory: str | Path, window_days: int = 30) -> pd.DataFrame:
    """Cells where the recomputed stock or flow differs from truth/cube.parquet (empty = exact)."""
    d = Path(directory)
    mine = recompute(d, window_days)
    truth = pd.read_parquet(
        d / "truth" / "cube.parquet", columns=["side", "month", "role_id", "area_id", "stock", "flow"]
    )
    truth["month"] = pd.to_datetime(truth["month"]).dt.date
    merged = truth.merge(mine, on=["side", "month", "role_id", "area_id"], how="outer", suffixes=("_truth", "_sql"))
    merged = merged.fillna({"stock_truth": 0, "stock_sql": 0, "flow_truth": 0, "flow_sql": 0})
    bad = (merged["stock_truth"] != merged["stock_sql"]) | (merged["flow_truth"] != merged["flow_sql"])
    return merged[bad].reset_index(drop=True)
