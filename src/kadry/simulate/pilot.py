"""The planner with its pilot run: targets corrected for the resumes a scenario moves abroad.

``kadry.simulate.model`` plans from the calibration alone; measuring how much of a category's
stock leaves Russia needs the generator and the truth counter, which are built on the model. So
the pilot lives here, above all three, and the model takes it as an argument: no import cycle.
"""

from __future__ import annotations

import numpy as np

from kadry.simulate.generate import Areas, make_resumes
from kadry.simulate.model import Calibration, Plan
from kadry.simulate.model import make_plan as _plan_without_pilot
from kadry.simulate.scenario import Scenario
from kadry.simulate.truth import Truth

__all__ = ["make_plan", "outflow_factor"]


def make_plan(*args, **kwargs) -> Plan:
    """``kadry.simulate.model.make_plan`` with the outflow correction of ``outflow_factor`` (same arguments)."""
    kwargs.setdefault("outflow", outflow_factor)
    return _plan_without_pilot(*args, **kwargs)


def outflow_factor(
    cal: Calibration, scenario: Scenario, plan: Plan, seed: int, pilot: int = 60_000
) -> np.ndarray | None:
    """Targets are for resumes located in the target country (Russia): when a scenario moves a
    category's resumes abroad, a pilot run measures the share of its stock still in Russia, and
    that category's resume targets are divided by it (so the index in Russia meets the target)."""
    C = len(cal.categories)
    affected = np.zeros(C, dtype=bool)
    for rule in scenario.mobility:
        if rule.get("destinations", "internal") == "internal" or float(rule.get("share", 0)) < 0.005:
            continue
        cats = rule.get("categories", "all")
        if cats == "all":
            affected[:] = True
        else:
            wanted = {str(c) for c in (cats if isinstance(cats, list) else [cats])}
            affected |= np.array([c in wanted for c in cal.categories])
    if not affected.any():
        return None
    prob = plan.res_prob * affected[:, None]
    if prob.sum() <= 0:
        return None
    pilot_plan = Plan(
        calendar=plan.calendar,
        vac_prob=plan.vac_prob,
        res_prob=prob / prob.sum(),
        pace=plan.pace,
        updates_mean=plan.updates_mean,
        expected_vacancy_stock=plan.expected_vacancy_stock,
        expected_resume_stock=plan.expected_resume_stock,
        targets=plan.targets,
    )
    areas = Areas(cal, pilot_plan, scenario)
    rc = make_resumes(cal, pilot_plan, scenario, areas, seed + 1_000_003, 0, 0, pilot, "pilot")
    now, origin = Truth(cal, pilot_plan, scenario.window_days), Truth(cal, pilot_plan, scenario.window_days)
    now.add_resumes(rc.role, rc.obs_rec, rc.obs_t, rc.obs_area, rc.created_s, rc.created_area)
    origin.add_resumes(rc.role, rc.obs_rec, rc.obs_t, rc.created_area[rc.obs_rec], rc.created_s, rc.created_area)
    ru_area = np.array([c == "113" for c in cal.area_country])
    cat_of_cell = np.repeat(cal.cat_of_role, len(cal.area_ids))
    ru_cell = np.tile(ru_area, len(cal.role_ids))
    factor = np.ones((C, plan.calendar.n))
    for truth, sign in ((now, -1), (origin, +1)):
        stock = np.cumsum(truth.stock_diff[1], axis=0)[: plan.calendar.n]  # (G, cells)
        ru = np.zeros((C, plan.calendar.n))
        for ci in np.flatnonzero(affected):
            ru[ci] = stock[:, (cat_of_cell == ci) & ru_cell].sum(axis=1)
        if sign < 0:
            ru_now = ru
        else:
            ru_origin = ru
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(ru_now > 0, ru_origin / ru_now, 1.0)
    factor[affected] = np.clip(f[affected], 1.0, 2.0)
    return factor
