"""Candidate features held in memory: the rows matching reads, loaded once per table.

Fetching each query's few hundred candidates from DuckDB one query at a time was most of a
match's time at a million vacancies; the fields matching reads (``records.RESUME_FIELDS`` /
``VACANCY_FIELDS``, nothing else) fit in memory, so they are read once from the store in one
scan and then looked up by position. The table follows the match index: when the index holds
more records than were loaded (``MatchIndex.update`` added some), the new rows are read too.
"""

from __future__ import annotations

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
        #: rows by (role, skill) per filter setting (``role_skill_postings``)
        self._postings: dict[tuple[bool, bool], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._eligible: dict[tuple[bool, bool], np.ndarray] = {}

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
        self._postings, self._eligible = {}, {}
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
        """The rows at positions ``at`` as dicts (as ``records.fetch`` gives them), in that order.
        Built column by column: Arrow's row-wise ``to_pylist`` is twice as slow here."""
        if self.values is None or not len(at):
            return []
        tbl = self.values.take(pa.array(at, pa.int64()))
        names = tbl.column_names
        return [dict(zip(names, row)) for row in zip(*(tbl.column(n).to_pylist() for n in names))]

    def mapped(self, index_ids: list[str], at: np.ndarray) -> np.ndarray:
        """Positions here of the records at positions ``at`` of the match index's ``index_ids``
        (-1: not held)."""
        if not self.pos or not len(at):
            return np.full(len(at), -1, dtype=np.int64)
        if self._imap_of is not index_ids or len(self._imap) > len(index_ids):
            self._imap, self._imap_of = np.zeros(0, dtype=np.int64), index_ids
        if len(self._imap) < len(index_ids):
            pos = self.pos
            new = index_ids[len(self._imap) :]
            self._imap = np.concatenate([self._imap, np.fromiter((pos.get(i, -1) for i in new), np.int64, len(new))])
        return self._imap[at]

    def eligible(self, *, open_only: bool = False, skip_duplicates: bool = False) -> np.ndarray:
        """Which rows pass the filters (closed and duplicate vacancies; resumes always pass)."""
        flags = (open_only, skip_duplicates)
        keep = self._eligible.get(flags)
        if keep is None:
            keep = np.ones(len(self.ids), dtype=bool)
            if open_only and self.table == "vacancies":
                keep &= ~self.closed
            if skip_duplicates and self.table == "vacancies":
                keep &= ~self.duplicate
            self._eligible[flags] = keep
        return keep

    def from_index(
        self, index_ids: list[str], at: np.ndarray, *, open_only: bool = False, skip_duplicates: bool = False
    ) -> np.ndarray:
        """Positions here of the records at positions ``at`` of the match index's ``index_ids``,
        those not held or filtered out dropped (order kept)."""
        fpos = self.mapped(index_ids, at)
        fpos = fpos[fpos >= 0]
        return fpos[self.eligible(open_only=open_only, skip_duplicates=skip_duplicates)[fpos]]

    def role_skill_postings(
        self, *, open_only: bool = False, skip_duplicates: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows that pass the filters, by (hh role, canonical skill): sorted keys
        ``role << 31 | skill``, the start of each key's rows (and the end, last), and the rows,
        fewest skills first within a key (a record asking for few skills is the likeliest to
        have them all met), then by id. Built on first use after rows were added."""
        flags = (open_only, skip_duplicates)
        got = self._postings.get(flags)
        if got is not None:
            return got
        e = self.encoded
        empty = np.zeros(0, dtype=np.int64)
        if e is None or not len(e.skills):
            got = (empty, np.zeros(1, dtype=np.int64), empty)
        else:
            counts = np.diff(e.skill_at)
            rows = np.repeat(np.arange(len(e), dtype=np.int64), counts)
            keep = (e.role[rows] != 0) & self.eligible(open_only=open_only, skip_duplicates=skip_duplicates)[rows]
            rows = rows[keep]
            keys = (e.role[rows].astype(np.int64) << 31) | e.skills[keep].astype(np.int64)
            # ties by id, not by position: the same whatever order the store's scan gave the rows
            order = np.lexsort((self.id_order()[rows], counts[rows], keys))
            keys, rows = keys[order], rows[order]
            first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else empty
            got = (keys[first], np.append(first, len(keys)).astype(np.int64), rows)
        self._postings[flags] = got
        return got
