"""One batch of a reader's items as stage rows: what the record path, the dry run and the
workers of kadry.ingest.lines hand to the one write (kadry.ingest.staged)."""

from __future__ import annotations

import re
from datetime import datetime

import pyarrow as pa

from kadry.ingest.outcome import Counts, resume_key
from kadry.ingest.staged import stage_schema, write_rows
from kadry.sources import Item
from kadry.store import Store
from kadry.store.writes import RAW, insert_field_quarantine

__all__ = ["Batch"]


class Batch:
    """One batch of a file's items, staged as an Arrow table for the one write path (kadry.ingest.staged)."""

    def __init__(
        self, store: Store | None, source_file: str, source: str | None = None, salt: bytes | None = None
    ) -> None:
        self.store = store
        self.source_file = source_file
        self.source = source
        self.salt = salt if salt is not None else store.salt  # type: ignore[union-attr]
        self.names_hidden = 0
        self.fields_quarantined = 0
        self._reset()

    def _reset(self) -> None:
        self.rows: dict[str, list[dict]] = {"vacancy": [], "resume": []}
        self.field_quarantine: list[dict] = []
        self.size = 0

    def add(self, item: Item, observed_at: datetime | None) -> None:
        self.size += 1
        if item.record is None:
            row = {"_ord": item.position, "_bad": _safe(item.kind, item.reason or "unreadable record")}
            row["_excerpt"] = None if item.kind == "resume" or item.excerpt is None else str(item.excerpt)[:200]
            self.rows[item.kind].append(row)
            return
        record = item.record
        if self.source:
            record["source"] = self.source
        for name, why in item.field_issues or ():
            self.field_quarantine.append(
                {
                    "source_file": self.source_file,
                    "position": item.position,
                    "kind": item.kind,
                    "field": name,
                    "reason": _safe(item.kind, why),
                }
            )
            self.fields_quarantined += 1
        row = self._canonical(item.kind, record, observed_at)
        row["_ord"] = item.position
        self.rows[item.kind].append(row)

    def _canonical(self, kind: str, record: dict, observed_at: datetime | None) -> dict:
        row = {name: record.get(name) for name in RAW[kind]}
        row["simulated"] = bool(record.get("simulated") or False)
        if kind == "vacancy":
            row["vacancy_id"] = f"{row['source']}:{row['source_id']}"
            row["salary_amount"] = (
                row.get("salary_from") if row.get("salary_from") is not None else row.get("salary_to")
            )
        else:
            # the raw id never reaches the store: only its salted hash does
            ident = record.get("source_id")
            row["source_key"] = None if ident in (None, "") else resume_key(self.salt, str(row["source"]), str(ident))
            row["resume_id"] = f"{row['source']}:{row['source_key']}"
        # without a time of its own, the write path dates the row (kadry.ingest.staged)
        row["observed_at"] = observed_at or record.get("observed_at")
        row["archived"] = record.get("archived")
        return row

    def append_to(self, con, table: str) -> None:
        """Add the batch's staged rows to an existing stage table (a columnar reader's leftovers)."""
        for kind, rows in self.rows.items():
            if rows:
                con.register("_rows", pa.Table.from_pylist(rows, schema=stage_schema(kind)))
                try:
                    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
                finally:
                    con.unregister("_rows")
        self._reset()

    def flush(self, con=None) -> Counts:
        """Write the batch inside the caller's transaction (or into ``con``, a dry run's scratch store)."""
        if self.size == 0:
            return Counts()
        con = con if con is not None else self.store.con  # type: ignore[union-attr]
        counts = Counts()
        for kind, rows in self.rows.items():
            if not rows:
                continue
            staged = write_rows(con, kind, self.source_file, pa.Table.from_pylist(rows, schema=stage_schema(kind)))
            counts.add(staged.counts)
            self.names_hidden += staged.names_hidden
            self.fields_quarantined += staged.fields_quarantined
        if self.field_quarantine:
            insert_field_quarantine(con, self.field_quarantine)
        self._reset()
        return counts


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)?")


def _safe(kind: str, reason: str) -> str:
    """A quarantine reason without personal values: for resumes, quoted values and numbers
    (an exact age, a salary) are replaced, so the reason says what was wrong, not what it was."""
    if kind != "resume":
        return reason
    return _DIGITS.sub("N", _QUOTED.sub("'…'", reason))
