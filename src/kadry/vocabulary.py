"""The words kadry shows people, in Russian and English: one vocabulary for CLI, dashboard and report.

Codes (band names, reasons, column names) stay in the data; what a reader sees is looked up
here, so a band is called the same thing in the terminal, on the dashboard (which fetches this
table from ``/api/v1/labels``) and in the printed report. A key missing in one language is a
bug caught by ``tests/test_vocabulary.py``.
"""

from __future__ import annotations

from typing import Any

from kadry.errors import InputError
from kadry.rules import bands as _bands

__all__ = [
    "BAND_WORDS",
    "LANGS",
    "REASONS",
    "SHORT",
    "WORDS",
    "band_word",
    "check_lang",
    "reason_word",
    "word",
    "words",
]

LANGS = ("ru", "en")

#: HeadHunter's band (the ``band`` code of kadry.indicators) -> (ru, en)
BAND_WORDS: dict[str, tuple[str, str]] = {b.key: (b.ru, b.en) for b in _bands.BANDS}

#: short forms for narrow displays (terminal tables, chart legends): band and reason code -> (ru, en)
SHORT: dict[str, tuple[str, str]] = {
    **_bands.SHORT,
    "no_resumes": ("нет резюме", "no resumes"),
    "no_vacancies": ("нет вакансий", "no vacancies"),
    "no_data": ("нет данных", "no data"),
    "hidden": ("скрыто", "hidden"),
}

#: why a figure is absent -> (ru, en); the codes are what displays put in ``data-reason``
REASONS: dict[str, tuple[str, str]] = {
    "no_resumes": ("нет резюме: индекс не вычисляется", "no resumes: no index"),
    "no_vacancies": ("нет вакансий: индекс не вычисляется", "no vacancies: no index"),
    "no_data": ("нет данных за период", "no data in this period"),
    "hidden": ("скрыто: меньше {k} записей", "hidden: fewer than {k} records"),
    "store_no_resumes": (
        "В хранилище нет резюме: индекс (резюме на вакансию) не вычисляется, показаны только вакансии.",
        "The store holds no resumes: the index (resumes per vacancy) cannot be computed; only vacancies are shown.",
    ),
    "store_no_vacancies": (
        "В хранилище нет вакансий: индекс (резюме на вакансию) не вычисляется, показаны только резюме.",
        "The store holds no vacancies: the index (resumes per vacancy) cannot be computed; only resumes are shown.",
    ),
    "no_overlap": (
        "Вакансии и резюме не пересекаются во времени: индекс не вычисляется.",
        "Vacancies and resumes never overlap in time: no index.",
    ),
    "undated": (
        "У {n} записей нет даты (файл без дат): загрузите их с --observed-at ГГГГ-ММ-ДД, чтобы датировать их днём, "
        "когда они были замечены.",
        "{n} records carry no date (a file without dates): ingest them with --observed-at YYYY-MM-DD to date "
        "them by the day they were seen.",
    ),
    "unknown_excluded": (
        "Записи без региона или роли («не указан») не ранжируются: см. охват.",
        "Records without a region or role (“unknown”) are not ranked: see coverage.",
    ),
}

