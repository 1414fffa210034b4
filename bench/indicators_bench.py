"""Benchmark: monthly deficiency index for every role x federal subject over two years.

Synthetic canonical rows (normalized columns filled) are generated with DuckDB SQL into a
bench store; then, each in a fresh subprocess (so peak memory is per measurement):

- floor:  DuckDB reading every column the indicator uses (max() of each column);
- kadry:  ``compute("index", by=["role", "region"], period="month")`` on DuckDB
          (with roll-ups, and without);
- daily:  ``compute("stock", by=["region"], period="day")`` over the same two years;
- pandas: a straightforward pandas implementation (columns loaded from DuckDB, records
          exploded to one row per month they touch, groupby nunique, roll-ups by groupby).

The stored intervals (kadry/indicators/stored.py) are built once if the bench store lacks
them ("refresh", timed); kadry's query reads them, and so do the baselines: hand-written
DuckDB SQL (the floor for this work), Polars (lazy) and vectorised pandas, all over the
same tables; "kadry_computed" is the old path (intervals merged at query time).

Usage: python bench/indicators_bench.py --vacancies 1000000 --observations 3000000
Writes bench/results/indicators.md (appends a run section) unless --no-write.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "indicators.md"
START, END = "2022-01", "2023-12"
ROLES, REGIONS = 170, 85


def generate(path: Path, n_vac: int, n_obs: int) -> None:
    """Canonical rows with DuckDB SQL: no PK indexes (the bench measures indicators, not the store)."""
    import duckdb

    from kadry.schema import TABLES

    n_res = max(1, n_obs // 3)
    con = duckdb.connect(str(path))
    for table in ("vacancies", "resumes", "observations"):
        cols, _ = TABLES[table]
        con.execute(f"CREATE TABLE {table} ({', '.join(f'{c.name} {c.type}' for c in cols)})")
    region = f"'RU-' || lpad(CAST(hash(i, 2) % {REGIONS} AS VARCHAR), 2, '0')"
    con.execute(f"""
        INSERT INTO vacancies (vacancy_id, source, source_id, simulated, published_at, closed_at, last_seen,
                               role_id, region_code, federal_district, country_code, experience, remote,
                               salary_rub, salary_flag, dup_of)
        SELECT 'sim:' || i, 'sim', CAST(i AS VARCHAR), true, pub,
               CASE WHEN hash(i, 3) % 2 = 0 THEN pub + to_days(CAST(hash(i, 4) % 60 AS INTEGER)) END,
               pub + to_days(CAST(hash(i, 5) % 30 AS INTEGER)),
               CAST(1 + hash(i, 1) % {ROLES} AS VARCHAR), {region}, 'FD' || CAST(hash(i, 2) % 8 AS VARCHAR), 'RU',
               ['noExperience', 'between1And3', 'between3And6', 'moreThan6'][1 + CAST(hash(i, 6) % 4 AS INTEGER)],
               hash(i, 7) % 5 = 0, 30000 + hash(i, 8) % 150000, 'ok',
               CASE WHEN hash(i, 9) % 50 = 0 THEN 'sim:' || (i - 1) END
        FROM (SELECT i, TIMESTAMP '2021-11-01' + to_seconds(CAST(hash(i, 0) % (790 * 86400) AS BIGINT)) AS pub
              FROM range({n_vac}) t(i))
    """)
    con.execute(f"""
        INSERT INTO resumes (resume_id, source, source_key, simulated, created_at, updated_at, role_id, region_code,
                             federal_district, country_code, experience, remote, salary_rub, salary_flag)
        SELECT 'sim:r' || i, 'sim', CAST(i AS VARCHAR), true, created, created + to_days(80),
               CAST(1 + hash(i, 1) % {ROLES} AS VARCHAR), {region}, 'FD' || CAST(hash(i, 2) % 8 AS VARCHAR), 'RU',
               ['noExperience', 'between1And3', 'between3And6', 'moreThan6'][1 + CAST(hash(i, 6) % 4 AS INTEGER)],
               hash(i, 7) % 3 = 0, 40000 + hash(i, 8) % 150000, 'ok'
        FROM (SELECT i, TIMESTAMP '2021-09-01' + to_seconds(CAST(hash(i, 0) % (800 * 86400) AS BIGINT)) AS created
              FROM range({n_res}) t(i))
    """)
    # three sightings per resume, 0-39, 40-79 and 80-119 days after creation; updated 0-9 days before each
    con.execute(f"""
        INSERT INTO observations (kind, record_id, observed_at, updated_at, archived)
        SELECT 'resume', 'sim:r' || r, seen, seen - to_days(CAST(hash(i, 11) % 10 AS INTEGER)), false
        FROM (SELECT i, i // 3 AS r, i % 3 AS j FROM range({n_res * 3}) t(i)) o,
             LATERAL (SELECT TIMESTAMP '2021-09-01' + to_seconds(CAST(hash(o.r, 0) % (800 * 86400) AS BIGINT))
                             + to_days(CAST(o.j * 40 + hash(o.i, 10) % 40 AS INTEGER)) AS seen)
    """)
    con.execute("CHECKPOINT")
    con.close()


FLOOR_SQL = """
SELECT
 (SELECT [max(vacancy_id), max(role_id), max(region_code), max(dup_of)]::VARCHAR
         || max(published_at) || max(created_at) || max(first_seen) || max(closed_at) || max(archived_at)
         || bool_or(simulated) FROM vacancies),
 (SELECT [max(resume_id), max(role_id), max(region_code)]::VARCHAR
         || max(created_at) || max(updated_at) || max(first_seen) || max(last_seen) || bool_or(simulated) FROM resumes),
 (SELECT max(kind) || max(record_id) || max(observed_at) || max(updated_at) FROM observations)
"""


def _calendar(start: str, end: str) -> tuple[list[tuple[int, int]], int, int]:
    from kadry.indicators.periods import calendar, parse_day

    cal = calendar("month", parse_day(start), parse_day(end, end=True)).to_pylist()
    return [(c["ps"], c["pe"]) for c in cal], cal[0]["ps"], cal[-1]["pe"]


def index_sql(start: str = START, end: str = END) -> str:
    """The hand-written DuckDB query: the same cells from the same stored intervals.

    What a skilled SQL user writes over ``activity_intervals``: each interval meets the
    months it overlaps (a range join with a 24-row calendar); a vacancy has one interval,
    so its rows are counted as they are; a resume's several intervals in one month count
    once (DISTINCT); roll-ups by GROUPING SETS; codes decoded at the end.
    """
    cal, first, last = _calendar(start, end)
    values = ", ".join(f"({ps}, {pe})" for ps, pe in cal)
    return f"""
    WITH cal(ps, pe) AS (VALUES {values}),
    v AS (SELECT role, region, ps FROM activity_intervals JOIN cal ON s <= pe AND e >= ps
          WHERE kind = 'vacancy' AND NOT dup AND e >= {first} AND s <= {last}),
    r AS (SELECT DISTINCT rec, role, region, ps FROM activity_intervals JOIN cal ON s <= pe AND e >= ps
          WHERE kind = 'resume' AND e >= {first} AND s <= {last}),
    cells AS (SELECT role, region, ps, sum(nv) AS nv, sum(nr) AS nr FROM (
                SELECT role, region, ps, count(*) AS nv, 0 AS nr FROM v GROUP BY ALL
                UNION ALL SELECT role, region, ps, 0, count(*) FROM r GROUP BY ALL) GROUP BY ALL),
    up AS (SELECT role, region, ps, sum(nv) AS nv, sum(nr) AS nr FROM cells
           GROUP BY GROUPING SETS ((role, region, ps), (role, ps), (region, ps), (ps)))
    SELECT coalesce(cr.value, 'all') AS role, coalesce(cg.value, 'all') AS region, ps, nv, nr,
           nr::DOUBLE / nullif(nv, 0) AS index
    FROM up LEFT JOIN (SELECT code, value FROM segment_codes WHERE dim = 'role') cr ON cr.code = up.role
            LEFT JOIN (SELECT code, value FROM segment_codes WHERE dim = 'region') cg ON cg.code = up.region
    """


def daily_sql(start: str = START, end: str = END) -> str:
    """Daily stocks by region with a sweep: +1 on each interval's first day, -1 after its last, running sum.

    A resume's merged intervals are disjoint and non-adjacent, so the sweep counts each
    record once a day; roll-up by GROUPING SETS.
    """
    from kadry.indicators.periods import day_number, parse_day

    first, last = day_number(parse_day(start)), day_number(parse_day(end, end=True))
    return f"""
    WITH iv AS (SELECT kind, region, greatest(s, {first}) AS s, e FROM activity_intervals
                WHERE (kind = 'resume' OR NOT dup) AND e >= {first} AND s <= {last}),
    ev AS (SELECT region, s AS d, count(*) FILTER (WHERE kind = 'vacancy') AS dv, count(*) FILTER (WHERE kind = 'resume') AS dr
           FROM iv GROUP BY ALL
           UNION ALL
           SELECT region, e + 1, -count(*) FILTER (WHERE kind = 'vacancy'), -count(*) FILTER (WHERE kind = 'resume')
           FROM iv WHERE e < {last} GROUP BY ALL),
    per AS (SELECT region, d, sum(dv) AS dv, sum(dr) AS dr FROM ev GROUP BY GROUPING SETS ((region, d), (d))),
    grid AS (SELECT region, d FROM (SELECT DISTINCT region FROM per) CROSS JOIN range({first}, {last} + 1) t(d)),
    run AS (SELECT g.region, g.d, sum(coalesce(p.dv, 0)) OVER w AS nv, sum(coalesce(p.dr, 0)) OVER w AS nr
            FROM grid g LEFT JOIN per p ON p.region IS NOT DISTINCT FROM g.region AND p.d = g.d
            WINDOW w AS (PARTITION BY g.region ORDER BY g.d))
    SELECT coalesce(c.value, 'all') AS region, d, nv, nr FROM run
    LEFT JOIN (SELECT code, value FROM segment_codes WHERE dim = 'region') c ON c.code = run.region
    WHERE nv > 0 OR nr > 0
    """


def _month_key(ps: int) -> str:
    from datetime import date, timedelta

    return (date(1970, 1, 1) + timedelta(days=int(ps))).isoformat()


def _load_intervals(db: str, columns: str = "rec, role, region, s, e, dup"):
    """The stored intervals as Arrow (what a pandas/Polars user loads from the store): the columns
    the computation reads, and whether each row is a vacancy."""
    import duckdb

    con = duckdb.connect(db, read_only=True)
    iv = con.sql(f"SELECT kind = 'vacancy' AS is_v, {columns} FROM activity_intervals").to_arrow_table()
    codes = con.sql("SELECT dim, code, value FROM segment_codes WHERE dim IN ('role', 'region')").to_arrow_table()
    con.close()
    return iv, codes


def polars_index(db: str, start: str = START, end: str = END):
    """Polars (lazy): months of each interval by date arithmetic, explode, unique per resume-month, group_by."""
    from datetime import date, timedelta

    import polars as pl

    cal, first, last = _calendar(start, end)
    d0 = date(1970, 1, 1) + timedelta(days=first)
    m0 = d0.year * 12 + d0.month - 1
    starts = pl.Series("ps", [ps for ps, _ in cal], pl.Int64)
    iv, codes = _load_intervals(db)
    lf = pl.from_arrow(iv).lazy()
    lf = lf.filter((pl.col("is_v").not_() | pl.col("dup").not_()) & (pl.col("e") >= first) & (pl.col("s") <= last))

    def month(c: str) -> pl.Expr:  # months since the first of the range
        d = pl.col(c).clip(first, last).cast(pl.Int32).cast(pl.Date)
        return d.dt.year().cast(pl.Int32) * 12 + d.dt.month().cast(pl.Int32) - 1 - m0

    lf = lf.with_columns(m=pl.int_ranges(month("s"), month("e") + 1)).explode("m")
    v = lf.filter(pl.col("is_v")).group_by("role", "region", "m").agg(nv=pl.len())
    r = (
        lf.filter(pl.col("is_v").not_())
        .select("rec", "role", "region", "m")
        .unique()
        .group_by("role", "region", "m")
        .agg(nr=pl.len())
    )
    cells = v.join(r, on=["role", "region", "m"], how="full", coalesce=True).with_columns(
        pl.col("nv").fill_null(0), pl.col("nr").fill_null(0)
    )
    parts = [cells]
    for keep in (["role"], ["region"], []):
        g = cells.group_by([*keep, "m"]).agg(pl.col("nv").sum(), pl.col("nr").sum())
        parts.append(g.with_columns(*[pl.lit(None, pl.Int32).alias(d) for d in ("role", "region") if d not in keep]))
    out = pl.concat(
        [
            p.select(
                pl.col("role").cast(pl.Int32),
                pl.col("region").cast(pl.Int32),
                pl.col("m").cast(pl.Int64),
                pl.col("nv").cast(pl.Int64),
                pl.col("nr").cast(pl.Int64),
            )
            for p in parts
        ]
    )
    cd = pl.from_arrow(codes).lazy()
    for d in ("role", "region"):
        c = cd.filter(pl.col("dim") == d).select(pl.col("code").alias(d), pl.col("value").alias(f"{d}_v"))
        out = out.join(c, on=d, how="left").with_columns(pl.col(f"{d}_v").fill_null("all"))
    out = out.select(role="role_v", region="region_v", ps=pl.lit(starts).gather(pl.col("m")), nv="nv", nr="nr")
    return out.collect()


def polars_daily(db: str, start: str = START, end: str = END):
    """Polars (lazy) daily stock by region: +1 on each interval's first day, -1 after its last, cum_sum.

    The same sweep as ``daily_sql`` (a resume's merged intervals are disjoint and non-adjacent,
    so each record counts once a day): events summed per region and day, with the all-regions
    roll-up, laid on the full region x day grid, cumulated per region.
    """
    import polars as pl

    from kadry.indicators.periods import day_number, parse_day

    first, last = day_number(parse_day(start)), day_number(parse_day(end, end=True))
    iv, codes = _load_intervals(db, "region, s, e, dup")
    lf = pl.from_arrow(iv).lazy()
    lf = lf.filter((pl.col("is_v").not_() | pl.col("dup").not_()) & (pl.col("e") >= first) & (pl.col("s") <= last))
    v = pl.col("is_v").cast(pl.Int64)
    starts = lf.select("region", d=pl.max_horizontal(pl.col("s"), pl.lit(first)), dv=v, dr=1 - v)
    ends = lf.filter(pl.col("e") < last).select("region", d=pl.col("e") + 1, dv=-v, dr=v - 1)
    ev = pl.concat([starts, ends]).group_by("region", "d").agg(pl.col("dv").sum(), pl.col("dr").sum())
    total = ev.group_by("d").agg(pl.col("dv").sum(), pl.col("dr").sum()).with_columns(region=pl.lit(-1, pl.Int32))
    ev = pl.concat([ev.with_columns(pl.col("region").cast(pl.Int32)), total.select("region", "d", "dv", "dr")])
    days = pl.LazyFrame({"d": pl.int_range(first, last + 1, eager=True)})
    grid = ev.select("region").unique().join(days, how="cross")
    run = (
        grid.join(ev, on=["region", "d"], how="left")
        .with_columns(pl.col("dv").fill_null(0), pl.col("dr").fill_null(0))
        .sort("region", "d")
        .with_columns(nv=pl.col("dv").cum_sum().over("region"), nr=pl.col("dr").cum_sum().over("region"))
        .filter((pl.col("nv") > 0) | (pl.col("nr") > 0))
    )
    cd = pl.from_arrow(codes).lazy().filter(pl.col("dim") == "region")
    names = cd.select(region=pl.col("code").cast(pl.Int32), name=pl.col("value"))
    out = run.join(names, on="region", how="left").select(
        region=pl.col("name").fill_null("all"), d="d", nv="nv", nr="nr"
    )
    return out.collect()


def pandas_index(db: str, start: str = START, end: str = END):
    """Vectorised pandas/NumPy: months by integer arithmetic, np.repeat, drop_duplicates per resume-month, groupby."""
    import numpy as np
    import pandas as pd

    cal, first, last = _calendar(start, end)
    iv, codes = _load_intervals(db)
    df = iv.to_pandas()
    df = df[(~df.is_v | ~df.dup) & (df.e >= first) & (df.s <= last)]
    ps = np.array([p for p, _ in cal], dtype=np.int64)
    ms = np.searchsorted(ps, np.clip(df.s.to_numpy(), first, last), side="right") - 1
    me = np.searchsorted(ps, np.clip(df.e.to_numpy(), first, last), side="right") - 1
    n = me - ms + 1
    idx = np.repeat(np.arange(len(df)), n)
    offs = np.arange(len(idx)) - np.repeat(np.cumsum(n) - n, n)
    ex = pd.DataFrame(
        {
            "is_v": df.is_v.to_numpy()[idx],
            "rec": df.rec.to_numpy()[idx],
            "role": df.role.to_numpy()[idx],
            "region": df.region.to_numpy()[idx],
            "m": (ms[idx] + offs).astype(np.int16),
        }
    )
    v = ex[ex.is_v].groupby(["role", "region", "m"]).size().rename("nv")
    r = ex[~ex.is_v].drop_duplicates(["rec", "m"]).groupby(["role", "region", "m"]).size().rename("nr")
    cells = pd.concat([v, r], axis=1).fillna(0).astype(np.int64).reset_index()
    parts = [cells]
    for keep in (["role"], ["region"], []):
        g = cells.groupby([*keep, "m"])[["nv", "nr"]].sum().reset_index()
        for d in ("role", "region"):
            if d not in keep:
                g[d] = -1
        parts.append(g)
    out = pd.concat(parts, ignore_index=True)
    cd = codes.to_pandas()
    for d in ("role", "region"):
        names = dict(zip(cd[cd.dim == d].code, cd[cd.dim == d].value))
        names[-1] = "all"
        out[d] = out[d].map(names)
    out["ps"] = ps[out.m.to_numpy()]
    return out


def baseline_cells(name: str, db: str, start: str = START, end: str = END) -> dict:
    """``{(role, region, period iso): (n_vacancies, n_resumes)}`` from one baseline (tests compare them with kadry)."""
    if name == "sql":
        import duckdb

        con = duckdb.connect(db, read_only=True)
        rows = con.execute(index_sql(start, end)).fetchall()
        con.close()
        return {(ro, re, _month_key(ps)): (int(nv), int(nr)) for ro, re, ps, nv, nr, _ in rows}
    df = polars_index(db, start, end).to_pandas() if name == "polars" else pandas_index(db, start, end)
    return {
        (ro, re, _month_key(ps)): (int(nv), int(nr))
        for ro, re, ps, nv, nr in zip(df.role, df.region, df.ps, df.nv, df.nr)
    }


def daily_cells(name: str, db: str, start: str = START, end: str = END) -> dict:
    """``{(region, day iso): (n_vacancies, n_resumes)}`` from a daily baseline (``daily_sql`` or ``polars_daily``)."""
    if name == "daily_sql":
        import duckdb

        con = duckdb.connect(db, read_only=True)
        rows = con.execute(daily_sql(start, end)).fetchall()
        con.close()
    else:
        rows = polars_daily(db, start, end).rows()
    return {(re, _month_key(d)): (int(nv), int(nr)) for re, d, nv, nr in rows}


def measure(what: str, db: str) -> dict:
    """Run one measurement in this process; returns seconds and a result summary."""
    import duckdb  # noqa: F401  (imports are not part of any measurement)
    import ibis.backends.duckdb  # noqa: F401  (kadry's engine: loaded on first connect)
    import pandas  # noqa: F401
    import polars  # noqa: F401

    from kadry.indicators import Engine, compute

    use = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = use.ru_utime + use.ru_stime  # interpreter start-up and imports are not counted
    t0 = time.perf_counter()
    summary: dict = {}
    if what == "floor":
        import duckdb

        con = duckdb.connect(db, read_only=True)
        con.execute(FLOOR_SQL).fetchall()
        con.close()
    elif what == "refresh":
        from kadry.indicators.stored import refresh_intervals
        from kadry.store import Store

        with Store(db) as st:
            summary = {"rows": refresh_intervals(st)}
            st.con.execute("CHECKPOINT")
    elif what in ("sql", "daily_sql"):
        import duckdb

        con = duckdb.connect(db, read_only=True)
        rows = con.execute(index_sql() if what == "sql" else daily_sql()).fetchall()
        con.close()
        summary = {"rows": len(rows)}
        if what == "sql":
            tot = [r for r in rows if r[0] == "all" and r[1] == "all"]
            summary.update(all_vacancies=int(sum(r[3] for r in tot)), all_resumes=int(sum(r[4] for r in tot)))
    elif what == "polars_daily":
        summary = {"rows": polars_daily(db).height}
    elif what in ("polars", "pandas"):
        df = polars_index(db).to_pandas() if what == "polars" else pandas_index(db)
        tot = df[(df.role == "all") & (df.region == "all")]
        summary = {"rows": len(df), "all_vacancies": int(tot.nv.sum()), "all_resumes": int(tot.nr.sum())}
    elif what == "pandas_rowwise":
        summary = _pandas(db)
    elif what in ("kadry", "kadry_no_rollups", "daily", "kadry_salary", "kadry_computed"):
        with Engine.duckdb(db) as eng:
            if what == "kadry_computed":  # the intervals merged from the records, as before they were stored
                eng.stored_intervals = False
            if what == "daily":
                t = compute("stock", by=["region"], period="day", start=START, end=END, engine=eng)
            elif what == "kadry_salary":
                t = compute(
                    "salary", by=["role", "region"], period="month", start=START, end=END, engine=eng, rollups=False
                )
            else:
                t = compute(
                    "index",
                    by=["role", "region"],
                    period="month",
                    start=START,
                    end=END,
                    engine=eng,
                    rollups=(what != "kadry_no_rollups"),
                )
    else:
        raise SystemExit(f"unknown measurement {what}")
    seconds = time.perf_counter() - t0
    use = resource.getrusage(resource.RUSAGE_SELF)
    if what in ("kadry", "kadry_no_rollups", "daily", "kadry_salary", "kadry_computed"):
        summary = {"rows": t.num_rows}
        if what in ("kadry", "kadry_no_rollups", "kadry_computed"):
            import pyarrow.compute as pc

            keep = (
                t.filter(pc.and_(pc.equal(t["role"], "all"), pc.equal(t["region"], "all")))
                if what != "kadry_no_rollups"
                else t
            )
            summary["all_vacancies"] = pc.sum(keep["n_vacancies"]).as_py()
            summary["all_resumes"] = pc.sum(keep["n_resumes"]).as_py()
    return {
        "what": what,
        "seconds": seconds,
        "cpu_seconds": use.ru_utime + use.ru_stime - cpu0,
        "max_rss_mb": use.ru_maxrss / 1024,
        **summary,
    }


def _pandas(db: str) -> dict:
    """The straightforward way: load, explode each record to the months it touches, nunique."""
    import duckdb
    import numpy as np
    import pandas as pd

    t0 = time.perf_counter()
    con = duckdb.connect(db, read_only=True)
    v = con.execute(
        "SELECT vacancy_id, published_at, closed_at, archived_at, dup_of, role_id, region_code FROM vacancies"
    ).df()
    r = con.execute("SELECT resume_id, created_at, updated_at, role_id, region_code FROM resumes").df()
    o = con.execute("SELECT record_id, observed_at, updated_at FROM observations WHERE kind = 'resume'").df()
    con.close()
    load = time.perf_counter() - t0
    months = pd.period_range(START, END, freq="M")
    first, last = months[0].start_time, months[-1].end_time.normalize()

    v = v[v.dup_of.isna()]
    start = v.published_at.dt.normalize()
    end = v.closed_at.fillna(v.archived_at).dt.normalize().fillna(start + pd.Timedelta(days=29))
    vi = pd.DataFrame(
        {
            "id": v.vacancy_id,
            "role": v.role_id.fillna("unknown"),
            "region": v.region_code.fillna("unknown"),
            "s": start,
            "e": end,
        }
    )
    vi = vi[(vi.e >= first) & (vi.s <= last) & (vi.e >= vi.s)]

    ev = [
        pd.DataFrame({"id": r.resume_id, "s": r.created_at.dt.normalize(), "w": 29}),
        pd.DataFrame({"id": r.resume_id, "s": r.updated_at.dt.normalize(), "w": 29}),
        pd.DataFrame({"id": o.record_id, "s": o.updated_at.dt.normalize(), "w": 29}),
        pd.DataFrame({"id": o.record_id, "s": o.observed_at.dt.normalize(), "w": 0}),
    ]
    ev = pd.concat(ev, ignore_index=True).dropna(subset=["s"])
    created = r.set_index("resume_id").created_at.dt.normalize()
    ev["c"] = ev.id.map(created)
    ev["s"] = ev[["s", "c"]].max(axis=1)
    ev["e"] = ev.s + pd.to_timedelta(ev.w, unit="D")
    attrs = r.set_index("resume_id")[["role_id", "region_code"]].fillna("unknown")
    ev = ev[(ev.e >= first) & (ev.s <= last)]

    def explode(df: pd.DataFrame) -> pd.DataFrame:
        sm = df.s.clip(lower=first).dt.to_period("M")
        em = df.e.clip(upper=last).dt.to_period("M")
        n = (em - sm).apply(lambda x: x.n) + 1
        rep = df.loc[df.index.repeat(n)].copy()
        offs = np.concatenate([np.arange(k) for k in n]) if len(n) else np.array([], dtype=int)
        rep["month"] = sm.loc[rep.index].values + offs
        return rep

    va = explode(vi)[["id", "role", "region", "month"]]
    ra = explode(ev)[["id", "month"]].drop_duplicates()
    ra = ra.join(attrs, on="id").rename(columns={"role_id": "role", "region_code": "region"})
    out = []
    for keys in (["role", "region"], ["role"], ["region"], []):
        gv = va.groupby(keys + ["month"]).id.nunique().rename("n_vacancies")
        gr = ra.groupby(keys + ["month"]).id.nunique().rename("n_resumes")
        g = pd.concat([gv, gr], axis=1).fillna(0).reset_index()
        for d in ("role", "region"):
            if d not in keys:
                g[d] = "all"
        out.append(g)
    res = pd.concat(out, ignore_index=True)
    res["index"] = res.n_resumes / res.n_vacancies.replace(0, np.nan)
    tot = res[(res.role == "all") & (res.region == "all")]
    return {
        "rows": len(res),
        "load_seconds": load,
        "all_vacancies": int(tot.n_vacancies.sum()),
        "all_resumes": int(tot.n_resumes.sum()),
    }


def _child(what: str, db: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", what, "--db", db], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{what} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _machine() -> str:
    import duckdb

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, duckdb {duckdb.__version__}; load average at start {load:.1f} "
        "(machine shared with other sessions)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vacancies", type=int, default=1_000_000)
    ap.add_argument("--observations", type=int, default=3_000_000)
    ap.add_argument("--db", default=None)
    ap.add_argument("--measure", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--skip", default="", help="comma-separated measurements to skip (pandas, daily, ...)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.db)))
        return
    db = Path(args.db or f"/tmp/kadry_bench_{args.vacancies}_{args.observations}.duckdb")
    if not db.exists():
        t0 = time.perf_counter()
        generate(db, args.vacancies, args.observations)
        print(f"generated {db} in {time.perf_counter() - t0:.1f}s", flush=True)
    machine = _machine()
    results = {}
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    has = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'activity_intervals'"
    ).fetchall()[0][0]
    con.close()
    order = (
        "floor",
        "sql",
        "kadry",
        "kadry_no_rollups",
        "polars",
        "pandas",
        "daily_sql",
        "daily",
        "polars_daily",
        "kadry_computed",
        "kadry_salary",
    )
    if not has:
        order = ("refresh",) + order
    for what in order:
        if what in args.skip.split(","):
            continue
        runs = [_child(what, str(db)) for _ in range(args.repeat)]
        best = min(runs, key=lambda x: x["cpu_seconds"])
        results[what] = best
        print(json.dumps(best), flush=True)
    report = _report(args, machine, results)
    print(report)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        head = (
            ""
            if RESULTS.exists()
            else "# Indicators benchmark\n\nProduced by `bench/indicators_bench.py`; each section is one run.\n"
        )
        with RESULTS.open("a") as f:
            f.write(head + "\n" + report)


def _report(args, machine: str, res: dict) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    floor = res.get("floor", {}).get("seconds")
    floor_cpu = res.get("floor", {}).get("cpu_seconds")
    lines = [
        f"## {args.vacancies:,} vacancies, {args.observations:,} resume observations ({args.observations // 3:,} resumes)",
        "",
        f"- date: {when}",
        f"- machine: {machine}",
        f"- data: synthetic canonical rows (bench/indicators_bench.py `generate`), {ROLES} roles x {REGIONS} regions, "
        f"publication 2021-11..2023-12; query {START}..{END} monthly (24 periods)",
        "",
        "Wall seconds depend on what else runs on this shared machine; CPU seconds (user + system of the "
        "measuring process, imports excluded) are the steadier figure. Ratios are against the floor of the same run.",
        "",
        "| measurement | wall s | x floor | CPU s | x floor (CPU) | peak RSS MB | rows | notes |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    notes = {
        "floor": "DuckDB reads every column the index uses (max of each)",
        "kadry": "index by role x region x month, with roll-ups (4 groupings)",
        "kadry_no_rollups": "index by role x region x month, full cells only",
        "daily": "stock by region x day (730 days), with roll-up",
        "kadry_salary": "salary quartiles by role x region x month (range join population)",
        "pandas": "vectorised pandas/NumPy over the stored intervals: np.repeat to months, drop_duplicates, groupby",
        "pandas_rowwise": "the old strawman: per-row Python month lists, from the raw tables",
        "polars": "Polars (lazy) over the stored intervals: int_ranges of months, explode, unique, group_by",
        "sql": "hand-written DuckDB SQL over the stored intervals (range join with the calendar, GROUPING SETS)",
        "daily_sql": "hand-written DuckDB SQL: daily stock by region by a +1/-1 sweep over the stored intervals",
        "polars_daily": "Polars (lazy): daily stock by region by the same sweep (group_by, full grid, cum_sum per region)",
        "refresh": "full build of the stored intervals (activity_intervals) from the records",
        "kadry_computed": "index as before: intervals merged from the records at query time",
    }
    for what, r in res.items():
        ratio = f"{r['seconds'] / floor:.1f}" if floor else ""
        ratio_cpu = f"{r['cpu_seconds'] / floor_cpu:.1f}" if floor_cpu else ""
        note = notes[what]
        if what == "pandas_rowwise":
            note += f" (of which loading columns {r['load_seconds']:.1f}s wall)"
        lines.append(
            f"| {what} | {r['seconds']:.1f} | {ratio} | {r['cpu_seconds']:.1f} | {ratio_cpu} | {r['max_rss_mb']:.0f} "
            f"| {r.get('rows', '')} | {note} |"
        )
    k = res.get("kadry")
    for other in ("sql", "polars", "pandas", "kadry_computed"):
        if k and other in res:
            p = res[other]
            same = (k["all_vacancies"], k["all_resumes"]) == (p.get("all_vacancies"), p.get("all_resumes"))
            lines.append("")
            lines.append(
                f"{other} / kadry: {p['seconds'] / k['seconds']:.2f}x wall, {p['cpu_seconds'] / k['cpu_seconds']:.2f}x CPU; "
                f"totals over all months agree: {same} (vacancy-months {k['all_vacancies']:,}, resume-months {k['all_resumes']:,})."
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
