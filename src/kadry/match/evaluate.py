"""Ranking quality on labelled real data, against a plain TF-IDF baseline, and a fairness check.

Quality: vacancies whose hh professional role is known form the pool; some of them are held
out as resume-like queries (the title as a desired position, plus key skills where the source
has them); a match is relevant when it has the query's role. precision@10 and nDCG@10 of
kadry's matcher (ANN candidates + exact re-ranking) are reported beside those of a plain word
TF-IDF over titles computed in the same run. Real resumes of developers (hh-frontend-2025,
hh-ios-2025, hh-java-2023) are also run against the pool, relevant = role 96 ("Программист,
разработчик").

Fairness: the scores of real resumes' matches are compared across gender and age band within
strata of fixed occupation and experience band; age band and gender are never given to the
matcher (they are stripped from the query before it is scored).
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from kadry.config import RESOURCES, shared_data
from kadry.errors import NotFound
from kadry.match.config import MatchConfig
from kadry.match.engine import Matcher
from kadry.match.load import insert_records
from kadry.match.realdata import (
    read_frontend_resumes,
    read_hh_api_dir,
    read_ios_resumes,
    read_java_resumes,
    read_roles_csv,
)
from kadry.match.records import RESUME_FIELDS
from kadry.match.text import BaselineTfidf
from kadry.store import Store

__all__ = [
    "SAMPLE_ROLES",
    "precision_at",
    "ndcg_at",
    "evaluate_roles",
    "evaluate_resume_titles",
    "fairness",
    "evaluate_all",
    "evaluate_simulated",
]

#: a labelled real sample shipped with kadry (see resources/match/README.md)
SAMPLE_ROLES = RESOURCES / "match" / "roles_sample.csv"
PROGRAMMER_ROLE = "96"


def precision_at(relevant: list[bool], k: int = 10) -> float:
    return sum(relevant[:k]) / k


def ndcg_at(relevant: list[bool], k: int, available: int) -> float:
    """Binary nDCG@k; the ideal ranking puts min(k, available) relevant items first."""
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(relevant[:k]) if r)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, available)))
    return dcg / ideal if ideal else 0.0


def _pool_store(vacancies: list[dict]) -> Store:
    store = Store(":memory:")
    insert_records(store, "vacancies", vacancies)
    return store


def _choose_queries(vacancies: list[dict], per_role: int, min_role_size: int, seed: int) -> list[dict]:
    by_role: dict[str, list[dict]] = defaultdict(list)
    for v in vacancies:
        if v.get("role_id") and v.get("title"):
            by_role[v["role_id"]].append(v)
    rng = random.Random(seed)
    chosen = []
    for role in sorted(by_role):
        group = by_role[role]
        if len(group) >= min_role_size:
            chosen += rng.sample(group, min(per_role, len(group)))
    return chosen


def _metrics(ranked: list[list[bool]], available: list[int], k: int) -> dict:
    if not ranked:
        return {"precision@10": None, "ndcg@10": None, "queries": 0}
    p = [precision_at(r, k) for r in ranked]
    n = [ndcg_at(r, k, a) for r, a in zip(ranked, available)]
    return {"precision@10": round(float(np.mean(p)), 4), "ndcg@10": round(float(np.mean(n)), 4), "queries": len(ranked)}


def _baseline_rank(pool: list[dict], queries: list[dict], k: int, exclude: list[str | None]) -> list[list[str]]:
    base = BaselineTfidf().fit(v["title"] for v in pool)
    x = base.transform(v["title"] for v in pool)
    q = base.transform(v["title"] for v in queries)
    sims = (q @ x.T).toarray()
    ids = [v["vacancy_id"] for v in pool]
    out = []
    for row, skip in zip(sims, exclude):
        order = np.argsort(-row, kind="stable")
        out.append([ids[j] for j in order[: k + 1] if ids[j] != skip][:k])
    return out


def _ours_rank(matcher: Matcher, queries: list[dict], k: int, exclude: list[str | None]) -> list[list[str]]:
    out = []
    for q, skip in zip(queries, exclude):
        result = matcher.rank_vacancies(q, k, exclude=frozenset([skip]) if skip else frozenset())
        out.append([m.id for m in result.matches][:k])
    return out


def evaluate_roles(
    vacancies: list[dict],
    *,
    per_role: int = 5,
    min_role_size: int = 5,
    k: int = 10,
    use_skills: bool = True,
    config: MatchConfig | None = None,
    seed: int = 0,
    compare_exact: bool = True,
) -> dict:
    """Held-out vacancy titles (and skills) as resume-like queries; relevant = same hh role."""
    cfg = config or MatchConfig()
    queries_src = _choose_queries(vacancies, per_role, min_role_size, seed)
    role_of = {v["vacancy_id"]: v.get("role_id") for v in vacancies}
    role_size: defaultdict[str | None, int] = defaultdict(int)
    for v in vacancies:
        role_size[v.get("role_id")] += 1
    with _pool_store(vacancies) as store:
        t0 = time.perf_counter()
        matcher = Matcher(store, cfg)
        build_s = time.perf_counter() - t0
        queries = [
            {
                "resume_id": f"q:{v['vacancy_id']}",
                "title": v["title"],
                "skills": v.get("skills") if use_skills else None,
            }
            for v in queries_src
        ]
        exclude = [v["vacancy_id"] for v in queries_src]
        t0 = time.perf_counter()
        ours = _ours_rank(matcher, queries, k, exclude)
        query_s = time.perf_counter() - t0
        exact = None
        if compare_exact:  # the same matcher with every pool record as a candidate: what the ANN step costs
            exact_cfg = cfg.model_copy(deep=True)
            exact_cfg.index.min_candidates = len(vacancies)
            exact_cfg.index.ef_search = max(exact_cfg.index.ef_search, len(vacancies))
            exact = _ours_rank(Matcher(store, exact_cfg, index=matcher.index, update=False), queries, k, exclude)
    base = _baseline_rank(vacancies, queries_src, k, exclude)
    roles = [v["role_id"] for v in queries_src]
    avail = [role_size[r] - 1 for r in roles]

    def rel(ranked):
        return [[role_of.get(i) == r for i in ids] for ids, r in zip(ranked, roles)]

    return {
        "pool": len(vacancies),
        "roles": len(set(roles)),
        "ours": _metrics(rel(ours), avail, k),
        "ours_exact_candidates": _metrics(rel(exact), avail, k) if exact is not None else None,
        "baseline_tfidf": _metrics(rel(base), avail, k),
        "index_build_seconds": round(build_s, 2),
        "query_ms": round(1000 * query_s / max(len(queries), 1), 2),
    }


def evaluate_resume_titles(
    vacancies: list[dict],
    resumes: list[dict],
    *,
    role: str = PROGRAMMER_ROLE,
    k: int = 10,
    config: MatchConfig | None = None,
) -> dict:
    """Real resumes' desired positions against a labelled pool; relevant = ``role``."""
    role_of = {v["vacancy_id"]: v.get("role_id") for v in vacancies}
    available = sum(1 for v in vacancies if v.get("role_id") == role)
    queries = [{"resume_id": r["resume_id"], "title": r["title"]} for r in resumes if r.get("title")]
    with _pool_store(vacancies) as store:
        matcher = Matcher(store, config or MatchConfig())
        ours = _ours_rank(matcher, queries, k, [None] * len(queries))
    base = _baseline_rank(vacancies, queries, k, [None] * len(queries))

    def rel(ranked):
        return [[role_of.get(i) == role for i in ids] for ids in ranked]

    return {
        "resumes": len(queries),
        "pool": len(vacancies),
        "role": role,
        "relevant_in_pool": available,
        "ours": _metrics(rel(ours), [available] * len(queries), k),
        "baseline_tfidf": _metrics(rel(base), [available] * len(queries), k),
    }


