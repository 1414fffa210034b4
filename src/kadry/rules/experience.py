"""hh's experience bands: their month bounds and the wordings that name them on cards and exports.

A resume's experience in months falls into a band by ``band_of``; a vacancy states its band as an
hh id or in words (``"Опыт 3-6 лет"``, ``"Без опыта"``), read by ``from_text``. Normalization uses
the SQL renderings of the same tables (``sql_months``, ``sql_text``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["Experience", "BANDS", "KEYS", "band_of", "from_text", "sql_months", "sql_text", "as_json"]


@dataclass(frozen=True)
class Experience:
    key: str
    #: months of experience: lower inclusive, upper exclusive
    lower: int
    upper: float
    ru: str
    en: str
    #: wordings of this band (regular expressions over lower-cased text with dashes as "-"),
    #: valid both in Python's ``re`` and DuckDB's RE2
    wording: str


BANDS: tuple[Experience, ...] = (
    Experience("noExperience", 0, 12, "без опыта", "no experience", r"без опыта|нет опыта|не требуется|no experience"),
    Experience(
        "between1And3",
        12,
        36,
        "от 1 года до 3 лет",
        "1-3 years",
        r"от 1 года до 3|1[^0-9]{1,12}3 (год|лет)|1\s*-\s*3|1 to 3",
    ),
    Experience(
        "between3And6", 36, 72, "от 3 до 6 лет", "3-6 years", r"от 3 до 6|3[^0-9]{1,12}6 (год|лет)|3\s*-\s*6|3 to 6"
    ),
    Experience("moreThan6", 72, math.inf, "более 6 лет", "more than 6 years", r"более 6|больше 6|от 6|6\+|more than 6"),
)
KEYS: tuple[str, ...] = tuple(b.key for b in BANDS)
#: the order wordings are tried in: the open-ended and "none" wordings first, so "от 6" never reads as 3-6
_WORDING_ORDER = ("noExperience", "moreThan6", "between3And6", "between1And3")
_BY_KEY = {b.key: b for b in BANDS}
_COMPILED = [(key, re.compile(_BY_KEY[key].wording)) for key in _WORDING_ORDER]


def band_of(months: float | None) -> str | None:
    """The band of a number of months (None when unknown or negative)."""
    if months is None or months != months or months < 0:
        return None
    for b in BANDS:
        if b.lower <= months < b.upper:
            return b.key
    return None


def _fold(text: str) -> str:
    return text.lower().replace("–", "-").replace("—", "-")


def from_text(text: object, *, keep_unknown: bool = True) -> str | None:
    """hh's experience id from an id or a wording; unrecognised wording is kept (or None)."""
    if text is None:
        return None
    raw = str(text).strip().strip("\"'")
    if not raw:
        return None
    if raw in _BY_KEY:
        return raw
    low = _fold(raw)
    for key, pattern in _COMPILED:
        if pattern.search(low):
            return key
    return raw if keep_unknown else None


def sql_months(column: str) -> str:
    """``band_of`` as SQL over a months column."""
    whens = " ".join(f"WHEN {column} < {b.upper} THEN '{b.key}'" for b in BANDS if not math.isinf(b.upper))
    return f"CASE WHEN {column} IS NULL OR {column} < 0 THEN NULL {whens} ELSE '{BANDS[-1].key}' END"


def sql_text(column: str) -> str:
    """``from_text(..., keep_unknown=False)`` as SQL over a text column."""
    keys = ", ".join(f"'{k}'" for k in KEYS)
    folded = f"replace(replace(lower({column}), '–', '-'), '—', '-')"
    whens = " ".join(f"WHEN regexp_matches({folded}, '{_BY_KEY[k].wording}') THEN '{k}'" for k in _WORDING_ORDER)
    return f"CASE WHEN {column} IN ({keys}) THEN {column} {whens} END"


def as_json() -> list[dict]:
    return [
        {
            "key": b.key,
            "lower_months": b.lower,
            "upper_months": None if math.isinf(b.upper) else int(b.upper),
            "ru": b.ru,
            "en": b.en,
        }
        for b in BANDS
    ]
