"""The SQL that writes ingested data: records, sightings, lifecycle, quarantine and the ingest log.

The ingest (kadry.ingest) decides what goes where; this module is the one place that knows how
it is written, so the store stays the one door. Every write is keyed (record id, sighting time,
file position), so applying the same batch twice is applying it once.

Which sighting wins: a record holds the values of its latest sighting (``observed_at``; a
sighting without a time is older than any timed one), and among sightings with the same time
the one read last. The rule is the same within a batch (the caller keeps the winner per key),
across batches and files (the UPDATE below), and on the bulk Parquet path, so the stored
result does not depend on the batch size.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from kadry.errors import StoreError
from kadry.schema import (
    QUARANTINE,
    QUARANTINE_FIELDS,
    RAW_OBSERVATION_FIELDS,
    RAW_RESUME_FIELDS,
    RAW_VACANCY_FIELDS,
    arrow_schema,
)

__all__ = [
    "KEY",
    "RAW",
    "TABLE",
    "insert_field_quarantine",
    "insert_quarantine",
    "cannot_write",
    "commit_part",
    "log_file",
    "logged_parts",
    "one_checkpoint",
    "refresh_lifecycle_sql",
    "insert_sightings",
    "transaction",
    "upsert_winners",
    "write_cause",
]

TABLE = {"vacancy": "vacancies", "resume": "resumes"}
KEY = {"vacancy": "vacancy_id", "resume": "resume_id"}
RAW = {"vacancy": RAW_VACANCY_FIELDS, "resume": RAW_RESUME_FIELDS}

_CAUSES = (
    ("no space left", "no space left on device"),
    ("disk full", "no space left on device"),
    ("file too large", "file size limit reached (file too large)"),
    ("read-only file system", "the file system is read-only"),
    ("permission denied", "permission denied"),
    ("quota", "disk quota exceeded"),
)


def write_cause(exc: BaseException, path: object = None) -> str:
    """The real cause of a failed write in words a user acts on ("no space left on device")."""
    text = str(exc)
    low = text.lower()
    for needle, cause in _CAUSES:
        if needle in low:
            return cause
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EDQUOT):
        return os.strerror(code).lower()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def cannot_write(exc: BaseException, store_path: object) -> StoreError:
    """The StoreError of a failed write, with its first real cause."""
    cause = write_cause(exc)
    return StoreError(f"cannot write the store {store_path}: {cause}", path=str(store_path), cause=cause)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, store_path: object = None) -> Iterator[None]:
    """One transaction; on failure it is rolled back (if DuckDB still has it) and the first
    error's real cause is raised as a StoreError, not "cannot rollback - no transaction is active"."""
    con.begin()
    try:
        yield
    except BaseException as exc:
        try:
            con.rollback()
        except duckdb.Error:
            pass  # DuckDB already aborted the transaction; the first error is what matters
        if isinstance(exc, (duckdb.Error, OSError)):
            raise cannot_write(exc, store_path) from None
        raise
    try:
        con.commit()
    except (duckdb.Error, OSError) as exc:
        try:
            con.rollback()
        except duckdb.Error:
            pass
        raise cannot_write(exc, store_path) from None


def commit_part(con: duckdb.DuckDBPyConnection, store_path: object = None) -> None:
    """Inside ``transaction``: make what is written so far durable and go on in a new transaction
    (a file stored in parts); a commit that fails raises the StoreError ``transaction`` would."""
    try:
        con.commit()
    except (duckdb.Error, OSError) as exc:
        raise cannot_write(exc, store_path) from None
    con.begin()


@contextmanager
def one_checkpoint(con: duckdb.DuckDBPyConnection, store_path: object = None) -> Iterator[None]:
    """Commits inside only append to the write-ahead log; the store file is rewritten once, at the end.

    DuckDB checkpoints at a commit once its log passes ``wal_autocheckpoint``, and a checkpoint
    rewrites the store's key indexes whole, so a file committed in parts would pay that at
    every part (a third more time at 160,000 hh records). Committed parts stay durable in the log.
    """
    old = con.execute("SELECT current_setting('wal_autocheckpoint')").fetchall()[0][0]
    con.execute("SET wal_autocheckpoint = '1TB'")
    try:
        yield
    finally:
        try:
            con.execute(f"SET wal_autocheckpoint = '{old}'")
        except duckdb.Error:
            pass  # a store that failed: the error on its way out is what matters
    try:
        con.execute("CHECKPOINT")
    except (duckdb.Error, OSError) as exc:
        raise cannot_write(exc, store_path) from None


def refresh_lifecycle_sql(kind: str, scope: str = "") -> str:
    """SQL deriving first/last sighting (and, for vacancies, the close) from observations.

    A sighting that shows a vacancy archived closes it only when it is later than the
    publication: without a real observation time the close date is unknown, and the
    indicators then fall back to the last sighting or the lifetime rule.
    """
    table, key = TABLE[kind], KEY[kind]
    if kind == "vacancy":
        closed = "min(o.observed_at) FILTER (WHERE o.archived AND (t.published_at IS NULL OR o.observed_at > t.published_at))"
        extra = ", closed_at = coalesce(t.archived_at, agg.closed)"
    else:
        closed = "NULL"
        extra = ", updated_at = greatest(t.updated_at, agg.updated)"
    return (
        f"UPDATE {table} t SET first_seen = agg.f, last_seen = agg.l{extra} FROM ("
        f"  SELECT o.record_id, min(o.observed_at) AS f, max(o.observed_at) AS l, {closed} AS closed, max(o.updated_at) AS updated"
        f"  FROM observations o JOIN {table} t ON t.{key} = o.record_id"
        f"  WHERE o.kind = '{kind}' {scope} GROUP BY o.record_id) agg WHERE t.{key} = agg.record_id"
    )


