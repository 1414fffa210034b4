"""Bulk load of Parquet already in the canonical shape (the simulator's output, other stores' exports).

The same accounting as the record-by-record path, done in SQL so tens of millions of rows
load at DuckDB's speed: rows failing the same checks are quarantined, known ids are merged,
sightings are added once, and the lifecycle is derived from the observations.
"""

from __future__ import annotations

from pathlib import Path

from kadry.errors import UnreadableFileError
from kadry.ingest.outcome import Counts, FileResult
from kadry.ingest.rules import FIELD_RULES, reason_sql
from kadry.schema import RAW_OBSERVATION_FIELDS, RAW_RESUME_FIELDS, RAW_VACANCY_FIELDS
from kadry.store import Store
from kadry.store.writes import log_file, refresh_lifecycle_sql, transaction

__all__ = ["ingest_canonical", "is_canonical_folder"]

_PARTS = {
    "vacancies": ("vacancy", "vacancy_id", RAW_VACANCY_FIELDS),
    "resumes": ("resume", "resume_id", RAW_RESUME_FIELDS),
}


def _glob(root: Path, name: str) -> str | None:
    folder, single = root / name, root / f"{name}.parquet"
    if folder.is_dir() and any(folder.glob("*.parquet")):
        return str(folder / "*.parquet").replace("'", "''")
    if single.is_file():
        return str(single).replace("'", "''")
    return None


def _reason_sql(kind: str) -> str:
    return reason_sql(kind, "source_id" if kind == "vacancy" else "source_key")


def ingest_canonical(store: Store, root: Path, kinds: tuple[str, ...] = ("vacancy", "resume")) -> FileResult:
    """Load a canonical Parquet folder; ``kinds`` limits it to vacancies or resumes (and their sightings)."""
    root = Path(root)
    if not root.is_dir():
        raise UnreadableFileError(
            root, "canonical input must be a directory with vacancies/, resumes/, observations/ Parquet"
        )
    result = FileResult(str(root.resolve()), "canonical")
    con = store.con
    found = False
    with transaction(con, store.path):
        for table, (kind, key, raw) in _PARTS.items():
            pattern = _glob(root, table)
            if pattern is None or kind not in kinds:
                continue
            found = True
            cols = ", ".join(raw)
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE _cin AS SELECT {cols}, {_reason_sql(kind)} AS _reason, "
                f"filename AS _file, file_row_number AS _pos "
                f"FROM read_parquet('{pattern}', filename = true, file_row_number = true, union_by_name = true)"
            )
            n = con.execute("SELECT count(*) FROM _cin").fetchall()[0][0]
            con.execute(
                "INSERT INTO quarantine SELECT _file, _pos, ?, _reason, "
                + ("left(title, 200)" if kind == "vacancy" else "NULL")
                + " FROM _cin s WHERE _reason IS NOT NULL AND NOT EXISTS (SELECT 1 FROM quarantine q "
                "WHERE q.source_file = s._file AND q.position = s._pos)",
                [kind],
            )
            bad = con.execute("SELECT count(*) FROM _cin WHERE _reason IS NOT NULL").fetchall()[0][0]
            result.fields_quarantined += _drop_fields(con, kind, raw)
            before = store.count(table)
            dups, known = con.execute(
                f"SELECT (SELECT count(*) - count(DISTINCT {key}) FROM _cin WHERE _reason IS NULL), "
                f"(SELECT count(*) FROM (SELECT DISTINCT {key} FROM _cin WHERE _reason IS NULL) s "
                f" WHERE EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = s.{key}))"
            ).fetchall()[0]
            con.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM ("
                f"  SELECT *, row_number() OVER (PARTITION BY {key}) AS _k FROM _cin WHERE _reason IS NULL) s "
                f"WHERE _k = 1 AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = s.{key})"
            )
            stored = store.count(table) - before
            result.counts.add(Counts(read=n, stored=stored, merged=dups + known, quarantined=bad))
            con.execute("DROP TABLE _cin")
        pattern = _glob(root, "observations")
        if pattern is not None:
            cols = ", ".join(RAW_OBSERVATION_FIELDS)
            con.execute(
                f"INSERT INTO observations ({cols}) SELECT {cols} FROM ("
                f"  SELECT {cols}, row_number() OVER (PARTITION BY kind, record_id, observed_at) AS _k "
                f"  FROM read_parquet('{pattern}', union_by_name = true) WHERE kind IN ({', '.join(repr(k) for k in kinds)})) s "
                "WHERE _k = 1 AND NOT EXISTS (SELECT 1 FROM observations o WHERE o.kind = s.kind "
                "AND o.record_id = s.record_id AND o.observed_at IS NOT DISTINCT FROM s.observed_at)"
            )
            for kind in kinds:
                con.execute(refresh_lifecycle_sql(kind))
        if found:
            c = result.counts
            log_file(
                con,
                result.path,
                result.format,
                (c.read, c.stored, c.merged, c.quarantined),
                fields_quarantined=result.fields_quarantined,
            )
    if not found:
        raise UnreadableFileError(root, "no vacancies/ or resumes/ Parquet files inside")
    return result


def _drop_fields(con, kind: str, raw) -> int:
    """The field rules over the staged rows: values emptied, each recorded in ``quarantine_fields``."""
    n = 0
    for rule in FIELD_RULES[kind]:
        fields = [f for f in rule.fields if f in raw]
        where = f"_reason IS NULL AND ({rule.condition}) IS TRUE"
        for field in fields:
            con.execute(
                "INSERT INTO quarantine_fields SELECT _file, _pos, ?, ?, ? FROM _cin s WHERE "
                + where
                + " AND NOT EXISTS (SELECT 1 FROM quarantine_fields q WHERE q.source_file = s._file "
                "AND q.position = s._pos AND q.field = ?)",
                [kind, field, rule.reason, field],
            )
        hit = con.execute(f"SELECT count(*) FROM _cin WHERE {where}").fetchall()[0][0]
        if hit:
            sets = [f"{f} = NULL" for f in fields]
            if kind == "vacancy" and "salary_amount" in raw:
                sets.append("salary_amount = NULL")
            con.execute(f"UPDATE _cin SET {', '.join(sets)} WHERE {where}")
        n += hit * len(fields)
    return n


def is_canonical_folder(path: Path) -> bool:
    """A folder in the canonical shape: ``kadry simulate``'s output or ``kadry export``'s
    (``vacancies/`` or ``resumes/`` Parquet folders, or ``vacancies.parquet``/``resumes.parquet``)."""
    path = Path(path)
    return path.is_dir() and any(_glob(path, name) is not None for name in _PARTS)
