"""Title classifier throughput and held-out figures: the shipped model against the previous one, same run.

    python bench/classifier_bench.py [--titles 1000000] [--out bench/results/classifier.md]

--titles titles (default 1,000,000) drawn from the real titles of the shared hh CSVs, each made
distinct by a suffix so no per-title cache helps, are predicted in batches of 20,000 by the shipped
model (``kadry.normalize.classifier``, v4: the SVM and a logistic regression mixed), by the one it
replaced (v3: the SVM alone, frozen in ``bench/data/title_role_model_v3.npz``), by v2 (same
features, fitted on the training side only, ``title_role_model_v2.npz``) and by the first one (v1:
char 2-5-gram TF-IDF and a linear model, threshold 0.25, ``bench/data/title_role_model_v1.npz``),
all timed in this run on the same titles; then each model's coverage, top-1 and top-3 among
answered titles on the pinned held-out split. Writes bench/results/classifier.md.
"""

from __future__ import annotations

import argparse
import csv
import glob
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from normalize_bench import V1Model, _machine  # noqa: E402  (the frozen v1 reader and machine line, shared)

from kadry.config import shared_data  # noqa: E402
from kadry.normalize.classifier import HELDOUT_PATH, OTHER_ROLE, TitleClassifier  # noqa: E402

V1_PATH = ROOT / "bench" / "data" / "title_role_model_v1.npz"
V2_PATH = ROOT / "bench" / "data" / "title_role_model_v2.npz"
V3_PATH = ROOT / "bench" / "data" / "title_role_model_v3.npz"


def heldout_figures(predict) -> dict:
    """Coverage, and top-1/top-3 among answered rows, on the pinned held-out split ("Другое" rows aside).

    ``predict`` maps titles to (role, answered, top3) per title."""
    with open(HELDOUT_PATH, encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["role_id"] != OTHER_ROLE]
    got = predict([r["title"] for r in rows])
    kept = [(g, r) for g, r in zip(got, rows) if g[1]]
    return {
        "n": len(rows),
        "coverage": len(kept) / len(rows),
        "top1": sum(g[0] == r["role_id"] for g, r in kept) / max(1, len(kept)),
        "top3": sum(r["role_id"] in g[2] for g, r in kept) / max(1, len(kept)),
    }


def titles_sample(shared: Path, n: int) -> tuple[list[str], int]:
    titles: list[str] = []
    for f in sorted(glob.glob(str(shared / "vacancies/hh-csv-*/**/*.csv"), recursive=True)):
        with open(f, encoding="utf-8", errors="replace", newline="") as fh:
            titles += [r["name"] for r in csv.DictReader(fh) if r.get("name")]
    pool = sorted(set(titles))
    rng = random.Random(15)
    return [f"{rng.choice(pool)} {i:x}" for i in range(n)], len(pool)  # distinct: no per-title shortcut


def _timed(fn, *args):
    from kadry.normalize import classifier

    classifier._LEMMAS.clear()  # each model starts cold: v2 and v3 share the lemma cache
    t0, c0 = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - t0, time.process_time() - c0


#: the frozen earlier models (file, description), oldest first; the shipped one is timed after them
FROZEN = [
    (V2_PATH, "v2: lemmas + navec vectors + char n-grams, SVM, training side only"),
    (V3_PATH, "v3 (replaced): as v2, training + validation, out-of-fold calibrated"),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--titles", type=int, default=1_000_000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "classifier.md"))
    args = ap.parse_args()
    shared = shared_data()
    if shared is None:
        sys.exit("needs the shared data (KADRY_SHARED_DATA)")
    machine = _machine()
    n = args.titles
    sample, pool = titles_sample(shared, n)
    v1 = V1Model(V1_PATH)
    v1_threshold = 0.25
    models = [(TitleClassifier.load(path), label) for path, label in FROZEN]
    models.append(
        (
            TitleClassifier.load(),
            "v4 (shipped): same features, SVM and logistic regression mixed, out-of-fold calibrated",
        )
    )
    timed = [_timed(v1.predict, sample)] + [_timed(m.predict, sample) for m, _ in models]
    figs = [heldout_figures(lambda ts: [(r, c >= v1_threshold, t3) for r, c, t3 in v1.predict(ts)])]
    for m, _ in models:
        figs.append(heldout_figures(lambda ts, m=m: [(p.role_id, not p.abstained, p.top3) for p in m.predict(ts)]))
    labels = ["v1: char n-grams, threshold 0.25"] + [f"{label}, threshold {m.threshold:.3f}" for m, label in models]
    cmd = "python bench/classifier_bench.py" + (f" --titles {n}" if n != 1_000_000 else "")
    lines = [
        "# Title classifier benchmark",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {machine} (shared by several people: wall times vary, CPU times are steadier)",
        f"- command: `{cmd}`",
        f"- data: {n:,} distinct titles (real titles of the shared hh CSVs, {pool:,} distinct, each with a unique "
        "suffix), predicted in batches of 20,000, every model in the same run",
        "",
        "| model | titles | wall s | CPU s | titles/s (wall) | held-out coverage | top-1 answered | top-3 answered |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, (wall, cpu), f in zip(labels, timed, figs):
        lines.append(
            f"| {label} | {n:,} | {wall:.1f} | {cpu:.1f} | {n / wall:,.0f} | {f['coverage']:.1%} | {f['top1']:.1%} "
            f"| {f['top3']:.1%} |"
        )
    new, prev, first = timed[-1][0], timed[-2][0], timed[0][0]
    lines += [
        "",
        f"**Ratio: the shipped model classifies {prev / new:.2f}x as many titles per second as the model it "
        f"replaced, {first / new:.2f}x as many as v1** (held-out: {figs[-1]['n']:,} rows with a real role, titles "
        "never in the training of v2 to v4; v1 was trained before this split was pinned, so its held-out figures "
        "may include titles it saw).",
        "",
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
