"""Ground truth of a simulation: stocks, flows and index by segment and month, kept as a
fixed-size cube (month x role x area) while chunks stream past, so memory stays flat.

Definitions (docs/simulator.md, the same as DESIGN.md):
- a vacancy is in the stock of month m if published_at < start of month m+1 and
  archived_at >= start of month m (it was open at some moment of the month);
- a resume is active on day d if some sighting (update) u has date(u) <= d <= date(u) + W - 1
  (W = 30: updated within the previous 30 days, or seen that day); it is in the stock of month m
  if active on some day of m; its place (and so its region segment) in month m is the place of
  its latest sighting on or before the last day of m;
- the flow of month m is the records published (created) in m, by their place at publication
  (creation);
- index = resume stock / vacancy stock of the same segment and month.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from kadry.simulate.model import DAY, Calibration, Plan

__all__ = ["Truth", "DIMENSIONS"]

#: segment dimensions of the truth tables (key format in docs/simulator.md)
DIMENSIONS = [
    "all", "role", "role_category", "it", "area", "subject", "country", "it_country", "role_category_country",
    "role_category_subject",
]


class Truth:
    def __init__(self, cal: Calibration, plan: Plan, window_days: int):
        self.cal, self.plan, self.window = cal, plan, window_days
        self.G = plan.calendar.n
        self.A = len(cal.area_ids)
        self.R = len(cal.role_ids)
        self.cells = self.R * self.A
        self.stock_diff = np.zeros((2, self.G + 1, self.cells), dtype=np.int64)
        self.flow = np.zeros((2, self.G, self.cells), dtype=np.int64)

    def _add(self, arr: np.ndarray, month: np.ndarray, cell: np.ndarray, sign: int) -> None:
        flat = month * self.cells + cell
        arr += sign * np.bincount(flat, minlength=arr.size).reshape(arr.shape)

    def add_vacancies(self, role: np.ndarray, area: np.ndarray, pub_s: np.ndarray, close_s: np.ndarray) -> None:
        cal = self.plan.calendar
        cell = role * self.A + area
        m1 = cal.month_of_day((pub_s // DAY).astype(np.int64))
        m2 = np.minimum(cal.month_of_day((close_s // DAY).astype(np.int64)), self.G - 1)
        self._add(self.stock_diff[0], m1, cell, +1)
        self._add(self.stock_diff[0], m2 + 1, cell, -1)
        self._add(self.flow[0], m1, cell, +1)

    def add_resumes(self, role: np.ndarray, obs_rec: np.ndarray, obs_t: np.ndarray, obs_area: np.ndarray,
                    created_s: np.ndarray, created_area: np.ndarray) -> None:
        """obs_* sorted by (resume, time)."""
        cal = self.plan.calendar
        day = (obs_t // DAY).astype(np.int64)
        ms = cal.month_of_day(day)
        me = np.minimum(cal.month_of_day(day + self.window - 1), self.G - 1)
        same_next = np.concatenate([obs_rec[1:] == obs_rec[:-1], [False]])
        nm = np.where(same_next, np.concatenate([ms[1:], [self.G]]), self.G)
        end = np.minimum(me, nm - 1)
        ok = end >= ms
        cell = role[obs_rec] * self.A + obs_area
        self._add(self.stock_diff[1], ms[ok], cell[ok], +1)
        self._add(self.stock_diff[1], end[ok] + 1, cell[ok], -1)
        cm = cal.month_of_day((created_s // DAY).astype(np.int64))
        self._add(self.flow[1], cm, role * self.A + created_area, +1)

    # --- output ---------------------------------------------------------------------------
    def cube(self) -> pd.DataFrame:
        stock = np.cumsum(self.stock_diff, axis=1)[:, : self.G, :]
        parts = []
        months = pd.to_datetime(self.plan.calendar.labels(), format="%Y-%m").date
        for side_i, side in enumerate(("vacancy", "resume")):
            nz = np.flatnonzero((stock[side_i] != 0) | (self.flow[side_i] != 0))
            g, cell = nz // self.cells, nz % self.cells
            parts.append(
                pd.DataFrame(
                    {
                        "side": side,
                        "month": months[g],
                        "role_idx": cell // self.A,
                        "area_idx": cell % self.A,
                        "stock": stock[side_i].ravel()[nz],
                        "flow": self.flow[side_i].ravel()[nz],
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)

    def write(self, out: Path, summary: dict) -> dict:
        out.mkdir(parents=True, exist_ok=True)
        cal, plan = self.cal, self.plan
        cube = self.cube()
        role_ids = np.array(cal.role_ids)
        role_cat = np.array(cal.role_cat)
        is_it = cal.role_is_it
        area_ids = np.array(cal.area_ids)
        subj = np.array(cal.area_subject)
        country = np.array(cal.area_country)
        cube["role_id"] = role_ids[cube["role_idx"]]
        cube["role_category"] = role_cat[cube["role_idx"]]
        cube["is_it"] = is_it[cube["role_idx"]]
        cube["area_id"] = area_ids[cube["area_idx"]]
        cube["subject_id"] = subj[cube["area_idx"]]
        cube["country_id"] = country[cube["area_idx"]]
        window_labels = set(plan.calendar.labels()[plan.calendar.window[0]:])
        cube["in_window"] = [f"{m.year:04d}-{m.month:02d}" in window_labels for m in cube["month"]]
        cube_out = cube.drop(columns=["role_idx", "area_idx"])
        pq.write_table(pa.Table.from_pandas(cube_out, preserve_index=False), out / "cube.parquet")

        keys = {
            "all": pd.Series("all", index=cube.index),
            "role": cube["role_id"],
            "role_category": cube["role_category"],
            "it": cube["is_it"].map({True: "true", False: "false"}),
            "area": cube["area_id"],
            "subject": cube["subject_id"],
            "country": cube["country_id"],
            "it_country": cube["is_it"].map({True: "true", False: "false"}) + "|" + cube["country_id"],
            "role_category_country": cube["role_category"] + "|" + cube["country_id"],
            "role_category_subject": cube["role_category"] + "|" + cube["subject_id"],
        }
        frames = []
        for dim in DIMENSIONS:
            g = cube.assign(key=keys[dim]).groupby(["side", "month", "key"], as_index=False)[["stock", "flow"]].sum()
            g.insert(2, "dim", dim)
            frames.append(g)
        stocks = pd.concat(frames, ignore_index=True)
        stocks["in_window"] = [f"{m.year:04d}-{m.month:02d}" in window_labels for m in stocks["month"]]
        pq.write_table(pa.Table.from_pandas(stocks, preserve_index=False), out / "stocks.parquet")

        v = stocks[stocks["side"] == "vacancy"].drop(columns=["side", "flow"]).rename(columns={"stock": "vacancies"})
        r = stocks[stocks["side"] == "resume"].drop(columns=["side", "flow"]).rename(columns={"stock": "resumes"})
        idx = v.merge(r, on=["month", "dim", "key", "in_window"], how="outer").fillna({"vacancies": 0, "resumes": 0})
        idx["vacancies"] = idx["vacancies"].astype("int64")
        idx["resumes"] = idx["resumes"].astype("int64")
        idx["index"] = np.where(idx["vacancies"] > 0, idx["resumes"] / idx["vacancies"].where(idx["vacancies"] > 0, 1), np.nan)
        # the scenario's target where one is defined (role category; IT; IT in Russia)
        labels = plan.calendar.labels()
        tgt = {}
        for ci, cat in enumerate(cal.categories):
            for g, lab in enumerate(labels):
                if not np.isnan(plan.targets[ci, g]):
                    tgt[("role_category_country", f"{cat}|113", lab)] = plan.targets[ci, g]
                    if cat == "11":
                        tgt[("it", "true", lab)] = plan.targets[ci, g]
                        tgt[("it_country", "true|113", lab)] = plan.targets[ci, g]
        idx["target"] = [tgt.get((d, k, f"{m.year:04d}-{m.month:02d}"), np.nan) for d, k, m in zip(idx["dim"], idx["key"], idx["month"])]
        idx = idx.sort_values(["dim", "key", "month"]).reset_index(drop=True)
        pq.write_table(pa.Table.from_pandas(idx, preserve_index=False), out / "index.parquet")

        summary = dict(summary)
        summary["target_check"] = target_check(idx)
        (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        return summary


def target_check(idx: pd.DataFrame, min_vacancies: int = 200) -> dict:
    """Relative error of the true index against the targets, where the segment is large enough."""
    t = idx[idx["in_window"] & idx["target"].notna() & (idx["vacancies"] >= min_vacancies)].copy()
    if t.empty:
        return {"cells": 0}
    t["rel_err"] = (t["index"] / t["target"] - 1).abs()
    it = t[(t["dim"] == "it_country") & (t["key"] == "true|113")]
    cats = t[t["dim"] == "role_category_country"]
    return {
        "min_vacancies": min_vacancies,
        "cells": int(len(cats)),
        "category_max_rel_err": round(float(cats["rel_err"].max()), 4) if len(cats) else None,
        "category_median_rel_err": round(float(cats["rel_err"].median()), 4) if len(cats) else None,
        "it_russia_max_rel_err": round(float(it["rel_err"].max()), 4) if len(it) else None,
        "it_russia": {f"{m.year:04d}-{m.month:02d}": round(float(x), 3) for m, x in zip(it["month"], it["index"])},
    }
