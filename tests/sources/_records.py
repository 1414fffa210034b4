"""Helpers for the reader tests: the keys a record may carry, and splitting items."""

from __future__ import annotations

import json

from kadry.sources.records import RESUME_RECORD_FIELDS, VACANCY_RECORD_FIELDS

VACANCY_KEYS = set(VACANCY_RECORD_FIELDS)
RESUME_KEYS = set(RESUME_RECORD_FIELDS)


def split(items):
    """(records by position, reasons by position) of a list of Items."""
    good = {i.position: i.record for i in items if i.record is not None}
    bad = {i.position: i.reason for i in items if i.record is None}
    assert not set(good) & set(bad), "a position is both stored and quarantined"
    assert len(good) + len(bad) == len(items), "two items share a position"
    return good, bad


def dump(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, default=str)
