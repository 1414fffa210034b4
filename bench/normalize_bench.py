"""Normalization throughput: kadry's set-based path vs a plainly written set-based baseline, same run.

    python bench/normalize_bench.py [--store PATH] [--baseline-rows 3000] [--scale-rows 1000000]

1. Ingests the shared vacancy corpus (../shared/data/vacancies, ~96k records) into a
   temporary store (or reuses --store), then times ``normalize_store`` on it.
2. Baseline, same data, same rules, written plainly set-based: distinct places, titles and
   salary inputs mapped once in Python, joined back with one UPDATE ... FROM each, over all
   rows (--baseline-rows limits it). The per-row UPDATE baseline it replaced is in git history.
3. Scale: copies the corpus's area ids and role ids into --scale-rows simulated rows (the
   simulator's shape: area_id_raw and role_ids_raw set) and times the full pass on them.
4. Title classifier (also alone: ``--classifier-only``): --classifier-titles titles (default
   1,000,000) drawn from the real titles of the shared data, each made distinct by a suffix
   word so no per-title cache helps, predicted by the shipped model and by the previous one
   (v1: char n-grams only, ``bench/data/title_role_model_v1.npz``, kept for this comparison),
   same run, same titles; and both models' figures on the pinned held-out split.

Writes bench/results/normalize.md with the machine and date.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kadry.config import shared_data  # noqa: E402
from kadry.ingest import ingest_paths  # noqa: E402
from kadry.normalize import normalize_store  # noqa: E402
from kadry.normalize.classifier import HELDOUT_PATH, TitleClassifier  # noqa: E402
from kadry.normalize.regions import RegionMapper  # noqa: E402
from kadry.normalize.run import _roles_sql_list  # noqa: E402
from kadry.normalize.salary import normalize_salary, rate_table  # noqa: E402
from kadry.store import Store  # noqa: E402


def _machine() -> str:
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{cpu}, {psutil.cpu_count()} logical cores, {psutil.virtual_memory().total / 2**30:.1f} GiB RAM, "
        f"Python {platform.python_version()}, load average at start {load:.1f}"
    )


def _timed(fn, *args, **kwargs):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0, time.process_time() - c0


def baseline(store: Store, n: int | None = None) -> tuple[int, float, float]:
    """Set-based, written plainly: each rule applied once per distinct input, one UPDATE ... FROM per step.

    Same rules as kadry (region, title classifier, salary); what a skilled user would write
    without kadry's staging: distinct keys to Python, mappings back as Arrow, three joins.
    The per-row UPDATE baseline this replaced is in git history. ``n`` limits the rows (None: all).
    """
    import pyarrow as pa

    con = store.con
    limit = "" if n is None else f" ORDER BY md5(vacancy_id) LIMIT {int(n)}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE b_rows AS SELECT vacancy_id FROM vacancies{limit}")
    mapper = RegionMapper()  # a fresh mapper: no warm cache from the set-based run
    clf = TitleClassifier.load()
    rates = rate_table()
    known = _roles_sql_list()

    def run() -> None:
        keys = con.execute(
            "SELECT DISTINCT area_id_raw, region_raw FROM vacancies JOIN b_rows USING (vacancy_id)"
        ).fetchall()
        places = [mapper.resolve(a, r) for a, r in keys]
        b_place = pa.table(
            {
                "area_id_raw": [k[0] for k in keys],
                "region_raw": [k[1] for k in keys],
                "country_code": [p.country_code for p in places],
                "region_code": [p.region_code for p in places],
                "federal_district": [p.federal_district for p in places],
                "area_id": [p.area_id for p in places],
                "region_status": [p.region_status for p in places],
            }
        )
        con.register("b_place", b_place)
        con.execute(
            """UPDATE vacancies v SET country_code = m.country_code, region_code = m.region_code,
                 federal_district = m.federal_district, area_id = m.area_id, region_status = m.region_status
               FROM b_place m, b_rows b
               WHERE b.vacancy_id = v.vacancy_id AND m.area_id_raw IS NOT DISTINCT FROM v.area_id_raw
                 AND m.region_raw IS NOT DISTINCT FROM v.region_raw"""
        )
        titles = [
            t
            for (t,) in con.execute(
                "SELECT DISTINCT coalesce(title, '') FROM vacancies JOIN b_rows USING (vacancy_id)"
            ).fetchall()
        ]
        preds = clf.predict(titles)
        con.register(
            "b_role",
            pa.table({"title": titles, "role_id": [p.role for p in preds], "conf": [p.confidence for p in preds]}),
        )
        con.execute(
            """UPDATE vacancies v SET role_id = m.role_id, role_confidence = m.conf
               FROM b_role m, b_rows b WHERE b.vacancy_id = v.vacancy_id AND m.title = coalesce(v.title, '')"""
        )
        # the source's own role ids win over the classifier (kadry's rule): first known id, else the first
        ids = "list_filter(v.role_ids_raw, lambda x: x IS NOT NULL AND trim(x) <> '')"
        con.execute(
            f"""UPDATE vacancies v SET role_id = coalesce(list_filter({ids}, lambda x: list_contains({known}, x))[1],
                   {ids}[1]), role_confidence = 1.0
               FROM b_rows b WHERE b.vacancy_id = v.vacancy_id AND len({ids}) > 0"""
        )
        sal = con.execute(
            """SELECT DISTINCT salary_from, salary_to, salary_currency, salary_gross, salary_period,
                      coalesce(published_at, created_at, first_seen) AS at, employment, country_code
               FROM vacancies JOIN b_rows USING (vacancy_id)"""
        ).fetchall()
        out = [
            normalize_salary(lo, hi, cur, g, per, at, employment=emp, rates=rates, country=cc)
            for lo, hi, cur, g, per, at, emp, cc in sal
        ]
        cols = ["lo", "hi", "cur", "g", "per", "at", "emp", "cc"]
        b_sal = {c: [row[i] for row in sal] for i, c in enumerate(cols)}
        b_sal |= {"rub": [x.rub for x in out], "flag": [x.flag for x in out]}
        con.register("b_sal", pa.table(b_sal))
        con.execute(
            """UPDATE vacancies v SET salary_rub = m.rub, salary_flag = m.flag FROM b_sal m, b_rows b
               WHERE b.vacancy_id = v.vacancy_id
                 AND m.lo IS NOT DISTINCT FROM v.salary_from AND m.hi IS NOT DISTINCT FROM v.salary_to
                 AND m.cur IS NOT DISTINCT FROM v.salary_currency AND m.g IS NOT DISTINCT FROM v.salary_gross
                 AND m.per IS NOT DISTINCT FROM v.salary_period
                 AND m.at IS NOT DISTINCT FROM coalesce(v.published_at, v.created_at, v.first_seen)
                 AND m.emp IS NOT DISTINCT FROM v.employment AND m.cc IS NOT DISTINCT FROM v.country_code"""
        )

    _, wall, cpu = _timed(run)
    return con.execute("SELECT count(*) FROM b_rows").fetchone()[0], wall, cpu


def scale(store: Store, rows: int) -> tuple[int, float, float, dict]:
    """Simulated-shaped rows (area id and role ids set) appended and normalized."""
    con = store.con
    con.execute(
        f"""INSERT INTO vacancies (vacancy_id, source, source_id, simulated, title, employer_id, role_ids_raw,
                                   area_id_raw, region_raw, salary_from, salary_to, salary_currency, salary_gross,
                                   published_at, first_seen, last_seen)
            WITH areas AS (SELECT list(DISTINCT area_id) a FROM vacancies WHERE area_id IS NOT NULL),
                 roles AS (SELECT list(DISTINCT role_id) r FROM vacancies WHERE role_id IS NOT NULL)
            SELECT 'sim:' || i, 'sim', CAST(i AS VARCHAR), true, 'sim title ' || (i % 500),
                   'emp' || (i % 20000), [r[1 + (i * 7) % len(r)]],
                   a[1 + (i * 13) % len(a)], NULL, 30000 + (i % 200) * 1000, NULL, 'RUR', i % 2 = 0,
                   TIMESTAMP '2024-01-01' + to_days(CAST(i % 700 AS INTEGER)),
                   TIMESTAMP '2024-01-01' + to_days(CAST(i % 700 AS INTEGER)),
                   TIMESTAMP '2024-01-01' + to_days(CAST(i % 700 AS INTEGER))
            FROM range({int(rows)}) t(i), areas, roles"""
    )
    out, wall, cpu = _timed(normalize_store, store)
    return store.count("vacancies"), wall, cpu, out["timings"]


class V1Model:
    """The previous title model (char 2-5-gram TF-IDF, linear, threshold 0.25), frozen for comparison."""

    def __init__(self, path: Path) -> None:
        import numpy as np

        with np.load(path, allow_pickle=False) as z:
            self.coef = (z["coef_q"].astype(np.float32) * z["coef_scale"][:, None]).T.copy()
            self.idf, self.intercept, self.classes = z["idf"], z["intercept"], z["classes"]
            self.index = {t: i for i, t in enumerate(z["vocabulary"].tolist())}
        self.cache: dict = {}

    def predict(self, titles: list[str], batch: int = 20_000) -> list[tuple[str, float, tuple]]:
        import re

        import numpy as np
        from scipy.sparse import csr_matrix

        from kadry.normalize.classifier import char_wb
        from kadry.normalize.skills import latinize

        out = []
        for s in range(0, len(titles), batch):
            texts = [
                re.sub(r"\s+", " ", latinize(t or "").lower().replace("ё", "е")).strip() for t in titles[s : s + batch]
            ]
            indptr, cols, total = [0], [], 0
            for text in texts:
                for w in text.split():
                    f = self.cache.get(w)
                    if f is None:
                        f = np.fromiter((self.index[g] for g in char_wb(w) if g in self.index), dtype=np.int32)
                        if len(self.cache) < 500_000:
                            self.cache[w] = f
                    cols.append(f)
                    total += len(f)
                indptr.append(total)
            col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int32)
            X = csr_matrix(
                (np.ones(len(col), dtype=np.float32), col, np.asarray(indptr)), shape=(len(texts), len(self.index))
            )
            X.sum_duplicates()
            np.log(X.data, X.data)
            X.data += 1.0
            X.data *= self.idf[X.indices]
            norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
            norms[norms == 0] = 1.0
            X.data /= np.repeat(norms, np.diff(X.indptr)).astype(np.float32)
            z = np.asarray(X @ self.coef) + self.intercept
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            top = np.argsort(-p, axis=1, kind="stable")[:, :3]
            for row, idx in zip(p, top):
                out.append((str(self.classes[idx[0]]), float(row[idx[0]]), tuple(str(self.classes[j]) for j in idx)))
        return out


def _heldout_figures(predict, threshold: float) -> dict:
    import csv

    rows = [r for r in csv.DictReader(open(HELDOUT_PATH, encoding="utf-8")) if r["role_id"] != "40"]
    got = predict([r["title"] for r in rows])
    kept = [(g, r) for g, r in zip(got, rows) if g[1] >= threshold]
    return {
        "n": len(rows),
        "coverage": len(kept) / len(rows),
        "top1": sum(g[0] == r["role_id"] for g, r in kept) / max(1, len(kept)),
        "top3": sum(r["role_id"] in g[2] for g, r in kept) / max(1, len(kept)),
    }


def classifier_bench(shared: Path, n: int) -> list[str]:
    """Both models on the same n distinct real-shaped titles, and on the pinned held-out split."""
    import csv
    import glob
    import random

    titles: list[str] = []
    for f in sorted(glob.glob(str(shared / "vacancies/hh-csv-*/**/*.csv"), recursive=True)):
        with open(f, encoding="utf-8", errors="replace", newline="") as fh:
            titles += [r["name"] for r in csv.DictReader(fh) if r.get("name")]
    rng = random.Random(15)
    pool = sorted(set(titles))
    sample = [f"{rng.choice(pool)} {i:x}" for i in range(n)]  # distinct titles: no per-title shortcut
    new = TitleClassifier.load()
    old = V1Model(ROOT / "bench" / "data" / "title_role_model_v1.npz")
    _, owall, ocpu = _timed(old.predict, sample)
    new = TitleClassifier.load()
    _, nwall, ncpu = _timed(new.predict, sample)
    fo = _heldout_figures(old.predict, 0.25)
    fn = _heldout_figures(lambda ts: [(p.role_id, p.confidence, p.top3) for p in new.predict(ts)], new.threshold)
    return [
        "## Title classifier",
        "",
        f"- {n:,} distinct titles (real titles of the shared hh CSVs, {len(pool):,} distinct, each with a unique suffix), "
        "predicted in batches of 20,000, same run",
        "",
        "| model | titles | wall s | CPU s | titles/s (wall) | held-out coverage | top-1 answered | top-3 answered |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| v1: char n-grams, threshold 0.25 (previous shipped model) | {n:,} | {owall:.1f} | {ocpu:.1f} | {n / owall:,.0f} | "
        f"{fo['coverage']:.1%} | {fo['top1']:.1%} | {fo['top3']:.1%} |",
        f"| v2: lemmas + navec vectors + char n-grams, calibrated, threshold {new.threshold:.3f} | {n:,} | {nwall:.1f} | "
        f"{ncpu:.1f} | {n / nwall:,.0f} | {fn['coverage']:.1%} | {fn['top1']:.1%} | {fn['top3']:.1%} |",
        "",
        f"**Ratio: v2 classifies {(n / nwall) / (n / owall):.2f}x as many titles per second as v1** "
        f"(held-out: {fn['n']:,} rows with a real role, titles never in either model's training).",
        "",
    ]


def _write_section(out: Path, lines: list[str], header: list[str]) -> None:
    """Replace the classifier section of the results file (or add it), keeping the rest."""
    text = out.read_text(encoding="utf-8") if out.exists() else "# Normalization benchmark\n"
    head, _, _ = text.partition("## Title classifier")
    out.write_text(head.rstrip() + "\n\n" + "\n".join(header + lines), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--classifier-only", action="store_true", help="only the title-classifier comparison")
    ap.add_argument("--classifier-titles", type=int, default=1_000_000)
    ap.add_argument("--store", help="reuse an ingested store (copied first) instead of ingesting")
    ap.add_argument("--baseline-rows", type=int, default=None)
    ap.add_argument("--scale-rows", type=int, default=1_000_000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "normalize.md"))
    args = ap.parse_args()
    shared = shared_data()
    if shared is None:
        sys.exit("needs the shared data (KADRY_SHARED_DATA)")
    machine = _machine()
    if args.classifier_only:
        lines = classifier_bench(shared, args.classifier_titles)
        header = [
            f"- classifier run: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}, {machine}",
            f"- command: `python bench/normalize_bench.py --classifier-only --classifier-titles {args.classifier_titles}`",
            "",
        ]
        _write_section(Path(args.out), lines, header)
        print("\n".join(header + lines))
        return
    tmp = Path(tempfile.mkdtemp(prefix="kadry-bench-"))
    os.environ.setdefault("KADRY_SALT", "bench-salt-0123456789abcdef")
    db = tmp / "bench.duckdb"
    ingest_s = None
    if args.store:
        shutil.copy(args.store, db)
    else:
        with Store(db) as s:
            _, ingest_s, _ = _timed(ingest_paths, s, [shared / "vacancies"])
    with Store(db) as s:
        n = s.count("vacancies")
        out, wall, cpu = _timed(normalize_store, s)
        steps = out["timings"]
        bn, bwall, bcpu = baseline(s, args.baseline_rows)
        shutil.copy(db, tmp / "scale.duckdb")
    with Store(tmp / "scale.duckdb") as s:
        sn, swall, scpu, ssteps = scale(s, args.scale_rows)
    shutil.rmtree(tmp, ignore_errors=True)

    set_rate = n / wall
    base_rate = bn / bwall
    lines = [
        "# Normalization benchmark",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {machine} (shared by several people: wall times vary, CPU times are steadier)",
        f"- data: the shared vacancy corpus, {n:,} stored vacancies (../shared/data/vacancies, all folders)"
        + (f"; ingest took {ingest_s:.1f} s" if ingest_s else ""),
        "- command: `python bench/normalize_bench.py"
        + (" --store STORE" if args.store else "")
        + (f" --baseline-rows {args.baseline_rows}" if args.baseline_rows is not None else "")
        + (f" --scale-rows {args.scale_rows}" if args.scale_rows != 1_000_000 else "")
        + "`",
        "",
        "| run | records | wall s | CPU s | records/s (wall) |",
        "|---|---:|---:|---:|---:|",
        f"| kadry `normalize_store` (set-based, all steps incl. duplicates) | {n:,} | {wall:.1f} | {cpu:.1f} | {set_rate:,.0f} |",
        f"| baseline: plain set-based (distinct keys mapped once, one UPDATE ... FROM per step: region, role, salary) | {bn:,} | {bwall:.1f} | {bcpu:.1f} | {base_rate:,.0f} |",
        f"| kadry on the corpus + {args.scale_rows:,} simulated-shaped rows | {sn:,} | {swall:.1f} | {scpu:.1f} | {sn / swall:,.0f} |",
        "",
        f"**Ratio: kadry normalizes {set_rate / base_rate:,.2f}x the records per second of the plain set-based "
        f"baseline** (which does only three of the seven steps).",
        "",
        "Steps of the set-based run (wall s): " + ", ".join(f"{k} {v:.2f}" for k, v in steps.items()),
        "",
        "Steps of the scale run (wall s): " + ", ".join(f"{k} {v:.2f}" for k, v in ssteps.items()),
        "",
    ]
    lines += classifier_bench(shared, args.classifier_titles)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
