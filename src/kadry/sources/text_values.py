"""Values written as Russian (or English) text on hh.ru pages, turned into canonical values.

Scraped resume and vacancy cards carry salaries like ``"от 250 000 ₽ на руки"``, durations
like ``"Опыт работы6 лет 8 месяцев"`` and ages like ``"32 года"``. These small parsers are
shared by the CSV readers and tested on the spellings found in the real files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "SalaryText",
    "parse_salary_text",
    "currency_code",
    "parse_duration_months",
    "parse_age_years",
    "parse_gender",
    "experience_id_from_text",
    "employment_ids",
    "schedule_ids",
    "split_list",
    "looks_like_person_name",
    "parse_number_text",
]


@dataclass(frozen=True)
class SalaryText:
    """A salary read from text: bounds as given, currency code, gross (None: not said)."""

    salary_from: float | None
    salary_to: float | None
    currency: str | None
    gross: bool | None


# symbol or word -> hh currency code (hh says RUR, not RUB)
_CURRENCIES = [
    (r"₽|руб|\brub\b|\brur\b|р\.", "RUR"),
    (r"\$|usd|долл", "USD"),
    (r"€|eur|евро", "EUR"),
    (r"₸|kzt|тенге|тг", "KZT"),
    (r"₴|uah|грн", "UAH"),
    (r"so['’`]?m|сум|uzs", "UZS"),
    (r"сом|kgs", "KGS"),
    (r"₼|azn|манат", "AZN"),
    (r"₾|gel|лари", "GEL"),
    (r"byn|byr|br\b|бел", "BYR"),
    (r"֏|amd|драм", "AMD"),
]
_NUMBER = re.compile(r"\d[\d\s\u00a0\u202f\u2009]*(?:[.,]\d+)?")


_CURRENCY_RES = [(re.compile(pattern), code) for pattern, code in _CURRENCIES]


def currency_code(text: str | None) -> str | None:
    """The hh currency code named by a symbol or word in ``text`` (None if none is found)."""
    if not text:
        return None
    low = text.lower()
    for pattern, code in _CURRENCY_RES:
        if pattern.search(low):
            return code
    return None


def _number(token: str) -> float:
    return float(re.sub(r"[\s\u00a0\u202f\u2009]", "", token).replace(",", "."))


_THOUSANDS = re.compile(r"тыс|тис|\d\s*[kк]\b|\bk\b", re.I)
_MILLIONS = re.compile(r"млн|mln|\d\s*m\b", re.I)


def _scale(low: str) -> float:
    return 1e6 if _MILLIONS.search(low) else 1e3 if _THOUSANDS.search(low) else 1.0


def parse_number_text(text: object) -> float | None:
    """The first number in text with its unit: ``"42 роки"`` 42, ``"1,5 тыс."`` 1500, ``"80000 грн."`` 80000."""
    if text is None:
        return None
    raw = str(text)
    m = _NUMBER.search(raw)
    if m is None or not m.group().strip():
        return None
    return _number(m.group()) * _scale(raw.lower())


def parse_salary_text(text: object) -> SalaryText | None:
    """``"от 250 000 ₽ на руки"``, ``"220000 – 350000 ₽"``, ``"до 360 000 ₽"``, ``"$3000"``.

    A single number without ``от``/``до`` is a point value (a resume's desired salary) and
    is returned as ``salary_from``. Text without any digit (``"-"``, ``"не указана"``) is
    a salary not stated: None. ``на руки``/``in hand`` means net, ``до вычета`` gross.
    """
    if text is None:
        return None
    raw = str(text).strip().strip("\"'")
    if not raw or not re.search(r"\d", raw):
        return None
    low = raw.lower()
    scale = _scale(low)
    numbers = [_number(m.group()) * scale for m in _NUMBER.finditer(raw) if m.group().strip()]
    if not numbers:
        return None
    lo: float | None
    hi: float | None
    if len(numbers) >= 2:
        lo, hi = numbers[0], numbers[1]
    elif re.search(r"\bдо\b|\bup to\b|\bto\b", low) and not re.search(r"\bот\b|\bfrom\b", low):
        lo, hi = None, numbers[0]
    else:
        lo, hi = numbers[0], None
    gross: bool | None = None
    if re.search(r"на руки|in hand|после вычета|net", low):
        gross = False
    elif re.search(r"до вычета|before tax|gross", low):
        gross = True
    return SalaryText(lo, hi, currency_code(raw), gross)


_YEARS = re.compile(r"(\d+)\s*(?:год|года|лет|г\.|рік|роки|років|years?|yrs?)", re.I)
_MONTHS = re.compile(r"(\d+)\s*(?:месяц|месяца|месяцев|мес\.?|місяц|місяці|місяців|міс\.?|months?)", re.I)


def parse_duration_months(text: object) -> int | None:
    """Months in ``"6 лет 8 месяцев"``, ``"Опыт работы2 года"``, ``"1 year 5 months"``.

    ``"-"`` or text without a duration is None (not stated).
    """
    if text is None:
        return None
    raw = str(text)
    years = _YEARS.search(raw)
    months = _MONTHS.search(raw)
    if years is None and months is None:
        return None
    return (int(years.group(1)) * 12 if years else 0) + (int(months.group(1)) if months else 0)


def parse_age_years(text: object) -> int | None:
    """The number of years in ``"32 года"``, ``"30 years"``, ``"38"`` (None when absent)."""
    if text is None:
        return None
    m = re.search(r"\d+", str(text))
    return int(m.group()) if m else None


def parse_gender(text: object) -> str | None:
    """``male``/``female`` from ``Мужчина``/``Женщина``/``Male``/``Female``/hh ids."""
    if text is None:
        return None
    low = str(text).strip().lower()
    if low in _MALE or low.startswith("муж"):
        return "male"
    if low in _FEMALE or low.startswith("жен"):
        return "female"
    return None


_MALE = {"male", "m", "м", "man", "мужской"}
_FEMALE = {"female", "f", "ж", "woman", "женский"}


def experience_id_from_text(text: object) -> str | None:
    """hh experience id from a band as worded on hh cards (``"Опыт 3-6 лет"``, ``"Без опыта"``).

    A band that is already an hh id is kept; unrecognised wording is returned unchanged so
    normalization can see it.
    """
    from kadry.rules.experience import from_text

    return from_text(text)


_EMPLOYMENT = [
    (r"полная|full", "full"),
    (r"частичная|part", "part"),
    (r"проектная|project", "project"),
    (r"волонт|volunt", "volunteer"),
    (r"стажир|intern|probation", "probation"),
]
_SCHEDULE = [
    (r"неполн|part", None),  # no hh id for a part day: keep the words
    (r"полный( рабочий)? день|full[ _]?day", "fullDay"),
    (r"сменный|shift", "shift"),
    (r"гибкий|flexible", "flexible"),
    (r"удал[её]нн|remote", "remote"),
    (r"вахт|rotation|fly", "flyInFlyOut"),
]


_EMPLOYMENT_RES = [(re.compile(p), c) for p, c in _EMPLOYMENT]
_SCHEDULE_RES = [(re.compile(p), c) for p, c in _SCHEDULE]


def _ids(text: str, table: Sequence[tuple[re.Pattern[str], str | None]]) -> list[str]:
    out: list[str] = []
    for part in split_list(text, ","):
        low = part.lower()
        for pattern, code in table:
            if pattern.search(low):
                code = code or part
                if code not in out:
                    out.append(code)
                break
        else:
            if part not in out:
                out.append(part)
    return out


def employment_ids(text: str | None) -> list[str]:
    """hh employment ids for ``"полная занятость, проектная работа"`` (unknown words kept)."""
    return _ids(text, _EMPLOYMENT_RES) if text else []


def schedule_ids(text: str | None) -> list[str]:
    """hh schedule ids for ``"гибкий график, удаленная работа"`` (unknown words kept)."""
    return _ids(text, _SCHEDULE_RES) if text else []


def split_list(text: object, sep: str | None = None) -> list[str]:
    """Items of a delimited list; with no ``sep``, ``;`` or ``|`` if present, else ``,``."""
    if text is None:
        return []
    raw = str(text).strip()
    if not raw:
        return []
    if sep is None:
        sep = ";" if ";" in raw else "|" if "|" in raw else ","
    return [p.strip().strip("\"'") for p in raw.split(sep) if p.strip().strip("\"'")]


def looks_like_person_name(text: object) -> bool:
    """True for an employer that is a private person (``ИП Иванов ...``, ``Иванов Иван Иванович``).

    Such names are personal data, so readers drop them rather than store them as employers.
    """
    from kadry.sources.people import is_person_name

    return is_person_name(None if text is None else str(text))
