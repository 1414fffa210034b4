"""The public API: arguments, errors, periods, bands, result shape and metadata."""

from __future__ import annotations

import json
from datetime import date

import pytest

from kadry.errors import EngineError, InputError, StoreError
from kadry.indicators import (
    BANDS,
    DIMENSIONS,
    INDICATORS,
    Engine,
    Options,
    band,
    calendar,
    compute,
    parse_day,
    resolve_dims,
)


def test_public_names():
    assert INDICATORS == ("stock", "flow", "index", "salary", "skills", "remote", "experience")
    assert list(DIMENSIONS) == [
        "role",
        "role_category",
        "isco2",
        "it",
        "region",
        "federal_district",
        "country",
        "experience",
        "remote",
        "source",
        "profession",
    ]
    assert [label for _, label in BANDS][0] == "acute shortage"


@pytest.mark.parametrize(
    "value,label",
    [
        (0.0, "acute shortage"),
        (1.9, "acute shortage"),
        (1.99, "acute shortage"),
        (2.0, "shortage"),
        (3.9, "shortage"),
        (4.0, "moderate competition"),
        (7.9, "moderate competition"),
        (8.0, "high competition"),
        (11.9, "high competition"),
        (12.0, "extremely high competition"),
        (40.0, "extremely high competition"),
        (None, None),
        (float("nan"), None),
    ],
)
def test_band(value, label):
    assert band(value) == label


def test_index_band_column_agrees_with_band(world):
    t = world("index")
    for row in t.to_pylist():
        assert row["band"] == band(row["index"])


@pytest.mark.parametrize(
    "text,end,expected",
    [
        ("2022", False, date(2022, 1, 1)),
        ("2022", True, date(2022, 12, 31)),
        ("2022-Q2", False, date(2022, 4, 1)),
        ("2022-q2", True, date(2022, 6, 30)),
        ("2022-02", True, date(2022, 2, 28)),
        ("2024-02", True, date(2024, 2, 29)),
        ("2022-03-15", True, date(2022, 3, 15)),
        (date(2021, 5, 5), False, date(2021, 5, 5)),
    ],
)
def test_parse_day(text, end, expected):
    assert parse_day(text, end=end) == expected


@pytest.mark.parametrize("bad", ["2022-13", "22-01", "2022-02-30", "March", ""])
def test_parse_day_rejects(bad):
    with pytest.raises(InputError):
        parse_day(bad)


def test_calendar_whole_periods():
    weeks = calendar("week", date(2022, 1, 5), date(2022, 1, 10)).to_pylist()
    assert [date.fromordinal(date(1970, 1, 1).toordinal() + w["ps"]) for w in weeks] == [
        date(2022, 1, 3),
        date(2022, 1, 10),
    ]
    quarters = calendar("quarter", date(2022, 2, 1), date(2022, 12, 1))
    assert quarters.num_rows == 4
    with pytest.raises(InputError):
        calendar("year", date(2022, 1, 1), date(2022, 2, 1))
    with pytest.raises(InputError):
        calendar("month", date(2022, 2, 1), date(2022, 1, 1))


@pytest.mark.parametrize("period", ["day", "week", "month", "quarter"])
def test_day_map_gives_each_day_its_period(period):
    from kadry.indicators.periods import day_map

    first, last = date(2021, 12, 30), date(2023, 2, 2)
    periods = calendar(period, first, last).to_pylist()
    assert [p["pi"] for p in periods] == list(range(len(periods)))
    days = day_map(period, first, last).to_pylist()
    expected = [
        {"d": d, "ps": p["ps"], "pe": p["pe"], "pi": p["pi"]} for p in periods for d in range(p["ps"], p["pe"] + 1)
    ]
    assert days == expected


def test_resolve_dims_aliases_and_errors():
    assert resolve_dims("role_id, region_code,is_it,work_format") == ["role", "region", "it", "remote"]
    assert resolve_dims(["region", "region"]) == ["region"]
    with pytest.raises(InputError, match="unknown dimension"):
        resolve_dims(["salary"])


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"indicator": "gdp"}, "unknown indicator"),
        ({"period": "year"}, "unknown period"),
        ({"by": ["nope"]}, "unknown dimension"),
        ({"lifetime": 0}, "lifetime"),
        ({"window": 2.5}, "window"),
        ({"vacancy_rule": "forever"}, "vacancy rule"),
        ({"basis": "both"}, "basis"),
        ({"colour": "red"}, "unknown option"),
        ({"as_": "polars"}, "as_"),
        ({"start": "2022-05", "end": "2022-01"}, "empty date range"),
        ({"filters": {"region": []}}, "no values"),
    ],
)
def test_bad_arguments_are_input_errors(world_store, kwargs, match):
    args = {
        "indicator": "stock",
        "by": ["region"],
        "period": "month",
        "start": "2022-01",
        "end": "2022-03",
        "engine": Engine.from_store(world_store),
    }
    args.update(kwargs)
    with pytest.raises(InputError, match=match):
        compute(args.pop("indicator"), **args)


