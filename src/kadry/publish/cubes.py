"""Publication cubes: every indicator over every occupation, region and period level.

A query never gets its own suppression: the cube of a family (stock: index, stocks,
salaries, skills; flow: new records) holds every cell a client can ask for (role,
category, IT segment, all; subject, district, country; every released period length) and
is suppressed as a whole, here, once per release. Answers are slices of it, so answers to
different groupings or period lengths come from one pattern and cannot be combined to undo
it. Flows add up over time, so they are released by one period length only (months: no
time equation is then published at all); stocks count distinct active records and do not
add up, so weeks, months and quarters share the one pass without time equations. Days are
not released (see docs/privacy.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from kadry.privacy import HIDDEN, Hierarchy, suppress

__all__ = [
    "BY_SOURCE",
    "COVERAGE",
    "COVERAGE_SHARES",
    "FAMILY",
    "FLOW_PERIODS",
    "SKILLS_PERIODS",
    "KEYS",
    "MOBILITY",
    "QUARANTINE",
    "TRAJECTORIES",
    "WHOLE",
    "WHOLE_TABLES",
    "Put",
    "build_cubes",
    "coverage_table",
    "emit_cubes",
    "joined",
    "quarantine_table",
    "trajectory_tables",
]

KEYS = ["occupation", "region", "period"]
#: suffix of the cubes by source (index and flow, all occupations and regions)
BY_SOURCE = "-by-source"
#: the coverage table: records per kind and source over the whole store (its own family)
COVERAGE = "coverage"
#: the "period" of tables released for the whole store, not by period
WHOLE = "all"
#: trajectories from CV snapshots and work histories: origin-destination tables, no totals
TRAJECTORIES = ("region-moves", "profession-flows")
#: moves between places and relocation signals, by month inside (kadry.publish.moves)
MOBILITY = ("moves", "signals")
#: quarantined records per kind and reason over the whole store (its own family)
QUARANTINE = "quarantine"
#: tables released for the whole store (each its own family)
WHOLE_TABLES = (COVERAGE, QUARANTINE, *TRAJECTORIES, *MOBILITY)
#: shares of the coverage table (known / records)
COVERAGE_SHARES = ("dated", "region_known", "role_known", "salary_known", "skills_known")
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
#: period lengths flows are released by: months only. Weekly flows are not released: weeks
#: cross months, and all weeks together equal all months together, so a hidden month could be
#: bounded by weeks minus the other months. Quarterly flows are not released either: a quarter
#: is the sum of its months, so months and quarters must be audited as one linear system per
#: quarter (four times the cells of a month, and an LP that grows faster than its size): on
#: two cores that took the release from minutes to the better part of an hour. Stocks, which
#: do not add up over time, are released by week, month and quarter.
FLOW_PERIODS = ("month",)
#: period lengths skills are released by: quarters only. A skill's count is per segment, period
#: and skill (a segment's top 30): at a million vacancies 78% of the quarterly cells are already
#: below k and by month or week nearly all would be, while by week they were 30 million rows to
#: compute and audit (BENCHMARKS.md, "Publishing a release")
SKILLS_PERIODS = ("quarter",)
#: period lengths in which a flow period is the sum of shorter ones (parent -> child length)
_NESTS = {"quarter": "month"}


#: receives each released cube, or one part of it, as it is made: (indicator, period length), cells
Put = Callable[[tuple[str, str], pd.DataFrame], None]


def emit_cubes(
    db_path: Any, put: Put, *, k: int, periods: list[str], first: str, last: str, moves_epsilon: float | None = None
) -> None:
    """Every released (indicator, period length) cube of a store, suppressed together per family
    (the moves with noise at ``moves_epsilon`` instead, when given), handed to ``put`` as made.

    Salary and skills come in parts, a run of periods each (their rows are one per segment,
    period and skill: at a million vacancies tens of millions by week), so a release writes
    them out instead of holding them; a cube is its parts in the order given."""
    _Builder(db_path, k, moves_epsilon).build(periods, first, last, put)


def build_cubes(
    db_path: Any, *, k: int, periods: list[str], first: str, last: str, moves_epsilon: float | None = None
) -> dict[tuple[str, str], pd.DataFrame]:
    """``emit_cubes``, each cube's parts joined in memory (small stores, tests)."""
    parts: dict[tuple[str, str], list[pd.DataFrame]] = {}
    emit_cubes(
        db_path,
        lambda key, frame: parts.setdefault(key, []).append(frame),
        k=k,
        periods=periods,
        first=first,
        last=last,
        moves_epsilon=moves_epsilon,
    )
    return {key: joined(frames) for key, frames in parts.items()}


def joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """A cube from its parts, with the first part's attributes (every part carries the cube's)."""
    if len(parts) == 1:
        return parts[0]
    out = pd.concat(parts, ignore_index=True)
    out.attrs = dict(parts[0].attrs)
    return out


def coverage_table(db_path: Any, *, k: int) -> pd.DataFrame:
    """Records per kind and source over the whole store, with the shares that have a known date,
    region, role, salary and skills; the kind's total as the roll-up.

    One table for the API's ``/coverage``, the dashboard and the report (a range chosen per
    request would let two answers differ by the records of a day). A share is hidden with its
    cell, and also when the records it counts, or those it leaves out, are fewer than k but
    not none (47 of 50 known tells of 3 records).
    """
    from kadry.indicators import ALL, Engine
    from kadry.indicators.coverage import coverage

    engine = Engine.duckdb(db_path)
    try:
        frame = coverage(engine).to_pandas()
    finally:
        engine.close()
    counts = ["records", *COVERAGE_SHARES]
    totals = frame.groupby("kind", as_index=False).agg({**{c: "sum" for c in counts}, "simulated": "any"})
    totals["source"] = ALL
    frame = pd.concat([frame, totals], ignore_index=True)
    for col in COVERAGE_SHARES:
        known, rest = frame[col], frame["records"] - frame[col]
        thin = ((known > 0) & (known < k)) | ((rest > 0) & (rest < k))
        frame[f"{col}_share"] = (known / frame["records"].where(frame["records"] > 0)).round(3).mask(thin)
    sources = sorted(set(frame["source"]) - {ALL})
    table = suppress(
        frame.drop(columns=list(COVERAGE_SHARES)),
        dimensions=["kind", "source"],
        counts=["records"],
        values=[f"{c}_share" for c in COVERAGE_SHARES],
        hierarchies=[Hierarchy.flat("source", sources, total=ALL)],
        k=k,
    ).table
    table["records"] = table["records"].astype("Float64").mask(table["suppressed"])
    return _by_kind(table, "source")


def quarantine_table(db_path: Any, *, k: int) -> pd.DataFrame:
    """Quarantined records by kind and reason (digits of a reason written N), with each kind's
    total; a reason held by fewer than k records is hidden with enough others to stay hidden."""
    from kadry.indicators import ALL
    from kadry.store import Store

    with Store(db_path, read_only=True) as store:
        rows = store.con.execute(
            r"SELECT kind, regexp_replace(reason, '\d+', 'N', 'g') AS reason, count(*) AS records "
            "FROM quarantine GROUP BY ALL"
        ).df()
    if rows.empty:
        return rows.assign(suppressed=pd.Series(dtype=bool), suppression=pd.Series(dtype=str))
    totals = rows.groupby("kind", as_index=False)["records"].sum()
    totals["reason"] = ALL
    frame = pd.concat([rows, totals], ignore_index=True)
    groups = {ALL: sorted(set(frame["reason"]) - {ALL})}  # per kind: the reasons of that kind that exist
    table = suppress(
        frame, dimensions=["kind", "reason"], counts=["records"], hierarchies=[Hierarchy("reason", groups)], k=k
    ).table
    return _by_kind(table, "reason")


def _by_kind(table: pd.DataFrame, member: str) -> pd.DataFrame:
    """Rows in reading order: vacancies, resumes, then other kinds; each kind's members, its total last."""
    from kadry.indicators import ALL

    order = table["kind"].map({"vacancy": 0, "resume": 1}).fillna(2)
    table = table.assign(_o=order, _t=table[member] == ALL).sort_values(["_o", "kind", "_t", member])
    return table.drop(columns=["_o", "_t"]).reset_index(drop=True)


