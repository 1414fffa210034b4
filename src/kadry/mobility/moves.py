"""Moves: a change of place between two consecutive sightings of the same resume.

A sighting's place depends on the level: the federal subject (``region_code``) in Russia
or the country abroad (``region``), the federal district in Russia or the country abroad
(``federal_district``), the country (``country``). Sightings whose place is unknown at the
level (no country; in Russia, no subject) are left out, so each level is read from its own
sequence of known places. A move is dated at the later sighting, the first that shows the
new place (the same rule as the simulator's truth, ``truth/moves.parquet``).
"""

from __future__ import annotations

from functools import cache

import ibis
import pyarrow as pa

from kadry.errors import InputError
from kadry.indicators.engine import Engine
from kadry.indicators.segments import apply_filters, coded_dims

__all__ = ["LEVELS", "HOME", "OCCUPATION_DIMS", "resolve_level", "district_table", "places", "moves"]

LEVELS = ("region", "federal_district", "country")
#: the country whose outflow is "abroad" (ISO 3166-1 alpha-2, as in observations.country_code)
HOME = "RU"
#: the resume dimensions a move can be cut by (current state of the resume, like the indicators)
OCCUPATION_DIMS = ("role", "role_category", "isco2", "it", "experience", "remote")

_LEVEL_ALIASES = {
    "region_code": "region",
    "subject": "region",
    "federal_subject": "region",
    "district": "federal_district",
    "country_code": "country",
}


def resolve_level(level: str) -> str:
    name = _LEVEL_ALIASES.get(level.strip().lower(), level.strip().lower())
    if name not in LEVELS:
        raise InputError(f"unknown region level {level!r}: use one of {', '.join(LEVELS)}")
    return name


@cache
def _districts() -> pa.Table:
    from kadry.normalize.regions import subjects_by_code

    pairs = sorted((code, r["federal_district"]) for code, r in subjects_by_code().items())
    return pa.table({"d_region": [p[0] for p in pairs], "d_district": [p[1] for p in pairs]})


def district_table() -> ibis.Table:
    """Federal subject -> federal district (from the normalizer's reference list)."""
    return ibis.memtable(_districts())


def places(engine: Engine, level: str) -> ibis.Table:
    """Resume sightings with a known place at ``level``: ``record_id, observed_at, place, country``."""
    level = resolve_level(level)
    o = engine.table("observations")
    o = o.filter(o.kind == "resume", o.observed_at.notnull())
    cc, rc = o.country_code, o.region_code
    if level == "country":
        place = cc
    elif level == "region":
        place = ibis.cases((cc == HOME, rc), else_=cc)
    else:
        d = district_table()
        o = o.left_join(d, o.region_code == d.d_region)
        cc = o.country_code
        place = ibis.cases((cc == HOME, o.d_district), else_=cc)
    out = o.select(record_id=o.record_id, observed_at=o.observed_at, place=place, country=cc)
    return out.filter(out.place.notnull())


def moves(
    engine: Engine, level: str, dims: list[str] | tuple[str, ...] = (), filters: dict | None = None
) -> ibis.Table:
    """One row per move: ``record_id, moved_at, prev_at, day, origin, destination, origin_country,
    destination_country``, the resume's coded ``dims`` and ``simulated``.

    ``day`` (days since 1970-01-01) is the day of the later sighting. ``filters`` select
    resumes by coded dimension values, as in ``kadry.indicators``.
    """
    s = places(engine, level)
    w = ibis.window(group_by=s.record_id, order_by=[s.observed_at])
    s = s.mutate(
        origin=s.place.lag().over(w), origin_country=s.country.lag().over(w), prev_at=s.observed_at.lag().over(w)
    )
    mv = s.filter(s.origin.notnull(), s.origin != s.place)
    r = apply_filters(engine.table("resumes"), filters)
    attrs = r.select(rid=r.resume_id, simulated=r.simulated.fill_null(False), **coded_dims(r, list(dims)))
    j = mv.join(attrs, mv.record_id == attrs.rid)
    return j.select(
        record_id=j.record_id,
        moved_at=j.observed_at,
        prev_at=j.prev_at,
        day=j.observed_at.date().epoch_days().cast("int64"),
        origin=j.origin,
        destination=j.place,
        origin_country=j.origin_country,
        destination_country=j.country,
        simulated=j.simulated,
        **{d: j[d] for d in dims},
    )
