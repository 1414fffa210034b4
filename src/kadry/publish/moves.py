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

__all__ = [
    "ABROAD",
    "CAP",
    "COUNTRIES",
    "HOME",
    "MOVES",
    "OTHER",
    "SIGNALS",
    "SIGNAL_COUNTS",
    "moves_table",
    "noisy_moves_table",
    "place_tree",
    "signals_table",
]

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


#: with noise, the places abroad are a fixed list (a list read from the data would tell which
#: countries someone moved to); every other country is OTHER
COUNTRIES = (
    "AE", "AM", "AZ", "BY", "CN", "CY", "DE", "EE", "FI", "GE", "ID", "IL", "KG", "KZ",
    "LT", "LV", "MD", "ME", "PL", "RS", "TH", "TJ", "TM", "TR", "UA", "US", "UZ",
)  # fmt: skip
OTHER = "ZZ"
#: with noise, at most this many moves of one resume in a release count (the first ones): the
#: sensitivity of the table, so the noise scale is CAP / epsilon
CAP = 3
_SEGMENTS = ("it", "non_it", "unknown")


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


def noisy_moves_table(db_path: Any, *, epsilon: float) -> pd.DataFrame:
    """The moves cube with differential privacy instead of suppression (``KADRY_MOVES_EPSILON``).

    Every cell of a fixed domain (IT segment x month of the sightings x origin x destination,
    over the reference subjects and ``COUNTRIES``) gets OpenDP's discrete Laplace noise at
    scale ``CAP / epsilon``, zeros included, so which cells are empty is not disclosed; a
    resume counts with its first ``CAP`` moves of the range. Roll-ups are sums of the noisy
    cells (post-processing, no further privacy loss), then every number is clamped at zero and
    zeros are left out. The spend is in ``attrs["noise"]``, for the publisher to record in the
    store's ledger under the release.
    """
    from dataclasses import asdict

    import numpy as np

    from kadry.indicators import Engine
    from kadry.indicators.periods import calendar
    from kadry.mobility.flows import observed_span
    from kadry.mobility.moves import moves
    from kadry.normalize.regions import subjects_by_code
    from kadry.privacy.noise import noisy_counts

    engine = Engine.duckdb(db_path)
    try:
        first, last = observed_span(engine)
        mv = engine.execute(moves(engine, "region", ["it"])).to_pandas()
    except InputError:  # no resume sightings: no moves to release
        return pd.DataFrame({"n_moves": pd.Series(dtype="int64")})
    finally:
        engine.close()
    starts = calendar("month", first, last).to_pandas()[["ps", "pe"]]
    starts = starts.astype("int64").sort_values("ps", ignore_index=True)
    lo, hi = int(starts["ps"].min()), int(starts["pe"].max())
    mv = mv[(mv["day"] >= lo) & (mv["day"] <= hi)].sort_values(["record_id", "moved_at"])
    mv = mv[mv.groupby("record_id").cumcount() < CAP]
    subjects = sorted(subjects_by_code())
    leaves = [*subjects, *COUNTRIES, OTHER]
    index = {p: i for i, p in enumerate(leaves)}

    def leaf(place: pd.Series) -> np.ndarray:
        named = place.map(index)
        abroad = ~place.str.startswith(HOME + "-", na=False)
        return named.where(named.notna() | ~abroad, index[OTHER]).to_numpy(dtype="float64")

    o, d = leaf(mv["origin"]), leaf(mv["destination"])
    month = np.searchsorted(starts["ps"].to_numpy(), mv["day"].to_numpy(), side="right") - 1
    seg = mv["it"].map({s: i for i, s in enumerate(_SEGMENTS)}).fillna(2).to_numpy(dtype="int64")
    keep = ~np.isnan(o) & ~np.isnan(d)  # a subject the reference does not know is no place here
    shape = (len(_SEGMENTS), len(starts), len(leaves), len(leaves))
    counts = np.zeros(shape, dtype=np.int64)
    np.add.at(counts, (seg[keep], month[keep], o[keep].astype(int), d[keep].astype(int)), 1)
    noisy, spend = noisy_counts(
        pd.DataFrame({"n_moves": counts.ravel()}), ["n_moves"], epsilon, sensitivity=CAP, table="moves", clamp=False
    )
    cells = noisy["n_moves"].to_numpy().reshape(shape).copy()
    diagonal = np.arange(len(leaves))
    cells[:, :, diagonal, diagonal] = 0  # no move stays in its place: a structural zero, known to all
    tree = place_tree(leaves)
    groups = _groups(tree)
    nodes = [*leaves, *sorted({a for chain in tree.values() for a in chain[1:]})]
    up = np.zeros((len(nodes), len(leaves)), dtype=np.int64)
    position = {n: i for i, n in enumerate(nodes)}
    for j, chain in enumerate(tree.values()):
        for a in chain:
            up[position[a], j] = 1
    rolled = np.matmul(np.matmul(up, cells), up.T)  # (segment, month, node, node)
    rolled = np.concatenate([rolled, rolled.sum(axis=0, keepdims=True)], axis=0)
    segments = [*_SEGMENTS, "all"]
    s_i, m_i, a_i, b_i = np.nonzero(rolled > 0)
    day0 = pd.Timestamp("1970-01-01")
    table = pd.DataFrame(
        {
            "it": np.asarray(segments, dtype=object)[s_i],
            "origin": np.asarray(nodes, dtype=object)[a_i],
            "destination": np.asarray(nodes, dtype=object)[b_i],
            "period": (day0 + pd.to_timedelta(starts["ps"].to_numpy()[m_i], unit="D")).strftime("%Y-%m-%d"),
            "period_end": (day0 + pd.to_timedelta(starts["pe"].to_numpy()[m_i], unit="D")).strftime("%Y-%m-%d"),
            "n_moves": rolled[s_i, m_i, a_i, b_i].astype("int64"),
            "simulated": bool(mv["simulated"].any()) if len(mv) else False,
            "suppressed": False,
            "suppression": None,
        }
    )
    table = table.sort_values(["period", "it", "origin", "destination"], ignore_index=True)
    table.attrs = {
        "places": groups,
        "noise": {**asdict(spend), "counts": list(spend.counts), "cap": CAP, "leaves": len(leaves)},
    }
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
