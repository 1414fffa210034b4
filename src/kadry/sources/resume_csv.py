"""Flat hh.ru resume CSVs scraped by others, and the iOS vacancy cards scraped beside them.

Four real shapes, recognised by their header (see docs/formats.md):

- ``resume_id,desired_position,salary,age,gender,location,...`` (hh-frontend-2025)
- ``resume_title,resume_salary,experience,unique`` (hh-ios-2025; some rows have broken
  quoting and are repaired from their text, the rest quarantined)
- ``name,salary,specialization,sex,age,experience,employment,citizenship`` (hh-java-2023,
  scraped from hh.kz with ``area=40&currency_code=KZT``: salaries are tenge, people live in
  Kazakhstan)
- ``row_idx,age_years,experience_months,salary_rub`` (hh-44k-numeric-2019)

Only canonical fields leave a reader: names, URLs, free text, education and work history
columns are never read into a record. Exact ages become age bands here.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from kadry.errors import UnreadableFileError
from kadry.schema import age_band
from kadry.sources.base import NO, BadValue, BaseReader, Head, Item, Score, clean_str, open_text, parse_ts, to_float
from kadry.sources.csvstream import first_line, header_tokens, iter_rows
from kadry.sources.records import blank_resume, blank_vacancy, content_id
from kadry.sources.text_values import (
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

__all__ = ["ResumeCSV", "HHCardVacanciesCSV", "resume_variant", "READERS"]


def resume_variant(columns: list[str]) -> str | None:
    """Which of the known resume CSV shapes a header is (None: not a resume CSV)."""
    cols = set(columns)
    if "desired_position" in cols:
        return "frontend"
    if "resume_title" in cols:
        return "ios"
    if {"row_idx", "age_years"} <= cols:
        return "hh44k"
    if {"name", "salary", "sex", "age", "experience"} <= cols:
        return "java"
    return None


_SAL_CELL = re.compile(r"\d[\d\s\u00a0]*\s*(₽|\$|€|₸|₴|руб)")
_IOS_REPAIR = re.compile(
    r"^(?P<title>.*?)\s*,\s*\"*\s*(?P<salary>\d[\d\s\u00a0]*\s*[₽$€₸₴]|-)\s*\"*\s*,(?P<rest>.*)$", re.S
)


def _ios_cells(row: list[str]) -> tuple[str, str, str] | None:
    """(title, salary, experience) of an iOS resume row, repairing broken quoting."""
    if len(row) >= 3 and (_SAL_CELL.search(row[1]) or row[1].strip(' "') in ("", "-")) and not _SAL_CELL.search(row[0]):
        return row[0], row[1], row[2]
    m = _IOS_REPAIR.match(",".join(row))
    if m is None:
        return None
    return m.group("title"), m.group("salary"), m.group("rest")


def _relocation(text: str | None) -> str | None:
    low = (text or "").strip().lower()
    if not low:
        return None
    if re.search(r"не готов|not ready|no relocation|нет", low):
        return "no_relocation"
    if re.search(r"хочу|желат|want|desir", low):
        return "relocation_desirable"
    if re.search(r"готов|ready|да|yes|possible", low):
        return "relocation_possible"
    return None


def _citizenship(text: str | None) -> list[str]:
    raw = clean_str(text)
    if raw is None:
        return []
    raw = re.sub(r"(?i)^(гражданство|citizenship)\s*:\s*", "", raw)
    return split_list(raw, ",")


def _employment_block(text: str | None) -> tuple[list[str], list[str]]:
    """hh card lines ``Занятость: ...`` / ``График работы: ...`` as hh employment/schedule ids."""
    employment: list[str] = []
    schedule: list[str] = []
    for line in (text or "").splitlines():
        head, _, values = line.partition(":")
        low = head.strip().lower()
        if low in ("занятость", "employment"):
            employment = employment_ids(values)
        elif low in ("график работы", "work schedule"):
            schedule = schedule_ids(values)
    return employment, schedule


def _salary(record: dict, text: str | None) -> None:
    parsed = parse_salary_text(text)
    if parsed is None:
        return
    amount = parsed.salary_from if parsed.salary_from is not None else parsed.salary_to
    record["salary_amount"] = amount
    record["salary_currency"] = parsed.currency
    record["salary_gross"] = parsed.gross


def _frontend(cell: dict[str, str]) -> dict:
    record = blank_resume("hh")
    source_id = clean_str(cell.get("resume_id"))
    if source_id is None:
        raise BadValue("missing id (resume_id is empty)")
    record["source_id"] = source_id
    record["title"] = clean_str(cell.get("desired_position"))
    _salary(record, cell.get("salary"))
    record["age_band"] = age_band(parse_age_years(cell.get("age")))
    record["gender"] = parse_gender(cell.get("gender"))
    record["region_raw"] = clean_str(cell.get("location"))
    record["skills_raw"] = split_list(cell.get("skills"))
    record["citizenship"] = _citizenship(cell.get("citizenship"))
    record["relocation_type"] = _relocation(cell.get("ready_to_relocate"))
    record["updated_at"] = parse_ts(cell.get("updated_at"), field="updated_at")
    record["observed_at"] = record["updated_at"]
    return record


def _ios(row: list[str]) -> dict:
    cells = _ios_cells(row)
    if cells is None:
        raise BadValue("unparseable row: no salary column found (broken quoting)")
    title, salary, experience = (c.strip().strip('"').strip() for c in cells)
    record = blank_resume("hh")
    record["source_id"] = content_id("ios-", [title, salary, experience])
    record["title"] = clean_str(title)
    _salary(record, salary)
    record["experience_months"] = parse_duration_months(experience)
    return record


def _java(cell: dict[str, str]) -> dict:
    record = blank_resume("hh")
    record["source_id"] = content_id(
        "java-",
        [
            cell.get(k)
            for k in ("name", "salary", "specialization", "sex", "age", "experience", "employment", "citizenship")
        ],
    )
    record["title"] = clean_str(cell.get("name"))
    amount = to_float(cell.get("salary"), field="salary")
    if amount:  # 0 means "not stated" in this scrape
        record["salary_amount"] = amount
        record["salary_currency"] = "KZT"  # scraped with currency_code=KZT on hh.kz
    record["gender"] = parse_gender(cell.get("sex"))
    record["age_band"] = age_band(parse_age_years(cell.get("age")))
    record["experience_months"] = parse_duration_months(cell.get("experience"))
    record["employment_raw"], record["schedule_raw"] = _employment_block(cell.get("employment"))
    record["citizenship"] = _citizenship(cell.get("citizenship"))
    record["area_id_raw"] = "40"  # the search was area=40 (Kazakhstan): residence filter
    record["region_raw"] = "Казахстан"
    return record


def _hh44k(cell: dict[str, str]) -> dict:
    record = blank_resume("hh")
    index = clean_str(cell.get("row_idx"))
    if index is None:
        raise BadValue("missing id (row_idx is empty)")
    record["source_id"] = f"hh44k:{index}"
    age = to_float(cell.get("age_years"), field="age_years")
    record["age_band"] = age_band(age)
    months = to_float(cell.get("experience_months"), field="experience_months")
    record["experience_months"] = None if months is None else int(round(months))
    amount = to_float(cell.get("salary_rub"), field="salary_rub")
    record["salary_amount"] = amount
    record["salary_currency"] = "RUR" if amount is not None else None
    return record


_BUILDERS = {"frontend": _frontend, "java": _java, "hh44k": _hh44k}


class ResumeCSV(BaseReader):
    """hh resume CSVs (frontend-2025, ios-2025, java-2023, 44k-numeric-2019 shapes)."""

    name = "resume-csv"
    kind = "resume"

    def score(self, head: Head) -> Score:
        return Score(0.9, self.kind, f"content of {self.name}") if self._claims(head.path, head.raw) else NO

    def _claims(self, path: Path, head: bytes) -> bool:
        return resume_variant(header_tokens(first_line(head))) is not None

    def read(self, path: Path) -> Iterator[Item]:
        variant: str | None = None
        for position, row, header in iter_rows(path, ","):
            if variant is None:
                variant = resume_variant(header)
                if variant is None:
                    raise UnreadableFileError(path, f"not a known resume CSV (header: {', '.join(header)[:200]})")
            if isinstance(row, csv.Error):
                yield Item.bad(position, self.kind, f"bad CSV row: {row}")
                continue
            try:
                if variant == "ios":
                    record = _ios(row)
                else:
                    if len(row) != len(header):
                        yield Item.bad(position, self.kind, f"row has {len(row)} fields, header has {len(header)}")
                        continue
                    record = _BUILDERS[variant](dict(zip(header, row)))
            except BadValue as exc:
                yield Item.bad(position, self.kind, str(exc))
                continue
            yield Item(position, self.kind, record)


_LINK_ID = re.compile(r"/vacancy/(\d+)")
_SPLIT = re.compile(r"[\"']\s*,\s*[\"']?|,\s*[\"']")


def _card_cells(line: str, width: int) -> list[str] | None:
    """Cells of a vacancy-card line quoted with ' or " (some lines have a quote missing)."""
    quote = line[0] if line[:1] in ("'", '"') else '"'
    row = next(csv.reader([line], quotechar=quote, skipinitialspace=True), [])
    if len(row) == width and _LINK_ID.search(row[0]):
        return [c.strip().strip("\"'").strip() for c in row]
    body = line.strip()
    body = body[1:] if body[:1] in ("'", '"') else body
    body = body[:-1] if body[-1:] in ("'", '"') else body
    cells = [c.strip().strip("\"'").strip() for c in _SPLIT.split(body)]
    return cells if len(cells) == width else None


