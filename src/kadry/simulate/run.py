"""``kadry simulate``: plan, then generate and write chunk by chunk, then write the truth."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq

from kadry.errors import InputError
from kadry.simulate.generate import Areas, make_resumes, make_vacancies
from kadry.simulate.model import load_calibration, make_plan
from kadry.simulate.scenario import load_scenario
from kadry.simulate.truth import Truth

__all__ = ["simulate", "DEFAULT_CHUNK"]

DEFAULT_CHUNK = 200_000


def _part(directory: Path, number: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"part-{number:05d}.parquet"


def simulate(
    out: str | Path,
    vacancies: int,
    resumes: int,
    start: str = "2021-01",
    end: str = "2022-12",
    seed: int = 0,
    scenario: str | Path | None = None,
    jsonl: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
    overwrite: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict:
    """Write a simulated market to ``out`` (Parquet parts + truth/) and return its summary."""
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise InputError(f"output directory {out} is not empty (use --overwrite to replace its simulation)")
    if chunk_size <= 0:
        raise InputError("--chunk-size must be > 0")
    if overwrite and out.exists():
        for sub in ("vacancies", "resumes", "observations", "truth", "jsonl"):
            d = out / sub
            if d.is_dir():
                for f in d.iterdir():
                    f.unlink()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    cal = load_calibration()
    sc = load_scenario(scenario)
    plan = make_plan(cal, sc, vacancies, resumes, start, end, seed)
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
        "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
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
        "warnings": plan.warnings,
        "chunk_size": chunk_size,
        "seconds": {"plan": round(t_plan, 2), "generate": round(t_gen, 2)},
        "calibration_built_at": cal.data.get("built_at"),
    }
    summary = truth.write(out / "truth", summary)
    if n_moves == 0 and not (out / "truth" / "moves.parquet").exists():
        pq.write_table(_empty_moves(), out / "truth" / "moves.parquet")
    summary["seconds"]["total"] = round(time.perf_counter() - t0, 2)
    (out / "truth" / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return summary


def _empty_moves() -> pa.Table:
    cols = ["resume_id", "rule", "role_id", "role_category", "origin_area_id", "dest_area_id", "origin_subject_id",
            "dest_subject_id", "origin_country_id", "dest_country_id"]
    t = {c: pa.array([], pa.string()) for c in cols}
    t["observed_at"] = pa.array([], pa.timestamp("us"))
    t["month"] = pa.array([], pa.date32())
    t["is_it"] = pa.array([], pa.bool_())
    t["signalled"] = pa.array([], pa.bool_())
    return pa.table(t)
