"""What the store holds: the range where both sides meet, and how much of each source is known.

``data_span`` is the one rule every display defaults to (``kadry index``, the report, the
dashboard): it ends with the latest month in which both vacancies and resumes are active and
starts with the first such month at most ``MAX_PERIODS`` months before (months in between
that lack a side stay in, as gaps with their reason); when one side is missing it says which, and when
records carry no date it says how many (they need ``--observed-at``). ``coverage`` counts,
per kind and source, the records whose region, role, salary and skills are known: an
unknown region is coverage, never a place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import ibis
import pyarrow as pa

from kadry.indicators.engine import Engine
from kadry.indicators.periods import epoch_day
from kadry.rules import activity

__all__ = ["MAX_PERIODS", "Span", "coverage", "data_span", "undated_counts"]

#: the longest default range, in months
MAX_PERIODS = 24


def _starts(engine: Engine) -> tuple[ibis.Value, ibis.Value, ibis.Table, ibis.Table]:
    v, r = engine.table("vacancies"), engine.table("resumes")
    # the start rule is kadry.rules.activity's; a resume seen only through updates starts at its first update
    return (
        epoch_day(activity.start_ibis(v, "vacancy")),
        epoch_day(ibis.coalesce(activity.start_ibis(r, "resume"), r.updated_at)),
        v,
        r,
    )


def undated_counts(engine: Engine) -> dict[str, int]:
    """Vacancies and resumes without any date (never counted in a period)."""
    vd, rd, v, r = _starts(engine)
    out = {}
    for name, t, d in (("vacancies", v, vd), ("resumes", r, rd)):
        res = engine.execute(t.aggregate(n=t.count(), undated=d.isnull().sum()))
        out[name] = int(res["undated"][0].as_py() or 0)
        out[f"{name}_total"] = int(res["n"][0].as_py() or 0)
    return out


@dataclass
class Span:
    """A default range and why: ``missing`` names an absent side (``resumes``/``vacancies``/``overlap``)."""

    start: date | None
    end: date | None
    missing: str | None = None
    vacancies: int = 0
    resumes: int = 0
    undated: dict[str, int] = field(default_factory=dict)
    #: per month: (first day, active vacancies > 0, active resumes > 0), for gap notes
    months: list[tuple[date, bool, bool]] = field(default_factory=list)

    @property
    def reason(self) -> str | None:
        """A REASONS code of kadry.vocabulary for the missing side, else None."""
        return {"resumes": "store_no_resumes", "vacancies": "store_no_vacancies", "overlap": "no_overlap"}.get(
            self.missing or ""
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "missing": self.missing,
            "reason": self.reason,
            "vacancies": self.vacancies,
            "resumes": self.resumes,
            "undated": self.undated,
            "max_periods": MAX_PERIODS,
        }


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _months_before(d: date, n: int) -> date:
    m = d.year * 12 + d.month - 1 - n
    return date(m // 12, m % 12 + 1, 1)


def data_span(engine: Engine, *, filters: dict | None = None, max_periods: int = MAX_PERIODS, **options: Any) -> Span:
    """The default range: up to the latest month with both sides active (see the module's docstring)."""
    from kadry.indicators.api import compute
    from kadry.indicators.periods import EPOCH

    vd, rd, v, r = _starts(engine)
    undated = undated_counts(engine)
    bounds = engine.execute(
        ibis.union(v.select(d=vd), r.select(d=rd), distinct=False).aggregate(lo=ibis._.d.min(), hi=ibis._.d.max())
    )
    lo, hi = bounds["lo"][0].as_py(), bounds["hi"][0].as_py()
    span = Span(
        None,
        None,
        vacancies=undated["vacancies_total"],
        resumes=undated["resumes_total"],
        undated={k: n for k, n in undated.items() if not k.endswith("_total") and n},
    )
    if lo is None:
        span.missing = "vacancies" if not span.vacancies else ("resumes" if not span.resumes else None)
        return span
    first, last = EPOCH + timedelta(days=int(lo)), EPOCH + timedelta(days=int(hi))
    # records stay active after their start: look one lifetime/window past the last start
    last = last + timedelta(days=max(int(options.get("lifetime", 30)), int(options.get("window", 30))))
    t = compute(
        "stock", by=[], period="month", start=first, end=last, filters=filters, engine=engine, rollups=False, **options
    ).to_pylist()
    span.months = [(row["period"], row["n_vacancies"] > 0, row["n_resumes"] > 0) for row in t]
    both = [i for i, (_, hv, hr) in enumerate(span.months) if hv and hr]
    if both:
        end_i = both[-1]
        floor = _months_before(span.months[end_i][0], max_periods - 1)
        start_i = next(i for i in both if span.months[i][0] >= floor)
        span.start, span.end = span.months[start_i][0], _month_end(span.months[end_i][0])
        return span
    has_v = [i for i, m in enumerate(span.months) if m[1]]
    has_r = [i for i, m in enumerate(span.months) if m[2]]
    span.missing = "resumes" if not has_r else ("vacancies" if not has_v else "overlap")
    side = has_v or has_r
    if side:
        end_i = side[-1]
        floor = _months_before(span.months[end_i][0], max_periods - 1)
        start_i = next(i for i in side if span.months[i][0] >= floor)
        span.start, span.end = span.months[start_i][0], _month_end(span.months[end_i][0])
    return span


def coverage(engine: Engine, *, start: date | None = None, end: date | None = None) -> pa.Table:
    """Per kind and source: records, and how many have a date, a known region, role, salary and skills.

    A region is known when it maps to a federal subject, or to a country other than Russia
    (a Russian record without its subject is the index's ``unknown`` region); ``start``/``end`` keep records whose start day is in the range.
    """
    from kadry.indicators.periods import day_number

    vd, rd, v, r = _starts(engine)
    parts = []
    for kind, t, d in (("vacancy", v, vd), ("resume", r, rd)):
        rel = t.mutate(_d=d)
        if start is not None:
            rel = rel.filter(rel._d >= day_number(start))
        if end is not None:
            rel = rel.filter(rel._d <= day_number(end))
        skills = rel.skills.length().fill_null(0) > 0
        agg = rel.group_by(source=rel.source.fill_null("unknown")).aggregate(
            records=rel.count(),
            dated=rel._d.notnull().sum(),
            region_known=(rel.region_code.notnull() | (rel.country_code.notnull() & (rel.country_code != "RU"))).sum(),
            role_known=rel.role_id.notnull().sum(),
            salary_known=rel.salary_rub.notnull().sum(),
            skills_known=skills.sum(),
            simulated=rel.simulated.fill_null(False).any(),
        )
        parts.append(agg.mutate(kind=ibis.literal(kind)))
    out = engine.execute(ibis.union(*parts, distinct=False))
    cols = [
        "kind",
        "source",
        "records",
        "dated",
        "region_known",
        "role_known",
        "salary_known",
        "skills_known",
        "simulated",
    ]
    out = out.select(cols)
    return out.sort_by([("kind", "descending"), ("source", "ascending")])