def test_engine_must_be_an_engine(world_store):
    with pytest.raises(InputError, match="engine"):
        compute("stock", start="2022-01", end="2022-02", engine=world_store)


def test_engine_errors(tmp_path):
    with pytest.raises(StoreError, match="no store"):
        Engine.duckdb(tmp_path / "missing.duckdb")
    with pytest.raises(EngineError, match="vacancies.parquet"):
        Engine.spark(tmp_path)


def test_duckdb_engine_reads_a_store_file_read_only(tmp_path):
    from kadry.store import Store

    from .conftest import build_world

    path = tmp_path / "k.duckdb"
    with Store(path) as store:
        build_world(store)
    with Engine.duckdb(path) as a, Engine.duckdb(path) as b:  # two readers at once
        ta = compute("stock", by=["region"], start="2022-01", end="2022-03", engine=a)
        tb = compute("stock", by=["region"], start="2022-01", end="2022-03", engine=b)
    assert ta.equals(tb) and ta.num_rows == 9  # 2 regions + all, 3 months


def test_options_object_and_keywords(world_store):
    eng = Engine.from_store(world_store)
    a = compute("stock", by=[], start="2022-01", end="2022-03", engine=eng, options=Options(lifetime=10))
    b = compute("stock", by=[], start="2022-01", end="2022-03", engine=eng, lifetime=10)
    c = compute("stock", by=[], start="2022-01", end="2022-03", engine=eng, options=Options(lifetime=90), lifetime=10)
    assert a.equals(b) and b.equals(c)


def test_pandas_output_and_metadata(world_store):
    eng = Engine.from_store(world_store)
    df = compute("index", by="region", start="2022-01", end="2022-03", engine=eng, as_="pandas")
    assert list(df.columns[:3]) == ["region", "period", "period_end"]
    t = compute("index", by="region", start="2022-01", end="2022-03", engine=eng, filters={"region": "RU-SPE"})
    meta = json.loads(t.schema.metadata[b"kadry"])
    assert meta["indicator"] == "index" and meta["by"] == ["region"] and meta["engine"] == "duckdb"
    assert meta["start"] == "2022-01-01" and meta["end"] == "2022-03-31"
    assert meta["options"]["lifetime"] == 30
    assert set(t["region"].to_pylist()) == {"RU-SPE", "all"}


def test_boolean_dimensions_are_coded(world_store):
    t = compute(
        "stock",
        by=["remote"],
        period="quarter",
        start="2022-Q1",
        end="2022-Q1",
        engine=Engine.from_store(world_store),
        rollups=False,
    )
    got = {r["remote"]: (r["n_vacancies"], r["n_resumes"]) for r in t.to_pylist()}
    # remote: v1, r1; on site: v2; unknown: v4 v5 v6 v7, r2 r3 r4
    assert got == {"remote": (1, 1), "on_site": (1, 0), "unknown": (4, 3)}


def test_empty_range_has_no_rows(world_store):
    t = compute("index", by=["region"], start="2019-01", end="2019-03", engine=Engine.from_store(world_store))
    assert t.num_rows == 0 and "index" in t.column_names


def test_the_rule_label_of_tens_of_millions_of_rows_fits_one_array():
    """A million-vacancy store's skills cube has tens of millions of rows: plain copies of the
    label would pass a string array's 2 GiB of offsets (the release crashed when sorting them)."""
    import pyarrow as pa

    from kadry.indicators.api import _constant

    label = "x" * 100
    rows = 2**30 // len(label) + 1
    column = _constant(label, rows)
    assert len(column) == rows and column.type == pa.dictionary(pa.int32(), pa.string())
    assert pa.table({"rule": column}).take([0, rows - 1])["rule"].to_pylist() == [label, label]
    assert _constant(label, 3).to_pylist() == [label] * 3
