"""Load test of the HTTP API on loopback: requests per second and p50/p99 latency of indicator queries.

Two servers on the same synthetic store, in the same run: the baseline without the response
cache (every request slices the suppressed cube and serializes it) and the default with it.
Both have the cubes warm; the cold cost of building a cube is measured once separately.
Bounded: a fixed number of requests per scenario and a time limit; it stops by itself.

    python bench/api_load.py [--requests 600] [--concurrency 16] [--vacancies 6000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import httpx

from kadry.api.sample import build_store

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "api.md"
TIME_LIMIT = 90.0  # seconds per scenario, whatever the request count


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(db: Path, cache: bool) -> tuple[subprocess.Popen, str]:
    port = _port()
    code = (
        "import uvicorn; from kadry.api import create_app; "
        f"uvicorn.run(create_app({str(db)!r}, cache={cache}), host='127.0.0.1', port={port}, log_level='warning')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(base + "/api/v1/health", timeout=2)
            return proc, base
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise RuntimeError("server did not start")


def _queries() -> list[str]:
    out = []
    for occ in ("all", "it", "category:11", "category:17", "role:96", "role:97"):
        for extra in (
            "",
            "&group_by=region",
            "&region=RU-MOW",
            "&group_by=role",
            "&indicator=salary",
            "&indicator=skills&limit=50",
        ):
            out.append(f"/api/v1/indicators?occupation={occ}{extra}")
    return out


def _warm(base: str, queries: list[str]) -> float:
    """Build every cube once; returns the slowest (cold) query time in seconds."""
    slowest = 0.0
    with httpx.Client(base_url=base, timeout=600) as c:
        for q in queries:
            t = time.perf_counter()
            r = c.get(q)
            r.raise_for_status()
            slowest = max(slowest, time.perf_counter() - t)
    return slowest


async def _load(base: str, queries: list[str], n: int, concurrency: int) -> dict:
    rng = random.Random(1)
    plan = [rng.choice(queries) for _ in range(n)]
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + TIME_LIMIT

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while plan and time.perf_counter() < deadline:
            q = plan.pop()
            t = time.perf_counter()
            r = await client.get(q)
            latencies.append(time.perf_counter() - t)
            errors += r.status_code != 200

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        wall = time.perf_counter() - start
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / wall,
        "p50": pick(0.50),
        "p99": pick(0.99),
        "wall": wall,
    }


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=600)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--vacancies", type=int, default=6000)
    args = ap.parse_args()
    queries = _queries()
    with tempfile.TemporaryDirectory() as tmp:
        db = build_store(Path(tmp) / "bench.duckdb", vacancies=args.vacancies, months=6)
        results = {}
        for name, cache in (("baseline: no response cache", False), ("response cache (default)", True)):
            proc, base = _start(db, cache)
            try:
                cold = _warm(base, queries)
                results[name] = {**asyncio.run(_load(base, queries, args.requests, args.concurrency)), "cold": cold}
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    base_r, cached = results["baseline: no response cache"], results["response cache (default)"]
    lines = [
        "# HTTP API load test (bench/api_load.py)",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {_machine()} (shared with other work while measured)",
        f"- store: synthetic (kadry.api.sample), {args.vacancies} vacancies over 6 months; {len(queries)} distinct indicator queries, "
        f"random mix; {args.concurrency} concurrent clients on loopback; one uvicorn worker; cubes warm",
        "",
        "| scenario | requests | errors | req/s | p50 ms | p99 ms | slowest cold query s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['requests']} | {r['errors']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['cold']:.1f} |"
        )
    lines += [
        "",
        f"Ratio (cached / baseline): throughput x{cached['rps'] / base_r['rps']:.1f}, "
        f"p50 latency x{base_r['p50'] / cached['p50']:.1f} lower.",
        "",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
