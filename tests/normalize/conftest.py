"""Helpers for normalization tests: insert raw rows the way a reader would leave them."""

from __future__ import annotations

from datetime import datetime

import pytest

from kadry.schema import RAW_OBSERVATION_FIELDS, RAW_RESUME_FIELDS, RAW_VACANCY_FIELDS

_LISTS = {
    "role_ids_raw",
    "skills_raw",
    "work_format_raw",
    "employment_raw",
    "schedule_raw",
    "relocation_area_ids",
    "relocation_areas_raw",
    "citizenship",
}


def _insert(con, table: str, fields: list[str], row: dict) -> None:
    values = {f: row.get(f, [] if f in _LISTS else None) for f in fields}
    cols = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    con.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(values.values()))


@pytest.fixture
def add_vacancy():
    def add(store, source_id: str, **fields) -> str:
        row = {"source": "hh", "source_id": source_id, "simulated": False, **fields}
        row["vacancy_id"] = f"{row['source']}:{source_id}"
        _insert(store.con, "vacancies", RAW_VACANCY_FIELDS, row)
        seen = fields.get("published_at") or datetime(2022, 12, 1)
        store.con.execute(
            "UPDATE vacancies SET first_seen = ?, last_seen = ? WHERE vacancy_id = ?", [seen, seen, row["vacancy_id"]]
        )
        _insert(
            store.con,
            "observations",
            RAW_OBSERVATION_FIELDS,
            {
                "kind": "vacancy",
                "record_id": row["vacancy_id"],
                "observed_at": seen,
                "source_file": fields.get("_file", "/data/vacancies/test-set/file.csv"),
                "area_id_raw": fields.get("area_id_raw"),
                "region_raw": fields.get("region_raw"),
            },
        )
        return row["vacancy_id"]

    return add


@pytest.fixture
def add_resume():
    def add(store, key: str, **fields) -> str:
        row = {"source": "hh", "source_key": key, "simulated": False, **fields}
        row["resume_id"] = f"{row['source']}:{key}"
        _insert(store.con, "resumes", RAW_RESUME_FIELDS, row)
        return row["resume_id"]

    return add