def _permutation_p(values: list[float], groups: list[str], strata: list[str], rounds: int, seed: int) -> float | None:
    """Two-sided p of the largest gap between group means, permuting labels within strata."""
    labels = sorted(set(groups))
    if len(labels) < 2:
        return None
    v = np.asarray(values)
    g = np.asarray(groups)
    s = np.asarray(strata)

    def gap(gr: np.ndarray) -> float:
        means = [v[gr == lab].mean() for lab in labels if (gr == lab).any()]
        return max(means) - min(means) if len(means) > 1 else 0.0

    observed = gap(g)
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(rounds):
        perm = g.copy()
        for stratum in np.unique(s):
            idx = np.where(s == stratum)[0]
            perm[idx] = rng.permutation(perm[idx])
        hits += gap(perm) >= observed - 1e-12
    return (hits + 1) / (rounds + 1)


def fairness(
    vacancies: list[dict],
    resumes: list[dict],
    *,
    occupation: str,
    k: int = 10,
    config: MatchConfig | None = None,
    rounds: int = 2000,
    seed: int = 0,
) -> dict:
    """Mean top-k match score by gender and by age band, within (occupation, experience) strata.

    The matcher only ever sees ``RESUME_FIELDS``; a gap here comes from what those fields carry
    (desired salary, place), and the part means per group show which.
    """
    rows: list[dict[str, Any]] = []
    with _pool_store(vacancies) as store:
        matcher = Matcher(store, config or MatchConfig())
        for r in resumes:
            query = {f: r.get(f) for f in RESUME_FIELDS}  # age_band and gender are not among them
            result = matcher.rank_vacancies(query, k)
            if not result.matches:
                continue
            parts = {
                p: float(np.mean([getattr(m.detail.parts, p) for m in result.matches]))
                for p in ("title", "skills", "salary", "place", "experience")
            }
            rows.append(
                {
                    "score": float(np.mean([m.score for m in result.matches])),
                    "parts": parts,
                    "gender": r.get("gender"),
                    "age_band": r.get("age_band"),
                    "stratum": f"{occupation}|{r.get('experience') or 'unknown'}",
                }
            )
    report: dict[str, Any] = {
        "occupation": occupation,
        "resumes": len(rows),
        "k": k,
        "strata": "occupation x experience band",
    }
    for attr in ("gender", "age_band"):
        sub = [x for x in rows if x[attr]]
        groups: dict[str, list[dict]] = defaultdict(list)
        for x in sub:
            groups[x[attr]].append(x)
        table: dict[str, dict[str, Any]] = {
            name: {
                "n": len(xs),
                "mean_score": round(float(np.mean([x["score"] for x in xs])), 4),
                "parts": {p: round(float(np.mean([x["parts"][p] for x in xs])), 4) for p in xs[0]["parts"]},
            }
            for name, xs in sorted(groups.items())
        }
        means = [t["mean_score"] for t in table.values()]
        report[attr] = {
            "groups": table,
            "max_gap": round(max(means) - min(means), 4) if len(means) > 1 else None,
            "p_value": _permutation_p(
                [x["score"] for x in sub], [x[attr] for x in sub], [x["stratum"] for x in sub], rounds, seed
            )
            if len(table) > 1
            else None,
        }
    return report


