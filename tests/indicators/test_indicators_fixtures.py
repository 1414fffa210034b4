"""Hand-computed expectations for every indicator, on DuckDB and on Spark.

The world (conftest.build_world), January-March 2022, roles A/B, regions RU-MOW/RU-SPE:

vacancies                                         active (lifetime 30)       months
  v1 A MOW pub 01-20 closed 02-10                  01-20..02-10               Jan Feb   (open across a boundary)
  v2 A MOW pub 02-05, no close                     02-05..03-06               Feb Mar
  v3 duplicate of v2                               not counted
  v4 B SPE pub 01-31 archived 01-31 (too_high pay) 01-31                      Jan
  v5 A SPE pub 03-15, last seen 03-20              03-15..04-13 (last_seen: ..03-20)  Mar
  v6 B MOW pub 2021-12-20, last seen 12-25         ..2022-01-18 (last_seen: ..12-25)  Jan (none)
  v7 B MOW pub 03-31 23:59, simulated              03-31..                    Mar
resumes
  r1 A MOW created 2021-11-01, updated 01-10 and 01-20 (twice in Jan)  01-10..02-18  Jan Feb
  r2 A SPE created 02-01                                              02-01..03-02  Feb Mar
  r3 B MOW created 03-10, simulated                                   03-10..       Mar
  r4 A MOW updated 2021-06-01, seen 2022-02-14                        02-14         Feb
"""

from __future__ import annotations

from datetime import date

import pytest


def cell(table, **keys):
    """The one row of ``table`` whose columns equal ``keys`` (``period`` as 'YYYY-MM-DD')."""
    found = []
    for row in table.to_pylist():
        if all((row[k].isoformat() if isinstance(row[k], date) else row[k]) == v for k, v in keys.items()):
            found.append(row)
    assert len(found) == 1, f"{len(found)} rows for {keys}"
    return found[0]


def counts(table, **keys):
    row = cell(table, **keys)
    return row["n_vacancies"], row["n_resumes"]


JAN, FEB, MAR = "2022-01-01", "2022-02-01", "2022-03-01"

STOCK = {
    ("A", "RU-MOW"): {JAN: (1, 1), FEB: (2, 2), MAR: (1, 0)},
    ("A", "RU-SPE"): {FEB: (0, 1), MAR: (1, 1)},
    ("B", "RU-MOW"): {JAN: (1, 0), MAR: (1, 1)},
    ("B", "RU-SPE"): {JAN: (1, 0)},
    ("A", "all"): {JAN: (1, 1), FEB: (2, 3), MAR: (2, 1)},
    ("B", "all"): {JAN: (2, 0), MAR: (1, 1)},
    ("all", "RU-MOW"): {JAN: (2, 1), FEB: (2, 2), MAR: (2, 1)},
    ("all", "RU-SPE"): {JAN: (1, 0), FEB: (0, 1), MAR: (1, 1)},
    ("all", "all"): {JAN: (3, 1), FEB: (2, 3), MAR: (3, 2)},
}


def test_stock_by_role_region_month(world):
    t = world("stock")
    got = {(r["role"], r["region"], r["period"].isoformat()): (r["n_vacancies"], r["n_resumes"]) for r in t.to_pylist()}
    want = {(role, region, p): c for (role, region), per in STOCK.items() for p, c in per.items()}
    assert got == want
    assert set(t.column_names) >= {
        "role",
        "region",
        "period",
        "period_end",
        "n_vacancies",
        "n_resumes",
        "simulated",
        "vacancy_activity_rule",
    }
    assert cell(t, role="A", region="RU-MOW", period=FEB)["period_end"] == date(2022, 2, 28)


def test_simulated_marks_rows_with_simulated_records(world):
    t = world("stock")
    sim = {(r["role"], r["region"], r["period"].isoformat()) for r in t.to_pylist() if r["simulated"]}
    assert sim == {("B", "RU-MOW", MAR), ("B", "all", MAR), ("all", "RU-MOW", MAR), ("all", "all", MAR)}


def test_activity_rule_is_stated(world):
    snap = "snapshot sources: to the last snapshot showing it; "
    assert set(world("stock")["vacancy_activity_rule"].to_pylist()) == {snap + "else closed_at, else lifetime 30d"}
    t = world("stock", vacancy_rule="last_seen")
    assert t["vacancy_activity_rule"][0].as_py().startswith(snap + "else closed_at, else last_seen")


