"""Response models and parameter vocabularies of the HTTP API (what the OpenAPI shows)."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field

__all__ = [
    "Indicator",
    "Period",
    "GroupBy",
    "Format",
    "OCCUPATION_PATTERN",
    "REGION_PATTERN",
    "DATE_PATTERN",
    "ErrorBody",
    "ErrorResponse",
    "IndicatorRow",
    "IndicatorPage",
    "Health",
    "Named",
    "Dimensions",
    "PeriodInfo",
    "BandRule",
    "ExperienceRule",
    "ActivityRule",
    "Rules",
]

OCCUPATION_PATTERN = r"^(all|it|role:[0-9A-Za-z_-]{1,32}|category:[0-9A-Za-z_-]{1,32})$"
REGION_PATTERN = r"^(all|unknown|RU-[A-Z]{1,4}|district:[A-Za-z]{1,8})$"
SOURCE_PATTERN = r"^(all|[a-z][a-z0-9_:.-]{0,31})$"
DATE_PATTERN = r"^(19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?|-Q[1-4])?$"


class Indicator(str, Enum):
    index = "index"  # type: ignore[assignment]  # the member is named after the indicator; it shadows str.index
    stock = "stock"
    flow = "flow"
    salary = "salary"
    skills = "skills"


class Period(str, Enum):
    week = "week"
    month = "month"
    quarter = "quarter"


class GroupBy(str, Enum):
    none = "none"
    region = "region"
    district = "district"
    role = "role"
    category = "category"


class Format(str, Enum):
    json = "json"
    csv = "csv"


class ErrorBody(BaseModel):
    status: int = Field(description="HTTP status code, repeated")
    type: str = Field(description="error class: BadRequest, NotFound, ValidationError, StoreError, InternalError, ...")
    message: str = Field(description="one line a person can act on")


class ErrorResponse(BaseModel):
    """The one shape of every error answer."""

    error: ErrorBody


class IndicatorRow(BaseModel):
    """One segment (occupation x region) and period; fields of other indicators are absent."""

    occupation: str
    region: str
    source: str | None = Field(None, description="the source, when asked by source (else every source)")
    period: str = Field(description="first day of the period, YYYY-MM-DD")
    period_end: str
    skill: str | None = None
    n_vacancies: float | None = Field(None, description="active (stock) or new (flow) vacancies; null if suppressed")
    n_resumes: float | None = None
    new_vacancies: float | None = None
    new_resumes: float | None = None
    index: float | None = Field(None, description="resumes per vacancy (hh.index)")
    band: str | None = Field(None, description="HeadHunter's band of the index")
    ci_low: float | None = None
    ci_high: float | None = None
    offered_q1: float | None = None
    offered_median: float | None = None
    offered_q3: float | None = None
    expected_q1: float | None = None
    expected_median: float | None = None
    expected_q3: float | None = None
    salary_gap: float | None = None
    salary_gap_ratio: float | None = None
    n_vacancies_skill: float | None = None
    n_resumes_skill: float | None = None
    demand_share: float | None = None
    supply_share: float | None = None
    demand_supply_ratio: float | None = None
    simulated: bool = Field(description="simulated records contributed to this row")
    suppressed: bool = Field(description="the cell is hidden (small cell or its complement)")
    suppression: str | None = Field(
        None, description="confidential: every hidden row, whether small itself or hidden to protect one"
    )


class IndicatorPage(BaseModel):
    indicator: Indicator
    period: Period
    start: str
    end: str
    k: int = Field(description="minimum records a published cell rests on")
    simulated: bool = Field(description="some row rests on simulated records")
    total: int
    limit: int
    offset: int
    rows: list[IndicatorRow]


class Health(BaseModel):
    status: str
    version: str
    store: str
    store_version: str
    vacancies: int
    resumes: int
    release: str | None = Field(default=None, description="id of the release every answer is cut from")
    publishing: str | None = Field(
        default=None, description="while there is no release yet: when the one being made began (answers are 503)"
    )


class Named(BaseModel):
    id: str = Field(description="the value to pass as a parameter")
    name_ru: str | None = None
    name_en: str | None = None
    parent: str | None = Field(None, description="category of a role, district of a region")
    kind: str


class PeriodInfo(BaseModel):
    granularities: list[Period]
    first: str
    last: str


class Dimensions(BaseModel):
    indicators: list[Indicator]
    occupations: list[Named]
    regions: list[Named]
    periods: PeriodInfo
    k: int


class BandRule(BaseModel):
    """One of HeadHunter's bands of the deficiency index (kadry.rules.bands)."""

    key: str = Field(description="the value of the `band` column of index rows")
    lower: float = Field(description="lower bound of the index, inclusive")
    upper: float | None = Field(description="upper bound, exclusive; null for the open last band")
    ru: str
    en: str
    colour: str = Field(description="CSS colour for maps and markers")
    tint: str = Field(description="pale CSS colour for chart backgrounds")
    style: str = Field(description="terminal style (rich markup) used by the CLI")
    span_ru: str = Field(description="the bounds as HeadHunter prints them, Russian number format")
    span_en: str


class ExperienceRule(BaseModel):
    """One of hh's experience bands (kadry.rules.experience)."""

    key: str
    lower_months: int
    upper_months: int | None
    ru: str
    en: str


class ActivityRule(BaseModel):
    """When records start and how long they stay active (kadry.rules.activity)."""

    vacancy_start: list[str] = Field(description="a vacancy starts on the first non-null of these columns")
    resume_start: list[str]
    lifetime_days: int = Field(description="days a vacancy without a close date stays active (default)")
    resume_window_days: int = Field(description="days an update keeps a resume active (default)")
    vacancy_rules: list[str]


class Rules(BaseModel):
    """The rules displays need, served so that no client keeps its own copy."""

    bands: list[BandRule]
    experience: list[ExperienceRule]
    activity: ActivityRule
