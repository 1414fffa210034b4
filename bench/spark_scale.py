"""Indicators and the mobility cube on Spark (local mode) over Parquet partitioned by source and
month, against DuckDB on the same data, at 10M vacancies / 30M resume observations.

Data: the canonical rows of bench/indicators_bench.py's ``generate`` (simulated, labelled
``sim``), with places added to the resume sightings so that people move: every 20th resume's
last sighting is in another federal subject, every 100th abroad. The store is exported once
with ``Store.export_parquet(partitioned=True)`` (``source=sim/month=YYYY-MM`` folders); no
stored activity intervals are exported, so both engines merge the intervals at query time.

Measured, each in its own process (CPU seconds of the process and its Spark JVM, the sum of their peak RSS):
- the monthly index by role x federal subject over 2022-01..2023-12 with roll-ups;
- the mobility cube: moves between federal subjects (and abroad) by quarter;
on DuckDB (the store file) and on Spark ``local[2]`` (the partitioned export). The cells of
both engines are compared (count and sums).

Usage: python bench/spark_scale.py [--vacancies 10000000] [--observations 30000000] [--work DIR]
(appends to bench/results/spark_scale.md)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

START, END = "2022-01", "2023-12"


def prepare(work: Path, n_vac: int, n_obs: int) -> tuple[Path, Path, dict]:
    """The store (generated once) and its partitioned export; seconds taken."""
    from indicators_bench import generate

    from kadry.store import Store

    db, pq = work / "store.duckdb", work / "parquet"
    took = {}
    if not db.exists():
        t = time.perf_counter()
        generate(db, n_vac, n_obs)
        import duckdb

        con = duckdb.connect(str(db))
        con.execute("""
            UPDATE observations o SET region_code = CASE
                    WHEN hash(r.resume_id, 21) % 100 = 0 AND o.observed_at > r.created_at + INTERVAL 80 DAY THEN NULL
                    WHEN hash(r.resume_id, 20) % 20 = 0 AND o.observed_at > r.created_at + INTERVAL 80 DAY
                        THEN 'RU-' || lpad(CAST((CAST(substr(r.region_code, 4) AS INTEGER) + 1) % 85 AS VARCHAR), 2, '0')
                    ELSE r.region_code END,
                country_code = CASE WHEN hash(r.resume_id, 21) % 100 = 0 AND o.observed_at > r.created_at + INTERVAL 80 DAY
                    THEN 'GE' ELSE 'RU' END
            FROM resumes r WHERE r.resume_id = o.record_id""")
        con.execute("CHECKPOINT")
        con.close()
        took["generate"] = time.perf_counter() - t
    if not (pq / "observations.parquet").exists():
        t = time.perf_counter()
        with Store(db, read_only=True) as store:
            store.export_parquet(pq, ("vacancies", "resumes", "observations"), partitioned=True)
        took["export"] = time.perf_counter() - t
    return db, pq, took


def measure(what: str, db: str, pq: str) -> dict:
    """One measurement in this process: engine, query, seconds, cells and their sums."""
    from kadry.indicators.engine import Engine

    engine_name, query = what.split(":")
    t = time.perf_counter()
    if engine_name == "duckdb":
        eng = Engine.duckdb(db)
    else:
        from kadry.indicators.engine import spark_session

        session = spark_session("local[2]", driver_memory="8g", shuffle_partitions=8)
        eng = Engine.spark(pq, session=session)
    start_s = time.perf_counter() - t
    t = time.perf_counter()
    if query == "index":
        from kadry.indicators.api import compute

        tbl = compute("index", by=["role", "region"], period="month", start=START, end=END, engine=eng)
        cells = tbl.num_rows
        sums = [float(sum(x or 0 for x in tbl.column(c).to_pylist())) for c in ("n_vacancies", "n_resumes")]
    else:
        from kadry.mobility.flows import od_cube

        df = od_cube(eng, level="region", period="quarter", start=f"{START}-01", end="2023-12-31")
        cells = len(df)
        sums = [float(df["n_moves"].sum()), float(df["n_movers"].sum())]
    seconds = time.perf_counter() - t
    procs = [psutil.Process(), *psutil.Process().children(recursive=True)]  # with the Spark JVM, still running
    cpu = sum(sum(p.cpu_times()[:2]) for p in procs)
    return {
        "what": what,
        "start_s": start_s,
        "seconds": seconds,
        "cpu_s": cpu,
        "rss_mb": sum(_peak_kib(p.pid) for p in procs) / 1024,
        "cells": cells,
        "sums": sums,
    }


def _peak_kib(pid: int) -> int:
    """Peak resident memory of a process (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vacancies", type=int, default=10_000_000)
    ap.add_argument("--observations", type=int, default=30_000_000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/kadry-spark-scale"))
    ap.add_argument("--child", default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "spark_scale.md")
    args = ap.parse_args()
    db, pq = args.work / "store.duckdb", args.work / "parquet"
    if args.child:
        print(json.dumps(measure(args.child, str(db), str(pq))))
        return
    load = os.getloadavg()
    args.work.mkdir(parents=True, exist_ok=True)
    db, pq, took = prepare(args.work, args.vacancies, args.observations)
    results = []
    for what in ("duckdb:index", "spark:index", "duckdb:mobility", "spark:mobility"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", what, "--work", str(args.work)],
            capture_output=True,
            text=True,
            check=True,
        )
        res = json.loads(out.stdout.strip().splitlines()[-1])
        print(res, flush=True)
        results.append(res)
    by = {r["what"]: r for r in results}
    size = sum(f.stat().st_size for f in pq.rglob("*.parquet")) / 2**30
    folders = len({p.parent for p in (pq / "observations.parquet").rglob("*.parquet")})
    lines = [
        f"## {args.vacancies:,} vacancies, {args.observations:,} resume observations ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"- machine: {os.cpu_count()} cores; load average at the start {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}",
        f"- command: `python bench/spark_scale.py --vacancies {args.vacancies} --observations {args.observations}`",
        f"- data: generated and placed in {took.get('generate', 0):.0f} s; partitioned export (source x month, "
        f"{size:.2f} GiB, {folders} observation folders) in {took.get('export', 0):.0f} s (0: reused)",
        "- Spark: local[2], driver memory 8g, 8 shuffle partitions; CPU includes the JVM",
        "",
        "| query | engine | seconds (wall) | CPU s | peak RSS MB | cells | sums | same cells as DuckDB |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for q in ("index", "mobility"):
        d = by[f"duckdb:{q}"]
        for name in ("duckdb", "spark"):
            r = by[f"{name}:{q}"]
            same = "" if name == "duckdb" else ("yes" if (r["cells"], r["sums"]) == (d["cells"], d["sums"]) else "NO")
            lines.append(
                f"| {q} | {name} | {r['seconds']:.1f} (+{r['start_s']:.1f} start) | {r['cpu_s']:.1f} | "
                f"{r['rss_mb']:,.0f} | {r['cells']:,} | {', '.join(f'{x:,.0f}' for x in r['sums'])} | {same} |"
            )
    lines.append("")
    old = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Spark over partitioned Parquet\n\n"
    args.out.write_text(old.rstrip() + "\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
