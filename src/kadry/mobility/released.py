"""Views of the released mobility cells: what ``/api/v1/flows`` and ``/flows/signals`` answer.

Nothing here counts or suppresses: every number is a released cell (``kadry.publish.moves``)
or a difference of released cells, and a difference is shown only when every cell in it is
published. Segments and groupings are those released: the IT segment (``it=true`` or
``it=false``, or ``by=it``) and, for signals, the federal district or subject.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from kadry.errors import InputError
from kadry.indicators.segments import parse_filters, resolve_dims
from kadry.mobility.flows import VIEWS
from kadry.mobility.moves import resolve_level
from kadry.privacy import HIDDEN
from kadry.publish.moves import ABROAD, HOME, SIGNAL_COUNTS

__all__ = ["segment", "span", "flow_view", "signal_view"]

_KEYS = ["period", "period_end"]


def segment(by: str, filters: list[str], allowed: tuple[str, ...]) -> tuple[str, list[str]]:
    """``(occupation, dims)`` of a request: the released segment its filters name, and its groupings."""
    parsed = parse_filters(filters)
    occupation = "all"
    for name, values in parsed.items():
        if name != "it" or len(values) != 1:
            raise InputError(
                f"moves are released for all resumes and by IT segment only: filter it=true or it=false, not {name}"
            )
        occupation = "it" if values[0] is True else "non_it"
    try:
        dims = resolve_dims(by)
    except InputError:
        dims = [by]
    bad = [d for d in dims if d not in allowed]
    if bad:
        raise InputError(f"released groupings here: {', '.join(allowed) or 'none'}; not {', '.join(bad)}")
    return occupation, dims


def span(table: pd.DataFrame, empty: str = "the store holds no moves to publish (no resume seen at two places)"):
    """First and last day of the released months (``empty``: what to say when there are none)."""
    if table.empty:
        raise InputError(empty)
    return date.fromisoformat(str(table["period"].min())), date.fromisoformat(str(table["period_end"].max()))


def _months(table: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    """Released months that lie in ``first..last`` (a month is released whole or not at all)."""
    lo = first.replace(day=1).isoformat()
    return table[(table["period"] >= lo) & (table["period"] <= last.isoformat())]


def _places(level: str, groups: dict[str, list[str]]) -> set[str]:
    countries = set(groups.get(ABROAD, ()))
    if level == "country":
        return {HOME} | countries
    home = set(groups.get(HOME, ()))
    if level == "federal_district":
        return home | countries  # districts (and any subject without one)
    return {c for d in home for c in groups.get(d, [d])} | countries


def flow_view(table: pd.DataFrame, *, view: str, level: str, occupation: str, by_it: bool, first: date, last: date):
    """The rows of one view at one level, for one segment (or every IT segment with ``by_it``)."""
    if view not in VIEWS:
        raise InputError(f"unknown flows view {view!r}: use one of {', '.join(VIEWS)}")
    level = "country" if view == "abroad" else resolve_level(level)
    cells = _months(table, first, last)
    cells = cells[cells["it"] != "all"] if by_it else cells[cells["it"] == occupation]
    dims = ["it"] if by_it else []
    cells = cells.drop(columns=[] if by_it else ["it"])
    places = _places(level, table.attrs.get("places", {}))

    def show(frame: pd.DataFrame, column: str) -> pd.DataFrame:
        out = frame.copy()
        out[column] = out[column].str.removeprefix("district:")
        return out

    if view == "od":
        cut = cells[cells["origin"].isin(places) & cells["destination"].isin(places)]
        cut = cut[cut["origin"] != cut["destination"]]
        cut = show(show(cut, "origin"), "destination")
        cut = cut.sort_values(
            ["period", *dims, "n_moves", "origin", "destination"],
            ascending=[True] * (1 + len(dims)) + [False, True, True],
        )
        return cut.reset_index(drop=True)
    if view == "abroad":
        cut = cells[
            (cells["origin"] == HOME) & (cells["destination"].isin(places - {HOME}) | (cells["destination"] == ABROAD))
        ]
        cut = cut.drop(columns=["origin"]).replace({"destination": {ABROAD: "all"}})
        return cut.sort_values([*dims, "period", "destination"]).reset_index(drop=True)
    return show(_balance(cells, places, dims), "place")


def _balance(cells: pd.DataFrame, places: set[str], dims: list[str]) -> pd.DataFrame:
    """Inflow = (all -> place) - (place -> place), outflow = (place -> all) - (place -> place):
    the moves inside a district or in Russia are not moves at that level."""
    keys = [*dims, *_KEYS]
    value = cells.assign(v=cells["n_moves"].astype("Float64").mask(cells["suppressed"].astype(bool)))

    def side(origin_all: bool) -> pd.DataFrame:
        pick = (
            value[(value["origin"] == "all") & value["destination"].isin(places)]
            if origin_all
            else value[(value["destination"] == "all") & value["origin"].isin(places)]
        )
        place = pick["destination"] if origin_all else pick["origin"]
        return pick.assign(place=place)[[*keys, "place", "v", "simulated"]]

    inside = value[(value["origin"] == value["destination"]) & value["origin"].isin(places)]
    inside = inside.assign(place=inside["origin"], has_inside=True)[[*keys, "place", "v", "has_inside"]]
    b = side(True).merge(side(False), on=[*keys, "place"], how="outer", suffixes=("_in", "_out"))
    b = b.merge(inside.rename(columns={"v": "inside"}), on=[*keys, "place"], how="left")
    hidden_inside = b["has_inside"].notna() & b["inside"].isna()
    b["inside"] = b["inside"].astype("Float64").fillna(0)
    # no row: no move; a hidden cell (NA) leaves every difference that uses it hidden
    present_in, present_out = b["simulated_in"].notna(), b["simulated_out"].notna()
    inflow = b["v_in"].astype("Float64").where(present_in, 0)
    outflow = b["v_out"].astype("Float64").where(present_out, 0)
    out = b[[*keys, "place"]].copy()
    out["inflow"] = (inflow - b["inside"]).mask(hidden_inside)
    out["outflow"] = (outflow - b["inside"]).mask(hidden_inside)
    out["net"] = out["inflow"] - out["outflow"]
    out["simulated"] = b["simulated_in"].fillna(False).astype(bool) | b["simulated_out"].fillna(False).astype(bool)
    out["suppressed"] = out["inflow"].isna() | out["outflow"].isna()
    # a hidden row carries no number, as in every table: its other side is a difference of
    # published cells (the od view shows them), but half a row would read as a count, a 0
    # where the side has no moves
    for column in ("inflow", "outflow", "net"):
        out[column] = out[column].mask(out["suppressed"])
    out["suppression"] = pd.Series(HIDDEN, index=out.index, dtype=object).where(out["suppressed"], None)
    return out.sort_values([*dims, "period", "place"]).reset_index(drop=True)


def signal_view(
    signals: pd.DataFrame, stock: pd.DataFrame, *, occupation: str, dims: list[str], first: date, last: date
) -> pd.DataFrame:
    """Signal counts and shares by month (and district or subject), over the stock cube's ``n_resumes``."""
    if occupation not in ("all", "it"):
        raise InputError("signals are released for all resumes and the IT segment (it=true) only")
    cells = _months(signals[signals["occupation"] == occupation], first, last)
    if not dims:
        cells = cells[cells["region"] == "all"]
    elif dims == ["federal_district"]:
        cells = cells[cells["region"].str.startswith("district:")]
    else:
        cells = cells[~cells["region"].str.startswith("district:") & (cells["region"] != "all")]
    value = cells.assign(n=cells["n"].astype("Float64").mask(cells["suppressed"].astype(bool)))
    # pivot, not pivot_table(dropna=False): that crossed every period with every period_end
    wide = value.pivot(index=["region", *_KEYS], columns="signal", values="n")
    wide = wide.reindex(columns=list(SIGNAL_COUNTS.values())).reset_index()
    base = stock[stock["occupation"] == occupation][["region", "period", "n_resumes", "suppressed"]]
    base = base.assign(n_resumes=base["n_resumes"].astype("Float64").mask(base["suppressed"].astype(bool)))
    out = wide.merge(base.drop(columns=["suppressed"]), on=["region", "period"], how="left")
    for share, count in SIGNAL_COUNTS.items():
        out[count] = out[count].astype("Float64")
        out[share] = (out[count] / out["n_resumes"].where(out["n_resumes"] > 0)).astype("Float64").round(4)
    if dims == ["federal_district"]:
        out = out.rename(columns={"region": "federal_district"})
        out["federal_district"] = out["federal_district"].str.removeprefix("district:")
    elif not dims:
        out = out.drop(columns=["region"])
    front = [*dims, *_KEYS, "n_resumes", *SIGNAL_COUNTS.values(), *SIGNAL_COUNTS]
    return out[front].sort_values([*dims, "period"]).reset_index(drop=True)