def evaluate_all(
    data: Path | None = None, *, config: MatchConfig | None = None, per_role: int = 5, seed: int = 0
) -> dict:
    """Every evaluation the data at hand allows: the bundled sample always, shared data if present."""
    report: dict = {
        "bundled_sample": evaluate_roles(read_roles_csv(SAMPLE_ROLES), per_role=per_role, config=config, seed=seed)
    }
    data = data if data is not None else shared_data()
    if data is None:
        report["shared"] = "skipped: no shared data (set KADRY_SHARED_DATA)"
        return report
    roles_csv = data / "vacancies" / "hh-roles-3cities-2026" / "hh_vacancies.csv"
    api_dir = data / "vacancies" / "hh-api-2023-belarus-engineers" / "docs" / "vacancies"
    if not roles_csv.exists():
        raise NotFound(f"{roles_csv} is missing")
    pool = read_roles_csv(roles_csv)
    report["hh_roles_3cities"] = evaluate_roles(pool, per_role=per_role, config=config, seed=seed)
    if api_dir.is_dir():
        belarus = read_hh_api_dir(api_dir)
        report["hh_api_belarus"] = evaluate_roles(belarus, per_role=per_role, config=config, seed=seed)
        report["hh_api_belarus_title_only"] = evaluate_roles(
            belarus, per_role=per_role, config=config, seed=seed, use_skills=False
        )
    res_dir = data / "resumes"
    resumes = []
    for name, reader in (
        ("hh-frontend-2025", read_frontend_resumes),
        ("hh-ios-2025", read_ios_resumes),
        ("hh-java-2023", read_java_resumes),
    ):
        path = res_dir / name / "resumes.csv"
        if path.exists():
            resumes += reader(path)
    if resumes:
        report["real_resumes_vs_roles"] = evaluate_resume_titles(pool, resumes, config=config)
    frontend = res_dir / "hh-frontend-2025" / "resumes.csv"
    if frontend.exists():
        report["fairness_frontend"] = fairness(
            pool, read_frontend_resumes(frontend), occupation="frontend", config=config
        )
    java = res_dir / "hh-java-2023" / "resumes.csv"
    if java.exists():
        report["fairness_java"] = fairness(pool, read_java_resumes(java), occupation="java", config=config)
    return report


