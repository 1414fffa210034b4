"""Fixtures for the indicator tests: small stores built row by row, and both engines.

``world`` runs the hand-computed world on DuckDB, ``world_spark`` on Spark (local[2], one
session for the whole run; tests using it carry the ``spark`` marker). Stores are filled by inserting
canonical rows directly, so these tests rely only on schema.py's columns.
"""

from __future__ import annotations

import functools
import shutil
from datetime import datetime

import pytest

from kadry.indicators import Engine, compute
from kadry.indicators.engine import STORED_TABLES, TABLE_NAMES
from kadry.indicators.stored import refresh_intervals
from kadry.store import Store

D = datetime


class Rows:
    """Insert canonical rows into a store with only the columns a test cares about."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _insert(self, table: str, values: dict) -> None:
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self.store.con.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(values.values()))

    def vacancy(self, vid: str, published: datetime | None, *, role="A", region="RU-MOW", **cols) -> None:
        values = {
            "vacancy_id": vid,
            "source": "hh",
            "source_id": vid,
            "simulated": False,
            "published_at": published,
            "role_id": role,
            "region_code": region,
            "salary_flag": "ok" if cols.get("salary_rub") else "missing",
        }
        values.update(cols)
        self._insert("vacancies", values)

    def resume(self, rid: str, created: datetime | None, *, role="A", region="RU-MOW", **cols) -> None:
        values = {
            "resume_id": rid,
            "source": "hh",
            "source_key": rid,
            "simulated": False,
            "created_at": created,
            "role_id": role,
            "region_code": region,
            "salary_flag": "ok" if cols.get("salary_rub") else "missing",
        }
        values.update(cols)
        self._insert("resumes", values)

    def observation(self, kind: str, rid: str, observed: datetime, updated: datetime | None = None, **cols) -> None:
        self._insert(
            "observations", {"kind": kind, "record_id": rid, "observed_at": observed, "updated_at": updated, **cols}
        )


def build_world(store: Store) -> None:
    """The hand-computed world of tests/indicators/test_indicators_fixtures.py (see its docstring)."""
    r = Rows(store)
    r.vacancy(
        "v1",
        D(2022, 1, 20, 9),
        closed_at=D(2022, 2, 10, 18),
        salary_rub=100000.0,
        skills=["python", "sql", "python"],
        remote=True,
        experience="between1And3",
    )
    r.vacancy("v2", D(2022, 2, 5, 12), salary_rub=50000.0, skills=["python"], remote=False, experience="noExperience")
    r.vacancy("v3", D(2022, 2, 5, 13), dup_of="v2", salary_rub=50000.0, skills=["python"])
    r.vacancy(
        "v4",
        D(2022, 1, 31, 8),
        role="B",
        region="RU-SPE",
        archived_at=D(2022, 1, 31, 20),
        salary_rub=999999.0,
        salary_flag="too_high",
    )
    r.vacancy("v5", D(2022, 3, 15), region="RU-SPE", last_seen=D(2022, 3, 20))
    r.vacancy("v6", D(2021, 12, 20), role="B", last_seen=D(2021, 12, 25))
    r.vacancy("v7", D(2022, 3, 31, 23, 59), role="B", simulated=True)
    r.resume(
        "r1",
        D(2021, 11, 1),
        updated_at=D(2022, 1, 10),
        salary_rub=90000.0,
        skills=["python"],
        remote=True,
        experience="between3And6",
    )
    r.observation("resume", "r1", D(2022, 1, 12), D(2022, 1, 10))
    r.observation("resume", "r1", D(2022, 1, 25), D(2022, 1, 20))
    r.resume("r2", D(2022, 2, 1, 10), region="RU-SPE")
    r.resume("r3", D(2022, 3, 10), role="B", simulated=True, salary_rub=70000.0, skills=["sql", "excel"])
    r.resume("r4", D(2021, 6, 1), updated_at=D(2021, 6, 1), salary_rub=60000.0, skills=["sql"])
    r.observation("resume", "r4", D(2022, 2, 14, 15), D(2021, 6, 1))
    r.observation("vacancy", "v1", D(2022, 1, 21))
    r.observation("vacancy", "v1", D(2022, 1, 28))


@pytest.fixture
def rows():
    """A fresh in-memory store and a row inserter: ``rows.vacancy(...)``, ``rows.store``."""
    store = Store(":memory:")
    yield Rows(store)
    store.close()


@pytest.fixture(scope="session")
def spark_session():
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("kadry-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.log.level", "ERROR")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def world_store():
    """The world with its activity intervals stored (as ingest leaves a store): queries read them."""
    store = Store(":memory:")
    build_world(store)
    refresh_intervals(store)
    yield store
    store.close()


@pytest.fixture(scope="session")
def world_parquet(world_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("world")
    world_store.export_parquet(out, TABLE_NAMES + STORED_TABLES)
    return out


@pytest.fixture(scope="session")
def world_parquet_partitioned(world_store, tmp_path_factory):
    """The record tables as folders by source and month (the layout for large stores), without the
    stored intervals: Spark computes them from the partitioned observations."""
    out = tmp_path_factory.mktemp("world-partitioned")
    world_store.export_parquet(out, TABLE_NAMES, partitioned=True)
    return out


@pytest.fixture(scope="session")
def world_spark(world_engines):
    """``world_spark(indicator, ...)``: the world's queries on Spark."""
    return world_on(world_engines, "spark")


@pytest.fixture(scope="session")
def world_engines(world_store, world_parquet, request):
    """Engines over the world, built on first use: ``world_engines('duckdb' | 'spark')``."""

    @functools.cache
    def get(name: str) -> Engine:
        if name == "duckdb":
            return Engine.from_store(world_store)
        if name == "spark-partitioned":
            folder = request.getfixturevalue("world_parquet_partitioned")
            return Engine.spark(folder, session=request.getfixturevalue("spark_session"))
        return Engine.spark(world_parquet, session=request.getfixturevalue("spark_session"))

    return get


@pytest.fixture
def world(world_engines):
    """``world(indicator, by=..., period=..., **options)`` on DuckDB; results cached for the session.

    The same queries run on Spark in test_indicators_engines.py, which demands identical tables.
    """
    return world_on(world_engines, "duckdb")


def world_on(world_engines, name: str):
    engine = world_engines(name)

    def run(
        indicator: str,
        by: tuple = ("role", "region"),
        period: str = "month",
        start: str = "2022-01",
        end: str = "2022-03",
        **opts,
    ):
        return compute(indicator, by=list(by), period=period, start=start, end=end, engine=engine, **opts)

    return _Cached(run, name)


class _Cached:
    """Per-engine cache shared by all tests of a session (Spark queries are slow to start)."""

    _store: dict = {}

    def __init__(self, run, name: str) -> None:
        self.name = name
        self._run = run

    def __call__(self, indicator: str, by=("role", "region"), period: str = "month", **kw):
        key = (self.name, indicator, tuple(by), period, repr(sorted(kw.items())))
        if key not in self._store:
            self._store[key] = self._run(indicator, tuple(by), period, **kw)
        return self._store[key]
