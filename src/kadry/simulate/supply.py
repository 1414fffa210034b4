"""Simulated supply for real demand: resumes planned against the vacancy stock a store really holds.

Public data has real vacancies but no resumes with region, occupation and update dates, so
the demo fills the supply side with simulated (labelled) resumes. Sizing them against the
simulator's own vacancies gives a flat resume stock next to a real vacancy stock that swings
with the samples' coverage, and so a meaningless index. Here the real vacancy stock per role
and month is measured with ``kadry.indicators`` (the same definitions the index uses), and
the simulator plans resumes so that resume stock = target x real vacancy stock in every
category and month (docs/simulator.md, "Supply for real demand").
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from kadry.errors import InputError
from kadry.rules import activity

__all__ = ["supply_for_store", "real_vacancy_stock", "UNKNOWN_RULES"]

#: what to do with real vacancies whose role is unknown: ``spread`` their demand over the
#: categories by the month's known category mix, or ``drop`` it (no resumes for them)
UNKNOWN_RULES = ("spread", "drop")


def _month_label(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def _real_engine(store):
    """An indicators engine on the store's open connection that sees real vacancies only
    (and no resumes: only the vacancy stock is measured)."""
    import ibis

    from kadry.indicators import Engine
    from kadry.store import ibis_backend

    con = ibis_backend(store.con)
    v, r, o = con.table("vacancies"), con.table("resumes"), con.table("observations")
    p = con.table("presence")
    tables = {
        "vacancies": v.filter(~v.simulated.fill_null(False)),
        "resumes": r.filter(ibis.literal(False)),
        "observations": o.filter(o.kind == "vacancy"),
        "presence": p.filter(p.kind == "vacancy"),
    }
    return Engine("duckdb", con, tables, owns=False)


def real_vacancy_stock(store, first: str, last: str, *, lifetime: int = 30) -> tuple[dict[str, np.ndarray], list[str]]:
    """Real (non-simulated, non-duplicate) vacancy stock per hh role id and month, first..last.

    Returns ``({role id or "unknown": stock per month}, month labels)``; the stock is the
    indicators' ``stock`` (a vacancy is active from publication to its close, else for
    ``lifetime`` days), so it is exactly the denominator ``kadry index`` will use.
    """
    from kadry.indicators import compute

    first_m = int(first[:4]) * 12 + int(first[5:7]) - 1
    last_m = int(last[:4]) * 12 + int(last[5:7]) - 1
    labels = [_month_label(m) for m in range(first_m, last_m + 1)]
    pos = {lab: i for i, lab in enumerate(labels)}
    # Ibis sets the connection's time zone to UTC: give the store's connection its own back
    zone = store.con.execute("SELECT current_setting('TimeZone')").fetchall()[0][0]
    try:
        eng = _real_engine(store)
        t = compute(
            "stock",
            by=["role"],
            period="month",
            start=first,
            end=last,
            engine=eng,
            rollups=False,
            lifetime=lifetime,
            as_="pandas",
        )
    finally:
        store.con.execute(f"SET TimeZone = '{zone}'")
    out: dict[str, np.ndarray] = {}
    for role, period, n in zip(t["role"], t["period"], t["n_vacancies"]):
        key = f"{period.year:04d}-{period.month:02d}"
        if key in pos and n:
            out.setdefault(str(role), np.zeros(len(labels)))[pos[key]] += float(n)
    return out, labels


def supply_for_store(
    store,
    start: str,
    end: str,
    *,
    seed: int = 1,
    window_days: int = 30,
    scenario: str | Path | None = None,
    unknown: str = "spread",
    say: Callable[[str], None] = print,
) -> dict:
    """Add simulated resumes whose stock is the scenario's index target times the store's real
    vacancy stock, per role category and month of ``start``..``end``; returns counts.

    The store's real vacancies must be normalized (roles and duplicates); if none is, the
    store is normalized first. Resumes are planned on the simulator's grid (``burn_in_months``
    before ``start``), M is chosen by the planner, and they are bulk-loaded with their sightings.
    ``window_days`` must equal the scenario's resume activity window (30 by default) and the
    indicators' ``window``. Vacancies of unknown role: see ``UNKNOWN_RULES``.
    """
    from kadry.ingest.canonical import ingest_canonical
    from kadry.simulate.model import load_calibration
    from kadry.simulate.run import simulate
    from kadry.simulate.scenario import load_scenario, month_index, month_label

    if unknown not in UNKNOWN_RULES:
        raise InputError(f"unknown-role rule {unknown!r}: use one of {', '.join(UNKNOWN_RULES)}")
    sc = load_scenario(scenario)
    if sc.window_days != window_days:
        raise InputError(
            f"window_days {window_days} differs from the scenario's activity window ({sc.window_days} days)"
        )
    first_m, last_m = month_index(start), month_index(end)
    if last_m < first_m:
        raise InputError(f"end {end} is before start {start}")
    grid_first = month_label(first_m - sc.burn_in_months)
    con = store.con
    existing = con.execute("SELECT count(*) FROM resumes WHERE simulated").fetchall()[0][0]
    if existing:
        raise InputError(
            f"the store already holds {existing:,} simulated resumes: a second supply would add to them "
            "(use a store without simulated resumes)"
        )
    pending = con.execute(
        "SELECT count(*) FROM vacancies WHERE NOT coalesce(simulated, false) AND norm_version IS NULL"
    ).fetchall()[0][0]
    if pending:
        from kadry.normalize import normalize_store

        say(f"supply: normalizing {pending:,} real vacancies first (roles and duplicates set the demand)")
        normalize_store(store)

    by_role, labels = real_vacancy_stock(store, grid_first, end)
    cal = load_calibration()
    C, G = len(cal.categories), len(labels)
    role_pos = {r: i for i, r in enumerate(cal.role_ids)}
    stock = np.zeros((C, G))
    unknown_stock = np.zeros(G)
    role_weights = np.zeros(len(cal.role_ids))
    win = slice(sc.burn_in_months, G)
    for role, series in by_role.items():
        if role in role_pos:
            stock[cal.cat_of_role[role_pos[role]]] += series
            role_weights[role_pos[role]] += series[win].sum()
        else:
            unknown_stock += series
    known = stock.sum(axis=0)
    total = known + unknown_stock
    if not total[win].any():
        raise InputError(f"no real vacancies active {start}..{end} to plan the simulated supply against")
    if unknown == "spread":
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(known > 0, total / np.maximum(known, 1e-12), 1.0)
        stock = stock * factor[None, :]
    flow = con.execute(
        "SELECT count(*) FROM vacancies WHERE NOT coalesce(simulated, false) AND dup_of IS NULL "
        f"AND {activity.start_sql('vacancy')} >= ?::DATE "
        f"AND {activity.start_sql('vacancy')} < ?::DATE + INTERVAL 1 MONTH",
        [f"{start}-01", f"{end}-01"],
    ).fetchall()[0][0]
    say(
        f"supply: real vacancy stock {start}..{end}: {int(total[win].sum()):,} vacancy-months "
        f"({int(unknown_stock[win].sum()):,} of unknown role, {unknown}); {flow:,} published"
    )
    with tempfile.TemporaryDirectory(prefix="kadry-supply-") as tmp:
        out = Path(tmp) / "supply"
        summary = simulate(
            out,
            vacancies=0,
            resumes=None,
            start=start,
            end=end,
            seed=seed,
            scenario=scenario,
            vacancy_stock=stock,
            role_weights=role_weights,
            resumes_only=True,
        )
        say(
            f"supply: simulating {summary['resumes']:,} resume histories (labelled simulated), "
            f"{summary['resumes'] / max(flow, 1):.2f} per real vacancy published; pace {summary['pace']:.3g}, "
            f"expected error against the targets {100 * (summary['fit_error'] or 0):.1f}%"
        )
        result = ingest_canonical(store, out, kinds=("resume",))
        import pyarrow.parquet as pq

        plan = pq.read_table(out / "truth" / "plan.parquet").to_pandas()
    win_plan = plan[plan["in_window"] & (plan["vacancy_stock"] > 0)]
    expected = win_plan.groupby("month")[["vacancy_stock", "expected_resumes"]].sum()
    return {
        "resumes": int(result.counts.stored),
        "observations": int(summary["observations"]["resume"]),
        "real_vacancies_published": int(flow),
        "real_vacancy_stock": {labels[g]: int(total[g]) for g in range(sc.burn_in_months, G)},
        "unknown_role_stock": {labels[g]: int(unknown_stock[g]) for g in range(sc.burn_in_months, G)},
        "unknown_rule": unknown,
        "expected_index": {m: round(float(r.expected_resumes / r.vacancy_stock), 3) for m, r in expected.iterrows()},
        "resumes_per_vacancy": round(summary["resumes"] / max(flow, 1), 3),
        "pace": summary["pace"],
        "fit_error": summary["fit_error"],
        "warnings": summary["warnings"],
        "reused": False,
    }
