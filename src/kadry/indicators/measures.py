"""The indicators, each defined once as an Ibis expression (docs/indicators.md has the formulas).

Every builder takes the same arguments and returns an expression with the keys
``<dims>, ps, pe`` and the counts the figures rest on, so the privacy layer can suppress
small cells and every display can label simulated data.
"""

from __future__ import annotations

from collections.abc import Callable
from statistics import NormalDist

import ibis

from kadry.indicators.activity import Extra, Options, active_rows, new_rows
from kadry.indicators.engine import Engine
from kadry.indicators.periods import Calendar
from kadry.indicators.segments import UNKNOWN, rollup
from kadry.indicators.stocks import stock_cells
from kadry.rules import bands

__all__ = ["BANDS", "BUILDERS", "band_expr"]

#: HeadHunter's bands of the index: (lower bound inclusive, label); defined in kadry.rules.bands
BANDS: list[tuple[float, str]] = [(b.lower, b.key) for b in bands.BANDS]

Builder = Callable[[Engine, list, Calendar, "dict | None", Options], ibis.Table]


def _population(
    engine: Engine, dims: list[str], cal: Calendar, filters: dict | None, opts: Options, extra: Extra, basis: str
) -> ibis.Table:
    """Vacancy and resume rows (one per record and period) in one relation with a ``kind`` column."""
    rows = active_rows if basis == "stock" else new_rows
    parts = [
        rows(engine, kind, dims, cal, filters, opts, extra).mutate(kind=ibis.literal(kind))
        for kind in ("vacancy", "resume")
    ]
    return ibis.union(*parts, distinct=False)


def _counts(t: ibis.Table) -> dict[str, ibis.Value]:
    return {
        "n_vacancies": t.record_id.count(where=t.kind == "vacancy"),
        "n_resumes": t.record_id.count(where=t.kind == "resume"),
        "simulated": t.simulated.any(),
    }


def _keys(dims: list[str]) -> list[str]:
    return [*dims, "ps", "pe"]


def _totals(engine, dims, cal, filters, opts, basis: str):
    """Records per segment and period (with roll-ups): ``n_vacancies, n_resumes, simulated``."""
    if basis == "flow":
        pop = _population(engine, dims, cal, filters, opts, {}, basis)
        return rollup(pop, dims, ["ps", "pe"], _counts, rollups=opts.rollups)
    # roll-ups included: stocks are additive over disjoint segments (stocks.py sums them early)
    cells = stock_cells(engine, dims, cal, filters, opts)
    return cells.select(
        *dims, "ps", "pe", n_vacancies="n_vacancies", n_resumes="n_resumes", simulated=cells.n_simulated > 0
    )


def stock(engine, dims, cal, filters, opts):
    """Distinct vacancies and resumes active at any time in the period."""
    return _totals(engine, dims, cal, filters, opts, "stock")


def flow(engine, dims, cal, filters, opts):
    """Vacancies published and resumes created in the period."""
    t = _totals(engine, dims, cal, filters, opts, "flow")
    return t.mutate(new_vacancies=t.n_vacancies, new_resumes=t.n_resumes)


def band_expr(index: ibis.Value) -> ibis.Value:
    return bands.ibis_case(index)


def deficiency_index(engine, dims, cal, filters, opts):
    """Resumes stock / vacancies stock, its band and a Katz log-method interval."""
    t = stock(engine, dims, cal, filters, opts)
    nv = t.n_vacancies.cast("float64")
    nr = t.n_resumes.cast("float64")
    # undefined without either side: no resumes is missing supply, not a shortage band at 0.00
    index = nr.nullif(0.0) / nv.nullif(0.0)
    z = NormalDist().inv_cdf(0.5 + opts.confidence / 2)
    # Katz: log(R) +- z * sqrt(1/a + 1/b); undefined when either count is zero
    se = (1.0 / nr.nullif(0.0) + 1.0 / nv.nullif(0.0)).sqrt()
    t = t.mutate(index=index, se=se)
    return t.mutate(
        band=band_expr(t.index),
        # rounded: exp/log may differ in the last bit between engines; 6 decimals is plenty for an interval
        ci_low=(t.index * (-z * t.se).exp()).round(6),
        ci_high=(t.index * (z * t.se).exp()).round(6),
    ).drop("se")


def _salary_value(opts: Options) -> Extra:
    if opts.include_flagged_salaries:
        return {"salary": lambda t: t.salary_rub.cast("float64")}
    return {"salary": lambda t: ibis.ifelse(t.salary_flag == "ok", t.salary_rub.cast("float64"), ibis.null("float64"))}


