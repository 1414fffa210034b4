"""Who is active when: per-record activity intervals, and the records of each period.

A record is never exploded into one row per day. A vacancy has one interval
[publication, close]; a resume has the union of the intervals its updates and sightings
keep it active, merged (gaps-and-islands with window functions). Stocks are counted from
the intervals by a sweep (stocks.py); the populations of salary, skills and the like meet
the calendar of periods through a range join, one row per record and period it touches.
All days are integers (days since 1970-01-01).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis

from kadry.errors import InputError
from kadry.indicators.engine import Engine
from kadry.indicators.periods import Calendar, epoch_day
from kadry.indicators.segments import apply_filters, coded_dims
from kadry.rules import activity as rules

__all__ = [
    "Options",
    "VACANCY_RULES",
    "vacancy_rule_label",
    "active_rows",
    "new_rows",
    "intervals",
    "resume_intervals",
    "vacancy_intervals",
]

VACANCY_RULES = rules.VACANCY_RULES

#: extra per-record columns an indicator may ask for: name -> expression on vacancies/resumes
Extra = dict[str, Callable[[ibis.Table], ibis.Value]]


@dataclass(frozen=True)
class Options:
    """How records are counted; defaults follow ../shared/DESIGN.md."""

    #: days a vacancy without a close date stays active after publication (the lifetime rule)
    lifetime: int = rules.LIFETIME_DAYS
    #: days an update keeps a resume active (the update day and window-1 following days)
    window: int = rules.RESUME_WINDOW_DAYS
    #: what ends a vacancy without a close date: ``lifetime`` or ``last_seen`` (its last sighting)
    vacancy_rule: str = "lifetime"
    #: count vacancies marked as duplicates (dup_of not null)
    include_duplicates: bool = False
    #: use salaries whose salary_flag is not 'ok'
    include_flagged_salaries: bool = False
    #: add roll-up rows ("all") for every subset of the dimensions
    rollups: bool = True
    #: confidence level of the index interval
    confidence: float = 0.95
    #: population of salary/skills/remote/experience: ``stock`` (active in the period) or ``flow`` (new in it)
    basis: str = "stock"
    #: skills: keep the top N skills per segment and period (by vacancies + resumes naming them)
    top: int | None = None

    def __post_init__(self) -> None:
        for name in ("lifetime", "window"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3650:
                raise InputError(f"{name} must be a whole number of days between 1 and 3650, not {value!r}")
        if self.vacancy_rule not in VACANCY_RULES:
            raise InputError(f"vacancy rule {self.vacancy_rule!r}: use one of {', '.join(VACANCY_RULES)}")
        if self.basis not in ("stock", "flow"):
            raise InputError(f"basis {self.basis!r}: use stock or flow")
        if not 0 < self.confidence < 1:
            raise InputError(f"confidence must be between 0 and 1, not {self.confidence!r}")
        if self.top is not None and (not isinstance(self.top, int) or self.top < 1):
            raise InputError(f"top must be a positive whole number, not {self.top!r}")


def vacancy_rule_label(opts: Options) -> str:
    """What the output says about open vacancies, e.g. ``closed_at, else lifetime 30d``."""
    snap = "snapshot sources: to the last snapshot showing it; "
    if opts.vacancy_rule == "lifetime":
        return f"{snap}else closed_at, else lifetime {opts.lifetime}d"
    return f"{snap}else closed_at, else last_seen (lifetime {opts.lifetime}d if never seen)"


def _attributes(t: ibis.Table, id_col: str, dims: list[str], extra: Extra) -> dict[str, ibis.Value]:
    cols: dict[str, ibis.Value] = {"record_id": t[id_col]}
    cols.update(coded_dims(t, dims))
    cols["simulated"] = t.simulated.fill_null(False)
    cols.update({name: fn(t) for name, fn in extra.items()})
    return cols


def _vacancies(engine: Engine, filters: dict | None, opts: Options) -> ibis.Table:
    v = engine.table("vacancies")
    if not opts.include_duplicates:
        v = v.filter(v.dup_of.isnull())
    return apply_filters(v, filters)


def _resumes(engine: Engine, filters: dict | None) -> ibis.Table:
    return apply_filters(engine.table("resumes"), filters)


def vacancy_intervals(
    engine: Engine, dims: list[str], filters: dict | None, opts: Options, extra: Extra | None = None
) -> ibis.Table:
    """One row per vacancy: ``record_id, s, e`` (first and last active day), its dimensions and extras."""
    v = _vacancies(engine, filters, opts)
    start = epoch_day(rules.start_ibis(v, "vacancy"))
    closed = epoch_day(ibis.coalesce(v.closed_at, v.archived_at))
    by_lifetime = start + (opts.lifetime - 1)
    if opts.vacancy_rule == "lifetime":
        open_end = by_lifetime
    else:
        open_end = ibis.greatest(start, epoch_day(v.last_seen)).fill_null(by_lifetime)
    cols = _attributes(v, "vacancy_id", dims, extra or {})
    cols["s"] = start
    # a snapshot source knows the last snapshot that showed the vacancy: that ends it
    cols["e"] = ibis.coalesce(epoch_day(v.activity_end), closed, open_end)
    out = v.select(**cols)
    # a close dated before the publication day: never active (it is still a flow)
    return out.filter(out.s.notnull(), out.e >= out.s)


def resume_intervals(engine: Engine, filters: dict | None, opts: Options) -> ibis.Table:
    """Merged activity intervals of resumes: ``record_id, s, e, next_s``, disjoint and non-adjacent per resume.

    An update at day u keeps the resume active on u..u+window-1; a sighting at day d on d;
    nothing counts before the resume was created (created_at, else first_seen).
    """
    everyone = _resumes(engine, filters)
    # snapshot sources: the runs of snapshots that showed the resume are its activity
    snap = everyone.filter(everyone.activity_end.notnull())
    p = engine.table("presence")
    p = p.filter(p.kind == "resume")
    ids = snap.select(sid=snap.resume_id)
    p = p.join(ids, p.record_id == ids.sid)
    r = everyone.filter(everyone.activity_end.isnull())
    created = epoch_day(rules.start_ibis(r, "resume"))
    w = opts.window - 1
    own = []
    for ts, span in ((r.created_at, w), (r.updated_at, w), (r.first_seen, 0), (r.last_seen, 0)):
        d = epoch_day(ts)
        own.append(r.select(record_id=r.resume_id, c=created, s=d, e=d + span))
    o = engine.table("observations")
    o = o.filter(o.kind == "resume")
    keys = r.select(rid=r.resume_id, c=created)
    o = o.join(keys, o.record_id == keys.rid)
    updated, seen = epoch_day(o.updated_at), epoch_day(o.observed_at)
    own.append(o.select(record_id=o.record_id, c=o.c, s=updated, e=updated + w))
    # a sighting inside the window of the update it shows adds nothing: leave it out early
    lone = o.filter(updated.isnull() | (seen < updated) | (seen > updated + w))
    own.append(lone.select(record_id=lone.record_id, c=lone.c, s=seen, e=seen))
    ev = ibis.union(*own, distinct=False)
    ev = ev.mutate(s=ibis.greatest(ev.s, ev.c))
    runs = p.select(record_id=p.record_id, s=epoch_day(p.first_at), e=epoch_day(p.last_at))
    ev = ibis.union(ev.select("record_id", "s", "e"), runs, distinct=False)
    # no distinct needed: of events tied on (s, e) only the first can open an island (the
    # others see its end in their reach), and island starts have distinct days
    ev = ev.filter(ev.s.notnull(), ev.e >= ev.s).select("record_id", "s", "e")
    # gaps and islands in two window passes: a new island starts where no earlier interval
    # reaches the day before it; an island ends where the reach stands when the next begins
    order = [ev.s, ev.e]
    before = ibis.window(group_by=ev.record_id, order_by=order, rows=(None, -1))
    whole = ibis.window(group_by=ev.record_id, order_by=order, rows=(None, None))
    ev = ev.mutate(reach=ev.e.max().over(before), last=ev.e.max().over(whole))
    starts = ev.filter(ev.reach.isnull() | (ev.s > ev.reach + 1))
    nxt = ibis.window(group_by=starts.record_id, order_by=starts.s)
    return starts.select(
        "record_id",
        "s",
        e=ibis.coalesce(starts.reach.lead().over(nxt), starts.last),
        next_s=starts.s.lead().over(nxt),
    )


def intervals(engine: Engine, kind: str, dims: list[str], filters: dict | None, opts: Options) -> ibis.Table:
    """Activity intervals with their segment: ``record_id, s, e, next_s, <dims>, simulated``.

    ``next_s`` is the start of the record's next interval (null for vacancies and for a
    resume's last interval): the gap before it lets stocks be counted without a range join.
    """
    if kind == "vacancy":
        iv = vacancy_intervals(engine, dims, filters, opts)
        return iv.select(
            "record_id", "s", "e", next_s=ibis.null("int64"), **{d: iv[d] for d in dims}, simulated=iv.simulated
        )
    iv = resume_intervals(engine, filters, opts)
    r = _resumes(engine, filters)
    attrs = r.select(**_attributes(r, "resume_id", dims, {})).rename(rid="record_id")
    j = iv.join(attrs, iv.record_id == attrs.rid)
    return j.select("record_id", "s", "e", "next_s", *dims, "simulated")


def _meet(intervals: ibis.Table, cal: ibis.Table) -> ibis.Table:
    return intervals.join(cal, [intervals.s <= cal.pe, intervals.e >= cal.ps])


def active_rows(
    engine: Engine,
    kind: str,
    dims: list[str],
    cal: Calendar,
    filters: dict | None,
    opts: Options,
    extra: Extra | None = None,
) -> ibis.Table:
    """One row per (record active in a period, period): ``record_id, ps, pe``, dimensions, ``simulated``, extras."""
    extra = extra or {}
    if kind == "vacancy":
        iv = vacancy_intervals(engine, dims, filters, opts, extra)
        j = _meet(iv, cal.periods)
        return j.select("record_id", "ps", "pe", *dims, "simulated", *extra)
    iv = resume_intervals(engine, filters, opts)
    hits = _meet(iv, cal.periods).select("record_id", "ps", "pe").distinct()
    r = _resumes(engine, filters)
    attrs = r.select(**_attributes(r, "resume_id", dims, extra))
    attrs = attrs.rename(rid="record_id")
    j = hits.join(attrs, hits.record_id == attrs.rid)
    return j.select("record_id", "ps", "pe", *dims, "simulated", *extra)


def new_rows(
    engine: Engine,
    kind: str,
    dims: list[str],
    cal: Calendar,
    filters: dict | None,
    opts: Options,
    extra: Extra | None = None,
) -> ibis.Table:
    """One row per record new in a period: vacancies by publication day, resumes by creation day."""
    extra = extra or {}
    if kind == "vacancy":
        t = _vacancies(engine, filters, opts)
        born = epoch_day(rules.start_ibis(t, "vacancy"))
        cols = _attributes(t, "vacancy_id", dims, extra)
    else:
        t = _resumes(engine, filters)
        born = epoch_day(rules.start_ibis(t, "resume"))
        cols = _attributes(t, "resume_id", dims, extra)
    rows = t.select(born=born, **cols)
    j = rows.join(cal.days, rows.born == cal.days.d)
    return j.select("record_id", "ps", "pe", *dims, "simulated", *extra)
