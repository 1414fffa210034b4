"""Ingest: every input record ends in exactly one place, and reruns change nothing.

Records stream from a reader into batches; each batch is one transaction that stores new
records, merges repeat sightings (the newest sighting's values win, history goes to
``observations``) and quarantines the rest with a reason. Since every write is keyed
(record id, sighting time, file position), a batch applied twice is a batch applied once:
an ingest killed at any point and run again ends in the same store as an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

import pyarrow as pa

from kadry.errors import InputError, UnreadableFileError
from kadry.ingest.validate import validate
from kadry.schema import (
    OBSERVATION,
    QUARANTINE,
    RAW_OBSERVATION_FIELDS,
    RAW_RESUME_FIELDS,
    RAW_VACANCY_FIELDS,
    RESUME,
    VACANCY,
    arrow_schema,
)
from kadry.sources import Item, detect, expand_paths, get_reader
from kadry.store import Store

__all__ = ["Counts", "FileResult", "IngestReport", "ingest_paths", "ingest_items", "resume_key"]

_KEY = {"vacancy": "vacancy_id", "resume": "resume_id"}
_TABLE = {"vacancy": "vacancies", "resume": "resumes"}
_RAW = {"vacancy": RAW_VACANCY_FIELDS, "resume": RAW_RESUME_FIELDS}


@dataclass
class Counts:
    read: int = 0
    stored: int = 0
    merged: int = 0
    quarantined: int = 0

    def add(self, other: "Counts") -> None:
        self.read += other.read
        self.stored += other.stored
        self.merged += other.merged
        self.quarantined += other.quarantined

    @property
    def balanced(self) -> bool:
        return self.read == self.stored + self.merged + self.quarantined


@dataclass
class FileResult:
    path: str
    format: str | None
    counts: Counts = field(default_factory=Counts)
    skipped: str | None = None


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    @property
    def total(self) -> Counts:
        out = Counts()
        for f in self.files:
            out.add(f.counts)
        return out


def resume_key(salt: bytes, source: str, source_id: str) -> str:
    """Salted hash of a resume id: stable within a store, useless outside it."""
    return hmac.new(salt, f"{source}\x1f{source_id}".encode(), hashlib.sha256).hexdigest()[:32]


def ingest_paths(
    store: Store,
    paths: Iterable[str | Path],
    fmt: str | None = None,
    *,
    mapping: str | Path | None = None,
    observed_at: datetime | None = None,
    batch_size: int = 5000,
    on_progress: Callable[[str, int], None] | None = None,
) -> IngestReport:
    """Ingest files and directories. A file named directly that cannot be read raises;
    inside a directory, files no reader recognises are reported as skipped."""
    report = IngestReport()
    for top in (Path(p) for p in paths):
        if fmt == "canonical":
            from kadry.ingest.canonical import ingest_canonical

            report.files.append(ingest_canonical(store, top))
            continue
        for path in expand_paths([top]):
            try:
                reader = _reader_for(path, fmt, mapping)
            except UnreadableFileError as exc:
                if top.is_dir() and fmt is None:
                    report.files.append(FileResult(str(path), None, skipped=exc.reason))
                    continue
                raise
            if getattr(reader, "snapshot", False):
                report.files.append(_snapshot_file(store, path, reader))
                continue
            result = FileResult(str(path.resolve()), reader.name)
            ingest_items(store, reader.read(path), result, observed_at=observed_at,
                         batch_size=batch_size, on_progress=on_progress)
            report.files.append(result)
    return report


def _snapshot_file(store: Store, path: Path, reader) -> FileResult:
    """A full-snapshot dump (trudvsem XML) goes through the snapshot lifecycle (kadry.ingest.snapshots)."""
    from kadry.ingest.snapshots import ingest_snapshot

    snap = ingest_snapshot(store, path, getattr(reader, "dataset", None))
    result = FileResult(str(path.resolve()), f"{reader.name}:{snap.dataset}", skipped=snap.skipped)
    result.counts = Counts(read=snap.read, stored=snap.new, merged=snap.merged, quarantined=snap.quarantined)
    return result


def _reader_for(path: Path, fmt: str | None, mapping: str | Path | None):
    if fmt == "mapped" or mapping is not None:
        if mapping is None:
            raise InputError("--format mapped needs --mapping FILE (TOML or YAML naming the columns)")
        from kadry.sources.mapped import MappedReader

        return MappedReader(Path(mapping))
    if fmt:
        return get_reader(fmt)
    return detect(path)


def ingest_items(
    store: Store,
    items: Iterable[Item],
    result: FileResult,
    *,
    observed_at: datetime | None = None,
    batch_size: int = 5000,
    on_progress: Callable[[str, int], None] | None = None,
) -> FileResult:
    """Consume a reader's items into the store, batch by batch, counting each one."""
    batch = _Batch(store, result.path)
    try:
        for item in items:
            batch.add(item, observed_at)
            if batch.size >= batch_size:
                result.counts.add(batch.flush())
                if on_progress:
                    on_progress(result.path, result.counts.read)
        result.counts.add(batch.flush())
    except (OSError, EOFError) as exc:
        raise UnreadableFileError(result.path, f"read failed: {exc}") from None
    if on_progress:
        on_progress(result.path, result.counts.read)
    _log(store, result)
    return result


