"""Load test of the HTTP API on loopback: throughput, p50/p99 latency and the first answer after start.

kadry is started as a user starts it (``kadry publish`` then ``kadry serve --workers W``) on a
synthetic store, and loaded by ``wrk`` (a C load generator, in its own process, its CPU time
reported) with 64 concurrent connections over a random mix of indicator slices. The baseline,
measured in the same run with the same workers and the same load: the floor of the server stack,
a plain Starlette app on uvicorn answering the very same bytes from a dict in memory (what a
skilled user would write to serve precomputed files). Bounded: a fixed duration per scenario.

    python bench/api_load.py [--vacancies 6000] [--connections 64] [--duration 15] [--workers 2]

Needs ``wrk`` (Debian package ``wrk``; ``make bench`` installs it when run as root).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from kadry.api.sample import build_store

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "api.md"
KADRY = [sys.executable, "-m", "kadry"]

_FLOOR_APP = """
import json, os
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODIES = {k: v.encode() for k, v in json.load(open(os.environ["FLOOR_BODIES"])).items()}

async def answer(request):
    body = BODIES.get(request.url.path + "?" + request.url.query)
    if body is None:
        return Response(b"not found", status_code=404)
    return Response(body, media_type="application/json")

app = Starlette(routes=[Route("/{path:path}", answer)])
"""

_WRK_SCRIPT = """
local paths = {%s}
math.randomseed(%d)
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {["Accept-Encoding"] = "gzip"})
end
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int, proc: subprocess.Popen, limit: float = 120.0) -> float:
    """Seconds until the port accepts connections."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return time.perf_counter() - t0
        except OSError:
            time.sleep(0.01)
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
            "&indicator=flow",
        ):
            out.append(f"/api/v1/indicators?occupation={occ}{extra}")
    return out


def _wrk(base: str, paths: list[str], connections: int, duration: int, work: Path) -> dict:
    script = work / "mix.lua"
    script.write_text(_WRK_SCRIPT % (", ".join(json.dumps(p) for p in paths), 1))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    text = p.stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        assert m, text
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sock = re.search(r"Socket errors: (.*)", text)
    return {
        "rps": rps,
        "p50": ms("50"),
        "p99": ms("99"),
        "non2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": sock.group(1).strip() if sock else "none",
        "wrk_cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
    }


def _kadry_server(db: Path, workers: int) -> tuple[subprocess.Popen, int, dict]:
    port = _port()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*KADRY, "serve", "--db", str(db), "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    listen = _listening(port, proc)
    # the first answer after the server listens: an indicator slice, nothing warm yet
    t = time.perf_counter()
    r = httpx.get(f"http://127.0.0.1:{port}/api/v1/indicators?occupation=it&group_by=region", timeout=60)
    first = time.perf_counter() - t
    r.raise_for_status()
    return proc, port, {"listen_s": listen, "first_ms": first * 1000, "since_start_s": time.perf_counter() - t0}


def _floor_server(bodies: Path, workers: int, work: Path) -> tuple[subprocess.Popen, int]:
    (work / "floor_app.py").write_text(_FLOOR_APP)
    port = _port()
    env = dict(os.environ, FLOOR_BODIES=str(bodies))
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "floor_app:app", "--app-dir", str(work), "--port", str(port)]
        + ["--workers", str(workers), "--log-level", "warning", "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _listening(port, proc)
    return proc, port


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vacancies", type=int, default=6000)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("api_load: needs wrk (apt-get install wrk)")
    load = os.getloadavg()[0]
    queries = _queries()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = build_store(work / "bench.duckdb", vacancies=args.vacancies, months=6)
        commands = subprocess.run([*KADRY, "--help"], capture_output=True, text=True).stdout
        published = " publish " in commands
        if published:  # persisted releases (issue 12): the server then answers without computing
            subprocess.run([*KADRY, "publish", "--db", str(db)], check=True, capture_output=True)
        proc, port, start = _kadry_server(db, args.workers)
        base = f"http://127.0.0.1:{port}"
        try:
            bodies = {}
            with httpx.Client(base_url=base, timeout=120) as c:
                for q in queries:
                    r = c.get(q)
                    r.raise_for_status()
                    bodies[q] = r.text
                etag = r.headers.get("etag")
                encoding = c.get(queries[0], headers={"Accept-Encoding": "gzip"}).headers.get("content-encoding")
                release = r.headers.get("x-kadry-release")
            # every worker answers each slice once before the load (the floor holds every body in
            # memory from its start): fresh connections, which the kernel spreads over the workers
            for _ in range(2 * args.workers):
                for q in queries:
                    httpx.get(base + q, timeout=120, headers={"Accept-Encoding": "gzip"}).raise_for_status()
            kadry = _wrk(base, queries, args.connections, args.duration, work)
        finally:
            _stop(proc)
        (work / "bodies.json").write_text(json.dumps(bodies))
        fproc, fport = _floor_server(work / "bodies.json", args.workers, work)
        try:
            floor = _wrk(f"http://127.0.0.1:{fport}", queries, args.connections, args.duration, work)
        finally:
            _stop(fproc)
    mean_kb = sum(len(b.encode()) for b in bodies.values()) / len(bodies) / 1024
    lines = [
        "# HTTP API load test (bench/api_load.py)",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average at start {load:.2f}",
        f"- machine: {_machine()} (the load generator shares the 2 cores with the server)",
        f"- command: `python bench/api_load.py --vacancies {args.vacancies} --connections {args.connections} "
        f"--duration {args.duration} --workers {args.workers}`",
        f"- store: synthetic (kadry.api.sample), {args.vacancies} vacancies over 6 months, "
        + (
            f"published with `kadry publish` (release {release})"
            if published
            else "cubes computed by the server on first use"
        )
        + f"; {len(queries)} distinct indicator slices (mean {mean_kb:.1f} KiB "
        f"uncompressed), random mix, `Accept-Encoding: gzip` (served {encoding or 'uncompressed'}; ETag {'yes' if etag else 'no'})",
        f"- load: wrk, 2 threads, {args.connections} connections, {args.duration} s per scenario; "
        f"`kadry serve --workers {args.workers}`",
        "",
        "| scenario | req/s | p50 ms | p99 ms | non-2xx | socket errors | load generator CPU s |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for name, r in (("kadry serve (persisted release)", kadry), ("floor: Starlette serving the same bytes", floor)):
        lines.append(
            f"| {name} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['non2xx']} | {r['socket_errors']} "
            f"| {r['wrk_cpu']:.1f} |"
        )
    lines += [
        "",
        f"kadry reaches **{kadry['rps'] / floor['rps']:.2f}x the floor's throughput** "
        f"(p99 {kadry['p99']:.1f} ms against {floor['p99']:.1f} ms).",
        "",
        f"First answer after start: the server listened {start['listen_s']:.2f} s after launch "
        f"(Python and imports), and its first indicator answer took **{start['first_ms']:.0f} ms** "
        + (
            "(read from the persisted release, nothing computed)."
            if published
            else "(its cube computed on that request)."
        ),
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    random.seed(1)
    main()
