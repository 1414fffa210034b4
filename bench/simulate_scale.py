"""Benchmark of ``kadry simulate``: throughput, flat memory, and the truth at 1M/3M.

Runs, in one session on this machine:
1. a baseline: a naive per-record Python generator (random.choices per field, dict rows,
   one Arrow table) on a small N, records per second;
2. ``kadry simulate`` at two sizes (default 100k/300k and 1M/3M) in subprocesses, wall time
   and peak RSS from /usr/bin/time -v (memory is flat when the peaks are about equal);
3. on the large run: the truth against the scenario targets, ``kadry simulate validate``, and
   (optionally, --exact) the DuckDB recomputation of every stock cell.

Writes bench/results/simulate.md. Usage:
    python bench/simulate_scale.py [--small 100000 300000] [--large 1000000 3000000] [--exact]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "simulate.md"
KADRY = [sys.executable, "-m", "kadry.cli"] if False else [str(Path(sys.executable).parent / "kadry")]


def naive(n_vac: int, n_res: int, out: Path) -> float:
    """The obvious way: one Python dict per record, random.choices per field. Records/s."""
    from kadry.simulate.model import load_calibration

    cal = load_calibration().data
    roles = cal["roles"]
    areas = cal["areas"]
    rw = [r["share"] for r in roles]
    aw = [a["share"] for a in areas]
    rs = cal["resume"]
    rnd = random.Random(1)
    t0 = time.perf_counter()
    rows = []
    for i in range(n_vac):
        r = rnd.choices(roles, rw)[0]
        a = rnd.choices(areas, aw)[0]
        pub = datetime(2021, 1, 1).timestamp() + rnd.random() * 730 * 86400
        life = rnd.choices(range(len(cal["vacancy"]["lifetime"]["pmf"])), cal["vacancy"]["lifetime"]["pmf"])[0]
        sal = rnd.lognormvariate(
            cal["vacancy"]["salary_mu"] + a["salary_effect"] + r["salary_effect"], cal["vacancy"]["salary_sigma"]
        )
        rows.append(
            {
                "vacancy_id": f"sim:{i}",
                "source": "sim",
                "source_id": str(i),
                "simulated": True,
                "title": rnd.choices(r["titles"], r["title_weights"])[0],
                "role_ids_raw": [r["id"]],
                "area_id_raw": a["id"],
                "region_raw": a["name"],
                "salary_from": round(sal, -3),
                "experience_raw": rnd.choices(list(r["experience"]), list(r["experience"].values()))[0],
                "skills_raw": rnd.sample(r["skills"], min(len(r["skills"]), 3)),
                "published_at": datetime.fromtimestamp(pub),
                "archived_at": datetime.fromtimestamp(pub + life * 86400),
            }
        )
    pq.write_table(pa.Table.from_pylist(rows), out / "naive_vacancies.parquet")
    rows = []
    for i in range(n_res):
        r = rnd.choices(roles, rw)[0]
        a = rnd.choices(areas, aw)[0]
        j = rnd.randrange(len(rs["age"]))
        t = datetime(2021, 1, 1).timestamp() + rnd.random() * 730 * 86400
        for _ in range(1 + int(rnd.expovariate(1 / 3))):
            t += rnd.expovariate(1 / 86400)
            rows.append(
                {
                    "record_id": f"sim:r{i}",
                    "observed_at": datetime.fromtimestamp(t),
                    "area_id_raw": a["id"],
                    "region_raw": a["name"],
                    "salary_amount": float(rs["salary"][j]),
                    "role": r["id"],
                }
            )
    pq.write_table(pa.Table.from_pylist(rows), out / "naive_observations.parquet")
    return (n_vac + n_res) / (time.perf_counter() - t0)


def run_kadry(n_vac: int, n_res: int, out: Path, scenario: str) -> dict:
    if out.exists():
        shutil.rmtree(out)
    cmd = [
        "/usr/bin/time",
        "-v",
        *KADRY,
        "simulate",
        "--vacancies",
        str(n_vac),
        "--resumes",
        str(n_res),
        "--seed",
        "1",
        "--scenario",
        scenario,
        "--out",
        str(out),
        "--quiet",
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"kadry simulate failed: {proc.stderr[-2000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    summary = json.loads((out / "truth" / "summary.json").read_text())
    size = sum(f.stat().st_size for f in out.rglob("*.parquet"))
    return {"n_vac": n_vac, "n_res": n_res, "wall": wall, "rss_mb": rss_kb / 1024, "summary": summary, "bytes": size}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    return f"{cpu}, {os.cpu_count()} cores, {mem} RAM, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", nargs=2, type=int, default=[100_000, 300_000])
    ap.add_argument("--large", nargs=2, type=int, default=[1_000_000, 3_000_000])
    ap.add_argument("--naive", nargs=2, type=int, default=[20_000, 20_000])
    ap.add_argument("--scenario", default="2022")
    ap.add_argument("--work", default="/tmp/kadry-bench-simulate")
    ap.add_argument("--exact", action="store_true", help="recompute every stock of the large run with DuckDB")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)

    base = naive(args.naive[0], args.naive[1], work)
    small = run_kadry(*args.small, work / "small", args.scenario)
    large = run_kadry(*args.large, work / "large", args.scenario)

    from kadry.simulate import compare_with_truth, validate

    report = validate(work / "large")
    exact = None
    if args.exact:
        t0 = time.perf_counter()
        bad = compare_with_truth(work / "large")
        exact = (len(bad), time.perf_counter() - t0)

    def rate(r: dict) -> float:
        return (r["n_vac"] + r["n_res"]) / r["summary"]["seconds"]["generate"]

    def obs(r: dict) -> int:
        return sum(r["summary"]["observations"].values())

    lines = [
        "# kadry simulate: throughput, memory, truth",
        "",
        f"- machine: {machine()}",
        f"- date: {started.strftime('%Y-%m-%d %H:%M UTC')} (shared machine: other sessions were running)",
        f"- command: `python bench/simulate_scale.py --small {args.small[0]} {args.small[1]} --large {args.large[0]} {args.large[1]}"
        f"{' --exact' if args.exact else ''}` (scenario `{args.scenario}`, seed 1, chunk 200,000)",
        "",
        "## Throughput and peak memory",
        "",
        "| run | vacancies | resumes | observations | plan s | generate+write s | total wall s | records/s (generate) | peak RSS MiB | Parquet MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in (("small", small), ("large", large)):
        s = r["summary"]
        lines.append(
            f"| {name} | {r['n_vac']:,} | {r['n_res']:,} | {obs(r):,} | {s['seconds']['plan']} | {s['seconds']['generate']} | "
            f"{r['wall']:.1f} | {rate(r):,.0f} | {r['rss_mb']:.0f} | {r['bytes'] / 2**20:.0f} |"
        )
    lines += [
        "",
        f"- baseline (same run): naive per-record Python generator, {args.naive[0]:,} vacancies + {args.naive[1]:,} resumes, "
        f"fewer fields: **{base:,.0f} records/s**; kadry (large run) **{rate(large):,.0f} records/s** = "
        f"**{rate(large) / base:.1f}x** the baseline.",
        f"- memory: peak RSS {small['rss_mb']:.0f} MiB at {small['n_vac'] + small['n_res']:,} records and "
        f"{large['rss_mb']:.0f} MiB at {large['n_vac'] + large['n_res']:,} records "
        f"(ratio {large['rss_mb'] / small['rss_mb']:.2f} for {(large['n_vac'] + large['n_res']) / (small['n_vac'] + small['n_res']):.0f}x the records): "
        "flat; it is set by --chunk-size and the truth cube (months x roles x areas), not by N.",
        "",
        "## Truth of the large run against the scenario targets",
        "",
        f"- pace of updates solved: {large['summary']['pace']:.4f}; moves: {large['summary']['moves']:,}",
        f"- target check (cells with >= {large['summary']['target_check'].get('min_vacancies')} vacancies): "
        f"{json.dumps({k: v for k, v in large['summary']['target_check'].items() if k != 'it_russia'})}",
        f"- IT in Russia, true index by month: {json.dumps(large['summary']['target_check'].get('it_russia'))}",
    ]
    if exact is not None:
        lines.append(
            f"- DuckDB recomputation of every stock and flow cell from the written Parquet: {exact[0]} cells differ ({exact[1]:.0f} s)"
        )
    lines += [
        "",
        "## kadry simulate validate (large run)",
        "",
        "| check | measure | value | tolerance | ok |",
        "|---|---|---:|---:|---|",
    ]
    for row in report["rows"]:
        lines.append(
            f"| {row['check']} | {row['measure']} | {row['value']:.4f} | {row['tolerance']} | {'yes' if row['ok'] else 'NO'} |"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
