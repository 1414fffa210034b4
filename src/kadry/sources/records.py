"""Empty canonical records and content ids shared by the readers of this package's formats.

Every reader starts from the same blank record so that a field a source lacks is present
as None (or an empty list), never missing, and a record never carries a key outside the
contract (kadry.schema raw columns plus the observation fields).
"""

from __future__ import annotations

import hashlib

from kadry.schema import RAW_OBSERVATION_FIELDS, RAW_RESUME_FIELDS, RAW_VACANCY_FIELDS, RESUME, VACANCY

__all__ = [
    "VACANCY_RECORD_FIELDS",
    "RESUME_RECORD_FIELDS",
    "blank_vacancy",
    "blank_resume",
    "content_id",
]

#: keys a vacancy reader may emit: raw columns (minus keys the pipeline makes) + observation
VACANCY_RECORD_FIELDS = [f for f in RAW_VACANCY_FIELDS if f not in ("vacancy_id", "simulated")] + [
    "observed_at",
    "archived",
]
#: keys a resume reader may emit; ``source_id`` is salted and hashed into source_key by ingest
RESUME_RECORD_FIELDS = [f for f in RAW_RESUME_FIELDS if f not in ("resume_id", "source_key", "simulated")] + [
    "source_id",
    "observed_at",
]
assert set(RAW_OBSERVATION_FIELDS) >= {"observed_at", "archived"}

_LISTS = {c.name for c in VACANCY + RESUME if c.type.endswith("[]")}


_VACANCY_NONE = dict.fromkeys(VACANCY_RECORD_FIELDS)
_VACANCY_LISTS = [f for f in VACANCY_RECORD_FIELDS if f in _LISTS]
_RESUME_NONE = dict.fromkeys(RESUME_RECORD_FIELDS)
_RESUME_LISTS = [f for f in RESUME_RECORD_FIELDS if f in _LISTS]


def blank_vacancy(source: str) -> dict:
    record = dict(_VACANCY_NONE)
    for name in _VACANCY_LISTS:
        record[name] = []
    record["source"] = source
    return record


def blank_resume(source: str) -> dict:
    record = dict(_RESUME_NONE)
    for name in _RESUME_LISTS:
        record[name] = []
    record["source"] = source
    return record


def content_id(prefix: str, cells: list[object]) -> str:
    """A stable id for a row that has none: the same cells give the same id in every file."""
    key = "\x1f".join("" if c is None else str(c).strip() for c in cells)
    return f"{prefix}{hashlib.sha1(key.encode('utf-8')).hexdigest()[:20]}"
