"""Assemble BENCHMARKS.md from the per-area results each benchmark writes to bench/results/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["ingest", "normalize", "simulate", "indicators", "publish", "mobility", "api", "match"]

HEADER = """# Benchmarks

Every figure below was measured on this project's development machine (2 cores, 24 GiB,
shared with other work while it ran: absolute times are pessimistic, ratios are what to
read). Each benchmark measures its baseline in the same run and quotes the result as a
ratio. Rerun one with `python bench/<area>_bench.py` (or `make bench` for all); each writes
`bench/results/<area>.md` and `python bench/assemble.py` rebuilds this file.
"""


def main() -> None:
    results = ROOT / "bench" / "results"
    files = sorted(results.glob("*.md"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.stem))
    body = [HEADER]
    for path in files:
        text = path.read_text().strip()
        # each result file's headings go one level down under this file's title
        body.append("\n" + "\n".join("#" + line if line.startswith("#") else line for line in text.splitlines()) + "\n")
    (ROOT / "BENCHMARKS.md").write_text("\n".join(body))
    print(f"BENCHMARKS.md from {len(files)} result files")


if __name__ == "__main__":
    main()
