"""Fixtures for the mobility tests: resume histories inserted row by row, and both engines.

``histories`` builds a store from ``{resume: [(time, country, region), ...]}`` (normalized
columns filled directly, as ``kadry normalize`` would), and ``on_engine(store, name)`` runs
on DuckDB or on Spark over the store's Parquet export. One Spark session serves the run
(the pattern of tests/indicators/conftest.py); Spark cases carry the ``spark`` marker.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from kadry.indicators import Engine
from kadry.store import Store

D = datetime

#: a little reference of places: area id and name as a source would give them
AREAS = {
    ("RU", "RU-MOW"): ("1", "Москва"),
    ("RU", "RU-SPE"): ("2", "Санкт-Петербург"),
    ("RU", "RU-NVS"): ("4", "Новосибирск"),
    ("RU", "RU-TA"): ("88", "Казань"),
    ("KZ", None): ("160", "Алматы"),
    ("GE", None): ("2758", "Тбилиси"),
    ("AM", None): ("13", "Ереван"),
    ("RU", None): ("113", "Россия"),
}
DISTRICT = {"RU-MOW": "CFD", "RU-SPE": "NWFD", "RU-NVS": "SibFD", "RU-TA": "VFD"}


class Histories:
    """Insert resumes and their sightings with only the columns the mobility code reads."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _insert(self, table: str, values: dict) -> None:
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self.store.con.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(values.values()))

    def resume(
        self,
        rid: str,
        sightings: list[tuple],
        *,
        role: str = "96",
        it: bool = True,
        category: str = "11",
        simulated: bool = False,
        **cols,
    ) -> None:
        """``sightings``: (time, country, region) in any order; the resume's own place is the last one."""
        ordered = sorted(sightings, key=lambda s: s[0])
        last = ordered[-1] if ordered else (None, "RU", "RU-MOW")
        values = {
            "resume_id": rid,
            "source": "hh",
            "source_key": rid,
            "simulated": simulated,
            "role_id": role,
            "role_category": category,
            "is_it": it,
            "created_at": ordered[0][0] if ordered else None,
            "updated_at": last[0],
            "country_code": last[1],
            "region_code": last[2],
            "federal_district": DISTRICT.get(last[2]),
            "salary_flag": "missing",
        }
        values.update(cols)
        self._insert("resumes", values)
        for when, country, region in ordered:
            area, name = AREAS.get((country, region), (None, None))
            self._insert(
                "observations",
                {
                    "kind": "resume",
                    "record_id": rid,
                    "observed_at": when,
                    "updated_at": when,
                    "area_id_raw": area,
                    "region_raw": name,
                    "country_code": country,
                    "region_code": region,
                },
            )


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


@pytest.fixture
def new_store():
    """A fresh in-memory store and its history writer."""
    store = Store(":memory:")
    yield Histories(store)
    store.close()


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine_name(request) -> str:
    return request.param


@pytest.fixture
def on_engine(request, tmp_path: Path):
    """``on_engine(store, name)`` -> an Engine over that store on DuckDB or Spark."""
    made: list[Engine] = []

    def make(store: Store, name: str) -> Engine:
        if name == "duckdb":
            eng = Engine.from_store(store)
        else:
            out = tmp_path / f"export-{len(made)}"
            store.export_parquet(out)
            eng = Engine.spark(out, session=request.getfixturevalue("spark_session"))
        made.append(eng)
        return eng

    yield make
    for eng in made:
        eng.close()
