"""Salaries: any amount, currency, period and tax basis -> roubles per month, net of income tax.

Rates are the Central Bank of Russia monthly rates of the publication month
(``cbr_monthly_2003_2022.csv``); after the last CBR month a currency's rate is interpolated
linearly to the hh dictionary rate of December 2024 (``hh_rates_2024_12.csv``) and held
there. hh writes Belarusian roubles as ``BYR`` before and after the 2016 redenomination
(1 BYN = 10 000 BYR): before July 2016 an amount is in old BYR, from July 2016 in BYN. A
user rate file (``month,currency,rub_per_unit``) overrides everything. Income tax is
Russia's NDFL of the year: 13% flat to 2020, 13/15% over 5M roubles a year 2021-2024, the
13/15/18/20/22% scale from 2025. The SQL here runs the same rules set-based in DuckDB.
"""

from __future__ import annotations

import csv
import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from kadry.config import RESOURCES
from kadry.errors import InputError

__all__ = [
    "RateTable",
    "TAX_SCALES",
    "PERIOD_FACTORS",
    "TOO_HIGH_RUB",
    "LOW_WAGE_EMPLOYMENT",
    "Salary",
    "income_tax",
    "net_from_gross",
    "mrot",
    "mrot_frame",
    "normalize_salary",
    "net_sql",
    "rate_table",
]

RES = RESOURCES / "normalize"
_INF = float("inf")

#: (first year, [(upper bound of annual income, rate), ...]) — NDFL on residents' wages
TAX_SCALES: list[tuple[int, list[tuple[float, float]]]] = [
    (2001, [(_INF, 0.13)]),
    (2021, [(5_000_000, 0.13), (_INF, 0.15)]),
    (2025, [(2_400_000, 0.13), (5_000_000, 0.15), (20_000_000, 0.18), (50_000_000, 0.20), (_INF, 0.22)]),
]

#: multiply an amount per period by this to get an amount per month
PERIOD_FACTORS = {
    "month": 1.0,
    "hour": 165.0,  # 1,973 working hours a year at 40 h/week / 12
    "day": 21.75,  # working days per month, average
    "shift": 15.0,  # a 2-on-2-off 12-hour shift pattern gives ~15.2 shifts a month
    "week": 4.345,
    "year": 1 / 12,
    "flyinflyout": 1.0,  # hh quotes fly-in-fly-out pay per month
}

#: a net monthly amount above this (roubles) is flagged too_high (no real wage advert reaches it)
TOO_HIGH_RUB = 2_000_000.0
#: employment types whose pay may lawfully be below the monthly minimum wage
LOW_WAGE_EMPLOYMENT = ("part", "project", "volunteer", "probation")
_REDENOMINATION = "2016-07"
_BYN_PER_BYR = 10_000.0


def income_tax(annual_gross: float, year: int) -> float:
    """Russian income tax (NDFL) on an annual wage, by the scale of that year."""
    scale = TAX_SCALES[0][1]
    for first, brackets in TAX_SCALES:
        if year >= first:
            scale = brackets
    tax, lower = 0.0, 0.0
    for upper, rate in scale:
        if annual_gross > lower:
            tax += (min(annual_gross, upper) - lower) * rate
        lower = upper
    return tax


def net_from_gross(monthly_gross: float, year: int) -> float:
    """Net monthly pay from a gross monthly wage earned all year (so the annual brackets apply)."""
    return monthly_gross - income_tax(12 * monthly_gross, year) / 12


def net_sql(amount: str, year: str) -> str:
    """A DuckDB expression of ``net_from_gross(amount, year)``; amount and year are SQL expressions."""
    cases = []
    for first, brackets in reversed(TAX_SCALES):
        parts, lower = [], 0.0
        for upper, rate in brackets:
            hi = f"least(12 * ({amount}), {upper!r})" if math.isfinite(upper) else f"12 * ({amount})"
            parts.append(f"{rate!r} * greatest({hi} - {lower!r}, 0)")
            lower = upper
        cases.append(f"WHEN {year} >= {first} THEN ({' + '.join(parts)})")
    tax = f"(CASE {' '.join(cases)} ELSE 0.13 * 12 * ({amount}) END)"
    return f"(({amount}) - {tax} / 12)"


