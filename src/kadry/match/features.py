"""Candidate features held in memory: the rows matching reads, loaded once per table.

Fetching each query's few hundred candidates from DuckDB one query at a time was most of a
match's time at a million vacancies; the fields matching reads (``records.RESUME_FIELDS`` /
``VACANCY_FIELDS``, nothing else) fit in memory, so they are read once from the store in one
scan and then looked up by position. The table follows the match index: when the index holds
more records than were loaded (``MatchIndex.update`` added some), the new rows are read too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa

from kadry.match.columns import Columns, encode
from kadry.match.records import FIELDS_OF, id_column

__all__ = ["Features"]


class Features:
    """One table's matching fields: as values (what a match shows) and as the scoring rules'
    numpy columns (``columns.Columns``), with id -> position and the open/duplicate flags."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.cols = FIELDS_OF[table]
        self.columns: dict[str, list] = {c: [] for c in self.cols}
        self.pos: dict[str, int] = {}
        self.closed = np.zeros(0, dtype=bool)
        self.duplicate = np.zeros(0, dtype=bool)
        self.encoded: Columns | None = None

    def __len__(self) -> int:
        return len(self.pos)

    def refresh(self, con: Any, expected: int) -> int:
        """Read the rows not yet held when the store holds more than ``expected`` known; returns rows added."""
        if len(self.pos) >= expected:
            return 0
        key = id_column(self.table)
        flags = (
            "closed_at IS NOT NULL AS _closed, dup_of IS NOT NULL AS _dup"
            if self.table == "vacancies"
            else "false AS _closed, false AS _dup"
        )
        name = f"_match_features_{self.table}"
        con.register(name, pa.table({"id": pa.array(list(self.pos), pa.string())}))
        try:
            tbl = con.sql(
                f"SELECT {', '.join(self.cols)}, {flags} FROM {self.table} t "
                f"WHERE NOT EXISTS (SELECT 1 FROM {name} k WHERE k.id = t.{key})"
            ).to_arrow_table()
        finally:
            con.unregister(name)
        start = len(self.pos)
        for c in self.cols:
            self.columns[c].extend(tbl.column(c).to_pylist())
        self.closed = np.concatenate([self.closed, tbl.column("_closed").to_numpy(zero_copy_only=False)])
        self.duplicate = np.concatenate([self.duplicate, tbl.column("_dup").to_numpy(zero_copy_only=False)])
        new = encode(tbl, self.table)
        self.encoded = new if self.encoded is None else Columns.concat([self.encoded, new])
        ids = self.columns[self.cols[0]]
        self.pos.update((ids[n], n) for n in range(start, len(ids)))
        return len(ids) - start

    def positions(
        self, ids: list[str], *, open_only: bool = False, skip_duplicates: bool = False
    ) -> tuple[list[str], np.ndarray]:
        """The ids that are held and pass the filters, in order, and their positions."""
        pos = self.pos
        if not pos:
            return [], np.zeros(0, dtype=np.int64)
        at = np.fromiter((pos.get(i, -1) for i in ids), dtype=np.int64, count=len(ids))
        keep = at >= 0
        if open_only and self.table == "vacancies":
            keep &= ~self.closed[np.where(keep, at, 0)]
        if skip_duplicates and self.table == "vacancies":
            keep &= ~self.duplicate[np.where(keep, at, 0)]
        return [i for i, ok in zip(ids, keep.tolist()) if ok], at[keep]

    def rows(self, ids: Iterable[str], *, open_only: bool = False, skip_duplicates: bool = False) -> dict[str, dict]:
        """Rows by id, as ``records.fetch`` gives them (missing or filtered ids are absent)."""
        out: dict[str, dict] = {}
        cols, columns = self.cols, [self.columns[c] for c in self.cols]
        check_open = open_only and self.table == "vacancies"
        check_dup = skip_duplicates and self.table == "vacancies"
        for i in ids:
            n = self.pos.get(i)
            if n is None or (check_open and self.closed[n]) or (check_dup and self.duplicate[n]):
                continue
            out[i] = {c: col[n] for c, col in zip(cols, columns)}
        return out
