"""An attacker's view of the published API: what can be learnt about hidden cells from everything served.

Independent of the module it attacks: it never imports ``kadry.privacy``. It builds a store
through the public sample builder, asks the HTTP API (in-process, through ASGI) for every
slice it offers, learns the hierarchies from ``/api/v1/dimensions`` and the answers themselves,
and does its own arithmetic: differences of totals and parts, a quarter minus its months, and
linear programmes (scipy's HiGHS) bounding each hidden cell by every published equation and
non-negativity. A hidden cell is protected when the attacker can neither compute it nor prove
it smaller than k.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

import httpx
import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from kadry.api import create_app
from kadry.api.sample import build_store

COUNTS = {"index": ("n_vacancies", "n_resumes"), "flow": ("n_vacancies", "n_resumes", "new_vacancies", "new_resumes")}
NUMBERS = (
    "n_vacancies",
    "n_resumes",
    "new_vacancies",
    "new_resumes",
    "index",
    "ci_low",
    "ci_high",
    "offered_median",
    "expected_median",
    "n_vacancies_skill",
    "n_resumes_skill",
)


class Attacker:
    """Fetches every published cell of an indicator and reasons about the hidden ones."""

    def __init__(self, app) -> None:
        self.app = app
        self.dims = self.get("/api/v1/dimensions")
        self.k = self.dims["k"]

    def get(self, url: str) -> dict:
        async def go():
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=True)
            async with httpx.AsyncClient(transport=transport, base_url="http://attacker") as c:
                r = await c.get(url)
                assert r.status_code == 200, (url, r.text)
                return r.json()

        return asyncio.run(go())

    def rows(self, indicator: str, period: str, **params: str) -> list[dict]:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.get(f"/api/v1/indicators?indicator={indicator}&period={period}&limit=10000&{query}")["rows"]

    def cells(self, indicator: str, period: str) -> dict[tuple[str, str, str], dict]:
        """Every (occupation, region, period) cell the API shows, from every grouping it offers."""
        out: dict[tuple[str, str, str], dict] = {}
        occupations = [o["id"] for o in self.dims["occupations"]]
        regions = [r["id"] for r in self.dims["regions"]]
        for occ in occupations:
            for row in self.rows(indicator, period, occupation=occ, group_by="region"):
                out[(row["occupation"], row["region"], row["period"])] = row
            for row in self.rows(indicator, period, occupation=occ, group_by="district"):
                out[(row["occupation"], row["region"], row["period"])] = row
        for reg in regions:
            for group in ("role", "category", "none"):
                for row in self.rows(indicator, period, occupation="all", region=reg, group_by=group):
                    out[(row["occupation"], row["region"], row["period"])] = row
            for row in self.rows(indicator, period, occupation="it", region=reg, group_by="role"):
                out[("it>" + row["occupation"], row["region"], row["period"])] = row
        return out

    def equations(self, cells: dict) -> list[tuple[tuple, list[tuple]]]:
        """Roll-ups the attacker knows: region > district > subject, all > category > role, IT > its roles."""
        region_parent = {r["id"]: r["parent"] for r in self.dims["regions"] if r["parent"]}
        occ_parent = {o["id"]: o["parent"] for o in self.dims["occupations"] if o["parent"]}
        for r in self.dims["regions"]:
            if r["id"].startswith("district:"):
                region_parent[r["id"]] = "all"
        for o in self.dims["occupations"]:
            if o["id"].startswith("category:"):
                occ_parent[o["id"]] = "all"
        it_roles = {key[0][3:] for key in cells if key[0].startswith("it>")}
        base = {key: row for key, row in cells.items() if not key[0].startswith("it>")}
        # one equation per parent and hierarchy: a total is the sum of its regions, and separately of its categories
        groups: dict[tuple, list[tuple]] = defaultdict(list)
        for occ, reg, per in base:
            if reg in region_parent:
                groups[("region", occ, region_parent[reg], per)].append((occ, reg, per))
            if occ in occ_parent:
                groups[("occupation", occ_parent[occ], reg, per)].append((occ, reg, per))
            if occ in it_roles:
                groups[("it", "it", reg, per)].append((occ, reg, per))
        return [(key[1:], children) for key, children in groups.items() if key[1:] in base]


def _hidden(row: dict) -> bool:
    return bool(row.get("suppressed"))


def _bounds(cells: dict, equations, column: str, targets: list[tuple]) -> dict[tuple, tuple[float, float]]:
    """[min, max] of each target hidden cell under the published equations and x >= 0."""
    unknown = sorted({key for key, row in cells.items() if _hidden(row)})
    pos = {key: i for i, key in enumerate(unknown)}
    rows, cols, vals, rhs = [], [], [], []
    for r, (parent, children) in enumerate(equations):
        b = 0.0
        for key, sign in ((parent, -1.0), *((c, 1.0) for c in children)):
            if key in pos:
                rows.append(r)
                cols.append(pos[key])
                vals.append(sign)
            else:
                b -= sign * float(cells[key][column] or 0)
        rhs.append(b)
    a = csr_matrix((vals, (rows, cols)), shape=(len(equations), len(unknown)))
    out = {}
    for key in targets:
        c = np.zeros(len(unknown))
        c[pos[key]] = 1.0
        lo = linprog(c, A_eq=a, b_eq=rhs, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a, b_eq=rhs, bounds=(0, None), method="highs")
        assert lo.status in (0, 3) and hi.status in (0, 3), (lo.message, hi.message)
        out[key] = (lo.fun if lo.status == 0 else 0.0, -hi.fun if hi.status == 0 else float("inf"))
    return out


@pytest.fixture(scope="module", params=[5, 23])
def attacker(request, tmp_path_factory):
    db = build_store(tmp_path_factory.mktemp("attack") / "kadry.duckdb", vacancies=1200, seed=request.param, months=3)
    return Attacker(create_app(db, k=8))


@pytest.mark.slow
@pytest.mark.parametrize("indicator", ["index", "flow", "salary", "skills"])
def test_hidden_rows_carry_no_counts(attacker, indicator):
    """No number, and no reason that tells a small cell from one hidden to protect it (that would say
    which hidden cells are below k: a hidden row known to be small has an interval without k)."""
    lengths = {"flow": ("month",), "skills": ("quarter",)}
    reasons = set()
    for period in lengths.get(indicator, ("week", "month", "quarter")):
        for group in ("region", "role"):
            for row in attacker.rows(indicator, period, group_by=group):
                if _hidden(row):
                    shown = {c: row[c] for c in NUMBERS if row.get(c) is not None}
                    assert shown == {}, (indicator, period, row["occupation"], row["region"], shown)
                    reasons.add(row.get("suppression"))
    assert len(reasons) == 1, reasons


@pytest.mark.slow
@pytest.mark.parametrize("indicator", ["index", "flow"])
def test_a_total_minus_its_published_parts_reveals_nothing(attacker, indicator):
    cells = attacker.cells(indicator, "month")
    for parent, children in attacker.equations(cells):
        members = [parent, *children]
        hidden = [m for m in members if _hidden(cells[m])]
        assert len(hidden) != 1, f"{hidden[0]} = its total minus the published parts"
        if hidden and not _hidden(cells[parent]):
            for column in COUNTS[indicator]:
                rest = cells[parent][column] - sum(cells[c][column] for c in children if not _hidden(cells[c]))
                # the hidden parts together must not be known to be fewer than k
                assert rest >= attacker.k, (parent, column, rest)


@pytest.mark.slow
def test_a_quarter_minus_its_months_reveals_nothing(attacker):
    """Flows by quarter or week would let a month be a longer period minus the other months."""
    months = attacker.cells("flow", "month")
    assert months, "monthly flows are published"
    for period in ("quarter", "week"):

        async def ask(period=period):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=attacker.app), base_url="http://t") as c:
                return await c.get(f"/api/v1/indicators?indicator=flow&period={period}")

        assert asyncio.run(ask()).status_code == 400, period


@pytest.mark.slow
@pytest.mark.parametrize("indicator", ["index", "flow"])
def test_linear_programming_cannot_pin_a_hidden_cell_below_k(attacker, indicator):
    """Every hidden cell's attacker interval stays open and reaches k (a sample of cells per run)."""
    cells = attacker.cells(indicator, "month")
    base = {key: row for key, row in cells.items() if not key[0].startswith("it>")}
    equations = attacker.equations(cells)
    by_period: dict[str, list[tuple]] = defaultdict(list)
    for key, row in base.items():
        if _hidden(row):
            by_period[key[2]].append(key)
    rng = np.random.default_rng(0)
    for period, hidden in sorted(by_period.items()):
        part = {k: v for k, v in base.items() if k[2] == period}
        eqs = [(p, c) for p, c in equations if p[2] == period]
        sample = [hidden[i] for i in rng.choice(len(hidden), size=min(15, len(hidden)), replace=False)]
        for column in COUNTS[indicator]:
            for key, (low, high) in _bounds(part, eqs, column, sample).items():
                assert high - low > 1e-6, f"{key} {column} = {low}"
                assert high >= attacker.k - 1e-6, f"{key} {column} <= {high} < k"


