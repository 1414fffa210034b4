"""Flat CSV exports of hh vacancies, read by their header, not by column position.

Covers ``name,salary_from,salary_to,salary_currency,area_name,published_at`` (with or without
a leading unnamed index column, CR-only line ends included), the role-labelled export
``id,title,city,experience,...,role_id`` and flattened API dumps
``id,name,company,salary_from,...,key_skills,url``. A row without an id gets a content hash,
so the same row in two overlapping downloads is one vacancy seen twice.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from kadry.errors import UnreadableFileError
from kadry.sources.base import NO, BadValue, BaseReader, Head, Item, Score, clean_str, parse_ts, strip_html, to_float
from kadry.sources.csvstream import iter_rows
from kadry.sources.text_values import experience_id_from_text

__all__ = ["HHFlatCSV", "READERS", "SCHEDULE_TEXT"]

# header aliases: canonical -> names seen in the wild (lower case)
_ALIASES = {
    "source_id": ("id", "vacancy_id"),
    "title": ("name", "title", "vacancy_name", "vacancy_title"),
    "salary_from": ("salary_from", "from"),
    "salary_to": ("salary_to", "to"),
    "salary_currency": ("salary_currency", "currency"),
    "salary_gross": ("salary_gross", "gross"),
    "region_raw": ("area_name", "city", "area", "region", "location"),
    "area_id_raw": ("area_id",),
    "published_at": ("published_at", "published", "date", "created"),
    "employer_name": ("company", "employer", "employer_name"),
    "experience_raw": ("experience",),
    "schedule": ("schedule",),
    "employment": ("employment",),
    "description": ("description",),
    "skills_raw": ("key_skills", "skills"),
    "role_ids_raw": ("role_id", "professional_role", "professional_roles"),
}
_TITLE_NAMES = set(_ALIASES["title"])
_PLACE_OR_SALARY = set(_ALIASES["region_raw"]) | {"salary_from", "salary_to"}

SCHEDULE_TEXT = {
    "полный день": "fullDay",
    "сменный график": "shift",
    "гибкий график": "flexible",
    "удаленная работа": "remote",
    "удалённая работа": "remote",
    "вахтовый метод": "flyInFlyOut",
}
_TRUE = {"1", "true", "yes", "да", "t"}
_FALSE = {"0", "false", "no", "нет", "f"}


def _column_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for canonical, names in _ALIASES.items():
        for name in names:
            if name in header:
                found[canonical] = header.index(name)
                break
    return found


def _bool(value: str | None) -> bool | None:
    text = (value or "").strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def _schedule(value: str | None) -> str | None:
    text = clean_str(value)
    return None if text is None else SCHEDULE_TEXT.get(text.lower(), text)


def _skills(value: str | None) -> list[str]:
    text = clean_str(value)
    if text is None:
        return []
    parts = re.split(r"\s*[;|]\s*", text) if re.search(r"[;|]", text) else text.split(",")
    return [p.strip().strip("'\"[]") for p in parts if p.strip().strip("'\"[]")]


#: every column of the three known hh flat exports ("" is pandas' unnamed index)
_KNOWN = {
    "",
    "unnamed: 0",
    "name",
    "salary_from",
    "salary_to",
    "salary_currency",
    "area_name",
    "published_at",
    "id",
    "title",
    "city",
    "experience",
    "employment",
    "schedule",
    "has_salary",
    "salary_gross",
    "is_premium",
    "employer_trusted",
    "has_address",
    "role_id",
    "published_weekday",
    "published_hour",
    "title_word_count",
    "company",
    "currency",
    "description",
    "key_skills",
    "url",
}


def _share(values: list[str], ok) -> float:
    if not values:
        return 1.0
    good = 0
    for value in values:
        try:
            good += bool(ok(value))
        except (BadValue, ValueError):
            pass
    return good / len(values)


class HHFlatCSV(BaseReader):
    """Flat hh vacancy CSVs, recognised by a header made of hh export columns and values of hh shapes."""

    name = "hh-csv"
    kind = "vacancy"

    def score(self, head: Head) -> Score:
        from kadry.ingest.rules import KNOWN_CURRENCIES

        if head.is_json or not head.header:
            return NO
        cols = head.header
        if not set(cols) & _TITLE_NAMES or not set(cols) & (_PLACE_OR_SALARY | {"published_at", "role_id", "company"}):
            return NO
        known = sum(c in _KNOWN for c in cols) / len(cols)
        # value shapes: hh writes numbers, ISO dates and ISO currency codes
        shape = min(
            _share(head.column("salary_from") + head.column("salary_to"), lambda v: to_float(v) is not None),
            _share(head.column("published_at"), lambda v: parse_ts(v) is not None),
            _share(head.column("salary_currency") + head.column("currency"), lambda v: v.upper() in KNOWN_CURRENCIES),
        )
        value = round(known * shape, 2)
        return Score(
            value,
            "vacancy",
            f"{sum(c in _KNOWN for c in cols)}/{len(cols)} columns of hh flat exports, values {shape:.0%} of hh shapes",
        )

    def read(self, path: Path) -> Iterator[Item]:
        columns: dict[str, int] | None = None
        width = 0
        for line, row, header in iter_rows(path):
            if columns is None:
                columns = _column_map(header)
                width = len(header)
                if "title" not in columns:
                    raise UnreadableFileError(
                        path,
                        f"no title column (expected one of {', '.join(_ALIASES['title'])}; "
                        f"found {', '.join(header) or 'nothing'})",
                    )
            if isinstance(row, csv.Error):
                yield Item.bad(line, self.kind, f"bad CSV row: {row}")
                continue
            if len(row) != width:
                yield Item.bad(line, self.kind, f"row has {len(row)} fields, header has {width}", ",".join(row))
                continue
            try:
                yield Item(line, self.kind, self._record(row, columns))
            except BadValue as exc:
                yield Item.bad(line, self.kind, str(exc), ",".join(row))

    @staticmethod
    def _record(row: list[str], columns: dict[str, int]) -> dict:
        get = {name: row[index] for name, index in columns.items()}.get

        source_id = clean_str(get("source_id"))
        if source_id is None:
            # a content id: identical rows in overlapping downloads become one vacancy
            key = "\x1f".join(
                (cell or "").strip()
                for cell in (
                    get("title"),
                    get("salary_from"),
                    get("salary_to"),
                    get("salary_currency"),
                    get("region_raw"),
                    get("published_at"),
                )
            )
            source_id = "row-" + hashlib.sha1(key.encode()).hexdigest()[:20]
        role = clean_str(get("role_ids_raw"))
        description = get("description")
        return {
            "source": "hh",
            "source_id": source_id,
            "title": clean_str(get("title")),
            "description": strip_html(description) if description else None,
            "employer_id": None,
            "employer_name": clean_str(get("employer_name")),
            "role_ids_raw": [r for r in re.split(r"[,;|\s]+", role) if r] if role else [],
            "area_id_raw": clean_str(get("area_id_raw")),
            "region_raw": clean_str(get("region_raw")),
            "salary_from": to_float(get("salary_from"), field="salary_from"),
            "salary_to": to_float(get("salary_to"), field="salary_to"),
            "salary_currency": clean_str(get("salary_currency")),
            "salary_gross": _bool(get("salary_gross")),
            "salary_period": "month",
            "experience_raw": experience_id_from_text(get("experience_raw")),
            "employment": clean_str(get("employment")),
            "schedule": _schedule(get("schedule")),
            "work_format_raw": [],
            "skills_raw": _skills(get("skills_raw")),
            "published_at": parse_ts(get("published_at"), field="published_at"),
            "created_at": None,
            "archived_at": None,
            "archived": None,
        }


READERS = [HHFlatCSV()]
