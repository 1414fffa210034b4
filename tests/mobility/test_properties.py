"""Properties of flows on random histories (hypothesis), on DuckDB and (a few examples) on Spark.

Within a closed set of places, every move out of one is a move into another: per period,
total outflow equals total inflow; and the moves counted equal the changes of place
between consecutive sightings, counted independently in Python.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kadry.indicators import Engine
from kadry.mobility import flows, od_cube
from kadry.store import Store
from tests.mobility.conftest import Histories

PLACES = [("RU", "RU-MOW"), ("RU", "RU-SPE"), ("RU", "RU-NVS"), ("RU", "RU-TA"), ("KZ", None), ("GE", None)]
START = datetime(2022, 1, 1)

history = st.lists(
    st.tuples(st.integers(0, 364), st.integers(0, 86399), st.sampled_from(PLACES)), min_size=1, max_size=6
)
worlds = st.lists(history, min_size=1, max_size=12)


def _store(world) -> Store:
    store = Store(":memory:")
    h = Histories(store)
    for i, sightings in enumerate(world):
        seen = {}
        for day, second, place in sightings:  # one sighting per instant (the observations key)
            seen[START + timedelta(days=day, seconds=second)] = place
        h.resume(f"r{i}", [(t, *p) for t, p in seen.items()], it=i % 2 == 0)
    return store


def _expected(world) -> tuple[int, int]:
    """(moves between places, moves from Russia abroad), counted from the raw histories."""
    moves = abroad = 0
    for sightings in world:
        seen = {}
        for day, second, place in sightings:
            seen[START + timedelta(days=day, seconds=second)] = place
        seq = [seen[t] for t in sorted(seen)]
        for a, b in zip(seq, seq[1:]):
            moves += a != b
            abroad += a[0] == "RU" and b[0] != "RU"
    return moves, abroad


def _check(eng: Engine, world) -> None:
    moves, abroad = _expected(world)
    cube = od_cube(eng, level="region", by=["it"], period="quarter", start="2022-01", end="2022-12")
    common = dict(by=["it"], period="quarter", start="2022-01", end="2022-12", cube=cube)
    bal = flows(eng, view="balance", **common).to_pandas()
    for _, g in bal.groupby(["it", "period"]):
        assert g["inflow"].sum() == g["outflow"].sum()
        assert g["net"].sum() == 0
    od = flows(eng, view="od", **common).to_pandas()
    assert od.loc[od["it"] == "all", "n_moves"].sum() == moves
    assert od.loc[od["it"] != "all", "n_moves"].sum() == moves
    assert bal.loc[bal["it"] == "all", "outflow"].sum() == moves
    # moves abroad: destinations outside Russia whose origin is a Russian subject
    ru_out = od[(od["it"] == "all") & od["origin"].str.startswith("RU-") & ~od["destination"].str.startswith("RU-")]
    assert ru_out["n_moves"].sum() == abroad


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds)
def test_outflow_equals_inflow_duckdb(world):
    store = _store(world)
    try:
        _check(Engine.from_store(store), world)
    finally:
        store.close()


@pytest.mark.spark
@settings(
    max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(worlds)
def test_outflow_equals_inflow_spark(spark_session, world):
    store = _store(world)
    try:
        with tempfile.TemporaryDirectory() as out:
            store.export_parquet(out)
            _check(Engine.spark(out, session=spark_session), world)
    finally:
        store.close()