class _Batch:
    def __init__(self, store: Store, source_file: str) -> None:
        self.store = store
        self.source_file = source_file
        self.salt = store.salt
        self._reset()

    def _reset(self) -> None:
        self.records: dict[str, dict[str, dict]] = {"vacancy": {}, "resume": {}}
        self.n_records = {"vacancy": 0, "resume": 0}
        self.observations: dict[tuple, dict] = {}
        self.quarantine: list[dict] = []
        self.size = 0

    def add(self, item: Item, observed_at: datetime | None) -> None:
        self.size += 1
        if item.record is None:
            self._bad(item.position, item.kind, item.reason or "unreadable record", item.excerpt)
            return
        record = item.record
        reason = validate(item.kind, record)
        if reason:
            self._bad(item.position, item.kind, reason, None if item.kind == "resume" else record.get("title"))
            return
        row = self._canonical(item.kind, record, observed_at)
        key = row[_KEY[item.kind]]
        self.n_records[item.kind] += 1
        seen = self.records[item.kind].get(key)
        if seen is None or _later(row["observed_at"], seen["observed_at"]):
            self.records[item.kind][key] = row
        obs = {name: row.get(name) for name in RAW_OBSERVATION_FIELDS}
        obs.update(kind=item.kind, record_id=key, source_file=self.source_file)
        self.observations[(item.kind, key, row["observed_at"])] = obs

    def _bad(self, position: int, kind: str, reason: str, excerpt: object) -> None:
        self.quarantine.append({"source_file": self.source_file, "position": position, "kind": kind,
                                "reason": reason, "excerpt": None if kind == "resume" or excerpt is None else str(excerpt)[:200]})

    def _canonical(self, kind: str, record: dict, observed_at: datetime | None) -> dict:
        row = {name: record.get(name) for name in _RAW[kind]}
        row["simulated"] = bool(record.get("simulated") or False)
        if kind == "vacancy":
            row["vacancy_id"] = f"{row['source']}:{row['source_id']}"
            seen = observed_at or record.get("observed_at") or _latest(row.get("published_at"), row.get("created_at"))
            row["salary_amount"] = row.get("salary_from") if row.get("salary_from") is not None else row.get("salary_to")
        else:
            # the raw id never reaches the store: only its salted hash does
            row["source_key"] = resume_key(self.salt, row["source"], str(record["source_id"]))
            row["resume_id"] = f"{row['source']}:{row['source_key']}"
            seen = observed_at or record.get("observed_at") or _latest(row.get("updated_at"), row.get("created_at"))
        row["observed_at"] = seen
        row["archived"] = record.get("archived")
        return row

    def flush(self) -> Counts:
        counts = Counts(read=self.size, quarantined=len(self.quarantine))
        if self.size == 0:
            return counts
        con = self.store.con
        con.begin()
        try:
            for kind in ("vacancy", "resume"):
                rows = list(self.records[kind].values())
                if rows:
                    new = _upsert(con, kind, rows)
                    counts.stored += new
                    counts.merged += self.n_records[kind] - new
            if self.observations:
                _insert_observations(con, list(self.observations.values()))
                for kind in ("vacancy", "resume"):
                    if self.records[kind]:
                        _refresh_lifecycle(con, kind, list(self.records[kind]))
            if self.quarantine:
                _insert_quarantine(con, self.quarantine)
            con.commit()
        except BaseException:
            con.rollback()
            raise
        self._reset()
        return counts


