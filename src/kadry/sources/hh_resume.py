"""api.hh.ru resume objects (``/resumes/{id}`` and resume search items) as canonical records.

Only the fields of the contract are read; names, contacts, photo, URLs, the free-text
``skills`` and every description in ``experience``/``education`` never enter a record.
The exact age becomes an age band here; the resume id is passed on as ``source_id`` for
the ingest pipeline to salt, hash into ``source_key`` and drop.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kadry.errors import UnreadableFileError
from kadry.schema import age_band
from kadry.sources.base import NO, BadValue, BaseReader, Head, Item, Score, clean_str, parse_ts, to_float
from kadry.sources.jsonstream import JsonBad, iter_json_objects, looks_like_json
from kadry.sources.records import blank_resume
from kadry.sources.text_values import parse_gender

__all__ = ["HHResumeJSON", "resume_from_hh", "READERS"]

_SUFFIXES = {".json", ".jsonl", ".ndjson", ".gz"}


def _get(obj: object, *path: str) -> object:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _values(items: object, key: str) -> list[str]:
    """``key`` of each object in a list (or of a lone object); blanks skipped."""
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        return []
    out = []
    for item in items:
        value = item.get(key) if isinstance(item, dict) else item if key == "id" else None
        text = clean_str(value) if not isinstance(value, (dict, list)) else None
        if text is not None:
            out.append(text)
    return out


def _int(value: object, field: str) -> int | None:
    number = to_float(value, field=field) if not isinstance(value, (dict, list)) else None
    return None if number is None else int(round(number))


def resume_from_hh(obj: dict) -> dict:
    """The canonical raw record of one hh resume object (raises BadValue if impossible)."""
    source_id = clean_str(obj.get("id")) if not isinstance(obj.get("id"), (dict, list)) else None
    if source_id is None:
        raise BadValue("missing id")
    record = blank_resume("hh")
    record["source_id"] = source_id
    record["title"] = clean_str(obj.get("title")) if isinstance(obj.get("title"), str) else None
    record["role_ids_raw"] = _values(obj.get("professional_roles"), "id")
    record["area_id_raw"] = clean_str(_get(obj, "area", "id"))
    record["region_raw"] = clean_str(_get(obj, "area", "name"))
    raw_salary = obj.get("salary")
    salary = raw_salary if isinstance(raw_salary, dict) else {}
    record["salary_amount"] = to_float(salary.get("amount"), field="salary.amount")
    record["salary_currency"] = clean_str(salary.get("currency")) if record["salary_amount"] is not None else None
    record["salary_gross"] = salary.get("gross") if isinstance(salary.get("gross"), bool) else None
    record["experience_months"] = _int(_get(obj, "total_experience", "months"), "total_experience.months")
    record["age_band"] = age_band(_int(obj.get("age"), "age"))
    record["gender"] = parse_gender(_get(obj, "gender", "id"))
    record["skills_raw"] = [s for s in (clean_str(x) for x in obj.get("skill_set") or [] if isinstance(x, str)) if s]
    record["employment_raw"] = _values(obj.get("employments") or obj.get("employment"), "id")
    record["schedule_raw"] = _values(obj.get("schedules") or obj.get("schedule"), "id")
    record["relocation_type"] = clean_str(_get(obj, "relocation", "type", "id"))
    record["relocation_area_ids"] = _values(_get(obj, "relocation", "area"), "id")
    record["relocation_areas_raw"] = _values(_get(obj, "relocation", "area"), "name")
    citizenship = obj.get("citizenship")
    record["citizenship"] = _values(citizenship, "id") or _values(citizenship, "name")
    record["created_at"] = parse_ts(obj.get("created_at"), field="created_at")
    record["updated_at"] = parse_ts(obj.get("updated_at"), field="updated_at")
    record["observed_at"] = record["updated_at"]
    return record


class HHResumeJSON(BaseReader):
    """hh resumes: one object per file, arrays, JSON lines, ``{"items": [...]}`` pages, directories."""

    name = "hh-resume-json"
    kind = "resume"

    def score(self, head: Head) -> Score:
        return Score(0.9, self.kind, f"content of {self.name}") if self._claims(head.path, head.raw) else NO

    def _claims(self, path: Path, head: bytes) -> bool:
        if not looks_like_json(head):
            return False
        text = head[:8192]
        return (
            b'"total_experience"' in text
            or b'"skill_set"' in text
            or (b'"last_name"' in text and b'"title"' in text and b'"employer"' not in text)
        )

    def read(self, path: Path) -> Iterator[Item]:
        if not path.is_dir():
            yield from self._read_file(path, 0)
            return
        position = 0
        for child in sorted(path.rglob("*")):
            if not child.is_file() or child.name.startswith(".") or child.suffix.lower() not in _SUFFIXES:
                continue
            try:
                for item in self._read_file(child, position):
                    position = item.position + 1
                    yield item
            except UnreadableFileError as exc:
                yield Item.bad(position, self.kind, f"{child.name}: {exc.reason}")
                position += 1

    def _read_file(self, path: Path, offset: int) -> Iterator[Item]:
        for position, obj in iter_json_objects(path):
            position += offset
            if isinstance(obj, JsonBad):
                yield Item.bad(position, self.kind, obj.reason)
            elif not isinstance(obj, dict):
                yield Item.bad(position, self.kind, f"not a JSON object but {type(obj).__name__}")
            else:
                try:
                    yield Item(position, self.kind, resume_from_hh(obj))
                except BadValue as exc:
                    yield Item.bad(position, self.kind, str(exc))


READERS = [HHResumeJSON()]
