"""What the store holds: counts by source, kind, period, quarantine reason and unmapped place."""

from __future__ import annotations

from kadry.store.db import Store

__all__ = ["store_stats"]


def _rows(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def store_stats(store: Store, *, unmapped_limit: int = 15) -> dict:
    """A summary as plain data, for the CLI table and the API's health page."""
    con = store.con
    out: dict = {"path": str(store.path)}
    out["records"] = _rows(
        con,
        """
        SELECT 'vacancy' AS kind, source, simulated, count(*) AS records FROM vacancies GROUP BY ALL
        UNION ALL
        SELECT 'resume', source, simulated, count(*) FROM resumes GROUP BY ALL
        ORDER BY kind, source, simulated""",
    )
    out["observations"] = con.execute("SELECT count(*) FROM observations").fetchall()[0][0]
    out["by_year"] = _rows(
        con,
        """
        SELECT 'vacancy' AS kind, year(published_at) AS year, count(*) AS records FROM vacancies GROUP BY ALL
        UNION ALL
        SELECT 'resume', year(coalesce(updated_at, created_at)), count(*) FROM resumes GROUP BY ALL
        ORDER BY kind, year NULLS FIRST""",
    )
    out["quarantine"] = _rows(
        con,
        """
        SELECT kind, regexp_replace(reason, '\\d+', 'N', 'g') AS reason, count(*) AS records
        FROM quarantine GROUP BY ALL ORDER BY records DESC, kind, reason""",
    )
    out["normalized"] = _rows(
        con,
        """
        SELECT 'vacancy' AS kind, count(*) FILTER (WHERE norm_version IS NOT NULL) AS normalized, count(*) AS records FROM vacancies
        UNION ALL
        SELECT 'resume', count(*) FILTER (WHERE norm_version IS NOT NULL), count(*) FROM resumes""",
    )
    out["unmapped_regions"] = _rows(
        con,
        f"""
        SELECT region_raw, count(*) AS records FROM (
            SELECT region_raw FROM vacancies WHERE region_status = 'unmapped'
            UNION ALL SELECT region_raw FROM resumes WHERE region_status = 'unmapped')
        GROUP BY ALL ORDER BY records DESC, region_raw LIMIT {int(unmapped_limit)}""",
    )
    out["place_coverage"] = _rows(
        con,
        """
        SELECT 'vacancy' AS kind, source, count(*) AS records,
               count(*) FILTER (WHERE region_status = 'mapped') AS mapped,
               count(*) FILTER (WHERE region_status = 'country_only') AS country_only,
               count(*) FILTER (WHERE region_status = 'unmapped') AS unmapped
        FROM vacancies WHERE region_status IS NOT NULL GROUP BY ALL
        UNION ALL
        SELECT 'resume', source, count(*), count(*) FILTER (WHERE region_status = 'mapped'),
               count(*) FILTER (WHERE region_status = 'country_only'), count(*) FILTER (WHERE region_status = 'unmapped')
        FROM resumes WHERE region_status IS NOT NULL GROUP BY ALL ORDER BY kind, source""",
    )
    out["files"] = con.execute("SELECT count(*) FROM ingest_log").fetchall()[0][0]
    out["names_hidden"] = con.execute("SELECT coalesce(sum(names_hidden), 0) FROM ingest_log").fetchall()[0][0]
    out["fields_quarantined"] = con.execute("SELECT count(*) FROM quarantine_fields").fetchall()[0][0]
    out["failed_files"] = _rows(con, "SELECT source_file, detail FROM ingest_log WHERE status = 'failed' ORDER BY 1")
    # stopped between parts (a run killed): the next run of the file continues it
    out["partial_files"] = _rows(
        con, "SELECT source_file, read, detail FROM ingest_log WHERE status = 'partial' ORDER BY 1"
    )
    return out