def test_last_seen_rule_ends_open_vacancies_at_their_last_sighting(world):
    t = world("stock", vacancy_rule="last_seen")
    # v6 (seen last 2021-12-25) drops out of January; v5 still active in March (until 03-20)
    assert not _has(t, "B", "RU-MOW", JAN)
    assert counts(t, role="all", region="all", period=JAN) == (2, 1)
    assert counts(t, role="A", region="RU-SPE", period=MAR) == (1, 1)


def _has(t, role, region, period):
    return any(r["role"] == role and r["region"] == region and r["period"].isoformat() == period for r in t.to_pylist())


def test_lifetime_option(world):
    # lifetime 10: v2 (02-05..02-14) leaves March; v6 (..12-29) leaves January
    t = world("stock", lifetime=10)
    assert counts(t, role="all", region="all", period=JAN) == (2, 1)
    assert not _has(t, "A", "RU-MOW", MAR)
    assert counts(t, role="all", region="all", period=MAR) == (2, 2)


def test_window_option(world):
    # window 5: r1 active 01-10..01-14 and 01-20..01-24 (+ sightings 01-12, 01-25): January only
    t = world("stock", window=5)
    assert counts(t, role="A", region="all", period=JAN) == (1, 1)
    assert counts(t, role="A", region="all", period=FEB) == (2, 2)  # r2 (02-01..02-05), r4 (seen 02-14)


def test_duplicates_excluded_unless_asked(world):
    assert counts(world("stock"), role="all", region="all", period=FEB) == (2, 3)
    assert counts(world("stock", include_duplicates=True), role="all", region="all", period=FEB) == (3, 3)


def test_no_rollups(world):
    t = world("stock", rollups=False)
    assert "all" not in set(t["role"].to_pylist()) | set(t["region"].to_pylist())
    assert t.num_rows == 8


def test_stock_by_day_week_quarter(world):
    day = world("stock", by=(), period="day", start="2022-01-30", end="2022-02-15")
    assert day.num_rows == 17
    assert counts(day, period="2022-01-31") == (2, 1)  # v1, v4 (closed the day it opened); r1
    assert counts(day, period="2022-02-14") == (1, 3)  # v2; r1, r2, r4 (seen that day)
    assert counts(day, period="2022-02-15") == (1, 2)
    week = world("stock", by=(), period="week", start="2022-01-31", end="2022-02-06")
    assert week.num_rows == 1
    assert counts(week, period="2022-01-31") == (3, 2)  # v1 v2 v4; r1 r2
    quarter = world("stock", by=(), period="quarter", start="2022-Q1", end="2022-Q1")
    assert counts(quarter, period=JAN) == (6, 4)
    assert cell(quarter, period=JAN)["period_end"] == date(2022, 3, 31)


def test_flow(world):
    t = world("flow")
    assert counts(t, role="all", region="all", period=JAN) == (2, 0)  # v1, v4
    assert counts(t, role="all", region="all", period=FEB) == (1, 1)  # v2 (v3 is its duplicate); r2
    assert counts(t, role="all", region="all", period=MAR) == (2, 1)  # v5, v7; r3
    row = cell(t, role="A", region="RU-SPE", period=FEB)
    assert (row["new_vacancies"], row["new_resumes"]) == (0, 1)


def test_index_values_band_and_undefined(world):
    t = world("index")
    feb = cell(t, role="all", region="all", period=FEB)
    assert feb["index"] == pytest.approx(1.5)
    assert feb["band"] == "acute shortage"
    no_vacancies = cell(t, role="A", region="RU-SPE", period=FEB)
    assert no_vacancies["n_vacancies"] == 0 and no_vacancies["n_resumes"] == 1
    assert no_vacancies["index"] is None and no_vacancies["band"] is None
    assert no_vacancies["ci_low"] is None and no_vacancies["ci_high"] is None
    no_resumes = cell(t, role="B", region="RU-MOW", period=JAN)
    assert no_resumes["n_vacancies"] > 0 and no_resumes["n_resumes"] == 0
    assert no_resumes["index"] is None and no_resumes["band"] is None  # missing supply, not a 0.00 shortage
    assert no_resumes["ci_low"] is None
    one = cell(t, role="A", region="RU-MOW", period=JAN)
    assert one["index"] == 1.0
    # Katz: exp(+-1.959964 * sqrt(1/1 + 1/1))
    assert one["ci_low"] == 0.062549  # exp(-1.959964 * sqrt(2)), 6 decimals
    assert one["ci_high"] == 15.987508


