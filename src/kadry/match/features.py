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
import pyarrow.compute as pc

from kadry.match.columns import Columns, encode
from kadry.match.records import FIELDS_OF, id_column

__all__ = ["Features"]


class Features:
    """One table's matching fields: as values (what a match shows) and as the scoring rules'
    numpy columns (``columns.Columns``), with id -> position and the open/duplicate flags."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.cols = FIELDS_OF[table]
        self.ids: list[str] = []
        self.pos: dict[str, int] = {}
        #: the fields as the store gives them (what a match shows), one Arrow table
        self.values: pa.Table | None = None
        self.closed = np.zeros(0, dtype=bool)
        self.duplicate = np.zeros(0, dtype=bool)
        self.encoded: Columns | None = None
        #: position here of each position in the match index's ids (-1: not held), and the ids list
        #: it was made from (the index appends to it; a rebuilt index has a new list)
        self._imap = np.zeros(0, dtype=np.int64)
        self._imap_of: list[str] | None = None
        #: each row's place in id order (computed when first asked after rows were added)
        self._order: np.ndarray | None = None

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
        fields = tbl.select(self.cols)
        # one chunk: taking rows from a table of many DuckDB batches costs a search per batch
        self.values = (fields if self.values is None else pa.concat_tables([self.values, fields])).combine_chunks()
        self.ids.extend(tbl.column(self.cols[0]).to_pylist())
        self.closed = np.concatenate([self.closed, tbl.column("_closed").to_numpy(zero_copy_only=False)])
        self.duplicate = np.concatenate([self.duplicate, tbl.column("_dup").to_numpy(zero_copy_only=False)])
        new = encode(tbl, self.table)
        self.encoded = new if self.encoded is None else Columns.concat([self.encoded, new])
        ids = self.ids
        self.pos.update((ids[n], n) for n in range(start, len(ids)))
        self._order = None
        return len(ids) - start

    def id_order(self) -> np.ndarray:
        """Each row's place when the ids are sorted (as Python sorts strings: Arrow compares
        UTF-8 bytes, which is code-point order), so ties can be broken by id in NumPy."""
        if self._order is None or len(self._order) != len(self.ids):
            order = np.empty(len(self.ids), dtype=np.int64)
            if self.ids:
                by_id = pc.sort_indices(pa.array(self.ids, pa.string())).to_numpy()
                order[by_id] = np.arange(len(self.ids), dtype=np.int64)
            self._order = order
        return self._order

    def rows_at(self, at: np.ndarray) -> list[dict]:
        """The rows at positions ``at`` (as ``rows`` gives them), in that order."""
        if self.values is None or not len(at):
            return []
        return self.values.take(pa.array(at, pa.int64())).to_pylist()

    def from_index(
        self, index_ids: list[str], at: np.ndarray, *, open_only: bool = False, skip_duplicates: bool = False
    ) -> np.ndarray:
        """Positions here of the records at positions ``at`` of the match index's ``index_ids``,
        those not held or filtered out dropped (order kept)."""
        if not self.pos or not len(at):
            return np.zeros(0, dtype=np.int64)
        if self._imap_of is not index_ids or len(self._imap) > len(index_ids):
            self._imap, self._imap_of = np.zeros(0, dtype=np.int64), index_ids
        if len(self._imap) < len(index_ids):
            pos = self.pos
            new = index_ids[len(self._imap) :]
            self._imap = np.concatenate([self._imap, np.fromiter((pos.get(i, -1) for i in new), np.int64, len(new))])
        fpos = self._imap[at]
        keep = fpos >= 0
        if open_only and self.table == "vacancies":
            keep &= ~self.closed[np.where(keep, fpos, 0)]
        if skip_duplicates and self.table == "vacancies":
            keep &= ~self.duplicate[np.where(keep, fpos, 0)]
        return fpos[keep]

    def rows(self, ids: Iterable[str], *, open_only: bool = False, skip_duplicates: bool = False) -> dict[str, dict]:
        """Rows by id, as ``records.fetch`` gives them (missing or filtered ids are absent)."""
        check_open = open_only and self.table == "vacancies"
        check_dup = skip_duplicates and self.table == "vacancies"
        found: list[tuple[str, int]] = []
        for i in ids:
            n = self.pos.get(i)
            if n is None or (check_open and self.closed[n]) or (check_dup and self.duplicate[n]):
                continue
            found.append((i, n))
        if not found or self.values is None:
            return {}
        rows = self.values.take(pa.array([n for _, n in found], pa.int64())).to_pylist()
        return {i: row for (i, _), row in zip(found, rows)}
