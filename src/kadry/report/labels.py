"""Words of the report in Russian and English, and the formatting of numbers and periods.

Words shared with the CLI and the dashboard (bands, reasons a figure is missing, series and
coverage terms) come from ``kadry.vocabulary``; this table holds only the report's own.

One table per language with the same keys; a missing key is a bug caught by a test
(``tests/report/test_labels.py``), not a blank on a printed page.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from kadry.errors import InputError
from kadry.rules import bands
from kadry.vocabulary import BAND_WORDS, words

__all__ = ["LANGS", "Labels", "labels", "BAND_LABELS", "fmt_num", "fmt_period", "is_missing"]

LANGS = ("ru", "en")

#: HeadHunter's band -> (ru, en) words shown to readers: the one vocabulary's (kadry.vocabulary)
BAND_LABELS = BAND_WORDS

_RU = {
    "title": "Рынок труда: индекс дефицита кадров",
    "generated": "Сформирован",
    "segment": "Сегмент",
    "region": "Регион",
    "range": "Период",
    "period_kind": {"day": "по дням", "week": "по неделям", "month": "по месяцам", "quarter": "по кварталам"},
    "seg_all": "все профессии",
    "seg_it": "ИТ-сегмент (роли категории «Информационные технологии»)",
    "seg_role": "профессиональная роль",
    "seg_category": "категория ролей",
    "reg_all": "все регионы (включая неизвестные и зарубежные)",
    "reg_fd": "федеральный округ",
    "reg_country": "страна",
    "simulated_banner": "СМОДЕЛИРОВАННЫЕ ДАННЫЕ",
    "simulated_text": "В расчёте участвовали записи, созданные симулятором kadry (simulated = true), а не взятые из реального "
    "источника. Цифры с пометкой SIM нельзя публиковать как факты о рынке труда.",
    "sim_mark": "SIM",
    "sim_note": "SIM — в ячейку вошли смоделированные записи.",
    "hidden": "—",
    "hidden_note": "«—» — значение скрыто: оно опирается на менее чем {k} записей или позволило бы вычислить скрытое "
    "значение по итогам (вторичное подавление).",
    "h_summary": "Главное",
    "h_trend": "Динамика индекса",
    "h_regions": "Регионы",
    "h_salary": "Зарплаты: предложение и ожидания",
    "h_skills": "Навыки: спрос и предложение",
    "h_mobility": "Мобильность",
    "h_sources": "Источники данных и охват",
    "h_by_source": "Индекс по источникам",
    "by_source_note": "Вакансии и резюме каждого источника отдельно, все профессии и регионы; «итого» — все "
    "источники вместе. Те же ячейки, что отдаёт /api/v1/indicators?source= (одна публикация).",
    "index": "Индекс hh.index",
    "index_long": "Индекс дефицита кадров (hh.index) — число активных резюме на одну активную вакансию",
    "band": "Зона",
    "ci": "Доверительный интервал {level}",
    "n_vacancies": "Вакансии",
    "n_resumes": "Резюме",
    "period": "Период",
    "latest": "Последний опубликованный период",
    "no_index": "В выбранном периоде нет ни одного значения индекса, которое можно опубликовать.",
    "summary_text": "В {period} на одну активную вакансию приходилось {index} активных резюме: {band}. "
    "{level} доверительный интервал: {low}–{high}.",
    "counts_text": "Активных вакансий: {v}, активных резюме: {r}.",
    "bands_title": "Зоны HeadHunter",
    "bands_text": bands.legend("ru"),
    "trend_caption": "Индекс по периодам; закрашены зоны HeadHunter, серая полоса — доверительный интервал, "
    "пропуски — скрытые значения.",
    "regions_caption": "Субъекты РФ с наибольшим и наименьшим индексом, {period}. Показаны только опубликованные значения.",
    "regions_top": "Наибольший индекс (больше резюме на вакансию)",
    "regions_bottom": "Наименьший индекс (острее дефицит)",
    "regions_none": "Нет опубликованных значений по регионам: все ячейки малы (меньше {k} записей).",
    "regions_hidden": "Скрыто регионов: {n} из {total}.",
    "regions_focus": "{name}: {rank}-е место из {n} опубликованных, индекс {index}.",
    "region_col": "Регион",
    "rank": "Место",
    "salary_caption": "Медиана и квартили (Q1–Q3), руб. в месяц «на руки». Синий — вакансии (предлагают), "
    "оранжевый — резюме (ожидают).",
    "offered": "Предлагают (вакансии)",
    "expected": "Ожидают (резюме)",
    "median": "медиана",
    "q1": "Q1",
    "q3": "Q3",
    "gap": "Разница медиан",
    "salary_none": "Нет опубликованных значений зарплат.",
    "skills_caption": "Навыки, которые чаще всего называют вакансии сегмента ({period}), и доля резюме с тем же навыком.",
    "skill": "Навык",
    "demand": "Вакансий с навыком",
    "demand_share": "Доля вакансий",
    "supply": "Резюме с навыком",
    "supply_share": "Доля резюме",
    "ratio": "Спрос / предложение",
    "skills_none": "Нет опубликованных данных о навыках.",
    "mobility_missing": "Раздел о мобильности недоступен: модуль kadry.mobility не предоставляет flows_report_section.",
    "src_records": "Записи в хранилище по источникам",
    "kind": "Вид",
    "source": "Источник",
    "simulated": "Смоделированы",
    "records": "Записей",
    "vacancy": "вакансии",
    "resume": "резюме",
    "yes": "да",
    "no": "нет",
    "src_quality": "Нормализация",
    "dated": "С датой",
    "region_known_long": "Регион известен (субъект РФ или страна за рубежом)",
    "role_known": "Профессиональная роль определена",
    "share": "Доля",
    "src_rules": "Правила расчёта",
    "vacancy_rule": "Активность вакансии",
    "resume_rule": "Активность резюме: создано не позже дня и обновлялось в течение {window} дней до него, "
    "или замечено в этот день.",
    "ci_rule": "Интервал индекса — логарифмический метод Каца, счётчики как пуассоновские величины; он отражает "
    "случайный шум счётчиков, но не смещение источников.",
    "suppression_rule": "Каждая опубликованная ячейка прошла подавление малых ячеек kadry.privacy (k = {k}).",
    "src_quarantine": "Карантин (записи, не принятые при загрузке)",
    "reason": "Причина",
    "quarantine_none": "Карантин пуст.",
    "citations": "Источники: {names}. Ссылки приведены как текст, отчёт не обращается к сети.",
    "norm_version": "Версия правил нормализации: {v}.",
    "total": "всего",
    "unknown_region": "неизвестен",
    "footer": "kadry {version} · отчёт самодостаточен: без внешних ресурсов, печатается на A4.",
}

_EN = {
    "title": "Labour market: the deficiency index",
    "generated": "Generated",
    "segment": "Segment",
    "region": "Region",
    "range": "Period",
    "period_kind": {"day": "daily", "week": "weekly", "month": "monthly", "quarter": "quarterly"},
    "seg_all": "all occupations",
    "seg_it": "IT segment (roles hh files under Information technology)",
    "seg_role": "professional role",
    "seg_category": "role category",
    "reg_all": "all regions (unknown and abroad included)",
    "reg_fd": "federal district",
    "reg_country": "country",
    "simulated_banner": "SIMULATED DATA",
    "simulated_text": "Records made by the kadry simulator (simulated = true), not taken from a real source, contributed "
    "to these figures. Figures marked SIM must not be published as facts about the labour market.",
    "sim_mark": "SIM",
    "sim_note": "SIM — simulated records contributed to this cell.",
    "hidden": "—",
    "hidden_note": "“—” — hidden: the value rests on fewer than {k} records, or would let a hidden value be recomputed "
    "from totals (secondary suppression).",
    "h_summary": "Summary",
    "h_trend": "Trend of the index",
    "h_regions": "Regions",
    "h_salary": "Salaries: offered and expected",
    "h_skills": "Skills: demand and supply",
    "h_mobility": "Mobility",
    "h_sources": "Data sources and coverage",
    "h_by_source": "The index by source",
    "by_source_note": "Each source's own vacancies and resumes, all occupations and regions; the total is all "
    "sources together. The same cells as /api/v1/indicators?source= serves (one publisher).",
    "index": "hh.index",
    "index_long": "Deficiency index (hh.index): active resumes per active vacancy",
    "band": "Band",
    "ci": "{level} confidence interval",
    "n_vacancies": "Vacancies",
    "n_resumes": "Resumes",
    "period": "Period",
    "latest": "Latest published period",
    "no_index": "No index value in this range can be published.",
    "summary_text": "In {period} there were {index} active resumes per active vacancy: {band}. "
    "{level} confidence interval: {low}–{high}.",
    "counts_text": "Active vacancies: {v}, active resumes: {r}.",
    "bands_title": "HeadHunter's bands",
    "bands_text": bands.legend("en"),
    "trend_caption": "The index by period over HeadHunter's bands; the grey ribbon is the confidence interval, "
    "gaps are hidden values.",
    "regions_caption": "Federal subjects with the highest and lowest index, {period}. Only published values are ranked.",
    "regions_top": "Highest index (most resumes per vacancy)",
    "regions_bottom": "Lowest index (sharpest shortage)",
    "regions_none": "No regional value can be published: every cell is small (fewer than {k} records).",
    "regions_hidden": "Regions hidden: {n} of {total}.",
    "regions_focus": "{name}: rank {rank} of {n} published, index {index}.",
    "region_col": "Region",
    "rank": "Rank",
    "salary_caption": "Median and quartiles (Q1–Q3), roubles per month net. Blue: vacancies (offered); "
    "orange: resumes (expected).",
    "offered": "Offered (vacancies)",
    "expected": "Expected (resumes)",
    "median": "median",
    "q1": "Q1",
    "q3": "Q3",
    "gap": "Gap of medians",
    "salary_none": "No salary figure can be published.",
    "skills_caption": "Skills the segment's vacancies name most ({period}), and the share of resumes naming them.",
    "skill": "Skill",
    "demand": "Vacancies naming it",
    "demand_share": "Share of vacancies",
    "supply": "Resumes naming it",
    "supply_share": "Share of resumes",
    "ratio": "Demand / supply",
    "skills_none": "No skill figure can be published.",
    "mobility_missing": "Mobility section unavailable: kadry.mobility does not provide flows_report_section.",
    "src_records": "Records in the store by source",
    "kind": "Kind",
    "source": "Source",
    "simulated": "Simulated",
    "records": "Records",
    "vacancy": "vacancies",
    "resume": "resumes",
    "yes": "yes",
    "no": "no",
    "src_quality": "Normalization",
    "dated": "Dated",
    "region_known_long": "Region known (a federal subject, or a country abroad)",
    "role_known": "Professional role known",
    "share": "Share",
    "src_rules": "Rules",
    "vacancy_rule": "Vacancy activity",
    "resume_rule": "Resume activity: created on or before the day and updated within {window} days before it, "
    "or seen that day.",
    "ci_rule": "The index interval is Katz's log method with both stocks as Poisson counts; it expresses the noise "
    "of counts, not the bias of the sources.",
    "suppression_rule": "Every published cell passed kadry.privacy's small-cell suppression (k = {k}).",
    "src_quarantine": "Quarantine (records refused at ingest)",
    "reason": "Reason",
    "quarantine_none": "The quarantine is empty.",
    "citations": "Sources: {names}. Addresses are given as text; the report makes no network request.",
    "norm_version": "Normalization rules version: {v}.",
    "total": "total",
    "unknown_region": "unknown",
    "footer": "kadry {version} · a self-contained report: no external resources, prints on A4.",
}

_TABLES = {"ru": _RU, "en": _EN}


class Labels:
    """``L["key"]`` or ``L("key", **values)``; band and region names in the report's language."""

    def __init__(self, lang: str) -> None:
        if lang not in _TABLES:
            raise InputError(f"unknown language {lang!r}: use {' or '.join(LANGS)}")
        self.lang = lang
        shared = words(lang)
        # the shared vocabulary first (bands, reasons, series, coverage), the report's own words over it
        self._t = {**shared["words"], **shared["reasons"], **_TABLES[lang]}

    def __getitem__(self, key: str) -> Any:
        return self._t[key]

    def __call__(self, key: str, **values: Any) -> str:
        return self._t[key].format(**values)

    def band(self, name: str | None) -> str:
        if name is None:
            return self._t["hidden"]
        ru, en = BAND_LABELS.get(name, (name, name))
        return ru if self.lang == "ru" else en

    def num(self, value: Any, digits: int = 0) -> str:
        return fmt_num(value, digits, self.lang, self._t["hidden"])

    def period(self, value: Any, kind: str, *, short: bool = False) -> str:
        return fmt_period(value, kind, self.lang, short=short)