def _later(a: datetime | None, b: datetime | None) -> bool:
    if a is None:
        return b is None
    return b is None or a >= b


def _latest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _staging_schema(kind: str) -> pa.Schema:
    columns = VACANCY if kind == "vacancy" else RESUME
    base = arrow_schema(columns, ("raw",))
    return base.append(pa.field("observed_at", pa.timestamp("us")))


def _upsert(con, kind: str, rows: list[dict]) -> int:
    """Update records whose newest sighting changed them, insert new ones; return how many were new."""
    table, key = _TABLE[kind], _KEY[kind]
    staging = pa.Table.from_pylist(rows, schema=_staging_schema(kind))
    con.register("_stg", staging)
    try:
        raw = [c for c in _RAW[kind] if c != key]
        changed = " OR ".join(f"t.{c} IS DISTINCT FROM s.{c}" for c in raw)
        assign = ", ".join(f"{c} = s.{c}" for c in raw)
        con.execute(
            f"UPDATE {table} t SET {assign}, norm_version = NULL FROM _stg s "
            f"WHERE t.{key} = s.{key} AND (t.last_seen IS NULL OR s.observed_at IS NULL OR s.observed_at >= t.last_seen) "
            f"AND ({changed})"
        )
        cols = ", ".join(_RAW[kind])
        before = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _stg s "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = s.{key})")
        after = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    finally:
        con.unregister("_stg")
    return after - before


def _insert_observations(con, rows: list[dict]) -> None:
    staging = pa.Table.from_pylist(rows, schema=arrow_schema(OBSERVATION, ("raw",)))
    con.register("_obs", staging)
    try:
        cols = ", ".join(RAW_OBSERVATION_FIELDS)
        con.execute(
            f"INSERT INTO observations ({cols}) SELECT {cols} FROM _obs s WHERE NOT EXISTS ("
            "SELECT 1 FROM observations o WHERE o.kind = s.kind AND o.record_id = s.record_id "
            "AND o.observed_at IS NOT DISTINCT FROM s.observed_at)"
        )
    finally:
        con.unregister("_obs")


def refresh_lifecycle_sql(kind: str, scope: str = "") -> str:
    """SQL deriving first/last sighting (and, for vacancies, the close) from observations.

    A sighting that shows a vacancy archived closes it only when it is later than the
    publication: without a real observation time the close date is unknown, and the
    indicators then fall back to the last sighting or the lifetime rule.
    """
    table, key = _TABLE[kind], _KEY[kind]
    if kind == "vacancy":
        closed = ("min(o.observed_at) FILTER (WHERE o.archived AND (t.published_at IS NULL OR o.observed_at > t.published_at))")
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


def _refresh_lifecycle(con, kind: str, ids: list[str]) -> None:
    con.register("_ids", pa.table({"id": pa.array(ids, pa.string())}))
    try:
        con.execute(refresh_lifecycle_sql(kind, "AND o.record_id IN (SELECT id FROM _ids)"))
    finally:
        con.unregister("_ids")


def _insert_quarantine(con, rows: list[dict]) -> None:
    con.register("_q", pa.Table.from_pylist(rows, schema=arrow_schema(QUARANTINE)))
    try:
        con.execute("INSERT INTO quarantine SELECT * FROM _q s WHERE NOT EXISTS ("
                    "SELECT 1 FROM quarantine q WHERE q.source_file = s.source_file AND q.position = s.position)")
    finally:
        con.unregister("_q")


def _log(store: Store, result: FileResult) -> None:
    c = result.counts
    con = store.con
    con.begin()
    con.execute("DELETE FROM ingest_log WHERE source_file = ?", [result.path])
    con.execute("INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                [result.path, result.format, c.read, c.stored, c.merged, c.quarantined, datetime.now().replace(microsecond=0)])
    con.commit()
