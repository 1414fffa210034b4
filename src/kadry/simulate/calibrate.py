"""Fit the simulator's distributions from the real data in ../shared/data.

The result is one compact JSON file shipped in ``kadry/resources/simulate/calibration.json``
so that simulation works on a fresh clone; docs/simulator.md names the source of every
field. Run ``kadry simulate calibrate`` to rebuild it.
"""

from __future__ import annotations

import glob
import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from kadry.config import RESOURCES, shared_data
from kadry.errors import ConfigError
from kadry.normalize.occupations import roles as role_table
from kadry.simulate.areas import load_area_tree, resolve_names

__all__ = ["CALIBRATION_PATH", "calibrate"]

CALIBRATION_PATH = RESOURCES / "simulate" / "calibration.json"


_MAX_TITLES = 40
_MAX_SKILLS = 30
_N_QUANTILES = 201
_RESUME_SAMPLE = 12000


def _quantiles(values: np.ndarray) -> list[float]:
    qs = np.quantile(np.asarray(values, dtype=float), np.linspace(0, 1, _N_QUANTILES))
    return [round(float(q), 4) for q in qs]


def _shrunk_shares(counts: Counter, prior: dict[str, float], k: float) -> dict[str, float]:
    """Empirical shares pulled toward a prior with k pseudo-observations (small groups stay sane)."""
    n = sum(counts.values())
    keys = sorted(set(prior) | set(counts))
    out = {key: (counts.get(key, 0) + k * prior.get(key, 0.0)) / (n + k) for key in keys}
    total = sum(out.values())
    return {key: v / total for key, v in sorted(out.items()) if v > 0}


def _api_vacancies(root: Path) -> list[dict]:
    files = sorted(glob.glob(str(root / "vacancies/hh-api-2023-belarus-engineers/docs/vacancies/*.json")))
    out = [json.loads(Path(f).read_text(encoding="utf-8")) for f in files]
    moscow = root / "vacancies/hh-api-2025-moscow/vacancies_raw.json"
    if moscow.exists():
        out.extend(json.loads(moscow.read_text(encoding="utf-8")))
    return out


