"""Publishing a release: suppression and its LP audit, against computing the same cells bare.

    python bench/publish_bench.py --db kadry.duckdb [--k 10] [--out bench/results/publish.md]
    python bench/publish_bench.py [--simulate 25000] [--k 10]

A release computes every cube (index, stocks, salaries and skills by week, month and
quarter; flows by month; every occupation and region level) and suppresses each family as
a whole with the LP audit (docs/privacy.md). The baseline is the floor of that work: the same
cubes computed by the same engine with suppression left out (what publishing unprotected
counts would cost). The ratio says what protection costs on top. Peak memory is the
process's (resource.getrusage). ``--simulate N`` builds a store of N simulated vacancies (and
three times as many resumes) for 2022 through the real pipeline first. The time inside
suppression (every ``suppress`` call the release makes) is reported beside the total;
``--no-baseline`` skips the second, unprotected computation (at a million vacancies it takes
as long as the cubes' computation inside the release, which is the total minus suppression).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path


def _store(args: argparse.Namespace, tmp: Path) -> Path:
    if args.db:
        return Path(args.db)
    from kadry.ingest.canonical import ingest_canonical
    from kadry.normalize.run import normalize_store
    from kadry.simulate.run import simulate
    from kadry.store import Store

    simulate(tmp / "sim", vacancies=args.simulate, resumes=3 * args.simulate, start="2022-01", end="2022-12", seed=5)
    db = tmp / "kadry.duckdb"
    with Store(db) as store:
        ingest_canonical(store, tmp / "sim")
        normalize_store(store)
    return db


def _bare(db: Path, k: int, periods: list[str], first: str, last: str) -> float:
    """The same cubes, computed and assembled, with every suppression skipped (the floor)."""
    import kadry.publish.cubes as cubes
    from kadry.privacy import SuppressionResult

    def unprotected(frame, *, dimensions, counts, values=(), hierarchies=(), k=None, hidden=None):
        table = frame.reset_index(drop=True).copy()
        table["suppressed"] = False
        table["suppression"] = None
        return SuppressionResult(table, k or 0, 0, 0)

    real = cubes.suppress
    cubes.suppress = unprotected
    try:
        t = time.perf_counter()
        cubes.build_cubes(db, k=k, periods=periods, first=first, last=last)
        return time.perf_counter() - t
    finally:
        cubes.suppress = real


class _Timed:
    """Wraps ``suppress`` where the release's modules call it, adding up the time spent inside."""

    def __init__(self) -> None:
        import kadry.publish.cubes as cubes
        import kadry.publish.moves as moves

        self.modules = (cubes, moves)
        self.real = cubes.suppress
        self.seconds = 0.0

    def __enter__(self) -> _Timed:
        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return self.real(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t

        for module in self.modules:
            module.suppress = timed
        return self

    def __exit__(self, *exc: object) -> None:
        for module in self.modules:
            module.suppress = self.real


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--simulate", type=int, default=25_000, help="vacancies to simulate when no --db is given")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out", default="bench/results/publish.md")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unprotected recomputation")
    args = parser.parse_args()
    from kadry.publish import PERIODS, make
    from kadry.publish.cubes import FLOW_PERIODS
    from kadry.store import connect

    with tempfile.TemporaryDirectory() as tmp:
        db = _store(args, Path(tmp))
        con = connect(db, read_only=True)
        vacancies = con.execute("select count(*) from vacancies").fetchone()[0]
        resumes = con.execute("select count(*) from resumes").fetchone()[0]
        con.close()
        load = os.getloadavg()
        t = time.perf_counter()
        with _Timed() as inside:
            release = make(db, args.k)
        full = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        bare = None if args.no_baseline else _bare(db, args.k, list(PERIODS), release.first, release.last)
        cells = hidden = 0
        for indicator, periods in (("index", PERIODS), ("flow", FLOW_PERIODS)):
            for period in periods:
                table = release.cube(indicator, period)
                cells += len(table)
                hidden += int(table["suppressed"].sum())
    source = (
        f"`{args.db}`" if args.db else f"simulated ({args.simulate:,} vacancies, {3 * args.simulate:,} resumes, 2022)"
    )
    command = (f"--db {args.db}" if args.db else f"--simulate {args.simulate}") + (
        " --no-baseline" if args.no_baseline else ""
    )
    row = (
        f"| {source} | {vacancies:,} vacancies, {resumes:,} resumes | {args.k} | {cells:,} ({hidden:,}) | "
        f"{full:.0f} s | {inside.seconds:.0f} s | "
        + (f"{bare:.0f} s | {full / bare:.1f}x | " if bare else "not run | |")
        + f" {peak:.0f} MiB (workers {peak_children:.0f}) | "
        f"{datetime.now(UTC):%Y-%m-%d}, load {load[0]:.1f}, `python bench/publish_bench.py {command} --k {args.k}` |"
    )
    out = Path(args.out)
    rows = (
        [r for r in out.read_text().splitlines() if r.startswith("| ") and not r.startswith("| store")]
        if out.exists()
        else []
    )
    rows = [r for r in rows if not r.startswith(f"| {source} ")] + [row]
    lines = [
        "## Publishing a release (suppression with the LP audit)",
        "",
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.system()}, "
        f"Python {platform.python_version()}; load average at the start of each timed run in its row.",
        "",
        "| store | records | k | index + flow cells (hidden) | release | of which suppression "
        "| baseline: same cubes, no suppression | ratio | peak memory | date, load, command |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "The release is what `kadry publish` writes (and `kadry serve` makes in the background when a "
        "store has none): every cube computed once and each family suppressed as a whole with the LP "
        "audit. The ratio is what protection (secondary suppression and its audit) adds to computing "
        "the same cells unprotected.",
    ]
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
