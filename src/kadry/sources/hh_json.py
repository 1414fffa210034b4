"""api.hh.ru vacancy objects: the 2023 full format, the 2025 format, and search-result items.

Fields that are missing, null, renamed (salary -> salary_range, employment -> employment_form)
or added never break the reader: every lookup is defensive.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from kadry.sources.base import NO, BadValue, BaseReader, Head, Item, Score, clean_str, parse_ts, strip_html, to_float
from kadry.sources.jsonstream import JsonBad, canon_keys, iter_json_objects

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


_NESTED = (
    "salary_range",
    "salary",
    "area",
    "employer",
    "experience",
    "schedule",
    "employment_form",
    "employment",
    "address",
    "snippet",
)
#: keys of an hh vacancy object (canonical spelling); flat exports spell nested ones area_name, salary_from
_HH_KEYS = {
    "id",
    "name",
    "area",
    "salary",
    "salary_range",
    "employer",
    "published_at",
    "created_at",
    "experience",
    "schedule",
    "employment",
    "employment_form",
    "key_skills",
    "professional_roles",
    "description",
    "snippet",
    "alternate_url",
    "url",
    "archived",
    "address",
    "type",
    "work_format",
    "working_hours",
    "premium",
    "has_test",
    "response_url",
    "apply_alternate_url",
    "department",
    "contacts",
    "billing_type",
    "accept_handicapped",
    "accept_kids",
    "specializations",
    "initial_created_at",
    "relations",
    "insider_interview",
    "allow_messages",
    "languages",
    "driver_license_types",
    "accept_incomplete_resumes",
    "accept_temporary",
    "test",
    "code",
    "hidden",
    "quick_responses_allowed",
    "negotiations_url",
    "suitable_resumes_url",
    "branded_description",
    "vacancy_constructor_template",
    "response_letter_required",
    "show_logo_in_search",
    "sort_point_distance",
    "counters",
    "is_adv_vacancy",
    "adv_response_url",
    "schedule_by_days",
    "working_days",
    "working_time_intervals",
    "working_time_modes",
    "fly_in_fly_out_duration",
    "internship",
    "night_shifts",
    "archived_at",
    "simulated",
    "employer_name",
    "area_name",
    "salary_from",
    "salary_to",
    "salary_currency",
    "salary_gross",
    "area_id",
    "employer_id",
    "experience_id",
    "schedule_id",
    "employment_id",
    "brand_snippet",
    "show_contacts",
    "adv_context",
    "branding",
    "experimental_modes",
}


def unflatten(obj: dict) -> dict:
    """A flat export's ``area_name``/``salary_from``/... folded back into hh's nested objects.

    Keys must be canonical already (``canon_keys``); a nested object present wins.
    """
    out = dict(obj)
    for key, value in obj.items():
        split = _nested_key(key)
        if split is None:
            continue
        prefix, inner = split
        nested = out.get(prefix)
        if nested is None:
            nested = out[prefix] = {}
        if isinstance(nested, dict) and inner not in nested:
            nested[inner] = value
        del out[key]
    return out


@lru_cache(maxsize=65_536)
def _nested_key(key: str) -> tuple[str, str] | None:
    """``area_name`` -> (``area``, ``name``); None for a key that is not a flattened nested one."""
    if key in _NESTED:
        return None
    for prefix in _NESTED:
        if key.startswith(prefix + "_") and key != prefix:
            inner = key[len(prefix) + 1 :]
            if prefix == "salary" and inner == "range":
                return None
            return prefix, inner
    return None


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


class HHVacancyJSON(BaseReader):
    """api.hh.ru vacancies: one object per file, arrays, JSON lines, ``{"items": [...]}`` pages."""

    name = "hh-json"
    kind = "vacancy"

    def score(self, head: Head) -> Score:
        objs = [o for o in head.objects if isinstance(o, dict)]
        if not head.is_json or not objs:
            return NO
        keys = {k for o in objs for k in o}
        if {"total_experience", "last_name", "skill_set", "first_name"} & keys:
            return Score(0.0, "resume", "resume keys")
        if "results" in keys or "vacancies" in keys or {"categories"} <= keys:
            return NO

        def fits(o: dict) -> bool:
            names = set(o)
            return "name" in names and "id" in names and len(names & _HH_KEYS) >= 3

        good = sum(fits(o) for o in objs) / len(objs)
        share = len(keys & _HH_KEYS) / len(keys)
        value = round(good * (0.5 + 0.5 * share), 2)
        return Score(
            value, "vacancy", f"{good:.0%} of the first objects are hh vacancies, {share:.0%} of their keys are hh's"
        )

    #: JSON lines of this reader are read on every core (kadry.ingest.lines), by ``item``
    json_lines = True

    def read(self, path: Path) -> Iterator[Item]:
        for position, obj in iter_json_objects(path):
            yield self.item(position, obj)

    def item(self, position: int, obj: object) -> Item:
        """One value of the file (or the JsonBad of a line that does not parse) as the record code reads it."""
        if isinstance(obj, JsonBad):
            return Item.bad(position, self.kind, obj.reason, obj.text)
        if not isinstance(obj, dict):
            return Item.bad(position, self.kind, f"not a JSON object but {type(obj).__name__}", obj)
        try:
            record = vacancy_from_hh(unflatten(canon_keys(obj)))  # type: ignore[arg-type]
        except BadValue as exc:
            return Item.bad(position, self.kind, str(exc), obj.get("id"))
        return Item(position, self.kind, record)


READERS = [HHVacancyJSON()]