def _lifetime(api: list[dict]) -> dict:
    """Lifetime from the ages of vacancies found open in one API collection (Belarus, 2023).

    For a steady flow of publications, the number of open vacancies of age a is proportional
    to the survival function S(a). Weekly means remove the weekday pattern; ages beyond the
    30-day search window are unobserved, so the mass still open at 30 days closes at 30 days
    (hh's publication term) except a share that is prolonged once (assumption, see docs).
    """
    belarus = [v for v in api if str(v.get("published_at", "")).startswith("2023")]
    pub = pd.to_datetime(pd.Series([v["published_at"] for v in belarus]), utc=True)
    ages = ((pub.max() - pub).dt.total_seconds() // 86400).astype(int).to_numpy()
    ages = ages[ages < 28]
    counts = np.bincount(ages, minlength=28).astype(float)
    weekly = counts.reshape(4, 7).mean(axis=1)
    mids = np.array([3.0, 10.0, 17.0, 24.0])
    surv_pts = weekly / weekly[0]
    days = np.arange(0, 31)
    surv = np.interp(days, np.concatenate([[0.0], mids, [30.0]]), np.concatenate([[1.0], surv_pts, [surv_pts[-1]]]))
    surv = np.minimum.accumulate(np.clip(surv, 0, 1))
    prolong = 0.3
    pmf = np.zeros(91)
    pmf[1:31] = -np.diff(surv)  # closes on day d (1..30)
    pmf[30] += surv[-1] * (1 - prolong)
    pmf[31:91] += surv[-1] * prolong / 60.0
    pmf = pmf / pmf.sum()
    return {
        "pmf": [round(abs(float(p)), 6) for p in pmf],
        "weekly_survival": [round(float(s), 4) for s in surv_pts],
        "prolonged_share_assumed": prolong,
        "n": int(len(ages)),
    }


def calibrate(root: Path | None = None, out: Path | None = None) -> dict:
    """Build the calibration from the shared data and write it (default: the shipped file)."""
    root = Path(root) if root else shared_data()
    if root is None or not (root / "dictionaries/hh-2024-12/areas.json").exists():
        raise ConfigError(
            "kadry simulate calibrate needs the shared real data (set KADRY_SHARED_DATA or place it at ../shared/data)"
        )
    out = Path(out) if out else CALIBRATION_PATH
    tree = load_area_tree(root / "dictionaries/hh-2024-12/areas.json")
    roles_json = json.loads((root / "dictionaries/hh-2024-12/professional_roles.json").read_text(encoding="utf-8"))

    # --- roles and categories ------------------------------------------------------------
    role_names: dict[str, str] = {}
    role_cats: dict[str, list[str]] = defaultdict(list)
    categories = []
    for cat in roles_json["categories"]:
        categories.append({"id": cat["id"], "name": cat["name"]})
        for role in cat["roles"]:
            role_names[role["id"]] = role["name"]
            role_cats[role["id"]].append(cat["id"])
    # one role table for normalization and the simulator: its primary category and IT segment
    table = role_table()
    unknown = sorted(set(role_cats) - set(table), key=int)
    if unknown:
        raise ConfigError(f"roles missing from the role table (roles.csv): {', '.join(unknown)}")
    primary = {rid: table[rid].primary_category for rid in role_cats}
    is_it = {rid: table[rid].is_it for rid in role_cats}

    r3 = pd.read_csv(root / "vacancies/hh-roles-3cities-2026/hh_vacancies.csv")
    r3["role_id"] = r3["role_id"].astype(str)
    r3 = r3[r3["role_id"].isin(role_names)]
    api = _api_vacancies(root)

    role_counts = Counter(r3["role_id"])
    # every hh role gets a small pseudo-count so that rare roles exist in large simulations
    role_share = {rid: role_counts.get(rid, 0) + 0.2 for rid in role_names}
    total = sum(role_share.values())
    role_share = {k: v / total for k, v in role_share.items()}

    titles: dict[str, Counter] = defaultdict(Counter)
    for rid, title in zip(r3["role_id"], r3["title"]):
        titles[rid][str(title).strip()] += 1
    skills: dict[str, Counter] = defaultdict(Counter)
    skill_counts: list[int] = []
    for v in api:
        roles = [r["id"] for r in v.get("professional_roles") or []]
        if not roles:
            continue
        titles[roles[0]][str(v.get("name", "")).strip()] += 1
        ks = [k["name"] for k in v.get("key_skills") or []]
        skill_counts.append(len(ks))
        for name in ks:
            skills[roles[0]][name] += 1
    cat_skills: dict[str, Counter] = defaultdict(Counter)
    for rid, cnt in skills.items():
        cat_skills[primary.get(rid, "27")].update(cnt)

    # experience by role (shrunk to the overall mix)
    exp_all = Counter(r3["experience"].dropna())
    exp_prior = {k: v / sum(exp_all.values()) for k, v in exp_all.items()}
    # salary: roles-3cities gives the role effect (within city), the structure of from/to and gross
    r3["mid"] = r3[["salary_from", "salary_to"]].mean(axis=1, skipna=True)
    rur = r3[(r3["salary_currency"] == "RUR") & r3["mid"].gt(1000)].copy()
    rur["lmid"] = np.log(rur["mid"])
    rur["resid"] = rur["lmid"] - rur.groupby("city")["lmid"].transform("median")
    role_eff = {}
    for rid, grp in rur.groupby("role_id"):
        n = len(grp)
        role_eff[rid] = float(grp["resid"].median() * n / (n + 10.0))
    has_salary = {}
    sal_prior = float(r3["has_salary"].mean())
    for rid, grp in r3.groupby("role_id"):
        n = len(grp)
        has_salary[rid] = float((grp["has_salary"].sum() + 10 * sal_prior) / (n + 10))
    with_sal = r3[r3["salary_from"].notna() | r3["salary_to"].notna()]
    both = (with_sal["salary_from"].notna() & with_sal["salary_to"].notna()).mean()
    from_only = (with_sal["salary_from"].notna() & with_sal["salary_to"].isna()).mean()
    gross_share = float(r3.loc[r3["has_salary"] == 1, "salary_gross"].mean())

    y22 = pd.read_csv(root / "vacancies/hh-csv-yearly/files/2022.csv")
    y22 = y22[y22["salary_currency"] == "RUR"].copy()
    name_to_id = resolve_names(tree, sorted(y22["area_name"].dropna().unique()))
    y22["area_id"] = y22["area_name"].map(name_to_id)
    unresolved = int(y22["area_id"].isna().sum())
    y22 = y22[y22["area_id"].notna()]
    y22["mid"] = y22[["salary_from", "salary_to"]].mean(axis=1, skipna=True)
    y22 = y22[y22["mid"].between(3000, 5_000_000)]
    y22["lmid"] = np.log(y22["mid"])
    mu = float(y22["lmid"].median())
    area_eff = {}
    for aid, grp in y22.groupby("area_id"):
        n = len(grp)
        area_eff[aid] = float((grp["lmid"].median() - mu) * n / (n + 20.0))
    resid = y22["lmid"] - mu - y22["area_id"].map(area_eff)
    sigma = float(1.4826 * np.median(np.abs(resid - resid.median())))
    both22 = y22[y22["salary_from"].notna() & y22["salary_to"].notna() & (y22["salary_from"] > 0)]
    ratio = (both22["salary_to"] / both22["salary_from"]).clip(1.0, 5.0)

    area_counts = Counter(y22["area_id"])
    areas_used = set(area_counts)
    # destinations of the shipped scenarios and every federal subject (for internal moves)
    extra = {"160", "159", "2758", "13", "146", "94", "40", "28", "16", "1002"}
    extra |= {n.id for n in tree.values() if n.depth == 1 and n.country_id == "113"}
    areas = []
    for aid in sorted(areas_used | (extra & set(tree)), key=lambda x: int(x)):
        node = tree[aid]
        areas.append(
            {
                "id": aid,
                "name": node.name,
                "subject_id": node.subject_id,
                "subject_name": tree[node.subject_id].name,
                "country_id": node.country_id,
                "share": area_counts.get(aid, 0) / len(y22),
                "salary_effect": round(area_eff.get(aid, area_eff.get(node.subject_id, 0.0)), 5),
            }
        )

    # schedule / employment, split IT vs other (API answers)
    sched: dict[str, Counter[str]] = {"it": Counter(), "other": Counter()}
    empl: dict[str, Counter[str]] = {"it": Counter(), "other": Counter()}
    for v in api:
        roles = [r["id"] for r in v.get("professional_roles") or []]
        group = "it" if roles and is_it.get(roles[0], False) else "other"
        if v.get("schedule"):
            sched[group][v["schedule"]["id"]] += 1
        if v.get("employment"):
            empl[group][v["employment"]["id"]] += 1
    sched_all = sched["it"] + sched["other"]
    empl_all = empl["it"] + empl["other"]
    sched_prior = {k: v / sum(sched_all.values()) for k, v in sched_all.items()}
    empl_prior = {k: v / sum(empl_all.values()) for k, v in empl_all.items()}

    # --- resumes: 44k numeric rows (age, experience, desired salary) --------------------------
    h = pd.read_csv(root / "resumes/hh-44k-numeric-2019/hh44k_age_experience_salary.csv")
    clean = h[
        h["age_years"].between(16, 75) & h["salary_rub"].between(5000, 1_000_000) & h["experience_months"].notna()
    ]
    clean = clean[clean["experience_months"] <= (clean["age_years"] - 14) * 12]
    sample = clean.sample(n=min(_RESUME_SAMPLE, len(clean)), random_state=20190101)
    agg = pd.read_csv(root / "resumes/hh-44k-numeric-2019/hh44k_aggregates_from_plots.csv")
    rel = agg[agg["table"] == "median_salary_by_relocation_x_business_trip"]
    ready = rel[rel["category"].str.startswith("Готов")]["value_rub"].to_numpy()
    notready = rel[rel["category"].str.startswith("Не готов")]["value_rub"].to_numpy()
    reloc_ratio = float(np.exp(np.mean(np.log(ready)) - np.mean(np.log(notready))))
    fe = pd.read_csv(root / "resumes/hh-frontend-2025/resumes.csv")
    g = fe["gender"].map({"Мужчина": "male", "Male": "male", "Женщина": "female", "Female": "female"}).dropna()
    male_share = float((g == "male").mean())

    roles_out = []
    for rid in sorted(role_names, key=lambda x: int(x)):
        cat = primary[rid]
        tl = titles.get(rid) or Counter({role_names[rid]: 1})
        top_t = tl.most_common(_MAX_TITLES)
        sk = skills.get(rid)
        if not sk or sum(sk.values()) < 5:
            sk = (sk or Counter()) + cat_skills.get(cat, Counter())
        top_s = sk.most_common(_MAX_SKILLS)
        grp = r3[r3["role_id"] == rid]
        roles_out.append(
            {
                "id": rid,
                "name": role_names[rid],
                "category": cat,
                "is_it": is_it[rid],
                "share": role_share[rid],
                "titles": [t for t, _ in top_t],
                "title_weights": [c for _, c in top_t],
                "skills": [s for s, _ in top_s],
                "skill_weights": [c for _, c in top_s],
                "salary_effect": round(role_eff.get(rid, 0.0), 5),
                "has_salary": round(has_salary.get(rid, sal_prior), 5),
                "experience": _shrunk_shares(Counter(grp["experience"].dropna()), exp_prior, 20.0),
            }
        )

    cal = {
        "version": 1,
        "built_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "categories": categories,
        "roles": roles_out,
        "areas": areas,
        "vacancy": {
            "salary_mu": round(mu, 5),
            "salary_sigma": round(sigma, 5),
            "salary_both": round(float(both), 5),
            "salary_from_only": round(float(from_only), 5),
            "salary_ratio_quantiles": _quantiles(ratio.to_numpy()),
            "salary_gross_share": round(gross_share, 5),
            "schedule": {k: _shrunk_shares(v, sched_prior, 30.0) for k, v in sched.items()},
            "employment": {k: _shrunk_shares(v, empl_prior, 30.0) for k, v in empl.items()},
            "skills_count": [int(c) for c in np.bincount(np.minimum(skill_counts, 20))],
            "lifetime": _lifetime(api),
        },
        "resume": {
            "age": sample["age_years"].astype(int).tolist(),
            "experience_months": sample["experience_months"].astype(int).tolist(),
            "salary": sample["salary_rub"].round().astype(int).tolist(),
            "relocation_salary_ratio": round(reloc_ratio, 5),
            "male_share": round(male_share, 4),
        },
        "reference": {
            "vacancy_salary_mid_rur_2022": _quantiles(y22["mid"].to_numpy()),
            "vacancy_area_share_2022": {k: v / len(y22) for k, v in area_counts.most_common()},
            "vacancy_role_share": {k: v / sum(role_counts.values()) for k, v in role_counts.most_common()},
            "vacancy_experience_share": exp_prior,
            "vacancy_schedule_share": sched_prior,
            "resume_age": _quantiles(clean["age_years"].to_numpy()),
            "resume_experience_months": _quantiles(clean["experience_months"].to_numpy()),
            "resume_salary": _quantiles(clean["salary_rub"].to_numpy()),
        },
        "sources": {
            "areas": "dictionaries/hh-2024-12/areas.json",
            "roles": "dictionaries/hh-2024-12/professional_roles.json",
            "role_mix, titles, experience, salary role effect, salary structure, gross": "vacancies/hh-roles-3cities-2026/hh_vacancies.csv",
            "region mix, salary level and region effect, salary to/from ratio": "vacancies/hh-csv-yearly/files/2022.csv",
            "titles, key skills, schedule, employment, lifetime": "vacancies/hh-api-2023-belarus-engineers, vacancies/hh-api-2025-moscow",
            "resume age, experience, desired salary": "resumes/hh-44k-numeric-2019/hh44k_age_experience_salary.csv",
            "relocation salary ratio": "resumes/hh-44k-numeric-2019/hh44k_aggregates_from_plots.csv",
            "gender share": "resumes/hh-frontend-2025/resumes.csv",
        },
        "counts": {
            "roles_3cities": int(len(r3)),
            "api_vacancies": len(api),
            "csv_2022_rur_resolved": int(len(y22)),
            "csv_2022_unresolved_area": unresolved,
            "resumes_44k_clean": int(len(clean)),
            "resumes_44k_total": int(len(h)),
        },
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(cal, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return cal
