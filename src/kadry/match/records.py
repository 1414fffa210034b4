"""The fields matching reads from the store, and only those.

Matching sees a resume through ``RESUME_FIELDS``: no age band, no gender, no free text. The
same lists define what an API response may carry about each side.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kadry.errors import NotFound

__all__ = ["FIELDS_OF", "VACANCY_FIELDS", "RESUME_FIELDS", "fetch", "fetch_one", "table_of", "id_column"]

VACANCY_FIELDS = [
    "vacancy_id",
    "title",
    "role_id",
    "region_code",
    "country_code",
    "remote",
    "salary_rub",
    "salary_rub_from",
    "salary_rub_to",
    "experience",
    "skills",
]
RESUME_FIELDS = [
    "resume_id",
    "title",
    "role_id",
    "region_code",
    "country_code",
    "remote",
    "salary_rub",
    "experience",
    "skills",
    "ready_to_relocate",
    "relocation_countries",
]
#: the fields matching reads, per table
FIELDS_OF = {"vacancies": VACANCY_FIELDS, "resumes": RESUME_FIELDS}


def table_of(kind: str) -> str:
    return {"vacancy": "vacancies", "vacancies": "vacancies", "resume": "resumes", "resumes": "resumes"}[kind]


def id_column(table: str) -> str:
    return "vacancy_id" if table == "vacancies" else "resume_id"


def _filters(table: str, open_only: bool, skip_duplicates: bool) -> str:
    parts = []
    if table == "vacancies":
        if open_only:
            parts.append("closed_at IS NULL")
        if skip_duplicates:
            parts.append("dup_of IS NULL")
    return "".join(f" AND {p}" for p in parts)


def fetch(
    con: Any, table: str, ids: Iterable[str], *, open_only: bool = False, skip_duplicates: bool = False
) -> dict[str, dict]:
    """Rows by id (missing or filtered ids are simply absent from the answer)."""
    ids = list(ids)
    if not ids:
        return {}
    cols = FIELDS_OF[table]
    key = id_column(table)
    # a list of parameters lets DuckDB probe the primary-key index (6x faster than unnest at 1M rows)
    sql = f"SELECT {', '.join(cols)} FROM {table} WHERE {key} IN ({', '.join('?' * len(ids))})" + _filters(
        table, open_only, skip_duplicates
    )
    rows = con.execute(sql, ids).fetchall()
    return {row[0]: dict(zip(cols, row)) for row in rows}


def fetch_one(con: Any, table: str, record_id: str) -> dict:
    """One row, or NotFound naming what was asked for."""
    found = fetch(con, table, [record_id])
    if record_id not in found:
        what = "vacancy" if table == "vacancies" else "resume"
        raise NotFound(f"no {what} with id {record_id!r} in the store", id=record_id)
    return found[record_id]