@pytest.mark.slow
def test_a_districts_skill_count_minus_its_regions_reveals_nothing(attacker):
    """Skills by region: a district's count of a skill minus its published subjects."""
    subjects = defaultdict(list)
    for r in attacker.dims["regions"]:
        if r["parent"]:
            subjects[r["parent"]].append(r["id"])
    checked = 0
    for district, members in subjects.items():
        parts: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
        for row in attacker.rows("skills", "quarter", region=district, group_by="region"):
            parts[(row["skill"], row["period"])][row["region"]] = row
        totals = {(r["skill"], r["period"]): r for r in attacker.rows("skills", "quarter", region=district)}
        for key, total in totals.items():
            if _hidden(total) or total["skill"] is None:
                continue
            rows = parts.get(key, {})
            if set(rows) != set(members) & set(rows) or len(rows) < len(members):
                continue  # a subject without this skill in its list: the equation is not complete
            hidden = [r for r, row in rows.items() if _hidden(row)]
            assert len(hidden) != 1, f"{hidden[0]} {key} = its district minus the other subjects"
            for column in ("n_vacancies_skill", "n_resumes_skill"):
                if hidden and total[column] is not None:
                    rest = total[column] - sum(row[column] or 0 for row in rows.values() if not _hidden(row))
                    assert rest >= attacker.k, (district, key, column, rest)
            checked += 1
    assert checked > 0
