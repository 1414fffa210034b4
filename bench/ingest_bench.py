"""Ingest throughput (hh JSON lines, flat CSV) against a pandas baseline, and peak memory as input grows.

The baseline is the straightforward way: parse everything with pandas (json_normalize /
read_csv) and insert the frame into DuckDB. kadry does more per record (validation,
accounting, merging, history), so the ratio shows what that costs; the memory runs show that
kadry's peak does not grow with the input while the baseline's does.

Usage: python bench/ingest_bench.py [--records 40000] [--large 1000000] [--large-json 200000]
(writes bench/results/ingest.md). JSON's large size is smaller: the real objects are 7.5 KB each,
so a million of them is a 7.5 GB file that the pandas baseline cannot hold in this machine's memory.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "vacancies"


def _make_jsonl(path: Path, n: int) -> None:
    with gzip.open(SAMPLES / "hh-api-2023-belarus.jsonl.gz", "rt") as f:
        seeds = [json.loads(line) for line in f]
    with path.open("w") as out:
        for i in range(n):
            obj = dict(seeds[i % len(seeds)])
            obj["id"] = str(10_000_000 + i)
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _make_csv(path: Path, n: int) -> None:
    with gzip.open(SAMPLES / "hh-csv-2022.csv.gz", "rt") as f:
        header, *rows = f.read().splitlines()
    with path.open("w") as out:
        out.write(header + "\n")
        for i in range(n):
            row = rows[i % len(rows)]
            # vary the title so rows stay distinct (the CSV has no id: content is the id)
            out.write(
                f"{row.split(',', 1)[0]} {i}," + row.split(",", 1)[1] + "\n" if not row.startswith('"') else row + "\n"
            )


_KADRY = """
import sys, time, resource
from kadry.store import Store
from kadry.ingest import ingest_paths
t = time.perf_counter()
with Store(sys.argv[1]) as s:
    r = ingest_paths(s, [sys.argv[2]])
