"""What a report is about: a segment, a place and a range, parsed from the CLI's words.

Validation happens here, before any query, so a typo costs one line (``InputError``) and not
a half-written file: segment forms, role and category ids (checked against
``kadry.normalize.occupations``), region codes (``ru_subjects.csv``, ``FEDERAL_DISTRICTS``,
``countries.csv``), dates, period and language.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from kadry.config import RESOURCES
from kadry.errors import InputError
from kadry.indicators import parse_day
from kadry.report.labels import LANGS
from kadry.store import require

__all__ = ["Segment", "Place", "ReportOptions", "parse_segment", "parse_place", "subject_names", "country_names"]

_PERIODS = ("month", "quarter")


@dataclass(frozen=True)
class Segment:
    """An occupation cut: ``all``, ``it``, ``role:<id>`` or ``category:<id>``, as indicator filters."""

    kind: str
    value: str | None = None

    @property
    def filters(self) -> dict[str, Any]:
        if self.kind == "it":
            return {"it": True}
        if self.kind == "role":
            return {"role": [self.value]}
        if self.kind == "category":
            return {"role_category": [self.value]}
        return {}

    @property
    def code(self) -> str:
        return self.kind if self.value is None else f"{self.kind}:{self.value}"

    def name(self, lang: str) -> str:
        from kadry.normalize.occupations import categories, role

        if self.kind == "role":
            r = role(self.value)
            if r is None:
                raise InputError(f"unknown role id {self.value!r}")
            return f"{r.name} ({self.value})"
        if self.kind == "category":
            assert self.value is not None  # parse_segment gives every category segment its id
            return f"{categories()[self.value]} ({self.value})"
        return ""


@dataclass(frozen=True)
class Place:
    """A place cut: nothing (``all``), a federal subject, a federal district or a country."""

    kind: str  # all, region, fd, country
    value: str | None = None

    @property
    def filters(self) -> dict[str, Any]:
        if self.kind == "region":
            return {"region": [self.value]}
        if self.kind == "fd":
            return {"federal_district": [self.value]}
        if self.kind == "country":
            return {"country": [self.value]}
        return {}

    @property
    def code(self) -> str:
        return {"all": "all", "region": str(self.value)}.get(self.kind, f"{self.kind}:{self.value}")


@lru_cache(maxsize=1)
def _subjects() -> dict[str, dict]:
    from kadry.normalize.regions import subjects_by_code

    return subjects_by_code()


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    with open(Path(RESOURCES) / "normalize" / "countries.csv", encoding="utf-8", newline="") as f:
        return {r["iso2"]: r["name_en"] for r in csv.DictReader(f) if r["iso2"]}


def subject_names(lang: str) -> dict[str, str]:
    """Federal subject code -> its name in ``lang`` (Russian names are hh's)."""
    return {code: (r["name"] if lang == "ru" else r["name_en"]) for code, r in _subjects().items()}


def country_names() -> dict[str, str]:
    return dict(_countries())


def parse_segment(text: str) -> Segment:
    """``it``, ``all``, ``role:<id>`` or ``category:<id>``; ids must exist in hh's dictionary."""
    from kadry.normalize.occupations import categories, role

    raw = (text or "").strip()
    low = raw.lower()
    if low in ("it", "all"):
        return Segment(low)
    kind, sep, value = raw.partition(":")
    kind, value = kind.strip().lower(), value.strip()
    if not sep or kind not in ("role", "category") or not value:
        raise InputError(f"unknown segment {text!r}: use it, all, role:<id> or category:<id>")
    if kind == "role" and role(value) is None:
        raise InputError(
            f"unknown role id {value!r}: see the role ids in hh's dictionary (kadry/resources/normalize/roles.csv)"
        )
    if kind == "category" and value not in categories():
        raise InputError(f"unknown role category {value!r}: use one of {', '.join(sorted(categories(), key=int))}")
    return Segment(kind, value)


def parse_place(text: str | None) -> Place:
    """A federal subject code (``RU-MOW``), ``fd:<district>`` (``fd:CFD``), ``country:<iso2>``, or all."""
    from kadry.normalize.regions import FEDERAL_DISTRICTS

    raw = (text or "").strip()
    if not raw or raw.lower() == "all":
        return Place("all")
    kind, sep, value = raw.partition(":")
    if sep:
        kind, value = kind.strip().lower(), value.strip()
        if kind in ("fd", "district", "federal_district"):
            match = {k.lower(): k for k in FEDERAL_DISTRICTS}.get(value.lower())
            if match is None:
                raise InputError(f"unknown federal district {value!r}: use one of {', '.join(FEDERAL_DISTRICTS)}")
            return Place("fd", match)
        if kind == "country":
            code = value.upper()
            if code not in _countries():
                raise InputError(f"unknown country {value!r}: use an ISO 3166-1 alpha-2 code such as RU, KZ, GE")
            return Place("country", code)
        raise InputError(f"unknown region form {text!r}: use RU-XXX, fd:<district> or country:<code>")
    code = raw.upper()
    if code not in _subjects():
        raise InputError(f"unknown region {text!r}: use a federal subject code such as RU-MOW, or fd:CFD, country:KZ")
    return Place("region", code)


@dataclass
class ReportOptions:
    """Everything ``build_report`` needs; ``resolve()`` checks it and fills defaults from the store."""

    segment: str = "all"
    region: str | None = None
    start: str | date | None = None
    end: str | date | None = None
    period: str = "month"
    db: str | Path | None = None
    lang: str = "ru"
    min_cell: int | None = None
    #: derived by resolve()
    seg: Segment = field(default=None, init=False)  # type: ignore[assignment]
    place: Place = field(default=None, init=False)  # type: ignore[assignment]
    first: date = field(default=None, init=False)  # type: ignore[assignment]
    last: date = field(default=None, init=False)  # type: ignore[assignment]
    k: int = field(default=0, init=False)

    def resolve(self) -> ReportOptions:
        from kadry.privacy import min_cell

        self.seg = parse_segment(self.segment)
        self.place = parse_place(self.region)
        if self.period not in _PERIODS:
            raise InputError(f"unknown period {self.period!r}: use month or quarter")
        if self.lang not in LANGS:
            raise InputError(f"unknown language {self.lang!r}: use ru or en")
        if self.min_cell is not None and int(self.min_cell) < 1:
            raise InputError(f"--min-cell must be at least 1, got {self.min_cell}")
        self.k = min_cell(self.min_cell)
        self.db = require(self.db)
        if self.start is not None:
            self.first = parse_day(self.start)
        if self.end is not None:
            self.last = parse_day(self.end, end=True)
        if self.first is not None and self.last is not None and self.first > self.last:
            raise InputError(f"empty date range: --from {self.start} is after --to {self.end}")
        return self

    @property
    def filters(self) -> dict[str, Any]:
        """Indicator filters of the segment and the place together."""
        return {**self.seg.filters, **self.place.filters}