def salary(engine, dims, cal, filters, opts):
    """Quartiles of offered (vacancies) and expected (resumes) monthly net salary, and their gap."""
    pop = _population(engine, dims, cal, filters, opts, _salary_value(opts), opts.basis)
    pop = pop.mutate(
        sv=ibis.ifelse(pop.kind == "vacancy", pop.salary, ibis.null("float64")),
        sr=ibis.ifelse(pop.kind == "resume", pop.salary, ibis.null("float64")),
    )

    def metrics(t):
        out = _counts(t)
        out.update(
            n_salary_vacancies=t.sv.count(),
            offered_q1=t.sv.quantile(0.25),
            offered_median=t.sv.quantile(0.5),
            offered_q3=t.sv.quantile(0.75),
            n_salary_resumes=t.sr.count(),
            expected_q1=t.sr.quantile(0.25),
            expected_median=t.sr.quantile(0.5),
            expected_q3=t.sr.quantile(0.75),
        )
        return out

    t = rollup(pop, dims, ["ps", "pe"], metrics, rollups=opts.rollups)
    return t.mutate(
        salary_gap=t.expected_median - t.offered_median,
        salary_gap_ratio=t.expected_median / t.offered_median.nullif(0.0),
    )


def skills(engine, dims, cal, filters, opts):
    """Share of vacancies (demand) and of resumes (supply) naming each skill, and demand / supply."""
    pop = _population(engine, dims, cal, filters, opts, {"skills": lambda t: t.skills}, opts.basis)
    totals = _totals(engine, dims, cal, filters, opts, opts.basis)
    named = pop.select("kind", "record_id", *_keys(dims), skill=pop.skills.unnest())
    named = named.filter(named.skill.notnull(), named.skill != "").distinct()
    per_skill = rollup(
        named,
        dims,
        ["ps", "pe", "skill"],
        lambda t: {
            "n_vacancies_skill": t.record_id.count(where=t.kind == "vacancy"),
            "n_resumes_skill": t.record_id.count(where=t.kind == "resume"),
        },
        rollups=opts.rollups,
    )
    t = per_skill.join(totals, _keys(dims))
    t = t.mutate(
        demand_share=t.n_vacancies_skill.cast("float64") / t.n_vacancies.cast("float64").nullif(0.0),
        supply_share=t.n_resumes_skill.cast("float64") / t.n_resumes.cast("float64").nullif(0.0),
    )
    t = t.mutate(demand_supply_ratio=t.demand_share / t.supply_share.nullif(0.0))
    if opts.top is not None:
        w = ibis.window(
            group_by=[t[k] for k in _keys(dims)], order_by=[ibis.desc(t.n_vacancies_skill + t.n_resumes_skill), t.skill]
        )
        t = t.mutate(rank=ibis.row_number().over(w) + 1)
        t = t.filter(t.rank <= opts.top).drop("rank")
    return t


def remote(engine, dims, cal, filters, opts):
    """Share of vacancies offering and of resumes accepting remote work, among those that say."""
    pop = _population(engine, dims, cal, filters, opts, {"is_remote": lambda t: t.remote}, opts.basis)

    def metrics(t):
        out = _counts(t)
        for kind, side in (("vacancy", "vacancies"), ("resume", "resumes")):
            mine = t.kind == kind
            out[f"n_remote_known_{side}"] = t.record_id.count(where=mine & t.is_remote.notnull())
            out[f"n_remote_{side}"] = t.record_id.count(where=mine & t.is_remote.fill_null(False))
        return out

    t = rollup(pop, dims, ["ps", "pe"], metrics, rollups=opts.rollups)
    return t.mutate(
        remote_share_vacancies=t.n_remote_vacancies.cast("float64")
        / t.n_remote_known_vacancies.cast("float64").nullif(0.0),
        remote_share_resumes=t.n_remote_resumes.cast("float64") / t.n_remote_known_resumes.cast("float64").nullif(0.0),
    )


def experience(engine, dims, cal, filters, opts):
    """Mix of experience bands: required (vacancies) and held (resumes), ``unknown`` included."""
    pop = _population(
        engine,
        dims,
        cal,
        filters,
        opts,
        {"experience_level": lambda t: t.experience.cast("string").fill_null(UNKNOWN)},
        opts.basis,
    )
    totals = _totals(engine, dims, cal, filters, opts, opts.basis).rename(
        vacancies_total="n_vacancies", resumes_total="n_resumes", simulated_total="simulated"
    )
    mix = rollup(pop, dims, ["ps", "pe", "experience_level"], _counts, rollups=opts.rollups)
    t = mix.join(totals, _keys(dims)).drop("simulated_total")
    return t.mutate(
        vacancy_share=t.n_vacancies.cast("float64") / t.vacancies_total.cast("float64").nullif(0.0),
        resume_share=t.n_resumes.cast("float64") / t.resumes_total.cast("float64").nullif(0.0),
    )


BUILDERS: dict[str, Builder] = {
    "stock": stock,
    "flow": flow,
    "index": deficiency_index,
    "salary": salary,
    "skills": skills,
    "remote": remote,
    "experience": experience,
}