def labels(lang: str) -> Labels:
    return Labels(lang)


def is_missing(value: Any) -> bool:
    """None, NaN and pandas' NA: a hidden or undefined value."""
    if value is None:
        return True
    try:
        import pandas as pd

        if value is pd.NA:
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(value, float) and math.isnan(value)


def fmt_num(value: Any, digits: int = 0, lang: str = "en", hidden: str = "—") -> str:
    """Thousands grouped (thin space in Russian), a decimal comma in Russian; hidden as a dash."""
    if is_missing(value):
        return hidden
    text = f"{float(value):,.{digits}f}"
    if lang == "ru":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


_MONTHS_RU = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]
_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def fmt_period(value: Any, kind: str, lang: str = "en", *, short: bool = False) -> str:
    """A period's first day as readers name the period (``2022-03`` -> "March 2022", "2022 Q1");
    ``short`` for chart axes ("Mar 2022", "мар 2022")."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if kind == "month":
        names = _MONTHS_RU if lang == "ru" else _MONTHS_EN
        name = names[value.month - 1]
        return f"{name[:3]} {value.year}" if short else f"{name} {value.year}"
    if kind == "quarter":
        q = (value.month - 1) // 3 + 1
        return f"{q} кв. {value.year}" if lang == "ru" else f"{value.year} Q{q}"
    if kind == "week":
        return f"неделя с {value.isoformat()}" if lang == "ru" else f"week of {value.isoformat()}"
    return value.isoformat()