def trajectory_tables(con: Any, *, k: int) -> dict[str, pd.DataFrame]:
    """Region moves between CV versions and profession -> profession flows, small cells hidden.

    Origin-destination cells only: no total of either is published, so no equation links them
    (a total added later must join this family).
    """
    from kadry.mobility.trajectories import profession_flows, region_moves

    return {
        "region-moves": suppress(
            region_moves(con), dimensions=["from_region", "to_region"], counts=["moves"], k=k
        ).table,
        "profession-flows": suppress(
            profession_flows(con), dimensions=["from_profession", "to_profession"], counts=["transitions"], k=k
        ).table,
    }


#: share of the machine's memory a release lets DuckDB use (unless KADRY_MEMORY_LIMIT says)
_RELEASE_MEMORY_SHARE = 0.35


def _ram_mib() -> float:
    """Physical memory of this machine, MiB."""
    import os

    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20


#: days of periods per run of salary and skills (their queries hold one row per record and
#: period it touches; stocks are swept, whole)
_SPAN_DAYS = 92


def _totals(table: pd.DataFrame) -> pd.DataFrame:
    """A main cube's all-occupations, all-regions rows, by period (the total of its by-source family)."""
    from kadry.indicators import ALL

    keep = (table["occupation"] == ALL) & (table["region"] == ALL)
    return table[keep].set_index("period")


def _spans(period: str, start: str, end: str, days: int | None = None) -> list[tuple[str, str]]:
    """``start..end`` as consecutive runs of whole periods, each about ``days`` long (ISO dates).

    A period's cells depend only on the records active in it, so the runs together give
    exactly the rows of the whole range.
    """
    from kadry.indicators.periods import EPOCH, calendar, parse_day

    days = _SPAN_DAYS if days is None else days
    runs: list[list[int]] = []
    for p in calendar(period, parse_day(start), parse_day(end, end=True)).to_pylist():
        if runs and p["pe"] - runs[-1][0] < days:
            runs[-1][1] = p["pe"]
        else:
            runs.append([p["ps"], p["pe"]])
    iso = lambda d: (EPOCH + pd.Timedelta(days=d).to_pytimedelta()).isoformat()  # noqa: E731
    return [(iso(a), iso(b)) for a, b in runs]