def upsert_winners(con: duckdb.DuckDBPyConnection, kind: str, winners_view: str) -> tuple[int, int, int]:
    """Winners update known records (from a sighting at least as late) or are inserted; (stored, known, winners)."""
    target, key = TABLE[kind], KEY[kind]
    winners, known = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM {target} t WHERE t.{key} = s.{key})) "
        f"FROM {winners_view} s"
    ).fetchall()[0]
    raw = [c for c in RAW[kind] if c != key]
    if known:
        changed = " OR ".join(f"t.{c} IS DISTINCT FROM s.{c}" for c in raw)
        assign = ", ".join(f"{c} = s.{c}" for c in raw)
        con.execute(
            f"UPDATE {target} t SET {assign}, norm_version = NULL FROM {winners_view} s "
            f"WHERE t.{key} = s.{key} AND (t.last_seen IS NULL OR s.observed_at >= t.last_seen) AND ({changed})"
        )
    cols = ", ".join(RAW[kind])
    new = f" WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE t.{key} = s.{key})" if known else ""
    con.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {winners_view} s{new}")
    return winners - known, known, winners


def insert_sightings(con: duckdb.DuckDBPyConnection, kind: str, table: str, source_file: str, keep: str) -> None:
    """Every sighting of the stage table once (``keep`` leaves out repeats of a (record, time));
    a sighting already stored is not added again."""
    have = {r[0] for r in con.execute(f"SELECT column_name FROM (DESCRIBE {table})").fetchall()}
    pick = {"kind": f"'{kind}'", "record_id": KEY[kind], "source_file": "?::VARCHAR"}
    cols = ", ".join(RAW_OBSERVATION_FIELDS)
    select = ", ".join(f"{pick.get(c, c if c in have else 'NULL')} AS {c}" for c in RAW_OBSERVATION_FIELDS)
    con.execute(
        f"INSERT INTO observations ({cols}) SELECT {cols} FROM ("
        f"  SELECT {select} FROM {table} WHERE _bad IS NULL AND {keep}) s "
        "WHERE NOT EXISTS (SELECT 1 FROM observations o WHERE o.kind = s.kind "
        "AND o.record_id = s.record_id AND o.observed_at IS NOT DISTINCT FROM s.observed_at)",
        [source_file],
    )


def insert_quarantine(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    con.register("_q", pa.Table.from_pylist(rows, schema=arrow_schema(QUARANTINE)))
    try:
        con.execute(
            "INSERT INTO quarantine SELECT * FROM _q s WHERE NOT EXISTS ("
            "SELECT 1 FROM quarantine q WHERE q.source_file = s.source_file AND q.position = s.position)"
        )
    finally:
        con.unregister("_q")


def insert_field_quarantine(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    con.register("_qf", pa.Table.from_pylist(rows, schema=arrow_schema(QUARANTINE_FIELDS)))
    try:
        con.execute(
            "INSERT INTO quarantine_fields SELECT * FROM _qf s WHERE NOT EXISTS (SELECT 1 FROM quarantine_fields q "
            "WHERE q.source_file = s.source_file AND q.position = s.position AND q.field = s.field)"
        )
    finally:
        con.unregister("_qf")


def log_file(
    con: duckdb.DuckDBPyConnection,
    path: str,
    fmt: str | None,
    counts: tuple[int, int, int, int],
    *,
    status: str = "ok",
    detail: str | None = None,
    names_hidden: int = 0,
    fields_quarantined: int = 0,
    resume: str | None = None,
) -> None:
    """The file's row of ``ingest_log`` (replacing an earlier run's), inside the caller's transaction."""
    con.execute("DELETE FROM ingest_log WHERE source_file = ?", [path])
    con.execute(
        "INSERT INTO ingest_log (source_file, format, read, stored, merged, quarantined, finished_at, status, "
        "detail, names_hidden, fields_quarantined, resume) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            path,
            fmt,
            *counts,
            datetime.now().replace(microsecond=0),
            status,
            detail,
            names_hidden,
            fields_quarantined,
            resume,
        ],
    )


def logged_parts(con: duckdb.DuckDBPyConnection, path: str) -> tuple | None:
    """A file that stopped between parts: ``(format, read, stored, merged, quarantined, names_hidden,
    fields_quarantined, resume)`` of its ingest-log row, or None."""
    rows = con.execute(
        "SELECT format, read, stored, merged, quarantined, names_hidden, fields_quarantined, resume "
        "FROM ingest_log WHERE source_file = ? AND resume IS NOT NULL",
        [path],
    ).fetchall()
    return rows[0] if rows else None


def sql_path(path: Path | str) -> str:
    return str(path).replace("'", "''")
