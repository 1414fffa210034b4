"""``kadry simulate``: plan, then generate and write chunk by chunk, then write the truth."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kadry.errors import InputError
from kadry.simulate.generate import Areas, make_resumes, make_vacancies
from kadry.simulate.model import load_calibration
from kadry.simulate.pilot import make_plan
from kadry.simulate.scenario import load_scenario
from kadry.simulate.truth import Truth

__all__ = ["simulate", "plan_table", "DEFAULT_CHUNK"]

DEFAULT_CHUNK = 200_000


def _part(directory: Path, number: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"part-{number:05d}.parquet"


def simulate(
    out: str | Path,
    vacancies: int,
    resumes: int | None,
    start: str = "2021-01",
    end: str = "2022-12",
    seed: int = 0,
    scenario: str | Path | None = None,
    jsonl: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
    overwrite: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    *,
    vacancy_stock: object = None,
    role_weights: object = None,
    resumes_only: bool = False,
) -> dict:
    """Write a simulated market to ``out`` (Parquet parts + truth/) and return its summary.

    ``vacancy_stock`` (category x grid month, burn-in included: an array in
    ``Calibration.categories`` order or ``{category id: values}``) is the vacancy stock the
    resume targets rest on, instead of the simulated vacancies' expected stock; ``resumes=None``
    then lets the planner choose M. ``role_weights`` (array per role, or ``{role id: weight}``)
    is the role mix of resumes within a category. ``resumes_only`` writes no vacancies (and
    their observations); the truth then has the resume side only and ``truth/plan.parquet``
    holds the given stock, the targets and the expected resume stock per category and month.
    """
    out = Path(out)
    if resumes_only and vacancy_stock is None:
        raise InputError("resumes only needs a given vacancy stock (vacancy_stock) to plan the resumes against")
    if resumes is None and vacancy_stock is None:
        raise InputError("--resumes is required unless the vacancy stock is given")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise InputError(f"output directory {out} is not empty (use --overwrite to replace its simulation)")
    if chunk_size <= 0:
        raise InputError("--chunk-size must be > 0")
    if overwrite and out.exists():
        for sub in ("vacancies", "resumes", "observations", "truth", "jsonl"):
            d = out / sub
            if d.is_dir():
                for old in d.iterdir():
                    old.unlink()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    cal = load_calibration()
    sc = load_scenario(scenario)
    if isinstance(role_weights, dict):
        unknown = sorted(set(map(str, role_weights)) - set(cal.role_ids))
        if unknown:
            raise InputError(f"role_weights: unknown hh role id(s) {', '.join(unknown[:5])}")
        role_weights = [float(role_weights.get(r, 0.0)) for r in cal.role_ids]
    if resumes_only:
        vacancies = 0
    plan = make_plan(
        cal, sc, vacancies, resumes, start, end, seed, vacancy_stock=vacancy_stock, role_weights=role_weights
    )
    resumes = plan.n_resumes
    t_plan = time.perf_counter() - t0
    areas = Areas(cal, plan, sc)
    truth = Truth(cal, plan, sc.window_days)
    obs_part = 0
    n_obs = {"vacancy": 0, "resume": 0}
    done = 0
    for chunk, lo in enumerate(range(0, vacancies, chunk_size)):
        n = min(chunk_size, vacancies - lo)
        path = _part(out / "vacancies", chunk)
        vc = make_vacancies(cal, plan, sc, areas, seed, chunk, lo, n, f"sim:{out.name}/vacancies/{path.name}", jsonl)
        pq.write_table(vc.records, path)
        pq.write_table(vc.observations, _part(out / "observations", obs_part))
        obs_part += 1
        n_obs["vacancy"] += vc.observations.num_rows
        truth.add_vacancies(vc.role, vc.area, vc.pub_s, vc.close_s)
        if jsonl:
            (out / "jsonl").mkdir(exist_ok=True)
            with open(out / "jsonl" / f"vacancies-{chunk:05d}.jsonl", "w", encoding="utf-8") as f:
                assert vc.jsonl is not None  # make_vacancies gives the objects when asked for jsonl
                for obj in vc.jsonl:
                    f.write(json.dumps(obj, ensure_ascii=False) + "\n")
        done += n
        if progress:
            progress("vacancies", done, vacancies)
        del vc
    moves_writer = None
    n_moves = 0
    done = 0
    try:
        for chunk, lo in enumerate(range(0, resumes, chunk_size)):
            n = min(chunk_size, resumes - lo)
            path = _part(out / "resumes", chunk)
            rc = make_resumes(cal, plan, sc, areas, seed, chunk, lo, n, f"sim:{out.name}/resumes/{path.name}")
            pq.write_table(rc.records, path)
            pq.write_table(rc.observations, _part(out / "observations", obs_part))
            obs_part += 1
            n_obs["resume"] += rc.observations.num_rows
            truth.add_resumes(rc.role, rc.obs_rec, rc.obs_t, rc.obs_area, rc.created_s, rc.created_area)
            if moves_writer is None:
                (out / "truth").mkdir(parents=True, exist_ok=True)
                moves_writer = pq.ParquetWriter(out / "truth" / "moves.parquet", rc.moves.schema)
            moves_writer.write_table(rc.moves)
            n_moves += rc.moves.num_rows
            done += n
            if progress:
                progress("resumes", done, resumes)
            del rc
    finally:
        if moves_writer is not None:
            moves_writer.close()
    t_gen = time.perf_counter() - t0 - t_plan
    summary = {
        "simulated": True,
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "vacancies": vacancies,
        "resumes": resumes,
        "observations": n_obs,
        "moves": n_moves,
        "from": start,
        "to": end,
        "grid_from": plan.calendar.labels()[0],
        "seed": seed,
        "scenario": sc.name,
        "scenario_path": sc.path,
        "activity_window_days": sc.window_days,
        "pace": plan.pace,
        "updates_mean": plan.updates_mean,
        "vacancy_stock": "given" if plan.given_stock else "simulated",
        "resumes_only": resumes_only,
        "fit_error": plan.fit_error,
        "warnings": plan.warnings,
        "chunk_size": chunk_size,
        "seconds": {"plan": round(t_plan, 2), "generate": round(t_gen, 2)},
        "calibration_built_at": cal.data.get("built_at"),
    }
    summary = truth.write(out / "truth", summary)
    if plan.given_stock:
        pq.write_table(plan_table(cal, plan), out / "truth" / "plan.parquet")
    if n_moves == 0 and not (out / "truth" / "moves.parquet").exists():
        pq.write_table(_empty_moves(), out / "truth" / "moves.parquet")
    summary["seconds"]["total"] = round(time.perf_counter() - t0, 2)
    (out / "truth" / "summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    return summary


def plan_table(cal, plan) -> pa.Table:
    """Per category and grid month: the vacancy stock the plan used, the target, the expected
    resume stock and the expected index (null where there is no stock or no target)."""
    import numpy as np

    C, G = plan.expected_vacancy_stock.shape
    labels = plan.calendar.labels()
    v = plan.expected_vacancy_stock.ravel()
    r = plan.expected_resume_stock.ravel()
    t = plan.targets.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        idx = np.where(v > 0, r / v, np.nan)
    in_win = np.zeros(G, dtype=bool)
    in_win[plan.calendar.window] = True
    return pa.table(
        {
            "role_category": pa.array([c for c in cal.categories for _ in range(G)], pa.string()),
            "month": pa.array([m for _ in range(C) for m in labels], pa.string()),
            "in_window": pa.array(np.tile(in_win, C)),
            "vacancy_stock": pa.array(v),
            "target": pa.array(t, mask=np.isnan(t)),
            "expected_resumes": pa.array(r),
            "expected_index": pa.array(idx, mask=np.isnan(idx)),
        }
    )


def _empty_moves() -> pa.Table:
    cols = [
        "resume_id",
        "rule",
        "role_id",
        "role_category",
        "origin_area_id",
        "dest_area_id",
        "origin_subject_id",
        "dest_subject_id",
        "origin_country_id",
        "dest_country_id",
    ]
    t = {c: pa.array([], pa.string()) for c in cols}
    t["observed_at"] = pa.array([], pa.timestamp("us"))
    t["month"] = pa.array([], pa.date32())
    t["is_it"] = pa.array([], pa.bool_())
    t["signalled"] = pa.array([], pa.bool_())
    return pa.table(t)