class _Builder:
    """Computes the unsuppressed cells (private) and suppresses each family once."""

    def __init__(self, db_path: Any, k: int, moves_epsilon: float | None = None) -> None:
        self.db_path = db_path
        self.k = k
        self.moves_epsilon = moves_epsilon
        self._it_roles: frozenset[str] = frozenset()

    def _engine(self):
        from kadry.indicators import Engine
        from kadry.settings import settings

        engine = Engine.duckdb(self.db_path)
        if settings().memory_limit is None:
            # the release holds its stock cubes and a run's frames beside DuckDB's buffers: without
            # a limit DuckDB takes 80% of the memory and the process was killed at a million
            # vacancies (BENCHMARKS.md, "Publishing a release"); with it, DuckDB spills to disk
            engine.con.con.execute(f"SET memory_limit = '{_RELEASE_MEMORY_SHARE * _ram_mib():.0f}MiB'")
        return engine

    def build(self, periods: list[str], first: str, last: str, put: Put) -> None:
        """Hand every cube to ``put`` as it is made; salary and skills a run of periods at a time."""
        stocks: dict[str, pd.DataFrame] = {}
        totals: dict[tuple[str, str], pd.DataFrame] = {}  # each main cube's all/all rows, for its by-source family
        for family in ("stock", "flow"):
            lengths = periods if family == "stock" else [p for p in periods if p in FLOW_PERIODS]
            if not lengths:
                continue
            raws = {p: self._compute("index" if family == "stock" else "flow", p, first, last) for p in lengths}
            for period, table in self._suppress_family(family, raws).items():
                put(("index" if family == "stock" else "flow", period), table)
                totals[("index" if family == "stock" else "flow", period)] = _totals(table)
                if family == "stock":
                    stocks[period] = table
                    put(("stock", period), table)
            del raws
        for period in periods:
            self._population(period, stocks[period], first, last, put)
        del stocks
        for indicator in ("index", "flow"):
            for period in periods if indicator == "index" else [p for p in periods if p in FLOW_PERIODS]:
                put(
                    (f"{indicator}{BY_SOURCE}", period),
                    self._by_source(indicator, period, first, last, totals[(indicator, period)]),
                )
        put((COVERAGE, WHOLE), coverage_table(self.db_path, k=self.k))
        put((QUARANTINE, WHOLE), quarantine_table(self.db_path, k=self.k))
        from kadry.store import Store

        with Store(self.db_path, read_only=True) as store:
            for name, table in trajectory_tables(store.con, k=self.k).items():
                put((name, WHOLE), table)
        from kadry.publish.moves import moves_table, noisy_moves_table, signals_table

        if self.moves_epsilon is not None:
            put(("moves", WHOLE), noisy_moves_table(self.db_path, epsilon=self.moves_epsilon))
        else:
            put(("moves", WHOLE), moves_table(self.db_path, k=self.k))
        put(("signals", WHOLE), signals_table(self.db_path, k=self.k, first=first, last=last))

    def _population(self, period: str, base: pd.DataFrame, first: str, last: str, put: Put) -> None:
        """Salary and skills cubes under the stock pattern ``base``, a run of periods at a time: a
        period's cells depend on the records active in it and on its segments' pattern alone (no
        time hierarchy), so the runs together are the whole cube."""
        for indicator in ("salary", "skills") if period in SKILLS_PERIODS else ("salary",):
            for a, b in _spans(period, first, last):
                raw = self._compute(indicator, period, a, b, top=30 if indicator == "skills" else None)
                put((indicator, period), self._derived(indicator, raw, base))

    def _by_source(self, indicator: str, period: str, start: str, end: str, total: pd.DataFrame) -> pd.DataFrame:
        """The indicator by source, all occupations and regions: sources never mixed silently.

        Its own small family: every source and their total, suppressed with the total as the
        roll-up. The total is the main cube's all/all cell (``total``, by period), so it is shown
        exactly where the main cube shows it: hidden there, it is hidden here from the start
        (published here, it would give the main cube's hidden cell away); shown there, it is
        known to everyone, so where this family would hide it every source is hidden instead
        (each then lies between 0 and a published total of at least k, and no lone source is
        left to be total minus the others).
        """
        from kadry.indicators import ALL, compute

        engine = self._engine()
        try:
            raw = compute(indicator, by=["source"], period=period, start=start, end=end, engine=engine, as_="pandas")
        finally:
            close = getattr(engine, "close", None)
            if close:
                close()
        raw["source"] = raw["source"].astype(str)
        raw["period"] = pd.to_datetime(raw["period"]).dt.strftime("%Y-%m-%d")
        raw["period_end"] = pd.to_datetime(raw["period_end"]).dt.strftime("%Y-%m-%d")
        counts = [c for c in ("n_vacancies", "n_resumes", "new_vacancies", "new_resumes") if c in raw.columns]
        sources = sorted(raw["source"].unique())
        raw = raw.reset_index(drop=True)
        is_total = (raw["source"] == ALL).to_numpy()
        hidden_there = raw["period"].map(total["suppressed"]).fillna(True).astype(bool).to_numpy()
        values = _VALUES["index"] if indicator == "index" else {}
        table = suppress(
            raw,
            dimensions=["source", "period"],
            counts=counts,
            values=values,
            hierarchies=[Hierarchy.flat("source", sources, total=ALL)],
            k=self.k,
            hidden=is_total & hidden_there,
        ).table
        known = is_total & ~hidden_there & table["suppressed"].to_numpy()
        if known.any():
            # the total is published by the main cube: show its cells, and hide every source of those periods
            parts = ~is_total & raw["period"].isin(set(raw.loc[known, "period"])).to_numpy()
            numbers = [c for c in [*counts, *values, "band"] if c in table.columns]
            for column in numbers:
                table.loc[parts, column] = None
                table.loc[known, column] = total.loc[raw.loc[known, "period"], column].to_numpy()
            table.loc[known, "suppression"] = None
            table.loc[parts, "suppression"] = HIDDEN
            table["suppressed"] = (table["suppressed"].to_numpy() | parts) & ~known
        if "band" in table.columns:
            table["band"] = table["band"].where(~table["suppressed"], None)
        return table.assign(occupation="all", region="all")

    def _suppress_family(self, family: str, raws: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """One suppression over all period lengths of a family (period keys made unique by length)."""
        frames = []
        attrs: dict[str, Any] = {}
        for length, raw in raws.items():
            frames.append(raw.assign(_length=length, _pkey=length + ":" + raw["period"]))
            for key, value in raw.attrs.items():
                if isinstance(value, dict):
                    attrs.setdefault(key, {}).update(value)
                else:
                    attrs[key] = value
        joint = pd.concat(frames, ignore_index=True)
        joint.attrs = attrs
        hierarchies = self._hierarchies(joint)
        if family == "flow":
            hierarchies.append(_time_hierarchy(raws))
        values = _VALUES["index"] if family == "stock" else {}
        result = suppress(
            joint.drop(columns=["period"]).rename(columns={"_pkey": "period"}),
            dimensions=KEYS,
            counts=[c for c in ("n_vacancies", "n_resumes", "new_vacancies", "new_resumes") if c in joint.columns],
            values=values,
            hierarchies=hierarchies,
            k=self.k,
        )
        table = result.table
        table["period"] = joint["period"].to_numpy()
        if "band" in table.columns:
            table["band"] = table["band"].where(~table["suppressed"], None)
        out = {}
        for length in raws:
            part = table[table["_length"] == length].drop(columns=["_length"]).reset_index(drop=True)
            part.attrs = dict(raws[length].attrs)
            out[length] = part
        return out

    def _derived(self, indicator: str, raw: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
        """Salary and skills cells: the stock family's pattern, plus their own thin-cell rules."""
        mask = base.set_index(KEYS)["suppressed"]
        raw = raw.join(mask, on=KEYS)
        raw["suppressed"] = raw["suppressed"].fillna(True).astype(bool)
        why = base.set_index(KEYS)["suppression"]
        if indicator == "salary":
            hidden = raw["suppressed"].to_numpy()
            out = raw.copy()
            for col, rests_on in _VALUES["salary"].items():
                thin = out[rests_on].fillna(0).to_numpy() < self.k if rests_on else False
                out[col] = out[col].astype("Float64").mask(hidden | thin)
            for col in ("n_vacancies", "n_resumes"):
                out[col] = out[col].astype("Float64").mask(hidden)
            out["suppression"] = why.reindex(pd.MultiIndex.from_frame(raw[KEYS])).to_numpy()
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
            hierarchies=[Hierarchy(h.dimension, h.groups, partial=True) for h in self._hierarchies(base)],
            k=self.k,
            hidden=raw["suppressed"].to_numpy(),
        ).table
        out["demand_supply_ratio"] = (
            out["demand_supply_ratio"].astype("Float64").mask(out["demand_share"].isna() | out["supply_share"].isna())
        )
        hidden = out["suppressed"].to_numpy()
        for col in ("n_vacancies", "n_resumes"):
            out[col] = out[col].astype("Float64").mask(hidden)
        segment = why.reindex(pd.MultiIndex.from_frame(out[KEYS])).to_numpy()
        out["suppression"] = np.where(pd.isna(segment), out["suppression"], segment)
        out.attrs = dict(base.attrs)
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
            self._it_roles = self._it_role_ids(engine)
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
        frame.attrs["it_roles"] = sorted(self._it_roles)
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
        it_roles = self._it_roles
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


def _time_hierarchy(raws: dict[str, pd.DataFrame]) -> Hierarchy:
    """Flow periods that are sums of shorter released ones (a quarter = its three months)."""
    groups: dict[str, list[str]] = {}
    for parent, child in _NESTS.items():
        if parent not in raws or child not in raws:
            continue
        children = sorted(set(raws[child]["period"]))
        for start, end in set(zip(raws[parent]["period"], raws[parent]["period_end"])):
            groups[f"{parent}:{start}"] = [f"{child}:{c}" for c in children if start <= c <= end]
    return Hierarchy("period", groups)


def _occupation_key(frame: pd.DataFrame) -> pd.Series:
    role = "role:" + frame["role"].astype(str)
    cat = "category:" + frame["role_category"].astype(str)
    return role.where(frame["role"] != "all", cat.where(frame["role_category"] != "all", "all"))


def _region_key(frame: pd.DataFrame) -> pd.Series:
    district = "district:" + frame["federal_district"].astype(str)
    return frame["region"].where(frame["region"] != "all", district.where(frame["federal_district"] != "all", "all"))
