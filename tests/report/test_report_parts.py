"""Pieces of the report that need no store: labels, number formats, charts, the page checker."""

from __future__ import annotations

import math

from kadry.indicators import BANDS
from kadry.report.charts import Bar, Point, bars_svg, index_trend_svg, nice_max
from kadry.report.labels import _EN, _RU, BAND_LABELS, Labels, fmt_num, fmt_period  # noqa: PLC2701 - the tables themselves are under test
from kadry.report.page import external_references, page


def test_both_languages_have_every_label():
    assert set(_RU) == set(_EN)
    assert set(BAND_LABELS) == {name for _, name in BANDS}


def test_numbers_and_periods_by_language():
    assert fmt_num(1234567.891, 2, "en") == "1,234,567.89"
    assert fmt_num(1234567.891, 2, "ru") == "1\u202f234\u202f567,89"
    assert fmt_num(float("nan")) == "—" and fmt_num(None) == "—"
    assert fmt_period("2022-03-01", "month", "en") == "March 2022"
    assert fmt_period("2022-03-01", "month", "ru") == "март 2022"
    assert fmt_period("2022-04-01", "quarter", "en") == "2022 Q2"
    assert Labels("ru").band("high competition") == "высокая конкуренция"


def test_trend_chart_breaks_at_hidden_values_and_shades_bands():
    pts = [Point("a", 1.0, 0.8, 1.2), Point("b", None), Point("c", 5.0, 4.0, 6.0), Point("d", 6.0, 5.0, 7.0, True)]
    svg = index_trend_svg(pts, band_names={n: n for n in BAND_LABELS}, title="t")
    assert svg.count("<circle") == 3 and svg.count("<polyline") == 1  # a lone point, then a run of two
    assert "acute shortage" in svg and "moderate competition" in svg
    assert "http" not in svg


def test_bars_and_axis():
    svg = bars_svg([Bar("Москва", 2.5, strong=True), Bar("Тверь", 1.0)], title="t")
    assert svg.count("<rect") == 2 and 'font-weight="700"' in svg
    assert (
        nice_max(0.43) == 0.5 and nice_max(7.2) == 10 and nice_max(11) == 20 and not math.isnan(nice_max(float("nan")))
    )


def test_external_reference_checker():
    assert external_references(page("t", "<p>hh.ru, trudvsem.ru</p>", lang="en", footer="f")) == []
    for bad in (
        '<img src="x.png">',
        '<link href="s.css">',
        "<p>see https://example.org/x</p>",
        "<style>@import 'a.css'</style>",
        '<div style="background:url(a.png)"></div>',
        '<script src="//cdn.example.com/a.js"></script>',
    ):
        assert external_references(bad), bad
    assert external_references('<a href="#trend">x</a>') == []
