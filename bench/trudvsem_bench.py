"""Ingest of the portal's CV dump: throughput and peak memory on simulated dumps up to 1 GB.

kadry (``ingest_snapshot``: stream by tag, privacy filter, staging, one transaction of runs)
against the loop the public loaders run (tha-rc/rostrud_pipeline ``parsing_xmls.py``:
``lxml.etree.iterparse(tag='cv')``, one dict per record, clear the element and its preceding
siblings), which parses and flattens but stores nothing: a lower bound on the time a skilled
user's own loader needs. Each side runs in its own process; peak memory is its max RSS.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "data-20240326T191106-structure-20161130T143000.xml"

_MAKE = """
import sys
from kadry.simulate.trudvsem import write_cv_dump
print(write_cv_dump(sys.argv[1], int(sys.argv[2]))["records"])
"""

_KADRY = """
import sys, time, resource
from kadry.store import Store
from kadry.ingest.snapshots import ingest_snapshot
t = time.perf_counter()
with Store(sys.argv[1]) as store:
    r = ingest_snapshot(store, sys.argv[2], "cv")
    assert r.balanced and r.quarantined == 0
    n = store.count("resumes")
dt = time.perf_counter() - t
print(n, dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

_BASELINE = """
import sys, time, resource
from lxml import etree
t = time.perf_counter()
n = 0
for _, elem in etree.iterparse(sys.argv[2], tag="cv", recover=True):
    d = {"id_cv": elem.attrib["about"].rsplit("#", 1)[-1]}
    for element in elem:
        if element.get("resource") is not None:
            d[element.tag] = element.get("resource").rsplit("#", 1)[-1]
        elif len(element):
            for sub in element:
                if len(sub):
                    for subsub in sub:
                        d[element.tag + "_" + sub.tag + "_" + subsub.tag] = subsub.text
                elif sub.text is not None:
                    d[element.tag + "_" + sub.tag] = sub.text
        elif element.text is not None:
            d[element.tag] = element.text
    n += 1
    elem.clear()
    while elem.getprevious() is not None:
        del elem.getparent()[0]
dt = time.perf_counter() - t
print(n, dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _env() -> dict:
    return dict(
        os.environ, PYTHONPATH=str(ROOT / "src"), KADRY_SALT="bench-salt-0123456789", KADRY_MEMORY_LIMIT="256MB"
    )


def _run(code: str, *args: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, env=_env())
    return out.stdout.strip().splitlines()[-1].split()


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes-mb", default="100,1000", help="Dump sizes (MB of XML), comma-separated.")
    parser.add_argument("--baseline-max-mb", type=int, default=100, help="Run the baseline only up to this size.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes_mb.split(",")]
    lines = [
        "# trudvsem dumps\n",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; date "
        f"{date.today().isoformat()}; load average at start {_load()} (the machine is shared by 7 sessions). "
        f"Command: `python bench/trudvsem_bench.py --sizes-mb {args.sizes_mb}`. Input: simulated CV dumps "
        "(`kadry.simulate.trudvsem.write_cv_dump`, uncompressed XML, one line, ~2.2 KB per CV with work "
        "history, HTML skills and free text). kadry runs with DuckDB's memory_limit at 256MB "
        "(KADRY_MEMORY_LIMIT). Baseline: the public loaders' iterparse + dict loop, storing nothing.\n",
        "| dump | CVs | kadry ingest | kadry peak RSS | baseline (parse + flatten only) | baseline peak RSS | "
        "time ratio | load at run |",
        "|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(dir=os.environ.get("KADRY_BENCH_TMP")) as tmp:
        for mb in sizes:
            src = Path(tmp) / NAME
            _run(_MAKE, str(src), str(mb * 1_000_000))
            size = src.stat().st_size
            load = _load()
            kn, kt, krss = _run(_KADRY, str(Path(tmp) / "k.duckdb"), str(src))
            k_mib = int(krss) / 1024
            row = (
                f"| {size / 1e6:,.0f} MB | {int(kn):,} | {size / 1e6 / float(kt):.1f} MB/s ({int(kn) / float(kt):,.0f} CV/s) "
                f"| {k_mib:,.0f} MiB |"
            )
            if mb <= args.baseline_max_mb:
                bn, bt, brss = _run(_BASELINE, "-", str(src))
                assert int(bn) == int(kn)
                row += (
                    f" {size / 1e6 / float(bt):.1f} MB/s | {int(brss) / 1024:,.0f} MiB | {float(kt) / float(bt):.1f}x the "
                    f"baseline's time |"
                )
            else:
                row += " not run (size) | | |"
            row += f" {load} |"
            lines.append(row)
            print(row, flush=True)
            src.unlink()
            for f in Path(tmp).glob("k.duckdb*"):
                f.unlink()
    lines += [
        "",
        "Peak memory is what the process holds: the dump is streamed by record tag and each element "
        "cleared with its preceding siblings; rows go to staging tables in the store in batches of 20,000; "
        "the snapshot is applied in one transaction at the end.",
        "",
    ]
    out = ROOT / "bench" / "results" / "trudvsem.md"
    out.write_text("\n".join(lines))
    print(out.read_text())


if __name__ == "__main__":
    main()
