"""Hand-built histories with hand-computed flows, on DuckDB and Spark.

Resumes (2022; quarters Q1..Q4):
- a moves twice: Moscow (Jan 10) -> St Petersburg (Feb 15) -> Novosibirsk (May 3)
- b moves and back: St Petersburg (Jan 5) -> Moscow (Mar 20) -> St Petersburg (Apr 2)
- c is seen once (Moscow, Feb 1): no move
- d moves abroad: Moscow (Feb 20) -> Almaty, KZ (Mar 5) -> Almaty (Jun 1)
- e is seen three times in Kazan: no move
- f passes a sighting whose subject is unknown: Moscow (Jan 5) -> Russia (Feb 1) -> St Petersburg (Mar 10)
- g (not IT) leaves Novosibirsk (Jan 10) for Tbilisi, GE (Sep 22)
- h goes abroad and comes back: Moscow (Mar 1) -> Yerevan, AM (Oct 1) -> Moscow (Dec 15)
"""

from __future__ import annotations

import pytest

from kadry.errors import InputError
from kadry.indicators import Engine
from kadry.mobility import flows, od_cube
from kadry.store import Store
from tests.mobility.conftest import D, Histories


def build(h) -> None:
    h.resume("a", [(D(2022, 1, 10), "RU", "RU-MOW"), (D(2022, 2, 15), "RU", "RU-SPE"), (D(2022, 5, 3), "RU", "RU-NVS")])
    h.resume("b", [(D(2022, 1, 5), "RU", "RU-SPE"), (D(2022, 3, 20), "RU", "RU-MOW"), (D(2022, 4, 2), "RU", "RU-SPE")])
    h.resume("c", [(D(2022, 2, 1), "RU", "RU-MOW")])
    h.resume("d", [(D(2022, 2, 20), "RU", "RU-MOW"), (D(2022, 3, 5, 23, 59), "KZ", None), (D(2022, 6, 1), "KZ", None)])
    h.resume("e", [(D(2022, 1, 1), "RU", "RU-TA"), (D(2022, 4, 1), "RU", "RU-TA"), (D(2022, 7, 1), "RU", "RU-TA")])
    h.resume("f", [(D(2022, 1, 5), "RU", "RU-MOW"), (D(2022, 2, 1), "RU", None), (D(2022, 3, 10), "RU", "RU-SPE")])
    h.resume("g", [(D(2022, 1, 10), "RU", "RU-NVS"), (D(2022, 9, 22), "GE", None)], role="1", it=False, category="1")
    h.resume("h", [(D(2022, 3, 1), "RU", "RU-MOW"), (D(2022, 10, 1), "AM", None), (D(2022, 12, 15), "RU", "RU-MOW")])


@pytest.fixture(scope="module")
def world_store():
    store = Store(":memory:")
    build(Histories(store))
    yield store
    store.close()


@pytest.fixture(scope="module")
def world_engines(world_store, tmp_path_factory, request):
    """One engine per name over the world, built on first use (Spark starts once)."""
    made: dict[str, Engine] = {}

    def get(name: str) -> Engine:
        if name not in made:
            if name == "duckdb":
                made[name] = Engine.from_store(world_store)
            else:
                out = tmp_path_factory.mktemp("mobility-world")
                world_store.export_parquet(out)
                made[name] = Engine.spark(out, session=request.getfixturevalue("spark_session"))
        return made[name]

    return get


_CUBES: dict = {}


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def world(request, world_engines):
    """``world(**flows arguments)`` -> DataFrame; cubes are computed once per engine and arguments."""
    eng = world_engines(request.param)

    def run(**kw):
        kw.setdefault("start", "2022-01")
        kw.setdefault("end", "2022-12")
        level = "country" if kw.get("view") == "abroad" else kw.get("level", "region")
        key = (
            request.param,
            level,
            tuple(kw.get("by", ())),
            kw.get("period", "quarter"),
            kw["start"],
            kw["end"],
            repr(sorted((kw.get("filters") or {}).items())),
        )
        if key not in _CUBES:
            _CUBES[key] = od_cube(
                eng,
                level=level,
                by=kw.get("by", ()),
                period=kw.get("period", "quarter"),
                start=kw["start"],
                end=kw["end"],
                filters=kw.get("filters"),
            )
        return flows(eng, cube=_CUBES[key], **kw).to_pandas()

    return run


def _pairs(df, *extra):
    return {
        (str(r.period), r.origin, r.destination, *(getattr(r, e) for e in extra)): r.n_moves for r in df.itertuples()
    }