def _read_simulated(folder: Path, n_vacancies: int, n_resumes: int) -> tuple[list[dict], list[dict]]:
    from kadry.store import scratch

    folder = Path(folder)
    if not (folder / "vacancies").is_dir() or not (folder / "resumes").is_dir():
        raise NotFound(f"{folder} is not an output folder of `kadry simulate` (no vacancies/ and resumes/)")
    con = scratch()
    v = con.execute(
        f"""SELECT vacancy_id, title, role_ids_raw[1], skills_raw, experience_raw,
                   CASE WHEN salary_currency = 'RUR' THEN salary_from END, CASE WHEN salary_currency = 'RUR' THEN salary_to END
            FROM read_parquet('{folder}/vacancies/*.parquet') ORDER BY hash(vacancy_id) LIMIT ?""",
        [n_vacancies],
    ).fetchall()
    r = con.execute(
        f"""SELECT resume_id, title, role_ids_raw[1], skills_raw, experience_months,
                   CASE WHEN salary_currency = 'RUR' THEN salary_amount END, age_band, gender
            FROM read_parquet('{folder}/resumes/*.parquet') WHERE title IS NOT NULL ORDER BY hash(resume_id) LIMIT ?""",
        [n_resumes],
    ).fetchall()
    con.close()
    from kadry.schema import experience_band

    vacancies = [
        {
            "vacancy_id": x[0],
            "title": x[1],
            "role_id": x[2],
            "skills": x[3] or None,
            "experience": x[4],
            "salary_rub_from": x[5],
            "salary_rub_to": x[6],
            "simulated": True,
        }
        for x in v
    ]
    resumes = [
        {
            "resume_id": x[0],
            "title": x[1],
            "true_role": x[2],
            "skills": x[3] or None,
            "experience": experience_band(x[4]),
            "salary_rub": x[5],
            "age_band": x[6],
            "gender": x[7],
        }
        for x in r
    ]
    return vacancies, resumes


def evaluate_simulated(
    folder: Path,
    *,
    n_vacancies: int = 20_000,
    n_resumes: int = 300,
    k: int = 10,
    config: MatchConfig | None = None,
    seed: int = 0,
) -> dict:
    """Simulated resumes against simulated vacancies; relevant = the simulator's true role.

    The resume's role is withheld from the matcher (it sees title, skills, salary, experience),
    so this measures how well the text model recovers the occupation the simulator drew.
    """
    vacancies, resumes = _read_simulated(folder, n_vacancies, n_resumes)
    role_of = {v["vacancy_id"]: v["role_id"] for v in vacancies}
    size: defaultdict[str, int] = defaultdict(int)
    for v in vacancies:
        size[v["role_id"]] += 1
    queries = [{f: r.get(f) for f in RESUME_FIELDS} for r in resumes]
    with _pool_store(vacancies) as store:
        matcher = Matcher(store, config or MatchConfig())
        ours = _ours_rank(matcher, queries, k, [None] * len(queries))
    base = _baseline_rank(vacancies, resumes, k, [None] * len(queries))
    truth = [r["true_role"] for r in resumes]

    def rel(ranked):
        return [[role_of.get(i) == t for i in ids] for ids, t in zip(ranked, truth)]

    avail = [size[t] for t in truth]
    report = {
        "pool": len(vacancies),
        "resumes": len(resumes),
        "ours": _metrics(rel(ours), avail, k),
        "baseline_tfidf": _metrics(rel(base), avail, k),
    }
    strata_resumes = [dict(r, experience=r["experience"]) for r in resumes]
    report["fairness"] = _fairness_by_role(vacancies, strata_resumes, k=k, config=config, seed=seed)
    return report


