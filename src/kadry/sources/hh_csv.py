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
import sys
from pathlib import Path
from typing import Iterator

from kadry.errors import UnreadableFileError
from kadry.sources.base import BadValue, Item, clean_str, open_text, parse_ts, strip_html, to_float
from kadry.sources.text_values import experience_id_from_text

__all__ = ["HHFlatCSV", "READERS", "SCHEDULE_TEXT"]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

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


def _sniff_dialect(sample: str) -> csv.Dialect | type[csv.Dialect]:
    try:
        return csv.Sniffer().sniff(sample.split("\n", 1)[0] if "\n" in sample else sample[:2000], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _header(path: Path) -> list[str]:
    with open_text(path, newline="") as f:
        sample = f.read(4096)
    if not sample.strip():
        return []
    first = re.split(r"\r\n|\r|\n", sample, maxsplit=1)[0]
    dialect = _sniff_dialect(first)
    return [h.strip().lower() for h in next(csv.reader([first], dialect))]


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


class HHFlatCSV:
    """Flat hh vacancy CSVs, recognised by a title column plus a place or salary column."""

    name = "hh-csv"
    kind = "vacancy"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head[:4096].decode("utf-8", "replace").lstrip("\ufeff")
        if text.lstrip()[:1] in ("{", "["):
            return False
        first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0].lower()
        cols = {c.strip().strip('"') for c in re.split(r"[,;\t|]", first)}
        return bool(cols & _TITLE_NAMES) and bool(cols & _PLACE_OR_SALARY)

    def read(self, path: Path) -> Iterator[Item]:
        header = _header(path)
        columns = _column_map(header)
        if "title" not in columns:
            raise UnreadableFileError(path, f"no title column (expected one of {', '.join(_ALIASES['title'])}; found {', '.join(header) or 'nothing'})")
        with open_text(path, newline="") as f:
            sample = f.read(4096)
            f.seek(0)
            first = re.split(r"\r\n|\r|\n", sample, maxsplit=1)[0]
            reader = csv.reader(f, _sniff_dialect(first))
            try:
                next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise UnreadableFileError(path, f"bad CSV header: {exc}") from None
            width = len(header)
            position = 0
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    yield Item.bad(position, self.kind, f"bad CSV row: {exc}")
                    position += 1
                    continue
                if not row or not any(cell.strip() for cell in row):
                    continue
                if len(row) != width:
                    yield Item.bad(position, self.kind, f"row has {len(row)} fields, header has {width}", ",".join(row))
                    position += 1
                    continue
                try:
                    yield Item(position, self.kind, self._record(row, columns))
                except BadValue as exc:
                    yield Item.bad(position, self.kind, str(exc), ",".join(row))
                position += 1

    @staticmethod
    def _record(row: list[str], columns: dict[str, int]) -> dict:
        get = {name: row[index] for name, index in columns.items()}.get

        source_id = clean_str(get("source_id"))
        if source_id is None:
            # a content id: identical rows in overlapping downloads become one vacancy
            key = "\x1f".join((cell or "").strip() for cell in (get("title"), get("salary_from"), get("salary_to"),
                                                                    get("salary_currency"), get("region_raw"), get("published_at")))
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
