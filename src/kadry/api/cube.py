"""Publication cubes: indicator results over every occupation and region level, suppressed once.

A query never gets its own suppression: the cube of a (family, period, range) holds every
cell a client can ask for (role, category, IT segment, all; subject, district, country)
and is suppressed as a whole, then queries slice it. So answers to different groupings
come from one consistent pattern and cannot be combined to undo it. Roll-up equations
never cross periods, so the pattern of one period does not depend on the range asked.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kadry.errors import BadRequest, NoStore
from kadry.privacy import Hierarchy, min_cell, suppress
from kadry.rules import activity

__all__ = ["Publisher", "FAMILY", "KEYS", "slice_cube"]

KEYS = ["occupation", "region", "period"]
#: period lengths flows are published by: one time hierarchy (months within quarters)
FLOW_PERIODS = ("month", "quarter")
#: indicator -> family of the cube it is cut from (one suppression pattern per family)
FAMILY = {"index": "stock", "stock": "stock", "salary": "stock", "skills": "stock", "flow": "flow"}
_BY = ["role_category", "role", "federal_district", "region"]
_VALUES: dict[str, dict[str, str | None]] = {
    "index": {"index": None, "ci_low": None, "ci_high": None},
    "salary": {
        "offered_q1": "n_salary_vacancies",
        "offered_median": "n_salary_vacancies",
        "offered_q3": "n_salary_vacancies",
        "expected_q1": "n_salary_resumes",
        "expected_median": "n_salary_resumes",
        "expected_q3": "n_salary_resumes",
        "salary_gap": None,
        "salary_gap_ratio": None,
    },
}


class Publisher:
    """Suppressed indicator cubes of one store, cached by store version."""

    def __init__(self, db_path: str | Path, *, k: int | None = None, max_cubes: int = 32) -> None:
        self.db_path = Path(db_path)
        self.k = min_cell(k)
        self._lock = threading.Lock()
        self._cubes: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
        self._max = max_cubes
        self._it_roles: dict[str, frozenset[str]] = {}

    # --- the store ------------------------------------------------------------------------
    def version(self) -> str:
        """Changes whenever the store file changes (size and modification time)."""
        try:
            st = os.stat(self.db_path)
        except OSError:
            raise NoStore(self.db_path.name) from None
        wal = Path(str(self.db_path) + ".wal")
        extra = f"-{wal.stat().st_mtime_ns}" if wal.exists() else ""
        return f"{st.st_size}-{st.st_mtime_ns}{extra}"

    def _engine(self):
        from kadry.indicators import Engine

        return Engine.duckdb(self.db_path)

    # --- cubes ----------------------------------------------------------------------------
    def cube(self, indicator: str, period: str, start: str, end: str) -> pd.DataFrame:
        """The suppressed cube an indicator is cut from (computed once per store version)."""
        key = (self.version(), indicator, period, start, end)
        with self._lock:
            if key in self._cubes:
                self._cubes.move_to_end(key)
                return self._cubes[key]
            table = self._build(indicator, period, start, end, key[0])
            self._cubes[key] = table
            while len(self._cubes) > self._max:
                self._cubes.popitem(last=False)
            return table

    def _build(self, indicator: str, period: str, start: str, end: str, version: str) -> pd.DataFrame:
        family = FAMILY[indicator]
        base = self._suppressed_family(family, period, start, end, version)
        if indicator in ("index", "stock", "flow"):
            return base
        raw = self._compute(indicator, period, start, end, top=30 if indicator == "skills" else None)
        mask = base.set_index(KEYS)["suppressed"]
        raw = raw.join(mask, on=KEYS)
        raw["suppressed"] = raw["suppressed"].fillna(True).astype(bool)
        if indicator == "salary":
            out = suppress(
                raw.drop(columns=["suppressed"]),
                dimensions=KEYS,
                counts=["n_vacancies", "n_resumes"],
                values=_VALUES["salary"],
                k=self.k,
            ).table
            # the cell pattern is the family's (same counts), quantiles also need k salaries
            hidden = raw["suppressed"].to_numpy()
            out["suppressed"] = hidden
            out["suppression"] = (
                base.set_index(KEYS)["suppression"].reindex(pd.MultiIndex.from_frame(raw[KEYS])).to_numpy()
            )
            for col in ["n_vacancies", "n_resumes", *_VALUES["salary"]]:
                out[col] = out[col].mask(hidden)
            out = out.drop(columns=["n_salary_vacancies", "n_salary_resumes"], errors="ignore")
            out.attrs = dict(base.attrs)
            return out
        # skills: the segment's pattern, and a skill's counts suppressed across the occupation and
        # region roll-ups like any count (a district's count of a skill minus its published regions
        # must reveal nothing); a segment lists its top skills, so a roll-up may lack some members,
        # which only makes the published equations weaker
        out = suppress(
            raw.drop(columns=["suppressed"]),
            dimensions=[*KEYS, "skill"],
            counts=["n_vacancies_skill", "n_resumes_skill"],
            values={"demand_share": "n_vacancies_skill", "supply_share": "n_resumes_skill"},
            hierarchies=self._hierarchies(base),
            k=self.k,
            hidden=raw["suppressed"].to_numpy(),
        ).table
        out["demand_supply_ratio"] = (
            out["demand_supply_ratio"].astype("Float64").mask(out["demand_share"].isna() | out["supply_share"].isna())
        )
        hidden = out["suppressed"].to_numpy()
        for col in ("n_vacancies", "n_resumes"):
            out[col] = out[col].astype("Float64").mask(hidden)
        segment = base.set_index(KEYS)["suppression"].reindex(pd.MultiIndex.from_frame(out[KEYS])).to_numpy()
        out["suppression"] = np.where(pd.isna(segment), out["suppression"], segment)
        out.attrs = dict(base.attrs)
        return out

    def _suppressed_family(self, family: str, period: str, start: str, end: str, version: str) -> pd.DataFrame:
        key = (version, f"_family:{family}", period, start, end)
        if key in self._cubes:
            return self._cubes[key]
        if family == "flow":
            return self._suppressed_flows(period, start, end, version)
        raw = self._compute("index", period, start, end)
        result = suppress(
            raw,
            dimensions=KEYS,
            counts=["n_vacancies", "n_resumes"],
            values=_VALUES["index"],
            hierarchies=self._hierarchies(raw),
            k=self.k,
        )
        table = result.table
        table.attrs = dict(raw.attrs)
        if "band" in table.columns:
            table["band"] = table["band"].where(~table["suppressed"], None)
        self._cubes[key] = table
        return table

    def _suppressed_flows(self, period: str, start: str, end: str, version: str) -> pd.DataFrame:
        """Flows by month and by quarter, suppressed as one table with months inside quarters.

        Flows add up over time (a quarter's new vacancies are its months'), so the two period
        lengths are one time hierarchy: suppressed apart, a quarter minus its published months
        would give a hidden month away. Weekly flows cross months and are not published.
        """
        if period not in FLOW_PERIODS:
            raise BadRequest(f"flows are published by {' and '.join(FLOW_PERIODS)} only, not by {period}")
        parts = {p: self._compute("flow", p, start, end) for p in FLOW_PERIODS}
        joint = pd.concat([f.assign(_t=p + ":" + f["period"]) for p, f in parts.items()], ignore_index=True)
        quarters: dict[str, list[str]] = {}
        for month in sorted(set(parts["month"]["period"])):
            q = pd.Timestamp(month).to_period("Q").start_time.strftime("%Y-%m-%d")
            quarters.setdefault("quarter:" + q, []).append("month:" + month)
        time = Hierarchy("_t", quarters)
        counts = [c for c in ("n_vacancies", "n_resumes", "new_vacancies", "new_resumes") if c in joint.columns]
        attrs = dict(parts["month"].attrs)
        joint.attrs = attrs
        result = suppress(
            joint,
            dimensions=[*KEYS[:2], "_t"],
            counts=counts,
            hierarchies=[*self._hierarchies(joint), time],
            k=self.k,
        )
        table = result.table
        out = None
        for p in FLOW_PERIODS:
            part = table[table["_t"].str.startswith(p + ":")].drop(columns=["_t"]).reset_index(drop=True)
            part.attrs = dict(attrs)
            self._cubes[(version, "_family:flow", p, start, end)] = part
            if p == period:
                out = part
        assert out is not None
        return out

    def _compute(self, indicator: str, period: str, start: str, end: str, top: int | None = None) -> pd.DataFrame:
        """The indicator over every occupation and region level, keyed by occupation/region ids."""
        from kadry.indicators import compute

        options: dict[str, Any] = {"top": top} if top else {}
        engine = self._engine()
        try:
            main = compute(
                indicator, by=_BY, period=period, start=start, end=end, engine=engine, as_="pandas", **options
            )
            it = compute(
                indicator,
                by=["it", "federal_district", "region"],
                period=period,
                start=start,
                end=end,
                filters={"it": True},
                engine=engine,
                as_="pandas",
                **options,
            )
            self._it_roles[self.version()] = self._it_role_ids(engine)
        finally:
            close = getattr(engine, "close", None)
            if close:
                close()
        main = main[~((main.role != "all") & (main.role_category == "all"))]
        main = main[~((main.region != "all") & (main.federal_district == "all"))]
        main = main.assign(occupation=_occupation_key(main))
        it = it[(it["it"] == "it") & ~((it.region != "all") & (it.federal_district == "all"))].assign(occupation="it")
        frame = pd.concat([main, it], ignore_index=True)
        leaves = main[main.role != "all"]
        role_parents = dict(zip("role:" + leaves.role, "category:" + leaves.role_category))
        subjects = main[main.region != "all"]
        region_parents = dict(zip(subjects.region, "district:" + subjects.federal_district))
        frame["region"] = _region_key(frame)
        frame["period"] = pd.to_datetime(frame["period"]).dt.strftime("%Y-%m-%d")
        frame["period_end"] = pd.to_datetime(frame["period_end"]).dt.strftime("%Y-%m-%d")
        frame = frame.drop(
            columns=[c for c in ("role_category", "role", "federal_district", "it") if c in frame.columns]
        )
        front = [*KEYS, "period_end"] + (["skill"] if "skill" in frame.columns else [])
        frame = frame[front + [c for c in frame.columns if c not in front]].reset_index(drop=True)
        frame.attrs["parents:occupation"] = role_parents
        frame.attrs["parents:region"] = region_parents
        frame.attrs["it_roles"] = sorted(self._it_roles.get(self.version(), ()))
        return frame

    def _it_role_ids(self, engine) -> frozenset[str]:
        """Roles whose records are in the IT segment (the IT roll-up's children)."""
        ids: set[str] = set()
        for name in ("vacancies", "resumes"):
            t = engine.table(name)
            expr = t.filter(t.is_it & t.role_id.notnull()).select("role_id").distinct()
            ids |= {str(v) for v in engine.execute(expr).column(0).to_pylist()}
        return frozenset(ids)

    def _hierarchies(self, frame: pd.DataFrame) -> list[Hierarchy]:
        """Roll-ups present in the cube: all > category > role, IT > IT roles, all > district > subject."""
        occ: dict[str, set[str]] = {}
        reg: dict[str, set[str]] = {}
        it_roles = self._it_roles.get(self.version(), frozenset())
        for value in frame["occupation"].unique():
            if value.startswith("category:"):
                occ.setdefault("all", set()).add(value)
        for value in frame["region"].unique():
            if value.startswith("district:"):
                reg.setdefault("all", set()).add(value)
        for role, cat in frame.attrs.get("parents:occupation", {}).items():
            occ.setdefault(cat, set()).add(role)
            if role.split(":", 1)[1] in it_roles:
                occ.setdefault("it", set()).add(role)
        for subject, district in frame.attrs.get("parents:region", {}).items():
            reg.setdefault(district, set()).add(subject)
        # IT spans whole categories (11) plus some roles of others: write it as those categories
        # plus the other roles. The same linear system (category = its roles is also an
        # equation), but the fixed point then sees "IT = category 11 + analysts" directly
        # instead of leaving it to the exact check, which hides far more to repair it.
        if occ.get("it"):
            it_children = set(occ["it"])
            for cat, roles in list(occ.items()):
                if cat.startswith("category:") and roles and roles <= occ["it"]:
                    it_children = (it_children - roles) | {cat}
            occ["it"] = it_children
        return [
            Hierarchy("occupation", {k: sorted(v) for k, v in occ.items()}),
            Hierarchy("region", {k: sorted(v) for k, v in reg.items()}),
        ]

    # --- periods --------------------------------------------------------------------------
    def data_range(self) -> tuple[str, str]:
        """First and last day with any record (published vacancy or created resume)."""
        from kadry.store import connect

        key = ("range", self.version())
        with self._lock:
            cached = self._cubes.get(key)
        if cached is not None:
            return cached
        con = connect(self.db_path, read_only=True)
        try:
            row = con.execute(
                f"SELECT min(d), max(d) FROM (SELECT {activity.start_sql('vacancy')} AS d FROM vacancies "
                f"UNION ALL SELECT {activity.start_sql('resume')} FROM resumes)"
            ).fetchone()
        finally:
            con.close()
        assert row is not None  # an aggregate always gives one row
        if row[0] is None:
            raise BadRequest("the store holds no records yet")
        value = (row[0].date().isoformat(), row[1].date().isoformat())
        with self._lock:
            self._cubes[key] = value
        return value


def _occupation_key(frame: pd.DataFrame) -> pd.Series:
    role = "role:" + frame["role"].astype(str)
    cat = "category:" + frame["role_category"].astype(str)
    return role.where(frame["role"] != "all", cat.where(frame["role_category"] != "all", "all"))


def _region_key(frame: pd.DataFrame) -> pd.Series:
    district = "district:" + frame["federal_district"].astype(str)
    return frame["region"].where(frame["region"] != "all", district.where(frame["federal_district"] != "all", "all"))


def slice_cube(cube: pd.DataFrame, occupation: str, region: str, group_by: str) -> pd.DataFrame:
    """Rows of the selection: one per period, or one per member of the grouping inside it."""
    parents_occ = cube.attrs.get("parents:occupation", {})
    parents_reg = cube.attrs.get("parents:region", {})
    occ, reg = cube["occupation"], cube["region"]
    if group_by == "region":
        inside = [r for r, d in parents_reg.items() if region in ("all", d, r)]
        mask = reg.isin(inside) & (occ == occupation)
    elif group_by == "district":
        mask = reg.str.startswith("district:") & (occ == occupation)
    elif group_by == "role":
        it_roles = set(cube.attrs.get("it_roles", ()))
        inside = [
            r
            for r, c in parents_occ.items()
            if occupation in ("all", c, r) or (occupation == "it" and r.split(":", 1)[1] in it_roles)
        ]
        mask = occ.isin(inside) & (reg == region)
    elif group_by == "category":
        mask = occ.str.startswith("category:") & (reg == region)
    else:
        mask = (occ == occupation) & (reg == region)
    return cube[mask]
