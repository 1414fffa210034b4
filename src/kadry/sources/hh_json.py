"""api.hh.ru vacancy objects: the 2023 full format, the 2025 format, and search-result items.

Fields that are missing, null, renamed (salary -> salary_range, employment -> employment_form)
or added never break the reader: every lookup is defensive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from kadry.sources.base import BadValue, Item, clean_str, parse_ts, strip_html, to_float
from kadry.sources.jsonstream import JsonBad, iter_json_objects, looks_like_json

__all__ = ["HHVacancyJSON", "vacancy_from_hh", "READERS"]

_PERIOD = {"MONTH": "month", "HOUR": "hour", "DAY": "day", "SHIFT": "shift", "FLY_IN_FLY_OUT": "month", "YEAR": "year"}
_EMPLOYMENT_FORM = {"FULL": "full", "PART": "part", "PROJECT": "project", "FLY_IN_FLY_OUT": "full", "SIDE_JOB": "part"}


def _get(obj: object, *path: str) -> object:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _ids(values: object, key: str = "id") -> list[str]:
    if not isinstance(values, list):
        return []
    out = []
    for v in values:
        value = v.get(key) if isinstance(v, dict) else v
        text = clean_str(value)
        if text is not None:
            out.append(text)
    return out


def vacancy_from_hh(obj: dict) -> dict:
    """The canonical raw record of one hh vacancy object (raises BadValue if impossible)."""
    salary = obj.get("salary_range") if isinstance(obj.get("salary_range"), dict) else obj.get("salary")
    salary = salary if isinstance(salary, dict) else {}
    period = _PERIOD.get(str(_get(salary, "mode", "id") or "").upper(), "month")
    employment = clean_str(_get(obj, "employment", "id"))
    if employment is None:
        form = clean_str(_get(obj, "employment_form", "id"))
        employment = _EMPLOYMENT_FORM.get(form.upper(), form.lower()) if form else None
    description = strip_html(obj.get("description"))
    if description is None and isinstance(obj.get("snippet"), dict):
        parts = [strip_html(obj["snippet"].get(k)) for k in ("requirement", "responsibility")]
        description = "\n".join(p for p in parts if p) or None
    archived = obj.get("archived")
    published = parse_ts(obj.get("published_at"), field="published_at")
    created = parse_ts(obj.get("created_at") or obj.get("initial_created_at"), field="created_at")
    simulated = obj.get("simulated") is True  # kadry simulate --jsonl marks its objects
    return {
        "source": "sim" if simulated else "hh",
        "simulated": simulated,
        "source_id": clean_str(obj.get("id")),
        "title": clean_str(obj.get("name")),
        "description": description,
        "employer_id": clean_str(_get(obj, "employer", "id")),
        "employer_name": clean_str(_get(obj, "employer", "name")),
        "role_ids_raw": _ids(obj.get("professional_roles")),
        "area_id_raw": clean_str(_get(obj, "area", "id")),
        "region_raw": clean_str(_get(obj, "area", "name")) or clean_str(_get(obj, "address", "city")),
        "salary_from": to_float(salary.get("from"), field="salary.from"),
        "salary_to": to_float(salary.get("to"), field="salary.to"),
        "salary_currency": clean_str(salary.get("currency")),
        "salary_gross": salary.get("gross") if isinstance(salary.get("gross"), bool) else None,
        "salary_period": period if salary else None,
        "experience_raw": clean_str(_get(obj, "experience", "id")),
        "employment": employment,
        "schedule": clean_str(_get(obj, "schedule", "id")),
        "work_format_raw": _ids(obj.get("work_format")),
        "skills_raw": _ids(obj.get("key_skills"), "name"),
        "published_at": published,
        "created_at": created,
        "archived_at": parse_ts(obj.get("archived_at"), field="archived_at"),
        "archived": bool(archived) if isinstance(archived, bool) else None,
    }


class HHVacancyJSON:
    """api.hh.ru vacancies: one object per file, arrays, JSON lines, ``{"items": [...]}`` pages."""

    name = "hh-json"
    kind = "vacancy"

    def sniff(self, path: Path, head: bytes) -> bool:
        if not looks_like_json(head):
            return False
        text = head[:8192].decode("utf-8", "replace")
        # resumes have last_name/total_experience; trudvsem wraps in "results"/"vacancy"
        if '"categories"' in text and '"roles"' in text:  # the professional_roles dictionary
            return False
        if '"total_experience"' in text or '"last_name"' in text or '"results"' in text and '"vacancies"' in text:
            return False
        return '"name"' in text or '"items"' in text or '"professional_roles"' in text

    def read(self, path: Path) -> Iterator[Item]:
        for position, obj in iter_json_objects(path):
            if isinstance(obj, JsonBad):
                yield Item.bad(position, self.kind, obj.reason, obj.text)
                continue
            if not isinstance(obj, dict):
                yield Item.bad(position, self.kind, f"not a JSON object but {type(obj).__name__}", obj)
                continue
            try:
                record = vacancy_from_hh(obj)
            except BadValue as exc:
                yield Item.bad(position, self.kind, str(exc), obj.get("id"))
                continue
            yield Item(position, self.kind, record)


READERS = [HHVacancyJSON()]
