"""An attacker's view of the published moves: every view, level and segment of ``/api/v1/flows``.

Independent of the modules it attacks (never imports ``kadry.privacy`` or ``kadry.publish``):
it asks the HTTP API for the origin-destination tables at the three place levels, the
balances, the outflow abroad, for all resumes and for each IT segment, and writes every
published number as a sum of the atomic cells it knows exist (moves of one IT segment from
one subject or country to another, in one month). Linear programmes (scipy's HiGHS) then
bound each hidden cell by every published equation and non-negativity: a hidden cell is
protected when the attacker can neither compute it nor prove it smaller than k. Before
release 4 the route suppressed a new cube per request, so ``it=true`` and ``it=false``
answers could differ from the total by one hidden cell; now they are cut from one cube.
"""

from __future__ import annotations

import asyncio

import httpx
import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from kadry.api import create_app

K = 4
SEGMENTS = {"": None, "filter=it=true": "it", "filter=it=false": "non_it"}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    from kadry.ingest.canonical import ingest_canonical
    from kadry.normalize.run import normalize_store
    from kadry.simulate.run import simulate
    from kadry.store import Store

    root = tmp_path_factory.mktemp("flow-attack")
    simulate(root / "out", vacancies=300, resumes=2500, start="2022-01", end="2022-04", seed=5, scenario="2022")
    with Store(root / "kadry.duckdb") as store:
        ingest_canonical(store, root / "out")
        normalize_store(store, duplicates=False)
    app = create_app(root / "kadry.duckdb", k=K, make=False)

    async def fetch(urls: list[str]) -> list[dict]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
        async with httpx.AsyncClient(transport=transport, base_url="http://attacker", timeout=600) as c:
            out = []
            for url in urls:
                r = await c.get(url)
                assert r.status_code == 200, (url, r.text)
                out.append(r.json())
            return out

    urls = []
    for query in SEGMENTS:
        for level in ("region", "federal_district", "country"):
            for view in ("od", "balance"):
                urls.append(f"/api/v1/flows?view={view}&level={level}&{query}")
        urls.append(f"/api/v1/flows?view=abroad&{query}")
    urls.append("/api/v1/flows?view=od&by=it")
    answers = asyncio.run(fetch(urls))
    return dict(zip(urls, answers))


def _model(published: dict):
    """Atomic cells (segment, origin, destination, month) and the published equations over them."""
    from kadry.normalize.regions import subjects_by_code  # public knowledge: which district a subject is in

    district = {code: r["federal_district"] for code, r in subjects_by_code().items()}
    atoms = sorted(
        {
            (r["it"], r["origin"], r["destination"], r["period"])
            for r in published["/api/v1/flows?view=od&by=it"]["rows"]
        }
    )
    segments = sorted({a[0] for a in atoms})

    def place(leaf: str, level: str) -> str:
        if not leaf.startswith("RU-"):
            return leaf  # a country
        return {"region": leaf, "federal_district": district.get(leaf, leaf), "country": "RU"}[level]

    equations: list[tuple[list[int], float]] = []
    hidden: list[tuple[str, list[int]]] = []

    def add(members: list[int], row: dict, column: str, label: str) -> None:
        if row.get("suppressed"):
            if members:  # a side with no move at all is no cell (absent cells are zero, as in every table)
                hidden.append((label, members))
        elif row.get(column) is not None:
            equations.append((members, float(row[column])))

    for url, body in published.items():
        if not url.startswith("/api/v1/flows?view="):
            continue
        view = url.split("view=")[1].split("&")[0]
        level = url.split("level=")[1].split("&")[0] if "level=" in url else "country"
        segment = next((s for q, s in SEGMENTS.items() if q and q in url), None)
        by_it = "by=it" in url

        for row in body["rows"]:
            want = {row["it"]} if by_it else {segment} if segment else set(segments)
            here = [(i, x) for i, x in enumerate(atoms) if x[0] in want and x[3] == row["period"]]
            if view == "od":
                o, d = row["origin"], row["destination"]
                members = [i for i, x in here if place(x[1], level) == o and place(x[2], level) == d]
                add(members, row, "n_moves", f"od {level} {segment} {o}->{d} {row['period']}")
            elif view == "abroad":
                d = row["destination"]
                members = [
                    i for i, x in here if x[1].startswith("RU-") and not x[2].startswith("RU-") and d in ("all", x[2])
                ]
                add(members, row, "n_moves", f"abroad {segment} {d} {row['period']}")
            else:
                p = row["place"]
                into = [i for i, x in here if place(x[2], level) == p and place(x[1], level) != p]
                out = [i for i, x in here if place(x[1], level) == p and place(x[2], level) != p]
                add(into, row, "inflow", f"inflow {level} {segment} {p} {row['period']}")
                add(out, row, "outflow", f"outflow {level} {segment} {p} {row['period']}")
    return atoms, equations, hidden


def test_published_moves_are_consistent_and_hide_something(published):
    atoms, equations, hidden = _model(published)
    assert atoms and equations and hidden, "the simulated 2022 market should give published and hidden moves"
    # the attacker's own model must hold for the published numbers: one non-negative solution exists
    a, b = _system(atoms, equations)
    fit = linprog(np.zeros(len(atoms)), A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    assert fit.status == 0, "published numbers contradict each other (or the attacker's model is wrong)"


def test_no_hidden_move_count_is_pinned_or_proved_small(published):
    atoms, equations, hidden = _model(published)
    a, b = _system(atoms, equations)
    rng = np.random.default_rng(0)
    sample = [hidden[i] for i in rng.choice(len(hidden), size=min(40, len(hidden)), replace=False)]
    for label, members in sample:
        c = np.zeros(len(atoms))
        c[members] = 1.0
        lo = linprog(c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        assert lo.status == 0 and hi.status in (0, 3), (label, lo.message, hi.message)
        high = float("inf") if hi.status == 3 else -hi.fun
        assert high - lo.fun > 1e-6, f"{label} = {lo.fun}"
        assert high >= K - 1e-6, f"{label} <= {high} < k"


def _system(atoms, equations):
    rows, cols, vals, rhs = [], [], [], []
    for r, (members, value) in enumerate(equations):
        rows += [r] * len(members)
        cols += members
        vals += [1.0] * len(members)
        rhs.append(value)
    return csr_matrix((vals, (rows, cols)), shape=(len(equations), len(atoms))), np.array(rhs)


def test_hidden_rows_carry_no_number_and_one_reason(published):
    """A hidden balance row once showed its published side (a 0 where it had no moves); and a reason
    that told small cells from their complements would say which hidden moves are below k."""
    reasons = set()
    for url, body in published.items():
        for row in body["rows"]:
            if row.get("suppressed"):
                shown = {c: row[c] for c in ("n_moves", "inflow", "outflow", "net") if row.get(c) is not None}
                assert shown == {}, (url, row)
                reasons.add(row.get("suppression"))
    assert len(reasons) == 1, reasons
