"""``kadry simulate validate``: is a simulated set like the real data it was fitted on?

Distances per field against the reference distributions kept in the calibration file (they
are summaries of the real data: shares, and 201 quantiles of numeric fields), so validation
also works on a fresh clone. Categorical fields: total-variation distance (TVD); numeric
fields: Kolmogorov-Smirnov distance (KS) against the real quantile function. Tolerances are
a fixed allowance plus the distance that sampling alone produces at the simulated size, so
they hold at 2 thousand records and tighten at millions. docs/simulator.md lists them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from kadry.errors import InputError
from kadry.simulate.model import load_calibration
from kadry.store import scratch

__all__ = ["validate", "TOLERANCES"]

#: fixed allowance of each check (the sampling allowance is added to it)
TOLERANCES = {
    "vacancy.role_mix": 0.05,
    "vacancy.region_mix": 0.05,
    "vacancy.experience": 0.05,
    "vacancy.schedule": 0.10,
    "vacancy.salary_mid": 0.10,
    "resume.age_band": 0.05,
    "resume.experience_months": 0.05,
    "resume.salary": 0.10,
    "index.target": 0.05,
}
_SAMPLE = 300_000


def _tvd(sim: dict, real: dict) -> float:
    keys = set(sim) | set(real)
    s = sum(sim.values()) or 1.0
    r = sum(real.values()) or 1.0
    return 0.5 * sum(abs(sim.get(k, 0) / s - real.get(k, 0) / r) for k in keys)


def _ks_vs_quantiles(values: np.ndarray, quantiles: list[float]) -> float:
    """sup |F_sim - F_real| with F_real from its quantile function (exact at the quantile points)."""
    q = np.asarray(quantiles, dtype=float)
    p = np.linspace(0, 1, len(q))
    v = np.sort(np.asarray(values, dtype=float))
    if len(v) == 0:
        return 1.0
    f_sim_at_q = np.searchsorted(v, q, side="right") / len(v)
    f_real_at_v = np.interp(v, q, p)
    f_sim_at_v = np.arange(1, len(v) + 1) / len(v)
    return float(max(np.max(np.abs(f_sim_at_q - p)), np.max(np.abs(f_sim_at_v - f_real_at_v))))


def _row(check: str, measure: str, value: float, n: int, k: int = 2) -> dict:
    base = TOLERANCES[check]
    noise = 0.5 * math.sqrt(k / max(n, 1)) if measure == "TVD" else 1.36 / math.sqrt(max(n, 1))
    tol = round(base + noise, 4)
    return {"check": check, "measure": measure, "value": value, "tolerance": tol, "ok": bool(value <= tol), "n": n}


def _band_shares(quantiles: list[float]) -> dict:
    q = np.asarray(quantiles, dtype=float)
    p = np.linspace(0, 1, len(q))
    cuts = [18, 25, 35, 45, 55, 65]
    cdf = [float(np.interp(c - 1e-9, q, p)) for c in cuts]
    edges = [0.0] + cdf + [1.0]
    names = ["<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
    return {n: max(edges[i + 1] - edges[i], 0.0) for i, n in enumerate(names)}


def validate(directory: str | Path) -> dict:
    d = Path(directory)
    if not (d / "vacancies").is_dir() or not (d / "truth" / "index.parquet").exists():
        raise InputError(f"{d} is not a directory written by kadry simulate (no vacancies/ or truth/)")
    cal = load_calibration()
    ref = cal.data["reference"]
    con = scratch()
    v = con.execute(
        f"SELECT role_ids_raw[1] AS role, area_id_raw AS area, experience_raw AS exp, schedule, simulated, "
        f"salary_from, salary_to FROM read_parquet('{d}/vacancies/*.parquet') USING SAMPLE {_SAMPLE} ROWS"
    ).df()
    r = con.execute(
        f"SELECT age_band, experience_months, salary_amount, simulated FROM read_parquet('{d}/resumes/*.parquet') "
        f"USING SAMPLE {_SAMPLE} ROWS"
    ).df()
    rows = []
    n = len(v)
    # roles with a pseudo-count in the calibration: compare on the roles seen in the real data
    real_roles = ref["vacancy_role_share"]
    rows.append(
        _row("vacancy.role_mix", "TVD", _tvd(v["role"].value_counts().to_dict(), real_roles), n, len(real_roles))
    )
    real_areas = ref["vacancy_area_share_2022"]
    rows.append(
        _row(
            "vacancy.region_mix",
            "TVD",
            _tvd(v["area"].value_counts().to_dict(), real_areas),
            n,
            min(len(real_areas), 100),
        )
    )
    rows.append(
        _row(
            "vacancy.experience", "TVD", _tvd(v["exp"].value_counts().to_dict(), ref["vacancy_experience_share"]), n, 4
        )
    )
    rows.append(
        _row(
            "vacancy.schedule", "TVD", _tvd(v["schedule"].value_counts().to_dict(), ref["vacancy_schedule_share"]), n, 5
        )
    )
    mid = v[["salary_from", "salary_to"]].mean(axis=1, skipna=True).dropna().to_numpy()
    rows.append(_row("vacancy.salary_mid", "KS", _ks_vs_quantiles(mid, ref["vacancy_salary_mid_rur_2022"]), len(mid)))
    m = len(r)
    rows.append(
        _row(
            "resume.age_band",
            "TVD",
            _tvd(r["age_band"].value_counts().to_dict(), _band_shares(ref["resume_age"])),
            m,
            7,
        )
    )
    rows.append(
        _row(
            "resume.experience_months",
            "KS",
            _ks_vs_quantiles(r["experience_months"].dropna().to_numpy(), ref["resume_experience_months"]),
            m,
        )
    )
    rows.append(
        _row("resume.salary", "KS", _ks_vs_quantiles(r["salary_amount"].dropna().to_numpy(), ref["resume_salary"]), m)
    )

    idx = pd.read_parquet(d / "truth" / "index.parquet")
    t = idx[idx["in_window"] & idx["target"].notna() & (idx["vacancies"] >= 30) & (idx["resumes"] > 0)].copy()
    t = t[t["dim"].isin(["role_category_country", "it_country"])]
    if len(t):
        rel = (t["index"] / t["target"] - 1).abs()
        allowance = TOLERANCES["index.target"] + 4 * np.sqrt(1 / t["vacancies"] + 1 / t["resumes"])
        worst = float((rel / allowance).max())
        rows.append(
            {
                "check": "index.target",
                "measure": "max rel.err / tolerance",
                "value": worst,
                "tolerance": 1.0,
                "ok": worst <= 1.0,
                "n": int(len(t)),
            }
        )
        it = t[(t["dim"] == "it_country") & (t["key"] == "true|113")]
        if len(it):
            e = float((it["index"] / it["target"] - 1).abs().max())
            tol = round(
                TOLERANCES["index.target"] + 4 * float(np.sqrt(1 / it["vacancies"].min() + 1 / it["resumes"].min())), 4
            )
            rows.append(
                {
                    "check": "index.it_russia",
                    "measure": "max rel.err",
                    "value": e,
                    "tolerance": tol,
                    "ok": e <= tol,
                    "n": int(len(it)),
                }
            )
    flag = bool(v["simulated"].all() and r["simulated"].all())
    rows.append(
        {
            "check": "simulated flag",
            "measure": "all true",
            "value": 1.0 if flag else 0.0,
            "tolerance": 1.0,
            "ok": flag,
            "n": n + m,
        }
    )
    return {"rows": rows, "ok": all(row["ok"] for row in rows)}