def test_salary_quartiles_and_gap(world):
    t = world("salary", by=())
    jan = cell(t, period=JAN)  # v4's flagged pay is left out
    assert (jan["n_salary_vacancies"], jan["offered_median"]) == (1, 100000.0)
    assert (jan["n_salary_resumes"], jan["expected_median"], jan["salary_gap"]) == (1, 90000.0, -10000.0)
    feb = cell(t, period=FEB)
    assert (feb["offered_q1"], feb["offered_median"], feb["offered_q3"]) == (62500.0, 75000.0, 87500.0)
    assert (feb["expected_q1"], feb["expected_median"], feb["expected_q3"]) == (67500.0, 75000.0, 82500.0)
    assert (feb["n_vacancies"], feb["n_resumes"], feb["n_salary_resumes"]) == (2, 3, 2)
    assert feb["salary_gap"] == 0.0
    mar = cell(t, period=MAR)
    assert (mar["offered_median"], mar["expected_median"], mar["salary_gap"]) == (50000.0, 70000.0, 20000.0)
    assert mar["salary_gap_ratio"] == pytest.approx(1.4)
    flagged = world("salary", by=(), include_flagged_salaries=True)
    assert cell(flagged, period=JAN)["offered_q3"] == pytest.approx(100000 + 0.75 * (999999 - 100000))


def test_salary_segment_without_values_is_null(world):
    t = world("salary")
    row = cell(t, role="A", region="RU-SPE", period=FEB)
    assert row["n_salary_vacancies"] == 0 and row["offered_median"] is None and row["salary_gap"] is None


def test_skills_demand_supply_ratio(world):
    t = world("skills", by=())
    py = cell(t, period=FEB, skill="python")
    assert (py["n_vacancies_skill"], py["n_vacancies"], py["n_resumes_skill"], py["n_resumes"]) == (2, 2, 1, 3)
    assert py["demand_share"] == 1.0 and py["supply_share"] == pytest.approx(1 / 3)
    assert py["demand_supply_ratio"] == pytest.approx(3.0)
    assert cell(t, period=FEB, skill="sql")["demand_supply_ratio"] == pytest.approx(1.5)
    assert cell(t, period=JAN, skill="python")["n_vacancies_skill"] == 1  # v1 names python twice: counted once
    mar_py = cell(t, period=MAR, skill="python")
    assert mar_py["demand_share"] == pytest.approx(1 / 3) and mar_py["supply_share"] == 0.0
    assert mar_py["demand_supply_ratio"] is None
    assert cell(t, period=MAR, skill="excel")["demand_supply_ratio"] == 0.0
    assert {r["skill"] for r in t.to_pylist() if r["period"].isoformat() == MAR} == {"python", "sql", "excel"}


def test_skills_top(world):
    t = world("skills", by=(), top=1)
    assert [(r["period"].isoformat(), r["skill"]) for r in t.to_pylist()] == [
        (JAN, "python"),
        (FEB, "python"),
        (MAR, "excel"),
    ]  # March: a tie of 1, by name


def test_remote_share(world):
    t = world("remote", by=())
    jan = cell(t, period=JAN)
    assert (jan["n_remote_known_vacancies"], jan["n_remote_vacancies"], jan["remote_share_vacancies"]) == (1, 1, 1.0)
    feb = cell(t, period=FEB)
    assert (feb["n_remote_known_vacancies"], feb["remote_share_vacancies"]) == (2, 0.5)
    assert (feb["n_remote_known_resumes"], feb["remote_share_resumes"]) == (1, 1.0)
    assert cell(t, period=MAR)["remote_share_resumes"] is None


def test_experience_mix(world):
    t = world("experience", by=())
    feb = {r["experience_level"]: r for r in t.to_pylist() if r["period"].isoformat() == FEB}
    assert feb["between1And3"]["vacancy_share"] == 0.5 and feb["noExperience"]["vacancy_share"] == 0.5
    assert feb["between3And6"]["resume_share"] == pytest.approx(1 / 3)
    assert feb["unknown"]["resume_share"] == pytest.approx(2 / 3)
    assert feb["unknown"]["n_vacancies"] == 0 and feb["unknown"]["vacancies_total"] == 2
    for period in (JAN, FEB, MAR):
        rows = [r for r in t.to_pylist() if r["period"].isoformat() == period]
        assert sum(r["vacancy_share"] for r in rows) == pytest.approx(1.0)


def test_filters(world):
    t = world("stock", by=("role",), filters={"region": "RU-MOW"})
    assert counts(t, role="all", period=FEB) == (2, 2)
    assert counts(t, role="all", period=MAR) == (2, 1)
    assert counts(t, role="B", period=JAN) == (1, 0)
    assert set(t["role"].to_pylist()) == {"A", "B", "all"}