def _fairness_by_role(
    vacancies: list[dict], resumes: list[dict], *, k: int, config: MatchConfig | None, seed: int
) -> dict:
    """``fairness`` with the stratum = (true role, experience band) of each simulated resume."""
    flat: list[dict[str, Any]] = []
    with _pool_store(vacancies) as store:
        matcher = Matcher(store, config or MatchConfig())
        for r in resumes:
            result = matcher.rank_vacancies({f: r.get(f) for f in RESUME_FIELDS}, k)
            if result.matches:
                flat.append(
                    {
                        "score": float(np.mean([m.score for m in result.matches])),
                        "gender": r.get("gender"),
                        "age_band": r.get("age_band"),
                        "stratum": f"{r['true_role']}|{r.get('experience') or 'unknown'}",
                    }
                )
    out: dict[str, Any] = {"resumes": len(flat), "strata": "true role x experience band"}
    for attr in ("gender", "age_band"):
        sub = [x for x in flat if x[attr]]
        groups: dict[str, list[float]] = defaultdict(list)
        for x in sub:
            groups[x[attr]].append(x["score"])
        table = {g: {"n": len(v), "mean_score": round(float(np.mean(v)), 4)} for g, v in sorted(groups.items())}
        means = [t["mean_score"] for t in table.values()]
        out[attr] = {
            "groups": table,
            "max_gap": round(max(means) - min(means), 4) if len(means) > 1 else None,
            "p_value": _permutation_p(
                [x["score"] for x in sub], [x[attr] for x in sub], [x["stratum"] for x in sub], 1000, seed
            )
            if len(table) > 1
            else None,
        }
    return out


def evaluate_responses(store: Store, *, k: int = 10, config: MatchConfig | None = None, max_queries: int = 300) -> dict:
    """Who applied where: each CV with responses ranks the portal's vacancies; relevant = the ones it applied to.

    Labels are the ``links`` of kind response (trudvsem dumps). Both rankers see the same pool
    (every trudvsem vacancy) and the CV's title, skills, salary and experience, never its links.
    """
    from kadry.schema import experience_band

    con = store.con
    v = con.execute(
        "SELECT vacancy_id, title, role_id, skills_raw, experience_raw, salary_from, salary_to, simulated "
        "FROM vacancies WHERE source = 'trudvsem' ORDER BY vacancy_id"
    ).fetchall()
    vacancies = [
        {
            "vacancy_id": x[0],
            "title": x[1],
            "role_id": x[2],
            "skills": list(x[3] or []) or None,
            "experience": x[4],
            "salary_rub_from": x[5],
            "salary_rub_to": x[6],
            "simulated": bool(x[7]),
        }
        for x in v
    ]
    labels: dict[str, set[str]] = defaultdict(set)
    pool = {x["vacancy_id"] for x in vacancies}
    for rid, vid in con.execute("SELECT resume_id, vacancy_id FROM links WHERE kind = 'response'").fetchall():
        if vid in pool:
            labels[rid].add(vid)
    r = con.execute(
        "SELECT resume_id, title, role_id, skills_raw, experience_months, salary_amount, simulated "
        "FROM resumes WHERE source = 'trudvsem' ORDER BY resume_id"
    ).fetchall()
    resumes = [
        {
            "resume_id": x[0],
            "title": x[1],
            "role_id": x[2],
            "skills": list(x[3] or []) or None,
            "experience": experience_band(x[4]),
            "salary_rub": x[5],
            "simulated": bool(x[6]),
        }
        for x in r
        if x[0] in labels
    ][:max_queries]
    if not resumes or not vacancies:
        return {
            "pool": len(vacancies),
            "resumes": 0,
            "ours": _metrics([], [], k),
            "baseline_tfidf": _metrics([], [], k),
        }
    queries = [{f: q.get(f) for f in RESUME_FIELDS} for q in resumes]
    with _pool_store(vacancies) as pool_store:
        ours = _ours_rank(Matcher(pool_store, config or MatchConfig()), queries, k, [None] * len(queries))
    base = _baseline_rank(vacancies, resumes, k, [None] * len(queries))
    want = [labels[q["resume_id"]] for q in resumes]

    def rel(ranked):
        return [[i in w for i in ids] for ids, w in zip(ranked, want)]

    avail = [len(w) for w in want]
    return {
        "pool": len(vacancies),
        "resumes": len(resumes),
        "labels": "responses (who applied where)",
        "simulated": any(q["simulated"] for q in resumes),
        "ours": _metrics(rel(ours), avail, k),
        "baseline_tfidf": _metrics(rel(base), avail, k),
    }
