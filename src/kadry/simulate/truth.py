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

__all__ = ["Truth", "DIMENSIONS", "SIDES"]

#: resume = place as of the month (latest sighting up to its end); resume_latest = place of the
#: resume's last sighting overall (what a store's resumes table holds); equal for non-place dims
SIDES = ("vacancy", "resume", "resume_latest")

#: segment dimensions of the truth tables (key format in docs/simulator.md)
DIMENSIONS = [
    "all",
    "role",
    "role_category",
    "it",
    "area",
    "subject",
    "country",
    "it_country",
    "role_category_country",
    "role_category_subject",
]


class Truth:
    def __init__(self, cal: Calibration, plan: Plan, window_days: int):
        self.cal, self.plan, self.window = cal, plan, window_days
        self.G = plan.calendar.n
        self.A = len(cal.area_ids)
        self.R = len(cal.role_ids)
        self.cells = self.R * self.A
        # sides: 0 vacancy, 1 resume (place as of the month), 2 resume_latest (place of the last sighting)
        self.stock_diff = np.zeros((3, self.G + 1, self.cells), dtype=np.int64)
        self.flow = np.zeros((3, self.G, self.cells), dtype=np.int64)

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

    def add_resumes(
        self,
        role: np.ndarray,
        obs_rec: np.ndarray,
        obs_t: np.ndarray,
        obs_area: np.ndarray,
        created_s: np.ndarray,
        created_area: np.ndarray,
    ) -> None:
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
        # the same months, with the place of the resume's last sighting (the resumes table's place)
        latest = created_area.copy()
        latest[obs_rec[~same_next]] = obs_area[~same_next]
        cell_l = role[obs_rec] * self.A + latest[obs_rec]
        self._add(self.stock_diff[2], ms[ok], cell_l[ok], +1)
        self._add(self.stock_diff[2], end[ok] + 1, cell_l[ok], -1)
        self._add(self.flow[2], cm, role * self.A + latest, +1)

    # --- output ---------------------------------------------------------------------------
    def _stock(self) -> np.ndarray:
        """(sides, G, cells) stocks from the difference arrays."""
        return np.cumsum(self.stock_diff, axis=1)[:, : self.G, :]

    def _dims(self) -> dict[str, tuple[np.ndarray, list[str]]]:
        """dim -> (key index of every cell, key labels); cells are role * A + area."""
        cal = self.cal
        role = np.repeat(np.arange(self.R), self.A)
        area = np.tile(np.arange(self.A), self.R)
        cat_labels = list(cal.categories)
        cat = cal.cat_of_role[role]
        it = cal.role_is_it[role].astype(np.int64)
        subj_labels = sorted(set(cal.area_subject), key=lambda x: int(x))
        subj_of_area = np.array([subj_labels.index(x) for x in cal.area_subject])
        ctry_labels = sorted(set(cal.area_country), key=lambda x: int(x))
        ctry_of_area = np.array([ctry_labels.index(x) for x in cal.area_country])
        subj, ctry = subj_of_area[area], ctry_of_area[area]
        tf = ["false", "true"]
        nS, nK = len(subj_labels), len(ctry_labels)
        return {
            "all": (np.zeros(self.cells, dtype=np.int64), ["all"]),
            "role": (role, list(cal.role_ids)),
            "role_category": (cat, cat_labels),
            "it": (it, tf),
            "area": (area, list(cal.area_ids)),
            "subject": (subj, subj_labels),
            "country": (ctry, ctry_labels),
            "it_country": (it * nK + ctry, [f"{t}|{c}" for t in tf for c in ctry_labels]),
            "role_category_country": (cat * nK + ctry, [f"{c}|{k}" for c in cat_labels for k in ctry_labels]),
            "role_category_subject": (cat * nS + subj, [f"{c}|{k}" for c in cat_labels for k in subj_labels]),
        }

    def _month_dates(self) -> pa.Array:
        days = self.plan.calendar.starts[:-1].astype("datetime64[D]")
        return pa.array(days, type=pa.date32())

    def _in_window(self) -> np.ndarray:
        w = np.zeros(self.G, dtype=bool)
        w[self.plan.calendar.window] = True
        return w

    def write_cube(self, path: Path, stock: np.ndarray) -> None:
        """Non-empty cells, one side at a time (memory bounded by the dense arrays, not by N)."""
        from kadry.simulate.generate import take_strings

        cal = self.cal
        months, in_win = self._month_dates(), self._in_window()
        writer = None
        try:
            for side_i in range(len(SIDES)):
                nz = np.flatnonzero((stock[side_i] != 0) | (self.flow[side_i] != 0))
                g, cell = nz // self.cells, nz % self.cells
                role, area = cell // self.A, cell % self.A
                table = pa.table(
                    {
                        "side": take_strings(list(SIDES), np.full(len(nz), side_i)),
                        "month": months.take(pa.array(g)),
                        "role_id": take_strings(cal.role_ids, role),
                        "area_id": take_strings(cal.area_ids, area),
                        "stock": pa.array(stock[side_i].ravel()[nz]),
                        "flow": pa.array(self.flow[side_i].ravel()[nz]),
                        "role_category": take_strings(cal.role_cat, role),
                        "is_it": pa.array(cal.role_is_it[role]),
                        "subject_id": take_strings(cal.area_subject, area),
                        "country_id": take_strings(cal.area_country, area),
                        "in_window": pa.array(in_win[g]),
                    }
                )
                if writer is None:
                    writer = pq.ParquetWriter(path, table.schema)
                writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()

    def write(self, out: Path, summary: dict) -> dict:
        out.mkdir(parents=True, exist_ok=True)
        cal, plan = self.cal, self.plan
        stock = self._stock()
        self.write_cube(out / "cube.parquet", stock)
        months_lab = plan.calendar.labels()
        months, in_win = self._month_dates(), self._in_window()
        stock_parts, index_parts = [], []
        for dim, (key, labels) in self._dims().items():
            K = len(labels)
            agg_s = np.zeros((len(SIDES), self.G, K), dtype=np.int64)
            agg_f = np.zeros((len(SIDES), self.G, K), dtype=np.int64)
            for si in range(len(SIDES)):
                for gi in range(self.G):
                    agg_s[si, gi] = np.bincount(key, weights=stock[si, gi], minlength=K)
                    agg_f[si, gi] = np.bincount(key, weights=self.flow[si, gi], minlength=K)
            for si, side in enumerate(SIDES):
                g, k = np.nonzero((agg_s[si] != 0) | (agg_f[si] != 0))
                stock_parts.append(
                    pa.table(
                        {
                            "side": pa.array([side] * len(g), type=pa.string()),
                            "month": months.take(pa.array(g)),
                            "dim": pa.array([dim] * len(g), type=pa.string()),
                            "key": pa.array([labels[i] for i in k], type=pa.string()),
                            "stock": pa.array(agg_s[si][g, k]),
                            "flow": pa.array(agg_f[si][g, k]),
                            "in_window": pa.array(in_win[g]),
                        }
                    )
                )
            vac, res = agg_s[0], agg_s[1]
            g, k = np.nonzero((vac != 0) | (res != 0))
            target = np.full(len(g), np.nan)
            if dim in ("role_category_country", "it_country"):
                lab_pos = {lab: i for i, lab in enumerate(labels)}
                for ci, cat in enumerate(cal.categories):
                    key_lab = f"{cat}|113" if dim == "role_category_country" else ("true|113" if cat == "11" else None)
                    if key_lab is None or key_lab not in lab_pos:
                        continue
                    sel = k == lab_pos[key_lab]
                    target[sel] = plan.targets[ci, g[sel]]
            v, r = vac[g, k], res[g, k]
            index_parts.append(
                pa.table(
                    {
                        "month": months.take(pa.array(g)),
                        "dim": pa.array([dim] * len(g), type=pa.string()),
                        "key": pa.array([labels[i] for i in k], type=pa.string()),
                        "in_window": pa.array(in_win[g]),
                        "vacancies": pa.array(v),
                        "resumes": pa.array(r),
                        "index": pa.array(np.where(v > 0, r / np.maximum(v, 1), np.nan), mask=v == 0),
                        "target": pa.array(target, mask=np.isnan(target)),
                    }
                )
            )
        del months_lab
        pq.write_table(pa.concat_tables(stock_parts), out / "stocks.parquet")
        idx = pa.concat_tables(index_parts)
        pq.write_table(idx, out / "index.parquet")
        summary = dict(summary)
        summary["target_check"] = target_check(idx.to_pandas())
        (out / "summary.json").write_text(
            json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
        return summary


def target_check(idx: pd.DataFrame, min_vacancies: int = 200) -> dict:
    """Relative error of the true index against the targets, where the segment is large enough."""
    t = idx[idx["in_window"] & idx["target"].notna() & (idx["vacancies"] >= min_vacancies)].copy()
    if t.empty:
        return {"cells": 0}
    t["rel_err"] = (t["index"] / t["target"] - 1).abs()
    it = t[(t["dim"] == "it_country") & (t["key"] == "true|113")]
    cats = t[t["dim"] == "role_category_country"]
    big = cats[cats["vacancies"] >= 10 * min_vacancies]
    return {
        "min_vacancies": min_vacancies,
        "category_max_rel_err_large_cells": round(float(big["rel_err"].max()), 4) if len(big) else None,
        "large_cells": int(len(big)),
        "cells": int(len(cats)),
        "category_max_rel_err": round(float(cats["rel_err"].max()), 4) if len(cats) else None,
        "category_median_rel_err": round(float(cats["rel_err"].median()), 4) if len(cats) else None,
        "it_russia_max_rel_err": round(float(it["rel_err"].max()), 4) if len(it) else None,
        "it_russia": {f"{m.year:04d}-{m.month:02d}": round(float(x), 3) for m, x in zip(it["month"], it["index"])},
    }