# --- exchange rates --------------------------------------------------------------------------
def _month(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value)
    return text[:7] if len(text) >= 7 and text[4] == "-" else None


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _month_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class RateTable:
    """Roubles per unit of a currency in a month, as hh spells the currency code."""

    FIRST, LAST = "2003-01", "2027-12"

    def __init__(self, base: Path = RES, user_file: str | Path | None = None) -> None:
        self.rates: dict[tuple[str, str], float] = {}
        cbr: dict[str, dict[str, float]] = {}
        with open(base / "cbr_monthly_2003_2022.csv", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                for cur, value in row.items():
                    if cur != "date" and value:
                        cbr.setdefault(cur, {})[row["date"]] = float(value)
        with open(base / "hh_rates_2024_12.csv", encoding="utf-8", newline="") as f:
            hh = {r["currency"]: float(r["rub_per_unit"]) for r in csv.DictReader(f)}
        hh_month = "2024-12"
        first, last = _month_index(self.FIRST), _month_index(self.LAST)
        # old Belarusian rouble: CBR until the redenomination (the CBR series is frozen after it)
        old_byr = {m: v for m, v in cbr.pop("BYR", {}).items() if m < _REDENOMINATION}
        last_old = max(old_byr)
        byn_anchor = (last_old, old_byr[last_old] * _BYN_PER_BYR)
        series: dict[str, tuple[dict[str, float], tuple[str, float] | None]] = {}
        for cur, values in cbr.items():
            series[cur] = (values, (hh_month, hh[cur]) if cur in hh else None)
        series["BYN"] = ({byn_anchor[0]: byn_anchor[1]}, (hh_month, hh["BYR"]))
        for cur, (values, anchor) in series.items():
            known = sorted(values)
            for i in range(first, last + 1):
                m = _month_of(i)
                if m in values:
                    self.rates[(cur, m)] = values[m]
                elif m > known[-1] and anchor is not None:
                    a_i, b_i = _month_index(known[-1]), _month_index(anchor[0])
                    if i >= b_i:
                        self.rates[(cur, m)] = anchor[1]
                    else:
                        w = (i - a_i) / (b_i - a_i)
                        self.rates[(cur, m)] = values[known[-1]] * (1 - w) + anchor[1] * w
        # currencies that only the hh dictionary knows: its rate within a year of it
        for cur, value in hh.items():
            if cur in series or cur in ("RUR", "BYR"):
                continue
            for i in range(_month_index("2023-12"), _month_index("2025-12") + 1):
                self.rates[(cur, _month_of(i))] = value
        for i in range(first, last + 1):
            m = _month_of(i)
            for code in ("RUR", "RUB"):
                self.rates[(code, m)] = 1.0
            if m < _REDENOMINATION:
                if m in old_byr:
                    self.rates[("BYR", m)] = old_byr[m]
                    self.rates.setdefault(("BYN", m), old_byr[m] * _BYN_PER_BYR)
            elif ("BYN", m) in self.rates:
                self.rates[("BYR", m)] = self.rates[("BYN", m)]  # hh kept the code BYR for BYN
        if user_file is not None:
            self._load_user(Path(user_file))

    def _load_user(self, path: Path) -> None:
        try:
            with open(path, encoding="utf-8", newline="") as f:
                reader = csv.DictReader(f)
                need = {"month", "currency", "rub_per_unit"}
                if not need <= set(reader.fieldnames or []):
                    raise InputError(f"{path}: a rate file needs the columns month,currency,rub_per_unit")
                for n, row in enumerate(reader, start=2):
                    month = _month(row["month"])
                    try:
                        value = float(row["rub_per_unit"])
                    except ValueError:
                        value = -1.0
                    if month is None or value <= 0 or not row["currency"].strip():
                        raise InputError(f"{path}:{n}: bad rate row {row}")
                    self.rates[(row["currency"].strip().upper(), month)] = value
        except OSError as exc:
            raise InputError(f"cannot read rate file {path}: {exc.strerror}") from None

    def rate(self, currency: str | None, when: object) -> float | None:
        """Roubles per unit; None if unknown (an unknown code, or no rate for that month)."""
        if currency is None:
            return None
        code = currency.strip().upper()
        if code in ("RUR", "RUB"):
            return 1.0
        month = _month(when)
        return self.rates.get((code, month)) if month else None

    def frame(self):
        """(currency, month, rub_per_unit) as a pandas DataFrame, for a SQL join."""
        import pandas as pd

        rows = [(c, m, v) for (c, m), v in self.rates.items()]
        return pd.DataFrame(rows, columns=["currency", "month", "rub_per_unit"])


@lru_cache(maxsize=4)
def rate_table(user_file: str | None = None) -> RateTable:
    return RateTable(user_file=user_file)


# --- minimum wage ----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _mrot_table() -> tuple[list[str], list[float]]:
    with open(RES / "mrot.csv", encoding="utf-8", newline="") as f:
        rows = [(r["effective_from"], float(r["mrot_rub"])) for r in csv.DictReader(f)]
    return [r[0] for r in rows], [r[1] for r in rows]


def mrot(when: object) -> float | None:
    """Russia's federal monthly minimum wage (gross) in force on a day."""
    days, values = _mrot_table()
    key = when.strftime("%Y-%m-%d") if isinstance(when, (date, datetime)) else str(when)[:10]
    i = bisect_right(days, key)
    return values[i - 1] if i else None


def mrot_frame():
    """Monthly MROT (gross) for every month 2003-01..2027-12, for a SQL join."""
    import pandas as pd

    rows = []
    for i in range(_month_index("2003-01"), _month_index("2027-12") + 1):
        m = _month_of(i)
        rows.append((m, mrot(m + "-01")))
    return pd.DataFrame(rows, columns=["month", "mrot_rub"])


# --- one salary, in Python (tests, the baseline benchmark) -----------------------------------
@dataclass(frozen=True, slots=True)
class Salary:
    rub: float | None
    rub_from: float | None
    rub_to: float | None
    flag: str


def _period_factor(period: str | None) -> float | None:
    key = (period or "month").strip().lower().replace("_", "").replace("-", "")
    return PERIOD_FACTORS.get(key)


def normalize_salary(
    salary_from: float | None,
    salary_to: float | None,
    currency: str | None,
    gross: bool | None,
    period: str | None,
    when: object,
    employment: str | None = None,
    rates: RateTable | None = None,
    country: str | None = None,
) -> Salary:
    """Roubles per month net, with the bounds and a flag; the same rules the SQL path runs."""
    lo = salary_from if salary_from is not None and salary_from == salary_from and salary_from > 0 else None
    hi = salary_to if salary_to is not None and salary_to == salary_to and salary_to > 0 else None
    if lo is None and hi is None:
        return Salary(None, None, None, "missing")
    rates = rates or rate_table()
    rate = rates.rate(currency or "RUR", when)
    factor = _period_factor(period)
    if rate is None or factor is None:
        return Salary(None, None, None, "no_rate")
    month = _month(when)
    year = int(month[:4]) if month else 2001

    def conv(x: float | None) -> float | None:
        if x is None:
            return None
        monthly = x * rate * factor
        return net_from_gross(monthly, year) if gross else monthly

    r_lo, r_hi = conv(lo), conv(hi)
    point = (r_lo + r_hi) / 2 if r_lo is not None and r_hi is not None else (r_lo if r_lo is not None else r_hi)
    assert point is not None  # lo or hi is set (both missing returned above), and conv keeps it
    flag = "ok"
    floor = mrot(month + "-01") if month else None
    if point > TOO_HIGH_RUB:
        flag = "too_high"
    elif (
        floor is not None
        and country in (None, "RU")
        and point < net_from_gross(floor, year)
        and (employment or "") not in LOW_WAGE_EMPLOYMENT
    ):
        flag = "below_minimum"
    return Salary(point, r_lo, r_hi, flag)