def test_origin_destination_by_quarter(world):
    od = world(view="od", level="region", period="quarter")
    assert _pairs(od) == {
        ("2022-01-01", "RU-MOW", "RU-SPE"): 2,  # a (Feb 15), f (Mar 10: the unknown sighting is skipped)
        ("2022-01-01", "RU-SPE", "RU-MOW"): 1,  # b
        ("2022-01-01", "RU-MOW", "KZ"): 1,  # d
        ("2022-04-01", "RU-SPE", "RU-NVS"): 1,  # a's second move
        ("2022-04-01", "RU-MOW", "RU-SPE"): 1,  # b comes back
        ("2022-07-01", "RU-NVS", "GE"): 1,  # g
        ("2022-10-01", "RU-MOW", "AM"): 1,  # h leaves
        ("2022-10-01", "AM", "RU-MOW"): 1,  # h returns
    }
    assert od["n_movers"].tolist() == od["n_moves"].tolist()
    assert set(od["period_end"].astype(str)) == {"2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31"}
    assert not od["simulated"].any()


def test_move_is_dated_at_the_later_sighting(world):
    od = world(view="od", level="region", period="month")
    months = {(str(r.period), r.origin, r.destination) for r in od.itertuples()}
    assert ("2022-02-01", "RU-MOW", "RU-SPE") in months  # a: seen in Moscow in Jan, in St Petersburg on Feb 15
    assert ("2022-03-01", "RU-MOW", "KZ") in months  # d: 23:59 on Mar 5 is still March
    assert ("2022-01-01", "RU-MOW", "RU-SPE") not in months


def test_balance(world):
    b = world(view="balance", level="region", period="quarter")
    q1 = {r.place: (r.inflow, r.outflow, r.net) for r in b.itertuples() if str(r.period) == "2022-01-01"}
    assert q1 == {"RU-MOW": (1, 3, -2), "RU-SPE": (2, 1, 1), "KZ": (1, 0, 1)}
    q4 = {r.place: (r.inflow, r.outflow, r.net) for r in b.itertuples() if str(r.period) == "2022-10-01"}
    assert q4 == {"RU-MOW": (1, 1, 0), "AM": (1, 1, 0)}
    # within every period, the moves in and out balance
    for _, g in b.groupby("period"):
        assert g["inflow"].sum() == g["outflow"].sum()


def test_levels(world):
    fd = world(view="od", level="federal_district", period="quarter")
    assert _pairs(fd)[("2022-01-01", "CFD", "NWFD")] == 2
    assert _pairs(fd)[("2022-04-01", "NWFD", "SibFD")] == 1
    country = world(view="od", level="country", period="quarter")
    assert _pairs(country) == {
        ("2022-01-01", "RU", "KZ"): 1,
        ("2022-07-01", "RU", "GE"): 1,
        ("2022-10-01", "RU", "AM"): 1,
        ("2022-10-01", "AM", "RU"): 1,
    }


def test_abroad_by_occupation_and_month(world):
    ab = world(view="abroad", by=["it"], period="month")
    got = {(r.it, str(r.period), r.destination): r.n_moves for r in ab.itertuples()}
    assert got == {
        ("it", "2022-03-01", "KZ"): 1,
        ("it", "2022-03-01", "all"): 1,
        ("it", "2022-10-01", "AM"): 1,
        ("it", "2022-10-01", "all"): 1,
        ("non_it", "2022-09-01", "GE"): 1,
        ("non_it", "2022-09-01", "all"): 1,
        ("all", "2022-03-01", "KZ"): 1,
        ("all", "2022-03-01", "all"): 1,
        ("all", "2022-09-01", "GE"): 1,
        ("all", "2022-09-01", "all"): 1,
        ("all", "2022-10-01", "AM"): 1,
        ("all", "2022-10-01", "all"): 1,
    }
    assert "origin" not in ab.columns


def test_filters_and_roles(world):
    od = world(view="od", level="country", period="quarter", filters={"it": False}, by=["role"])
    assert _pairs(od, "role") == {("2022-07-01", "RU", "GE", "1"): 1, ("2022-07-01", "RU", "GE", "all"): 1}


def test_range_limits_the_moves(world):
    od = world(view="od", level="region", period="quarter", start="2022-04", end="2022-06")
    assert od["n_moves"].sum() == 2
    assert set(od["period"].astype(str)) == {"2022-04-01"}


def test_bad_requests(world):
    with pytest.raises(InputError):
        world(view="sideways")
    with pytest.raises(InputError):
        world(level="planet")
    with pytest.raises(InputError):
        world(by=["region"])  # places are the level, not a cut
    with pytest.raises(InputError):
        world(period="fortnight")
