"""HeadHunter's bands: one table, the same answer in Python, SQL (DuckDB) and Ibis."""

from __future__ import annotations

import math

import pytest

from kadry.rules import bands
from kadry.store import ibis_backend, scratch

VALUES = [0.0, 0.5, 1.9, 1.95, 1.999, 2.0, 3.9, 3.99, 4.0, 7.99, 8.0, 11.9, 11.999, 12.0, 40.0, 1e9]


def test_band_of_follows_hh_bounds_as_half_open_intervals():
    assert [bands.band_of(v) for v in (0.0, 1.99, 2.0, 3.99, 4.0, 7.99, 8.0, 11.99, 12.0, 500.0)] == [
        "acute shortage",
        "acute shortage",
        "shortage",
        "shortage",
        "moderate competition",
        "moderate competition",
        "high competition",
        "high competition",
        "extremely high competition",
        "extremely high competition",
    ]
    assert bands.band_of(None) is None and bands.band_of(math.nan) is None and bands.band_of(-1.0) is None


def test_bands_tile_the_half_line():
    assert bands.BANDS[0].lower == 0.0 and math.isinf(bands.BANDS[-1].upper)
    for a, b in zip(bands.BANDS, bands.BANDS[1:]):
        assert a.upper == b.lower


def test_sql_and_ibis_renderings_agree_with_python():
    con = scratch()
    try:
        con.execute("CREATE TABLE t (x DOUBLE)")
        con.executemany("INSERT INTO t VALUES (?)", [[v] for v in VALUES] + [[None]])
        sql = dict(con.execute(f"SELECT x, {bands.sql_case('x')} FROM t WHERE x IS NOT NULL").fetchall())
        backend = ibis_backend(con)
        t = backend.table("t")
        got = backend.to_pyarrow(t.select(t.x, b=bands.ibis_case(t.x))).to_pylist()
    finally:
        con.close()
    expected = {v: bands.band_of(v) for v in VALUES}
    assert sql == expected
    assert {r["x"]: r["b"] for r in got if r["x"] is not None} == expected
    assert [r["b"] for r in got if r["x"] is None] == [None]


@pytest.mark.parametrize("lang,first,last", [("ru", "≤ 1,9", "≥ 12"), ("en", "≤ 1.9", "≥ 12")])
def test_spans_and_legend(lang, first, last):
    assert bands.BANDS[0].span(lang) == first and bands.BANDS[-1].span(lang) == last
    assert bands.BANDS[1].span(lang) == ("2–3,9" if lang == "ru" else "2–3.9")
    legend = bands.legend(lang)
    assert all(b.label(lang) in legend for b in bands.BANDS)


def test_json_for_clients():
    rows = bands.as_json()
    assert [r["key"] for r in rows] == list(bands.KEYS)
    assert rows[-1]["upper"] is None and rows[0]["upper"] == 2.0
    assert {"ru", "en", "colour", "tint", "span_ru", "span_en"} <= set(rows[0])
