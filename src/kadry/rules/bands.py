"""HeadHunter's bands of the deficiency index (hh.index: active resumes per active vacancy).

hh publishes them with one decimal (<= 1.9, 2-3.9, 4-7.9, 8-11.9, >= 12); kadry applies them as
half-open intervals of the unrounded value, so 1.95 is still an acute shortage. Every display
(terminal, report, dashboard) and every engine (Python, SQL, Ibis) takes them from ``BANDS``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Band", "BANDS", "KEYS", "SHORT", "band_of", "get", "sql_case", "ibis_case", "legend", "as_json"]


@dataclass(frozen=True)
class Band:
    #: the value of the ``band`` column
    key: str
    #: lower bound, inclusive
    lower: float
    #: upper bound, exclusive (``inf`` for the last band)
    upper: float
    #: the words shown to readers
    ru: str
    en: str
    #: a strong colour (map fill, markers) and a pale one (chart backgrounds), distinct in grey too
    colour: str
    tint: str
    #: the style of the value in the terminal table (rich markup)
    style: str

    def label(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.en

    def span(self, lang: str = "en") -> str:
        """The bounds as hh prints them, with one decimal: ``≤ 1.9``, ``2–3.9``, ``≥ 12``."""

        def num(x: float) -> str:
            text = f"{x:g}"
            return text.replace(".", ",") if lang == "ru" else text

        if self.lower <= 0:
            return f"≤ {num(round(self.upper - 0.1, 1))}"
        if math.isinf(self.upper):
            return f"≥ {num(self.lower)}"
        return f"{num(self.lower)}–{num(round(self.upper - 0.1, 1))}"


BANDS: tuple[Band, ...] = (
    Band(
        "acute shortage",
        0.0,
        2.0,
        "острый дефицит соискателей",
        "acute shortage of job seekers",
        "#d73027",
        "#f6c4c0",
        "bold red",
    ),
    Band("shortage", 2.0, 4.0, "дефицит соискателей", "shortage of job seekers", "#fc8d59", "#fadcb4", "red"),
    Band(
        "moderate competition",
        4.0,
        8.0,
        "умеренная конкуренция",
        "moderate competition",
        "#fee08b",
        "#f8f0b8",
        "yellow",
    ),
    Band("high competition", 8.0, 12.0, "высокая конкуренция", "high competition", "#91cf60", "#d5ebc0", "green"),
    Band(
        "extremely high competition",
        12.0,
        math.inf,
        "крайне высокая конкуренция",
        "extremely high competition",
        "#1a9850",
        "#b9dfd4",
        "bold green",
    ),
)
KEYS: tuple[str, ...] = tuple(b.key for b in BANDS)
_BY_KEY = {b.key: b for b in BANDS}


def get(key: str) -> Band | None:
    """The band named ``key`` (None for an unknown or missing name)."""
    return _BY_KEY.get(key) if key is not None else None


def band_of(value: float | None) -> str | None:
    """The band of an index value (None for an undefined or negative index)."""
    if value is None or value != value:
        return None
    for b in BANDS:
        if b.lower <= value < b.upper:
            return b.key
    return None


def sql_case(column: str) -> str:
    """The same rule as a SQL ``CASE`` over ``column`` (DuckDB, Spark SQL)."""
    whens = " ".join(f"WHEN {column} >= {b.lower!r} THEN '{b.key}'" for b in reversed(BANDS))
    return f"CASE {whens} END"


def ibis_case(index: Any) -> Any:
    """The same rule as an Ibis expression (any backend)."""
    import ibis

    return ibis.cases(*[(index >= b.lower, b.key) for b in reversed(BANDS)], else_=None)


def legend(lang: str) -> str:
    """One line naming every band with its bounds (the report's key to the colours)."""
    sep = " — " if lang == "ru" else " "
    return "; ".join(f"{b.span(lang)}{sep}{b.label(lang)}" for b in BANDS) + "."


def as_json() -> list[dict]:
    """The bands for a client (``upper`` is null for the open last band; ``span_*`` are hh's printed bounds)."""
    out = []
    for b in BANDS:
        row = asdict(b)
        row["upper"] = None if math.isinf(b.upper) else b.upper
        row["span_ru"], row["span_en"] = b.span("ru"), b.span("en")
        out.append(row)
    return out


#: short band words for narrow displays (terminal tables, chart legends): key -> (ru, en)
SHORT: dict[str, tuple[str, str]] = {
    "acute shortage": ("острый дефицит", "acute shortage"),
    "shortage": ("дефицит", "shortage"),
    "moderate competition": ("умер. конкуренция", "moderate competition"),
    "high competition": ("высокая конкуренция", "high competition"),
    "extremely high competition": ("крайне высокая", "extreme competition"),
}