dt = time.perf_counter() - t
from kadry.ingest.lines import shutdown_workers
shutdown_workers()  # reaped, so that RUSAGE_CHILDREN holds the largest worker's peak
print(r.total.read, dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""

_PANDAS = """
import sys, time, json, resource
import duckdb, pandas as pd
t = time.perf_counter()
path = sys.argv[2]
if path.endswith(".jsonl"):
    with open(path) as f:
        df = pd.json_normalize([json.loads(line) for line in f])
    df = df[[c for c in ("id", "name", "area.id", "area.name", "salary.from", "salary.to", "salary.currency",
                         "salary.gross", "experience.id", "schedule.id", "employment.id", "published_at", "created_at",
                         "description") if c in df.columns]]
else:
    df = pd.read_csv(path)
con = duckdb.connect(sys.argv[1], config={"memory_limit": "256MB"})
con.register("df", df)
con.execute("CREATE TABLE t AS SELECT * FROM df")
con.close()
dt = time.perf_counter() - t
print(len(df), dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

_NATIVE = """
import sys, time, resource
import duckdb
t = time.perf_counter()
path = sys.argv[2]
con = duckdb.connect(sys.argv[1], config={"memory_limit": "256MB"})
reader = "read_json('%s', format = 'newline_delimited')" if path.endswith(".jsonl") else "read_csv('%s')"
con.execute("CREATE TABLE t AS SELECT * FROM " + reader % path.replace("'", "''"))
n = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
con.close()
dt = time.perf_counter() - t
print(n, dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


_STORE_FLOOR = """
import sys, time, resource
import duckdb
con = duckdb.connect(sys.argv[1], config={"memory_limit": "256MB"})
con.execute("ATTACH '%s' AS k (READ_ONLY)" % sys.argv[2].replace("'", "''"))
for t in ("vacancies", "observations"):
    con.execute(f"CREATE TABLE {t} AS SELECT * FROM k.{t} LIMIT 0")
    con.execute(f"CREATE TEMP TABLE s_{t} AS SELECT * FROM k.{t}")
n = con.execute("SELECT count(*) FROM s_vacancies").fetchall()[0][0]
t = time.perf_counter()
con.execute("BEGIN")
con.execute("INSERT INTO vacancies SELECT * FROM s_vacancies")
con.execute("INSERT INTO observations SELECT * FROM s_observations")
con.execute("COMMIT")
dt = time.perf_counter() - t
print(n, dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _median(runs: list[tuple[int, float, float]]) -> tuple[int, float, float]:
    """Records, the median time and the largest peak of repeated runs of one side."""
    return runs[0][0], statistics.median(r[1] for r in runs), max(r[2] for r in runs)


def _run(code: str, db: Path, src: Path) -> tuple[int, float, float]:
    if db.exists():
        db.unlink()
    out = subprocess.run(
        [sys.executable, "-c", code, str(db), str(src)],
        capture_output=True,
        text=True,
        check=True,
        # as installed: modules' bytecode cached (pandas' is; an editable kadry under
        # PYTHONDONTWRITEBYTECODE=1 would compile its modules in every run)
        env={
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "KADRY_SALT": "bench-salt-0123456789",
            "KADRY_MEMORY_LIMIT": "256MB",
        },
    )
    n, dt, rss, *workers = out.stdout.strip().splitlines()[-1].split()
    # kadry's JSON workers (kadry.ingest.lines): counted as if each reached the largest one's peak
    extra = int(workers[0]) * min(2, os.cpu_count() or 1) if workers else 0
    return int(n), float(dt), (int(rss) + extra) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=40_000)
    parser.add_argument("--large", type=int, default=1_000_000, help="flat CSV records of the large run")
    parser.add_argument("--large-json", type=int, default=200_000, help="hh JSON lines of the large run")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side per input (median time reported)")
    args = parser.parse_args()
    n = args.records
    lines = [
        "# Ingest\n",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"date {date.today().isoformat()}, load average at start {os.getloadavg()[0]:.2f} (machine shared with other "
        f"jobs). Command: `python bench/ingest_bench.py --records {n} --large {args.large} --large-json {args.large_json} "
        f"--repeat {args.repeat}` (median time of {args.repeat} runs per side, sides taking turns). "
        "Inputs repeat real sample rows "
        "(data/samples) with new ids (JSON) or varied titles (CSV). "
        "All three sides run with DuckDB's memory_limit at 256MB (KADRY_MEMORY_LIMIT), so what grows is what the "
        "process holds, not DuckDB's cache of the store. kadry's peak for JSON lines counts its worker processes "
        "too (the parent's peak plus, per worker, the largest worker's).\n",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows = []
        runs = (
            ("hh JSON lines", _make_jsonl, "in.jsonl", n),
            ("flat hh CSV", _make_csv, "in.csv", n),
            ("hh JSON lines", _make_jsonl, "in.jsonl", args.large_json),
            ("flat hh CSV", _make_csv, "in.csv", args.large),
        )
        for fmt, maker, name, size in runs:
            src = tmp / name
            maker(src, size)
            # each side ``--repeat`` times, taking turns (so that a slow minute of the machine falls on
            # all three); the median time of each, and its largest peak
            runs: dict[str, list] = {"k": [], "v": [], "p": [], "d": []}
            for _ in range(args.repeat):
                runs["k"].append(_run(_KADRY, tmp / "k.duckdb", src))
                runs["v"].append(_run(_STORE_FLOOR, tmp / "s.duckdb", tmp / "k.duckdb"))
                runs["p"].append(_run(_PANDAS, tmp / "p.duckdb", src))
                runs["d"].append(_run(_NATIVE, tmp / "d.duckdb", src))
            (kn, kt, krss), (vn, vt, _), (pn, pt, prss), (dn, dt, drss) = (_median(runs[side]) for side in "kvpd")
            src.unlink()
            assert kn == pn == dn == size, (fmt, kn, pn, dn)
            rows.append(
                f"| {fmt} | {size:,} | {kn / kt:,.0f} rec/s, {kt:.1f} s ({krss:,.0f} MiB peak) "
                f"| {pn / pt:,.0f} rec/s, {pt:.1f} s ({prss:,.0f} MiB peak) "
                f"| {dn / dt:,.0f} rec/s, {dt:.1f} s ({drss:,.0f} MiB peak) | {kt / pt:.2f}x | {kt / dt:.2f}x "
                f"| {vt:.1f} s ({vn:,} rows), {vt / dt:.2f}x the native load |"
            )
            print(rows[-1], flush=True)
        lines += [
            "## Throughput\n",
            "| input | records | kadry ingest | pandas baseline (parse all, insert) | "
            "DuckDB native load (the floor) | kadry time / pandas | kadry time / DuckDB "
            "| DuckDB inserting the rows kadry keeps (its vacancies and sightings, from memory) |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
        ]
        mem = []
        for factor in (1, 2, 4):
            src = tmp / f"m{factor}.jsonl"
            _make_jsonl(src, n * factor)
            kn, kt, krss = _run(_KADRY, tmp / "k.duckdb", src)
            pn, pt, prss = _run(_PANDAS, tmp / "p.duckdb", src)
            mem.append((n * factor, src.stat().st_size / 2**20, krss, prss))
            src.unlink()
            print(mem[-1], flush=True)
        lines += [
            "## Peak memory as the input grows (hh JSON lines)\n",
            "| records | input size | kadry peak RSS | pandas baseline peak RSS |",
            "|---|---|---|---|",
            *(f"| {r:,} | {s:,.0f} MiB | {k:,.0f} MiB | {p:,.0f} MiB |" for r, s, k, p in mem),
            "",
            f"Input x2: kadry's peak grew {mem[1][2] / mem[0][2]:.2f}x, the baseline's {mem[1][3] / mem[0][3]:.2f}x; "
            f"input x4: kadry's {mem[2][2] / mem[0][2]:.2f}x, the baseline's {mem[2][3] / mem[0][3]:.2f}x.",
            "",
        ]
    out = ROOT / "bench" / "results" / "ingest.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
    print(out.read_text())


if __name__ == "__main__":
    main()