#: everything else, key -> (ru, en)
WORDS: dict[str, tuple[str, str]] = {
    # figures and columns
    "index": ("Индекс hh.index", "hh.index"),
    "index_short": ("Индекс", "Index"),
    "band": ("Зона", "Band"),
    "n_vacancies": ("Вакансии", "Vacancies"),
    "n_resumes": ("Резюме", "Resumes"),
    "new_vacancies": ("Новые вакансии", "New vacancies"),
    "new_resumes": ("Новые резюме", "New resumes"),
    "period": ("Период", "Period"),
    "region": ("Регион", "Region"),
    "occupation": ("Профессия", "Occupation"),
    "source": ("Источник", "Source"),
    "kind": ("Вид", "Kind"),
    "records": ("Записей", "Records"),
    "vacancy": ("вакансии", "vacancies"),
    "resume": ("резюме", "resumes"),
    "skill": ("Навык", "Skill"),
    "demand_share": ("Доля вакансий", "Share of vacancies"),
    "supply_share": ("Доля резюме", "Share of resumes"),
    "ratio": ("Спрос / предложение", "Demand / supply"),
    "offered": ("Предлагают (вакансии)", "Offered (vacancies)"),
    "expected": ("Ожидают (резюме)", "Expected (resumes)"),
    "hidden_mark": ("—", "—"),
    "unknown": ("не указан", "unknown"),
    "all_regions": ("Все регионы", "All regions"),
    "total": ("всего", "total"),
    # coverage
    "coverage": ("Охват: доля записей с известным признаком", "Coverage: share of records with a known attribute"),
    "region_known": ("Регион известен", "Region known"),
    "role_known": ("Роль известна", "Role known"),
    "salary_known": ("Зарплата указана", "Salary given"),
    "skills_known": ("Навыки указаны", "Skills given"),
    "dated": ("С датой", "Dated"),
    "no_skills_source": (
        "Источник не передаёт навыки: у {side} этого сегмента навыков нет.",
        "The source carries no skills: no {side} of this segment names one.",
    ),
    "skills_none": ("Нет опубликованных данных о навыках.", "No skill figure can be published."),
    # series
    "series": ("Ряды: сезонная корректировка, год к году, тренд", "Series: seasonally adjusted, year on year, trend"),
    "raw": ("исходный ряд", "raw"),
    "adjusted": ("с поправкой на сезонность", "seasonally adjusted"),
    "trend": ("линейный тренд", "linear trend"),
    "trend_ci": ("интервал тренда {level}", "trend {level} interval"),
    "yoy": ("Год к году", "Year on year"),
    "compare": ("Сравнение двух сегментов", "Two segments compared"),
    "not_adjusted": ("Без сезонной поправки: {why}", "Not seasonally adjusted: {why}"),
    "short_series": (
        "ряд из {n} периодов, а STL нужно не меньше {need} (два полных года)",
        "the series has {n} periods and STL needs at least {need} (two full years)",
    ),
    "gappy_series": ("в ряду {n} пропусков из {total} периодов", "the series has {n} gaps in {total} periods"),
    "weekly": (
        "недельные ряды не корректируются: в году не целое число недель",
        "weekly series are not adjusted: a year is not a whole number of weeks",
    ),
    "method": ("Метод: {method}; период {span}.", "Method: {method}; span {span}."),
    "slope": ("Наклон тренда: {slope} в год ({low}…{high})", "Trend slope: {slope} a year ({low}…{high})"),
    "csv": ("Скачать CSV", "Download CSV"),
    "range_note": (
        "Период по умолчанию: последние месяцы, где есть и вакансии, и резюме ({start} — {end}).",
        "Default range: the latest months with both vacancies and resumes ({start} – {end}).",
    ),
    "no_records_range": ("В этом периоде нет записей.", "No records in this range."),
    "nodata": ("нет данных", "no data"),
    # dashboard
    "title": ("Рынок труда: индекс дефицита", "Labour market: deficiency index"),
    "simulated": ("Данные частично смоделированы (simulated)", "Partly simulated data"),
    "level": ("Уровень регионов", "Region level"),
    "lvl_region": ("субъекты РФ", "federal subjects"),
    "lvl_district": ("федеральные округа", "federal districts"),
    "lvl_all": ("вся страна", "country"),
    "period_len": ("Период", "Period"),
    "month": ("месяц", "month"),
    "quarter": ("квартал", "quarter"),
    "week": ("неделя", "week"),
    "from": ("С", "From"),
    "to": ("По", "To"),
    "trend_title": ("Индекс дефицита (резюме на вакансию)", "Deficiency index (resumes per vacancy)"),
    "ranking": ("Регионы", "Regions"),
    "salary_title": (
        "Зарплата: предлагают и ожидают (₽/мес, медиана)",
        "Salary: offered vs expected (RUB/month, median)",
    ),
    "skills_title": ("Навыки: спрос и предложение", "Skills: demand and supply"),
    "table": ("Таблица", "Table"),
    "hidden_note": (
        "Пустые ячейки скрыты: они опираются на слишком мало записей (защита персональных данных).",
        "Blank cells are suppressed: they rest on too few records (privacy protection).",
    ),
    "series_what": ("Показатель", "Measure"),
    "compare_with": ("Сравнить с", "Compare with"),
    "compare_none": ("—", "—"),
    "lang_switch": ("English", "Русский"),
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}: use {' or '.join(LANGS)}")
    return lang


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if check_lang(lang) == "ru" else pair[1]


def word(key: str, lang: str = "en", **values: Any) -> str:
    """The word for ``key`` (a WORDS or REASONS key) in ``lang``, with ``{placeholders}`` filled."""
    pair = WORDS.get(key) or REASONS.get(key)
    if pair is None:
        raise KeyError(key)
    text = _pick(pair, lang)
    return text.format(**values) if values else text


def band_word(code: str | None, lang: str = "en", *, short: bool = False) -> str:
    """A band's name for readers (``short`` for terminal tables); the dash for no band."""
    if code is None:
        return "—"
    pair = (SHORT if short else BAND_WORDS).get(code)
    return _pick(pair, lang) if pair else code


def reason_word(code: str, lang: str = "en", *, short: bool = False, **values: Any) -> str:
    """Why a figure is absent (``short``: two words for a table cell)."""
    text = _pick((SHORT if short else REASONS)[code], lang)
    return text.format(**values) if values else text


def words(lang: str) -> dict[str, Any]:
    """The whole vocabulary in one language (what ``/api/v1/labels`` serves)."""
    check_lang(lang)
    return {
        "lang": lang,
        "words": {k: _pick(v, lang) for k, v in WORDS.items()},
        "reasons": {k: _pick(v, lang) for k, v in REASONS.items()},
        "bands": {k: _pick(v, lang) for k, v in BAND_WORDS.items()},
        "short": {k: _pick(v, lang) for k, v in SHORT.items()},
    }
