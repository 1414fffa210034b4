"""The mobility families of a release: moves between places, and relocation signals.

Moves are released as one cube over fixed dimensions, suppressed once: the month, the IT
segment (``all``, ``it``, ``non_it``, ``unknown``) and the origin and destination, each a
node of one place hierarchy::

    all > RU > district:<federal district> > federal subject (RU-MOW, ...)
    all > abroad > country (KZ, AM, ...)

Every level a client can ask for (subjects, districts, countries; inflow, outflow, the
outflow abroad) is a cell or a difference of cells of this one cube, so no two answers can
be combined to undo the suppression (before, ``/api/v1/flows`` suppressed a new cube per
request, with client-chosen filters and periods). Every level rolls up the moves between
subjects and countries, so a sighting in Russia without a known subject is not a place at
any level. Moves add up over time, so, like the flow indicators, they are released by
month only (no time equation is published).

Signals (resumes ready to relocate, ready to go abroad, abroad, abroad and remote) are
counts of active resumes over the stock cube's keys (occupation ``all``/``it``, region
``all``/district/subject, month); each signal is its own family, suppressed across the
region roll-up. Their denominator is the stock cube's published ``n_resumes`` (the same
number, so it is taken from there, never published twice with two patterns).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kadry.errors import InputError
from kadry.privacy import Hierarchy, suppress

__all__ = ["ABROAD", "HOME", "MOVES", "SIGNALS", "SIGNAL_COUNTS", "moves_table", "place_tree", "signals_table"]

#: names of the two whole-store tables of this module
MOVES = "moves"
SIGNALS = "signals"
#: the node of every place in Russia, and of every place abroad
HOME = "RU"
ABROAD = "abroad"
#: share -> the count it rests on (the denominator is the stock cube's n_resumes)
SIGNAL_COUNTS = {
    "ready_to_relocate_share": "n_ready_to_relocate",
    "ready_abroad_share": "n_ready_abroad",
    "abroad_share": "n_abroad",
    "abroad_remote_share": "n_abroad_remote",
}


def place_tree(leaves: list[str]) -> dict[str, list[str]]:
    """Each leaf place (subject code or country) -> its ancestors up to ``all``, itself first."""
    from kadry.normalize.regions import subjects_by_code

    subjects = subjects_by_code()
    out: dict[str, list[str]] = {}
    for place in leaves:
        if place in subjects:
            out[place] = [place, f"district:{subjects[place]['federal_district']}", HOME, "all"]
        elif place.startswith(HOME + "-"):  # a subject code the reference does not know: in Russia, no district
            out[place] = [place, HOME, "all"]
        else:
            out[place] = [place, ABROAD, "all"]
    return out


def _groups(tree: dict[str, list[str]]) -> dict[str, list[str]]:
    groups: dict[str, set[str]] = {}
    for chain in tree.values():
        for child, parent in zip(chain, chain[1:]):
            groups.setdefault(parent, set()).add(child)
    return {parent: sorted(children) for parent, children in groups.items()}


def moves_table(db_path: Any, *, k: int) -> pd.DataFrame:
    """The released moves cube: ``it, origin, destination, period, period_end, n_moves, simulated``."""
    from kadry.indicators import Engine
    from kadry.mobility.flows import od_cube, one_blas_thread

    columns = ["it", "origin", "destination", "period", "period_end", "n_moves", "simulated"]
    engine = Engine.duckdb(db_path)
    try:
        cube = od_cube(engine, level="region", by=["it"], period="month")
    except InputError:  # no resume sightings: no moves to release
        return pd.DataFrame({c: pd.Series(dtype=object) for c in [*columns, "suppressed", "suppression"]})
    finally:
        engine.close()
    leaf = cube[(cube["origin"] != "all") & (cube["destination"] != "all") & (cube["it"] != "all")]
    tree = place_tree(sorted(set(leaf["origin"]) | set(leaf["destination"])))
    up = pd.DataFrame([(p, a) for p, chain in tree.items() for a in chain], columns=["place", "node"])
    its = pd.DataFrame([(v, n) for v in sorted(set(leaf["it"])) for n in (v, "all")], columns=["leaf_it", "node_it"])
    x = leaf.merge(up.rename(columns={"place": "origin", "node": "o"}), on="origin")
    x = x.merge(up.rename(columns={"place": "destination", "node": "d"}), on="destination")
    x = x.merge(its, left_on="it", right_on="leaf_it")
    x["period"] = pd.to_datetime(x["period"]).dt.strftime("%Y-%m-%d")
    x["period_end"] = pd.to_datetime(x["period_end"]).dt.strftime("%Y-%m-%d")
    full = (
        x.groupby(["node_it", "o", "d", "period", "period_end"], as_index=False)
        .agg(n_moves=("n_moves", "sum"), simulated=("simulated", "any"))
        .rename(columns={"node_it": "it", "o": "origin", "d": "destination"})
    )
    groups = _groups(tree)
    hierarchies = [
        Hierarchy("origin", groups),
        Hierarchy("destination", groups),
        Hierarchy.flat("it", sorted(set(leaf["it"]))),
    ]
    with one_blas_thread():
        table = suppress(
            full, dimensions=["it", "origin", "destination", "period"], counts=["n_moves"], hierarchies=hierarchies, k=k
        ).table
    table = table[[*columns, "suppressed", "suppression"]]
    table = table.sort_values(["period", "it", "origin", "destination"], ignore_index=True)
    table.attrs = {"places": groups}
    return table


def signals_table(db_path: Any, *, k: int, first: str, last: str) -> pd.DataFrame:
    """The released signal counts by occupation (``all``, ``it``), region key and month.

    One row per cell and signal (``signal``, ``n``, ``suppressed``): each signal is suppressed
    as its own family over the region roll-up, so a hidden subject's count is not a
    district's minus its published subjects.
    """
    from kadry.indicators import Engine
    from kadry.indicators.activity import Options
    from kadry.indicators.periods import Calendar, parse_day
    from kadry.mobility.flows import one_blas_thread
    from kadry.mobility.signals import signals_expr

    engine = Engine.duckdb(db_path)
    try:
        cal = Calendar("month", parse_day(first), parse_day(last, end=True))
        frames = []
        for occupation, filters in (("all", None), ("it", {"it": True})):
            df = engine.execute(
                signals_expr(engine, ["federal_district", "region"], cal, filters, Options())
            ).to_pandas()
            frames.append(df.assign(occupation=occupation))
    finally:
        engine.close()
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[~((frame["region"] != "all") & (frame["federal_district"] == "all"))]
    district = "district:" + frame["federal_district"].astype(str)
    frame["region"] = frame["region"].where(
        frame["region"] != "all", district.where(frame["federal_district"] != "all", "all")
    )
    frame["period"] = pd.to_datetime(frame.pop("ps"), unit="D").dt.strftime("%Y-%m-%d")
    frame["period_end"] = pd.to_datetime(frame.pop("pe"), unit="D").dt.strftime("%Y-%m-%d")
    subjects = frame[~frame["region"].str.startswith("district:") & (frame["region"] != "all")]
    groups: dict[str, set[str]] = {}
    for subject, fd in set(zip(subjects["region"], subjects["federal_district"])):
        groups.setdefault(f"district:{fd}", set()).add(subject)
    groups["all"] = {r for r in frame["region"] if r.startswith("district:")}
    hierarchy = Hierarchy("region", {p: sorted(c) for p, c in groups.items()})
    keys = ["occupation", "region", "period"]
    out = []
    with one_blas_thread():
        for count in SIGNAL_COUNTS.values():
            part = frame[[*keys, "period_end", count]].rename(columns={count: "n"})
            part["n"] = part["n"].fillna(0).astype("int64")
            table = suppress(part, dimensions=keys, counts=["n"], hierarchies=[hierarchy], k=k).table
            out.append(table.assign(signal=count))
    result = pd.concat(out, ignore_index=True).sort_values(["signal", *keys], ignore_index=True)
    return result[["signal", *keys, "period_end", "n", "suppressed", "suppression"]]
