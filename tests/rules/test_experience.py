"""Experience bands: months and wordings, the same in Python and SQL."""

from __future__ import annotations

import pytest

from kadry.rules import experience
from kadry.store import scratch

WORDINGS = [
    "Без опыта",
    "нет опыта",
    "Опыт не требуется",
    "No experience",
    "Опыт 1-3 года",
    "от 1 года до 3 лет",
    "1–3 года",
    "1 to 3 years",
    "Опыт 3-6 лет",
    "от 3 до 6 лет",
    "3 — 6 лет",
    "более 6 лет",
    "Опыт от 6 лет",
    "6+",
    "more than 6 years",
    "between3And6",
    "moreThan6",
    "стаж пять лет",
    "опыт любой",
]


def test_months_to_bands():
    assert [experience.band_of(m) for m in (0, 11, 11.9, 12, 35, 36, 71, 72, 600, -1, None)] == [
        "noExperience",
        "noExperience",
        "noExperience",
        "between1And3",
        "between1And3",
        "between3And6",
        "between3And6",
        "moreThan6",
        "moreThan6",
        None,
        None,
    ]


def test_wordings():
    got = {w: experience.from_text(w) for w in WORDINGS}
    assert got["Без опыта"] == got["Опыт не требуется"] == "noExperience"
    assert got["Опыт 1-3 года"] == got["1–3 года"] == "between1And3"
    assert got["Опыт 3-6 лет"] == got["3 — 6 лет"] == "between3And6"
    assert got["Опыт от 6 лет"] == got["6+"] == "moreThan6"
    assert got["стаж пять лет"] == "стаж пять лет" and experience.from_text("опыт любой", keep_unknown=False) is None
    assert experience.from_text(None) is None and experience.from_text("  ") is None


def test_sql_renderings_agree_with_python():
    con = scratch()
    try:
        months = [0, 5, 11, 12, 35, 36, 71, 72, 400, -3, None]
        got = [
            r[0]
            for r in con.execute(
                f"SELECT {experience.sql_months('m')} FROM unnest(?::INTEGER[]) AS u(m)", [months]
            ).fetchall()
        ]
        assert got == [experience.band_of(m) for m in months]
        words = [
            r[0]
            for r in con.execute(
                f"SELECT {experience.sql_text('w')} FROM unnest(?::VARCHAR[]) WITH ORDINALITY AS u(w, i) ORDER BY i",
                [WORDINGS],
            ).fetchall()
        ]
        assert words == [experience.from_text(w, keep_unknown=False) for w in WORDINGS]
    finally:
        con.close()


@pytest.mark.parametrize("key", experience.KEYS)
def test_ids_are_kept(key):
    assert experience.from_text(key) == key
