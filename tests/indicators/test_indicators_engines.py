"""Two engines, one definition: every indicator gives identical tables on DuckDB and Spark.

The hand-computed expectations (test_indicators_fixtures.py) are checked on DuckDB; here
the same world runs on Spark (local[2], reading the store's Parquet export) and must
give the same rows, column types and values (floats to 1e-12 relative).
"""

from __future__ import annotations

import math

import pytest

pytestmark = pytest.mark.spark

QUERIES = [
    ("index", ("role", "region"), "month", {}),
    ("flow", ("role", "region"), "month", {}),
    ("salary", ("role",), "month", {}),
    ("skills", (), "month", {}),
    ("remote", ("region",), "month", {}),
    ("experience", (), "month", {}),
    (
        "stock",
        ("it", "remote", "experience"),
        "day",
        {"start": "2022-01-30", "end": "2022-02-15", "vacancy_rule": "last_seen"},
    ),
]


def _same(a, b) -> None:
    assert a.schema.names == b.schema.names
    assert [f.type for f in a.schema] == [f.type for f in b.schema]
    assert a.num_rows == b.num_rows
    for ra, rb in zip(a.to_pylist(), b.to_pylist()):
        for k in ra:
            x, y = ra[k], rb[k]
            if isinstance(x, float) and isinstance(y, float):
                assert math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12) or (math.isnan(x) and math.isnan(y)), (
                    k,
                    ra,
                    rb,
                )
            else:
                assert x == y, (k, ra, rb)


@pytest.mark.parametrize("indicator,by,period,kw", QUERIES, ids=[q[0] + "-" + q[2] for q in QUERIES])
def test_spark_equals_duckdb(indicator, by, period, kw, world, world_spark):
    duck = world(indicator, by=by, period=period, **kw)
    spark = world_spark(indicator, by=by, period=period, **kw)
    assert duck.num_rows > 0
    _same(duck, spark)


def test_spark_hand_computed_index(world_spark):
    t = world_spark("index", by=("role", "region"), period="month")
    rows = {(r["role"], r["region"], r["period"].isoformat()): r for r in t.to_pylist()}
    assert rows[("all", "all", "2022-02-01")]["index"] == pytest.approx(1.5)
    assert rows[("A", "RU-SPE", "2022-02-01")]["index"] is None
    assert rows[("B", "RU-MOW", "2022-03-01")]["simulated"] is True


@pytest.mark.parametrize("indicator,by,period,kw", QUERIES[:2] + QUERIES[-1:], ids=["index", "flow", "stock-day"])
def test_spark_over_partitioned_parquet_equals_duckdb(indicator, by, period, kw, world, world_engines):
    """Folders by source and month (Hive layout) give the same cells as the store."""
    from tests.indicators.conftest import world_on

    _same(
        world(indicator, by=by, period=period, **kw),
        world_on(world_engines, "spark-partitioned")(indicator, by=by, period=period, **kw),
    )
