"""The request budget: ranges cut to the data, periods counted without enumerating, a gate that refuses."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kadry.api.limits import Budget, Gate, check_request, clamp_range, count_periods
from kadry.errors import BadRequest, Busy, OverBudget
from kadry.indicators.periods import calendar

FIRST, LAST = date(2021, 3, 15), date(2022, 11, 2)


def test_ranges_are_clamped_to_the_data_and_refused_outside_it():
    assert clamp_range(None, None, FIRST, LAST) == (FIRST, LAST)
    assert clamp_range("2005", "2025", FIRST, LAST) == (FIRST, LAST)
    assert clamp_range("2021-Q2", "2021-05", FIRST, LAST) == (date(2021, 4, 1), date(2021, 5, 31))
    with pytest.raises(BadRequest, match="outside the data"):
        clamp_range("2023", None, FIRST, LAST)
    with pytest.raises(BadRequest, match="outside the data"):
        clamp_range("1990", "1999-12", FIRST, LAST)
    with pytest.raises(BadRequest, match="after"):
        clamp_range("2022-05", "2022-01", FIRST, LAST)


@given(
    st.sampled_from(["day", "week", "month", "quarter"]),
    st.dates(date(2000, 1, 1), date(2030, 12, 31)),
    st.integers(0, 900),
)
def test_periods_are_counted_as_the_calendar_enumerates_them(period, first, days):
    last = date.fromordinal(first.toordinal() + days)
    assert count_periods(period, first, last) == calendar(period, first, last).num_rows


def test_a_request_over_the_budget_says_which_limit():
    check_request("month", FIRST, LAST, ["role", "it"])
    with pytest.raises(OverBudget, match="day periods .* exceed the limit of 120"):
        check_request("day", FIRST, LAST)
    with pytest.raises(OverBudget, match="3 dimensions"):
        check_request("quarter", FIRST, LAST, ["role", "isco2", "it"])
    check_request("day", FIRST, LAST, budget=Budget(periods=1000))
    assert OverBudget("x").status == 400


def test_the_gate_refuses_beyond_its_size_and_frees_its_slots():
    gate = Gate(size=2)
    with gate.hold(), gate.hold():
        with pytest.raises(Busy) as refused, gate.hold():
            pass
        assert refused.value.status == 503 and refused.value.transient
    with gate.hold(), gate.hold():  # both slots came back
        pass


def test_indicators_clamp_a_wide_range_and_refuse_one_outside_the_data(get):
    whole = get("/api/v1/indicators?limit=1").json()
    wide = get("/api/v1/indicators?limit=1&start=1990&end=2099").json()
    assert (wide["start"], wide["end"], wide["total"]) == (whole["start"], whole["end"], whole["total"])
    r = get("/api/v1/indicators?start=2095&end=2099")
    assert r.status_code == 400 and "outside the data" in r.json()["error"]["message"]


def test_a_reversed_range_is_refused_by_indicators_and_series_alike(get):
    for route in ("indicators", "series"):
        r = get(f"/api/v1/{route}?start=2022-06&end=2022-01")
        assert r.status_code == 400, (route, r.text)


def test_errors_carry_their_http_headers(get):
    r = get("/api/v1/match/resume/x?k=0")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
