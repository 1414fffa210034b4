"""Salaries: rates of the month, BYR/BYN, periods, income tax of the year, flags; SQL = Python."""

from __future__ import annotations

from datetime import datetime

import pytest

from kadry.errors import InputError
from kadry.normalize.salary import RateTable, income_tax, mrot, net_from_gross, normalize_salary, rate_table


def test_income_tax_by_year():
    assert net_from_gross(100_000, 2020) == pytest.approx(87_000)
    # 2021-2024: 15% above 5M a year
    assert income_tax(6_000_000, 2022) == pytest.approx(0.13 * 5e6 + 0.15 * 1e6)
    assert income_tax(6_000_000, 2020) == pytest.approx(0.13 * 6e6)
    # 2025: 13/15/18/20/22
    assert income_tax(2_400_000, 2025) == pytest.approx(0.13 * 2.4e6)
    assert income_tax(60_000_000, 2025) == pytest.approx(
        0.13 * 2.4e6 + 0.15 * 2.6e6 + 0.18 * 15e6 + 0.20 * 30e6 + 0.22 * 10e6
    )


def test_rates_of_the_month_and_the_redenomination():
    r = rate_table()
    assert r.rate("USD", "2007-12-03") == pytest.approx(24.4171)
    assert r.rate("RUR", None) == 1.0 and r.rate("rub", "2030-01") == 1.0
    old = r.rate("BYR", "2016-06-15")
    new = r.rate("BYR", "2016-07-15")
    assert old < 0.01 and new > 25  # old roubles before July 2016, BYN after
    assert new == pytest.approx(old * 10_000, rel=0.01)
    assert r.rate("BYN", "2023-04") == r.rate("BYR", "2023-04")
    assert 25 < r.rate("BYR", "2023-04") < 35
    # after the CBR file: towards the hh dictionary rate of Dec 2024, then held
    assert 52 < r.rate("USD", "2023-06") < 93
    assert r.rate("USD", "2025-06") == pytest.approx(92.747, rel=1e-3)
    assert r.rate("XYZ", "2022-01") is None
    assert r.rate("GEL", "2010-01") is None  # only the 2024 hh rate exists for GEL


def test_user_rate_file_overrides(tmp_path):
    f = tmp_path / "rates.csv"
    f.write_text("month,currency,rub_per_unit\n2023-01,USD,70.0\n2023-01,GEL,26\n", encoding="utf-8")
    r = RateTable(user_file=f)
    assert r.rate("USD", "2023-01-20") == 70.0 and r.rate("GEL", "2023-01") == 26.0
    bad = tmp_path / "bad.csv"
    bad.write_text("month,currency,rub_per_unit\n2023-01,USD,abc\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad rate row"):
        RateTable(user_file=bad)
    with pytest.raises(InputError):
        RateTable(user_file=tmp_path / "missing.csv")


def test_point_bounds_periods_and_flags():
    s = normalize_salary(35_000, 45_000, "RUR", None, None, "2007-12-03")
    assert (s.rub, s.rub_from, s.rub_to, s.flag) == (40_000, 35_000, 45_000, "ok")
    s = normalize_salary(100_000, None, "RUR", True, "month", "2020-05-01")
    assert s.rub == pytest.approx(87_000) and s.rub_to is None
    assert normalize_salary(300, None, "RUR", False, "hour", "2022-01-03").rub == pytest.approx(300 * 165)
    assert normalize_salary(1_200_000, None, "RUR", False, "year", "2022-01-03").rub == pytest.approx(100_000)
    assert normalize_salary(None, None, "RUR", None, None, "2022-01-01").flag == "missing"
    assert normalize_salary(1000, None, "XYZ", None, None, "2022-01-01").flag == "no_rate"
    assert normalize_salary(1000, None, "RUR", None, "fortnight", "2022-01-01").flag == "no_rate"
    assert normalize_salary(5_000, None, "RUR", None, None, "2022-07-01").flag == "below_minimum"
    assert normalize_salary(5_000, None, "RUR", None, None, "2022-07-01", employment="part").flag == "ok"
    assert normalize_salary(5_000, None, "RUR", None, None, "2022-07-01", country="BY").flag == "ok"
    assert normalize_salary(3_000_000, None, "RUR", None, None, "2022-07-01").flag == "too_high"
    assert normalize_salary(1500, None, "BYR", None, None, "2022-12-15").rub > 30_000  # BYN, not old roubles


def test_minimum_wage_table():
    assert mrot("2022-05-31") == 13_890 and mrot("2022-06-01") == 15_279
    assert mrot(datetime(2025, 3, 1)) == 22_440
    assert mrot("1990-01-01") is None


CASES = [
    (35_000, 45_000, "RUR", None, None, datetime(2007, 12, 3), None),
    (1750, None, "BYR", False, None, datetime(2023, 4, 6), None),
    (500, 900, "USD", True, "month", datetime(2009, 3, 1), None),
    (None, 2_000_000, "RUR", True, "month", datetime(2025, 2, 1), None),
    (300, None, "RUR", True, "hour", datetime(2022, 1, 3), None),
    (7000, None, "RUR", False, "shift", datetime(2026, 1, 3), None),
    (5000, None, "RUR", None, None, datetime(2022, 7, 1), "part"),
    (5000, None, "RUR", None, None, datetime(2022, 7, 1), "full"),
    (None, None, None, None, None, datetime(2022, 7, 1), None),
    (1000, None, "XYZ", None, None, datetime(2022, 7, 1), None),
    (700_000, 900_000, "KZT", None, None, datetime(2022, 12, 21), None),
    (10_000, None, "EUR", True, "year", datetime(2015, 1, 1), None),
    (50_000, None, "RUR", True, None, None, None),
]


def test_sql_path_equals_python_path(store, add_vacancy):
    from kadry.normalize.run import normalize_salaries

    for i, (lo, hi, cur, gross, period, when, emp) in enumerate(CASES):
        add_vacancy(
            store,
            f"s{i}",
            title="t",
            salary_from=lo,
            salary_to=hi,
            salary_currency=cur,
            salary_gross=gross,
            salary_period=period,
            published_at=when,
            employment=emp,
        )
    store.con.execute("UPDATE vacancies SET first_seen = NULL WHERE published_at IS NULL")
    normalize_salaries(store.con)
    got = {
        r[0]: r[1:]
        for r in store.con.execute(
            "SELECT vacancy_id, salary_rub, salary_rub_from, salary_rub_to, salary_flag FROM vacancies"
        ).fetchall()
    }
    for i, (lo, hi, cur, gross, period, when, emp) in enumerate(CASES):
        want = normalize_salary(lo, hi, cur, gross, period, when, employment=emp)
        rub, rub_from, rub_to, flag = got[f"hh:s{i}"]
        assert flag == want.flag, CASES[i]
        for a, b in ((rub, want.rub), (rub_from, want.rub_from), (rub_to, want.rub_to)):
            assert (a is None and b is None) or a == pytest.approx(b, rel=1e-6), CASES[i]
