"""Vacancies of the state portal «Работа России» (trudvsem.ru) from its open data.

Two public shapes are read, both by field *name* (case, ``-``/``_`` and nesting ignored),
so a renamed, missing or added field never breaks a read:

- the JSON API answer ``opendata.trudvsem.ru/api/v1/vacancies``:
  ``{"status", "meta", "results": {"vacancies": [{"vacancy": {"id", "job-name",
  "region": {"region_code", "name"}, "company": {"inn", "ogrn", "name", ...},
  "creation-date", "date", "salary", "salary_min", "salary_max", "currency",
  "employment", "schedule", "duty", "requirement": {"education", "experience",
  "qualification"}, "addresses": {"address": [{"location", "lat", "lng"}]},
  "vac_url", ...}}]}}`` — field names as used by public clients, e.g.
  MarBel2097-create/trudvsem-analysis ``trudvsem_parser.py`` and the Java client
  ``TrudVsemToVacancy`` (salary_min/max, creation-date, requirement.experience in years);
- the open-data dumps ``opendata.trudvsem.ru/json/vacancy_N.json`` (``{"vacancies": [{flat
  object}]}``, names as in FedorSomov/trudvsem_opendata_vacanices_json_to_excel
  ``Json_To_Xslx.py``: ``vacancy_name``, ``salary_min``, ``date_create``, ``date_modify``,
  ``state_region_code``, ``vacancy_address``, ``busy_type``, ``schedule_type``,
  ``required_experience``, ``company.{name,inn,ogrn,companycode}``) and the CSV exports
  ``opendata.trudvsem.ru/csv/vacancy.csv`` with the same names as columns, ``|``-separated
  like the portal's other CSVs (cv.csv, company.csv), ``;``/``,``/TAB tolerated, UTF-8 or
  cp1251, gzipped or not.

Contacts (``contact_person``, ``contact_list``, phones, e-mails) and URLs are never read.
Salaries are roubles; a bound of 0 means "not stated".
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from kadry.errors import UnreadableFileError
from kadry.schema import experience_band
from kadry.sources.base import (
    NO,
    BadValue,
    BaseReader,
    Head,
    Item,
    Score,
    clean_str,
    head_bytes,
    parse_ts,
    strip_html,
    to_float,
)
from kadry.sources.csvstream import first_line, header_tokens, iter_rows
from kadry.sources.jsonstream import JsonBad, iter_json_objects, looks_like_json
from kadry.sources.records import blank_vacancy
from kadry.sources.text_values import (
    currency_code,
    employment_ids,
    looks_like_person_name,
    parse_salary_text,
    schedule_ids,
)

__all__ = ["TrudvsemJSON", "TrudvsemCSV", "vacancy_from_trudvsem", "flatten", "READERS"]

SOURCE = "trudvsem"


_NOT_ALNUM = re.compile(r"[^0-9a-zа-яё]")


@lru_cache(maxsize=8192)
def _norm(key: str) -> str:
    return _NOT_ALNUM.sub("", key.lower())


def flatten(obj: dict, prefix: str = "") -> dict[str, object]:
    """Nested objects as one level of normalized keys (``company.inn`` -> ``companyinn``)."""
    out: dict[str, object] = {}
    for key, value in obj.items():
        name = prefix + _norm(str(key))
        if isinstance(value, dict):
            out.update(flatten(value, name))
        else:
            out.setdefault(name, value)
    return out


# canonical -> normalized names seen in the API answer, the JSON dumps, the CSV and the XML dumps
_ALIASES: dict[str, tuple[str, ...]] = {
    "source_id": ("id", "vacancyid", "identifier", "vacid", "globalid"),
    "title": ("jobname", "vacancyname", "title", "positionname", "vacancytitle", "name"),
    "employer_name": (
        "companyname",
        "companyfullname",
        "fullcompanyname",
        "organization",
        "hiringorganizationname",
        "employer",
        "company",
        "companyshortname",
    ),
    # not the INN: for a private entrepreneur it is a person's tax number
    "employer_id": (
        "companycompanycode",
        "companycode",
        "companyogrn",
        "ogrn",
        "hiringorganizationidentifier",
        "companyid",
    ),
    "region_raw": ("regionname", "region", "stateregionname", "regionnamestr"),
    "address": ("addressesaddress", "vacancyaddress", "joblocationaddress", "address", "location", "addresses"),
    "salary_from": ("salarymin", "basesalarymin", "basesalarysalarymin", "salaryfrom"),
    "salary_to": ("salarymax", "basesalarymax", "basesalarysalarymax", "salaryto"),
    "salary_text": ("salary", "basesalary", "basesalarysalary"),
    "currency": ("currency", "salarycurrency"),
    "created_at": ("creationdate", "datecreate", "datecreation", "createdate", "createdat"),
    "published_at": ("dateposted", "datepublish", "publishdate", "datepublished", "publishedat", "datetimeposted"),
    "updated_at": (
        "date",
        "datemodify",
        "modifydate",
        "datemodifyinnerinfo",
        "innerinfodatemodify",
        "modifiedat",
        "datelastupdated",
        "updatedat",
    ),
    "archived_at": ("archivedat", "datearchive", "archivedate", "dateinactivation", "inactivedate", "dateclose"),
    "archived": ("archived", "isarchived", "inactive", "disabled"),
    "experience": (
        "requirementexperience",
        "requiredexperience",
        "experiencerequirements",
        "requirementsexperiencerequirements",
        "experience",
    ),
    "employment": ("employment", "busytype", "employmenttype"),
    "schedule": ("schedule", "scheduletype", "scheduletypes"),
    "duty": ("duty", "responsibilities", "description"),
    "qualification": ("requirementqualification", "requirementsqualifications", "qualification"),
    "skills": ("hardskills", "skills", "requirementhardskills"),
    # the portal's occupation code, as the API answers name it (``code_profession``)
    "profession_code_raw": ("codeprofession", "professioncode", "profession"),
}
_TRUE = {"1", "true", "yes", "да", "y"}


def _pick(flat: dict[str, object], name: str) -> object:
    for alias in _ALIASES[name]:
        value = flat.get(alias)
        if value not in (None, "", [], {}):
            return value
    return None


def _text(value: object) -> str | None:
    return clean_str(value) if not isinstance(value, (dict, list)) else None


def _bound(value: object, field: str) -> float | None:
    number = to_float(value, field=field) if not isinstance(value, (dict, list)) else None
    return None if not number else number  # 0 = not stated


def _region(flat: dict[str, object]) -> str | None:
    region = _pick(flat, "region_raw")
    if isinstance(region, str) and clean_str(region):
        return clean_str(region)
    address = _pick(flat, "address")
    if isinstance(address, dict):
        address = address.get("address") or address.get("location")
    if isinstance(address, list):
        address = next((a for a in address if a), None)
    if isinstance(address, dict):
        address = address.get("location") or address.get("address")
    return _text(address)


def _experience(value: object) -> str | None:
    """Required experience: trudvsem gives whole years; hh-style text is mapped too."""
    if value is None or isinstance(value, (dict, list)):
        return None
    try:
        years = float(str(value).strip().replace(",", "."))
    except ValueError:
        return clean_str(value)
    if years < 0:
        raise BadValue(f"negative experience: {value!r}")
    return experience_band(years * 12)


def _first_id(ids: list[str]) -> str | None:
    return ids[0] if ids else None


def _skills(value: object) -> list[str]:
    if isinstance(value, str):
        return [s.strip() for s in re.split(r"[;,|]", value) if s.strip()]
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict):
                item = next((v for v in item.values() if isinstance(v, str) and v.strip()), None)
            text = clean_str(item)
            if text:
                out.append(text)
        return out
    return []


def _ts(value: object, field: str) -> datetime | None:
    """A timestamp from text or epoch seconds/millis (a nested value is ignored, not fatal)."""
    if isinstance(value, (dict, list, bool)):
        return None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) >= 9:
        value = int(value.strip())  # epoch in a CSV cell
    return parse_ts(value, field=field)


def _archived(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    return str(value).strip().lower() in _TRUE


def vacancy_from_trudvsem(obj: dict) -> dict:
    """The canonical raw record of one trudvsem vacancy (raises BadValue if impossible)."""
    if isinstance(obj.get("vacancy"), dict):
        obj = obj["vacancy"]
    flat = flatten(obj)
    source_id = _text(_pick(flat, "source_id"))
    if source_id is None:
        raise BadValue("missing id")
    record = blank_vacancy(SOURCE)
    record["source_id"] = source_id
    record["title"] = _text(_pick(flat, "title"))
    employer = _text(_pick(flat, "employer_name"))
    record["employer_name"] = None if looks_like_person_name(employer) else employer
    record["employer_id"] = _text(_pick(flat, "employer_id"))
    record["region_raw"] = _region(flat)
    record["profession_code_raw"] = _text(_pick(flat, "profession_code_raw"))

    lo = _bound(_pick(flat, "salary_from"), "salary_min")
    hi = _bound(_pick(flat, "salary_to"), "salary_max")
    currency = currency_code(_text(_pick(flat, "currency")))
    if lo is None and hi is None:
        parsed = parse_salary_text(_text(_pick(flat, "salary_text")))
        if parsed is not None:
            lo, hi = parsed.salary_from or None, parsed.salary_to or None
            currency = currency or parsed.currency
    if lo is not None or hi is not None:
        record.update(salary_from=lo, salary_to=hi, salary_currency=currency or "RUR", salary_period="month")

    record["experience_raw"] = _experience(_pick(flat, "experience"))
    record["employment"] = _first_id(employment_ids(_text(_pick(flat, "employment"))))
    record["schedule"] = _first_id(schedule_ids(_text(_pick(flat, "schedule"))))
    parts = [strip_html(_text(_pick(flat, "duty"))), strip_html(_text(_pick(flat, "qualification")))]
    record["description"] = "\n".join(p for p in parts if p) or None
    record["skills_raw"] = _skills(_pick(flat, "skills"))

    created = _ts(_pick(flat, "created_at"), "creation-date")
    updated = _ts(_pick(flat, "updated_at"), "date")
    record["created_at"] = created
    record["published_at"] = _ts(_pick(flat, "published_at"), "date_posted") or created
    record["archived_at"] = _ts(_pick(flat, "archived_at"), "archived_at")
    archived = _archived(_pick(flat, "archived"))
    record["archived"] = True if record["archived_at"] is not None else archived
    record["observed_at"] = updated or created
    return record


def _looks_trudvsem_json(head: bytes) -> bool:
    text = head[:8192]
    return (
        b'"job-name"' in text
        or b'"vac_url"' in text
        or b'"vacancy_name"' in text
        or (b'"results"' in text and b'"vacancies"' in text)
    )


class TrudvsemJSON(BaseReader):
    """trudvsem API answers, open-data JSON dumps, arrays or JSON lines of their vacancies."""

    name = "trudvsem-json"
    kind = "vacancy"

    def score(self, head: Head) -> Score:
        return Score(0.9, self.kind, f"content of {self.name}") if self._claims(head.path, head.raw) else NO

    def _claims(self, path: Path, head: bytes) -> bool:
        return looks_like_json(head) and _looks_trudvsem_json(head)

    def read(self, path: Path) -> Iterator[Item]:
        key = "results.vacancies" if b'"results"' in head_bytes(path, 65536) else "vacancies"
        position = 0
        for _, obj in iter_json_objects(path, items_key=key):
            for element in self._elements(obj):
                yield self._item(position, element)
                position += 1

    @staticmethod
    def _elements(obj: object) -> Iterator[object]:
        """An API answer / dump holds a list of vacancies; anything else is one vacancy."""
        if isinstance(obj, dict) and "id" not in obj:
            results = obj.get("results")
            inner = results.get("vacancies") if isinstance(results, dict) else obj.get("vacancies")
            if isinstance(inner, list):
                yield from inner
                return
            if isinstance(results, dict) or "meta" in obj or "status" in obj:
                return  # an answer with no vacancies
        yield obj

    def _item(self, position: int, obj: object) -> Item:
        if isinstance(obj, JsonBad):
            return Item.bad(position, self.kind, obj.reason, obj.text)
        if not isinstance(obj, dict):
            return Item.bad(position, self.kind, f"not a JSON object but {type(obj).__name__}", obj)
        try:
            return Item(position, self.kind, vacancy_from_trudvsem(obj))
        except BadValue as exc:
            nested = obj.get("vacancy")
            inner = nested if isinstance(nested, dict) else obj
            return Item.bad(position, self.kind, str(exc), inner.get("id"))


_CSV_TITLES = {"jobname", "vacancyname"}
_CSV_MARKERS = {
    "vacurl",
    "salarymin",
    "salarymax",
    "stateregioncode",
    "datecreate",
    "creationdate",
    "busytype",
    "companyinn",
    "companycode",
    "regionname",
    "requiredexperience",
}


class TrudvsemCSV(BaseReader):
    """trudvsem open-data vacancy CSV (``vacancy.csv``), columns found by name."""

    name = "trudvsem-csv"
    kind = "vacancy"

    def score(self, head: Head) -> Score:
        return Score(0.9, self.kind, f"content of {self.name}") if self._claims(head.path, head.raw) else NO

    def _claims(self, path: Path, head: bytes) -> bool:
        if looks_like_json(head):
            return False
        cols = {_norm(c) for c in header_tokens(first_line(head))}
        return bool(cols & (_CSV_TITLES | {"vacurl"})) and len(cols & _CSV_MARKERS) >= 2

    def read(self, path: Path) -> Iterator[Item]:
        names: list[str] | None = None
        for position, row, header in iter_rows(path):
            if names is None:
                names = [_norm(h) for h in header]
                if not set(names) & set(_ALIASES["source_id"]):
                    raise UnreadableFileError(path, f"no id column in trudvsem CSV (header: {', '.join(header)[:200]})")
            if isinstance(row, csv.Error):
                yield Item.bad(position, self.kind, f"bad CSV row: {row}")
                continue
            # excerpts carry the row's first cell (its id) only: rows also hold contact persons
            if len(row) != len(names):
                yield Item.bad(position, self.kind, f"row has {len(row)} fields, header has {len(names)}", row[0])
                continue
            obj = {name: value for name, value in zip(names, row) if name}
            try:
                yield Item(position, self.kind, vacancy_from_trudvsem(obj))
            except BadValue as exc:
                yield Item.bad(position, self.kind, str(exc), row[0])


READERS = [TrudvsemJSON(), TrudvsemCSV()]
