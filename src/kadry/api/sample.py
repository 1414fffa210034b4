"""A small synthetic store for tests, benchmarks and trying the dashboard without real data.

Records are marked ``simulated`` (source ``sim``) and carry only normalized columns, as
``kadry normalize`` would leave them. Region sizes differ widely so that some cells fall
below the suppression threshold, as they do in real data.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from kadry.rules import experience
from kadry.store import Store

__all__ = ["build_store", "SAMPLE_REGIONS", "SAMPLE_ROLES"]

#: region code -> (federal district, relative size)
SAMPLE_REGIONS = {
    "RU-MOW": ("CFD", 40),
    "RU-MOS": ("CFD", 10),
    "RU-TUL": ("CFD", 3),
    "RU-SPE": ("NWFD", 18),
    "RU-LEN": ("NWFD", 3),
    "RU-NVS": ("SibFD", 8),
    "RU-TOM": ("SibFD", 2),
    "RU-SVE": ("UFD", 9),
    "RU-TA": ("VFD", 7),
    "RU-NEN": ("NWFD", 0.3),
}
#: role id -> (primary category, is IT, relative size, resumes per vacancy, median salary)
SAMPLE_ROLES = {
    "96": ("11", True, 30, 1.5, 160_000),
    "104": ("11", True, 4, 2.5, 260_000),
    "10": ("4", True, 8, 6.0, 120_000),
    "40": ("4", False, 6, 9.0, 70_000),
    "97": ("17", False, 12, 3.0, 80_000),
    "118": ("17", False, 2, 14.0, 50_000),
}
_SKILLS = {
    "96": ["Python", "SQL", "Git", "Docker", "Linux", "Java"],
    "104": ["Agile", "Python", "Kubernetes", "Scrum"],
    "10": ["SQL", "Excel", "Power BI", "Python"],
    "40": ["Excel", "1С", "Бухгалтерский учет"],
    "97": ["Продажи", "Переговоры", "CRM"],
    "118": ["Кассовые операции", "Продажи"],
}


def build_store(
    path: str | Path,
    *,
    vacancies: int = 3000,
    seed: int = 7,
    start: str = "2024-01-01",
    months: int = 6,
    sources: dict[str, float] | None = None,
) -> Path:
    """Write a store at ``path`` (replacing it) with about ``vacancies`` vacancies and the resumes to match.

    ``sources`` (name -> share) spreads the records over several source labels, each vacancy's
    resumes with it, so a cross-source view has two markets to compare; the records stay
    ``simulated`` whatever their label.
    """
    path = Path(path)
    for p in (path, Path(str(path) + ".wal")):
        if p.exists():
            p.unlink()
    rng = np.random.default_rng(seed)
    regions = list(SAMPLE_REGIONS)
    rw = np.array([SAMPLE_REGIONS[r][1] for r in regions], float)
    roles = list(SAMPLE_ROLES)
    lw = np.array([SAMPLE_ROLES[r][2] for r in roles], float)
    t0 = datetime.fromisoformat(start)
    span = months * 30
    labelled = sources or {"sim": 1.0}
    source_names = list(labelled)
    sw = np.array([labelled[n] for n in source_names], float)
    labels = np.random.default_rng(seed + 1)  # its own stream: the records are the same whatever the labels
    rows_v, rows_r = [], []
    for i in range(vacancies):
        source = (
            source_names[0]
            if len(source_names) == 1
            else source_names[labels.choice(len(source_names), p=sw / sw.sum())]
        )
        region = regions[rng.choice(len(regions), p=rw / rw.sum())]
        role = roles[rng.choice(len(roles), p=lw / lw.sum())]
        cat, is_it, _, ratio, median = SAMPLE_ROLES[role]
        published = t0 + timedelta(days=int(rng.integers(0, span)), hours=int(rng.integers(8, 20)))
        salary = float(round(median * rng.lognormal(0, 0.25), -3)) if rng.random() < 0.7 else None
        skills = [
            str(s)
            for s in rng.choice(_SKILLS[role], size=min(len(_SKILLS[role]), int(rng.integers(1, 4))), replace=False)
        ]
        rows_v.append(_vacancy(i, region, role, cat, is_it, published, salary, skills, rng) | _label(source, f"v{i}"))
        for j in range(int(rng.poisson(ratio * (1.6 if region == "RU-MOW" else 1.0)))):
            created = published + timedelta(days=int(rng.integers(-20, 20)))
            want = float(round(median * 1.1 * rng.lognormal(0, 0.3), -3)) if rng.random() < 0.8 else None
            rskills = [
                str(s)
                for s in rng.choice(_SKILLS[role], size=min(len(_SKILLS[role]), int(rng.integers(1, 5))), replace=False)
            ]
            resume = _resume(f"{i}-{j}", region, role, cat, is_it, created, want, rskills, rng)
            rows_r.append(resume | _label(source, f"r{i}-{j}", resume=True))
    with Store(path) as store:
        for table, rows in (("vacancies", rows_v), ("resumes", rows_r)):
            frame = pd.DataFrame(rows)
            cols = [r[0] for r in store.con.execute(f"DESCRIBE {table}").fetchall()]
            store.con.register("_incoming", frame)
            names = ", ".join(c for c in cols if c in frame.columns)
            store.con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _incoming")
            store.con.unregister("_incoming")
        store.set_meta("sample", f"kadry.api.sample seed={seed}")
    return path


def _label(source: str, key: str, *, resume: bool = False) -> dict:
    if resume:
        return {"resume_id": f"{source}:{key}", "source": source, "source_key": key}
    return {"vacancy_id": f"{source}:{key}", "source": source, "source_id": key}


def _vacancy(i, region, role, cat, is_it, published, salary, skills, rng) -> dict:
    closed = published + timedelta(days=int(rng.integers(5, 40)))
    return {
        "vacancy_id": f"sim:v{i}",
        "source": "sim",
        "source_id": f"v{i}",
        "simulated": True,
        "title": f"role {role}",
        "published_at": published,
        "created_at": published,
        "first_seen": published,
        "last_seen": closed,
        "closed_at": closed,
        "archived_at": closed,
        "country_code": "RU",
        "region_code": region,
        "federal_district": SAMPLE_REGIONS[region][0],
        "region_status": "mapped",
        "role_id": role,
        "role_ids": [role],
        "role_category": cat,
        "is_it": is_it,
        "role_source": "source",
        "role_confidence": 1.0,
        "experience": str(rng.choice(list(experience.KEYS[:3]))),
        "remote": bool(rng.random() < (0.4 if is_it else 0.05)),
        "salary_rub": salary,
        "salary_flag": "ok" if salary else "missing",
        "skills": skills,
        "skills_source": "key_skills",
    }


def _resume(key, region, role, cat, is_it, created, want, skills, rng) -> dict:
    updated = created + timedelta(days=int(rng.integers(0, 25)))
    return {
        "resume_id": f"sim:r{key}",
        "source": "sim",
        "source_key": f"r{key}",
        "simulated": True,
        "title": f"role {role}",
        "created_at": created,
        "updated_at": updated,
        "first_seen": created,
        "last_seen": updated,
        "country_code": "RU",
        "region_code": region,
        "federal_district": SAMPLE_REGIONS[region][0],
        "region_status": "mapped",
        "role_id": role,
        "role_ids": [role],
        "role_category": cat,
        "is_it": is_it,
        "role_source": "source",
        "role_confidence": 1.0,
        "experience": experience.KEYS[1],
        "remote": False,
        "salary_rub": want,
        "salary_flag": "ok" if want else "missing",
        "skills": skills,
    }
