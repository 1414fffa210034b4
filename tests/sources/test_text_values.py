"""Russian text values of hh cards: salaries, durations, ages, genders, bands."""

from __future__ import annotations

import pytest

from kadry.sources.text_values import (
    SalaryText,
    currency_code,
    employment_ids,
    experience_id_from_text,
    looks_like_person_name,
    parse_age_years,
    parse_duration_months,
    parse_gender,
    parse_salary_text,
    schedule_ids,
    split_list,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("от 250000 ₽ на руки", SalaryText(250000, None, "RUR", False)),
        ("до 360 000 ₽ на руки", SalaryText(None, 360000, "RUR", False)),
        ("220000 – 350000 ₽ на руки", SalaryText(220000, 350000, "RUR", False)),
        ("350 000 – 400 000 ₽ до вычета налогов", SalaryText(350000, 400000, "RUR", True)),
        ("250 000 ₽ на руки", SalaryText(250000, None, "RUR", False)),
        ("180000 ₽", SalaryText(180000, None, "RUR", None)),
        ("$3000", SalaryText(3000, None, "USD", None)),
        ("5 000 €", SalaryText(5000, None, "EUR", None)),
        ("800 000 ₸ на руки", SalaryText(800000, None, "KZT", False)),
        ("15 000 ₴ на руки", SalaryText(15000, None, "UAH", False)),
        ("2 000 000 so'm in hand", SalaryText(2000000, None, "UZS", False)),
        ("4 500 $ in hand", SalaryText(4500, None, "USD", False)),
        ("от 1 000 $ на руки", SalaryText(1000, None, "USD", False)),
        ('30 000 ₽"', SalaryText(30000, None, "RUR", None)),
        ("от 60000 до 80000", SalaryText(60000, 80000, None, None)),
    ],
)
def test_salary_text(text, expected):
    assert parse_salary_text(text) == expected


@pytest.mark.parametrize("text", [None, "", "-", "з/п не указана", "по договорённости"])
def test_salary_not_stated(text):
    assert parse_salary_text(text) is None


@pytest.mark.parametrize(
    "text, months",
    [
        ("6 лет 8 месяцев", 80),
        ("3 года 1 месяц", 37),
        ("Опыт работы2 года 2 месяца", 26),
        ("Опыт работы 10 месяцев", 10),
        ('Опыт работы21 год 11 месяцев,ТРИАДА"', 263),
        ("Опыт работы7 лет", 84),
        ("Work experience 1 year 5 months", 17),
        ("Work experience 4 years 8 months", 56),
        ("-", None),
        ("", None),
        (None, None),
    ],
)
def test_duration_months(text, months):
    assert parse_duration_months(text) == months


def test_age_gender_and_bands():
    assert [parse_age_years(t) for t in ("32 года", "30 years", "21 год", "", None)] == [32, 30, 21, None, None]
    assert [parse_gender(t) for t in ("Мужчина", "Male", "Женщина", "Female", "female", "м", "", "?")] == [
        "male",
        "male",
        "female",
        "female",
        "female",
        "male",
        None,
        None,
    ]
    assert [
        experience_id_from_text(t)
        for t in ("Опыт 3-6 лет", "Опыт 1-3 года", "Без опыта", "Опыт более 6 лет", "between1And3", "странно")
    ] == ["between3And6", "between1And3", "noExperience", "moreThan6", "between1And3", "странно"]


def test_employment_schedule_lists():
    assert employment_ids("стажировка, волонтерство, частичная занятость, проектная работа, полная занятость") == [
        "probation",
        "volunteer",
        "part",
        "project",
        "full",
    ]
    assert schedule_ids("flexible schedule, full day, shift schedule, remote working") == [
        "flexible",
        "fullDay",
        "shift",
        "remote",
    ]
    assert schedule_ids("Полный рабочий день") == ["fullDay"]
    assert schedule_ids("Неполный рабочий день") == ["Неполный рабочий день"]  # no hh id: kept as words
    assert split_list("a; b ;c") == ["a", "b", "c"] and split_list("a, b") == ["a", "b"] and split_list(None) == []


def test_currency_and_person_names():
    assert [currency_code(t) for t in ("₽", "руб.", "«руб.»", "USD", "тенге", "xyz", None)] == [
        "RUR",
        "RUR",
        "RUR",
        "USD",
        "KZT",
        None,
        None,
    ]
    assert looks_like_person_name("ИП Абдулаев Эмиль Гокум Оглы")
    assert looks_like_person_name("Силантьев Олег Игоревич")
    assert looks_like_person_name("ИП Петрова Анна Сергеевна")
    assert not looks_like_person_name("ООО Люди ПРО Групп")
    assert not looks_like_person_name("Сбер для экспертов")
    assert not looks_like_person_name(None)