def _excerpt(line: str) -> str:
    """The start of a card line without its URL (the employer may be a private person)."""
    m = _LINK_ID.search(line)
    return f"vacancy {m.group(1)}" if m else "row without a vacancy link"


class HHCardVacanciesCSV(BaseReader):
    """hh vacancy search cards ``vacancy_link,vacancy_title,vacancy_salary,experience,company,location``.

    The real file (hh-ios-2025/vacancies.csv) mixes single- and double-quoted lines and has
    lines with a missing quote, so lines are read one by one and repaired when possible.
    The link is read for the vacancy id only; the URL itself is never kept.
    """

    name = "hh-vacancy-cards-csv"
    kind = "vacancy"

    def score(self, head: Head) -> Score:
        return Score(0.9, self.kind, f"content of {self.name}") if self._claims(head.path, head.raw) else NO

    def _claims(self, path: Path, head: bytes) -> bool:
        cols = set(header_tokens(first_line(head)))
        return {"vacancy_link", "vacancy_salary"} <= cols

    def read(self, path: Path) -> Iterator[Item]:
        with open_text(path) as f:
            header_line = f.readline()
            header = [c.strip().strip("\"'").lower() for c in header_line.strip().split(",")]
            if "vacancy_link" not in header:
                raise UnreadableFileError(path, f"no vacancy_link column (header: {header_line.strip()[:200]})")
            for number, line in enumerate(f, start=1):
                line = line.strip()
                if not line:
                    continue
                cells = _card_cells(line, len(header))
                if cells is None:
                    yield Item.bad(
                        number,
                        self.kind,
                        f"unparseable row: expected {len(header)} fields (broken quoting)",
                        _excerpt(line),
                    )
                    continue
                try:
                    record = self._record(dict(zip(header, cells)))
                except BadValue as exc:
                    yield Item.bad(number, self.kind, str(exc), _excerpt(line))
                    continue
                yield Item(number, self.kind, record)

    @staticmethod
    def _record(cell: dict[str, str]) -> dict:
        m = _LINK_ID.search(cell.get("vacancy_link") or "")
        if m is None:
            raise BadValue("missing id (no /vacancy/<id> in vacancy_link)")
        record = blank_vacancy("hh")
        record["source_id"] = m.group(1)
        record["title"] = clean_str(cell.get("vacancy_title") or cell.get("title"))
        salary = parse_salary_text(cell.get("vacancy_salary"))
        if salary is not None:
            record.update(
                salary_from=salary.salary_from,
                salary_to=salary.salary_to,
                salary_currency=salary.currency,
                salary_gross=salary.gross,
                salary_period="month",
            )
        record["experience_raw"] = experience_id_from_text(cell.get("experience"))
        employer = clean_str(cell.get("company"))
        record["employer_name"] = None if looks_like_person_name(employer) else employer
        record["region_raw"] = clean_str(cell.get("location"))
        return record


READERS = [ResumeCSV(), HHCardVacanciesCSV()]
