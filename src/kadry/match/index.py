"""The approximate nearest-neighbour index over vacancies and resumes, kept beside the store.

Layout of ``<store>.match/`` (nothing in it is personal beyond the hashed resume ids the store
already holds)::

    model.joblib          fitted TextModel (kept fixed: new records are encoded with it)
    state.json            model and index parameters, counts, build times
    vacancies.hnsw        hnswlib graph (cosine) over vacancy vectors
    vacancies.ids.parquet label -> vacancy_id (label = row number)
    resumes.hnsw / resumes.ids.parquet   the same for resumes

``update`` adds only the records whose ids are not yet in the index, so the index grows as
records arrive; ``rebuild`` refits the text model and starts again. A store opened as
":memory:" keeps its index in memory.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import hnswlib
import joblib
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kadry.errors import BadRequest, StoreError
from kadry.match.config import MatchConfig
from kadry.match.records import id_column
from kadry.match.text import _GLOSSARY_PATH, TextModel

__all__ = ["MatchIndex", "index_folder", "TABLES"]

TABLES = ("vacancies", "resumes")
_CHUNK = 50_000
_FORMAT = 1


def index_folder(store_path: str | Path) -> Path | None:
    """``<store>.match`` beside a store file; None for an in-memory store."""
    return None if str(store_path) == ":memory:" else Path(str(store_path) + ".match")


def _glossary_hash() -> str:
    return hashlib.sha256(Path(_GLOSSARY_PATH).read_bytes()).hexdigest()[:16]


class _Table:
    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.ids: list[str] = []
        self.graph: hnswlib.Index | None = None

    @property
    def count(self) -> int:
        return len(self.ids)


class MatchIndex:
    """Text model + one hnswlib graph per table; ``update`` it, then ``search`` it."""

    def __init__(self, store, config: MatchConfig | None = None, *, threads: int = 2) -> None:
        self.store = store
        self.config = config or MatchConfig()
        self.folder = index_folder(store.path)
        self.threads = threads
        self.model: TextModel | None = None
        self.tables: dict[str, _Table] = {}
        self.state: dict = {}
        self._load()

    # --- persistence -------------------------------------------------------------------
    def _load(self) -> None:
        if self.folder is None or not (self.folder / "state.json").exists():
            return
        try:
            state = json.loads((self.folder / "state.json").read_text())
            if state.get("format") != _FORMAT or state.get("glossary") != _glossary_hash():
                return  # made by other rules: the next update rebuilds it
            model = joblib.load(self.folder / "model.joblib")
            tables = {}
            for name, info in state.get("tables", {}).items():
                t = _Table(info["dim"])
                t.ids = pq.read_table(self.folder / f"{name}.ids.parquet").column("id").to_pylist()
                g = hnswlib.Index(space="cosine", dim=t.dim)
                g.load_index(str(self.folder / f"{name}.hnsw"), max_elements=max(t.count, 1))
                g.set_ef(self.config.index.ef_search)
                g.set_num_threads(self.threads)
                t.graph = g
                tables[name] = t
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise StoreError(f"match index in {self.folder} is unreadable ({exc}); run `kadry match build --rebuild`") from None
        self.model, self.tables, self.state = model, tables, state

    def _save(self) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.model, self.folder / "model.joblib")
        for name, t in self.tables.items():
            if t.graph is None:
                continue
            t.graph.save_index(str(self.folder / f"{name}.hnsw"))
            pq.write_table(pa.table({"id": pa.array(t.ids, pa.string())}), self.folder / f"{name}.ids.parquet")
        tmp = self.folder / "state.json.tmp"
        tmp.write_text(json.dumps(self.state, indent=2, ensure_ascii=False))
        tmp.replace(self.folder / "state.json")

    # --- building ----------------------------------------------------------------------
    def _fit_model(self) -> None:
        n = self.config.index.fit_sample
        rows = []
        for table in TABLES:
            key = id_column(table)
            rows += self.store.con.execute(
                f"SELECT title, skills FROM {table} WHERE title IS NOT NULL ORDER BY hash({key}) LIMIT ?", [n]
            ).fetchall()
        if not rows:
            raise BadRequest("nothing to match: the store holds no vacancies or resumes with a title")
        self.model = TextModel(dim=self.config.index.dim).fit([r[0] for r in rows], [r[1] for r in rows])
        self.tables = {}
        self.state = {
            "format": _FORMAT,
            "glossary": _glossary_hash(),
            "dim": self.model.dim,
            "fit_rows": len(rows),
            "M": self.config.index.M,
            "ef_construction": self.config.index.ef_construction,
            "tables": {},
        }

    def rebuild(self, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
        """Refit the text model and index every record again."""
        if self.folder is not None and self.folder.exists():
            shutil.rmtree(self.folder)
        self.model, self.tables, self.state = None, {}, {}
        return self.update(progress=progress)

    def update(self, tables: tuple[str, ...] = TABLES, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
        """Add records not yet indexed; returns how many were added per table."""
        started = time.perf_counter()
        if self.model is None:
            self._fit_model()
        added: dict[str, int] = {}
        for table in tables:
            added[table] = self._update_table(table, progress)
        if any(added.values()) or not (self.folder and (self.folder / "state.json").exists()):
            now = datetime.now(timezone.utc).isoformat(timespec="seconds")
            for table in tables:
                t = self.tables.get(table)
                if t is not None and t.graph is not None:
                    info = self.state["tables"].setdefault(table, {"dim": t.dim})
                    info.update(count=t.count, updated_at=now)
            self.state["last_update_seconds"] = round(time.perf_counter() - started, 3)
            self._save()
        return added

    def _new_rows(self, table: str, known: list[str]):
        key = id_column(table)
        con = self.store.con
        name = f"_match_known_{table}"
        con.register(name, pa.table({"id": pa.array(known, pa.string())}))
        return con.sql(
            f"SELECT {key}, title, skills FROM {table} t "
            f"WHERE NOT EXISTS (SELECT 1 FROM {name} k WHERE k.id = t.{key}) ORDER BY {key}"
        ).to_arrow_reader(_CHUNK)

    def _update_table(self, table: str, progress: Callable[[str, int], None] | None) -> int:
        t = self.tables.get(table)
        if t is None:
            t = self.tables[table] = _Table(self.model.dim)
        elif self.store.count(table) == t.count:
            return 0  # nothing new (records are never deleted from the store)
        reader = self._new_rows(table, t.ids)
        added = 0
        for batch in reader:
            ids = batch.column(0).to_pylist()
            if not ids:
                continue
            vectors = self.model.dense(batch.column(1).to_pylist(), batch.column(2).to_pylist())
            self._add(t, ids, vectors)
            added += len(ids)
            if progress:
                progress(table, added)
        self.store.con.unregister(f"_match_known_{table}")
        return added

    def _add(self, t: _Table, ids: list[str], vectors: np.ndarray) -> None:
        s = self.config.index
        need = t.count + len(ids)
        if t.graph is None:
            t.graph = hnswlib.Index(space="cosine", dim=t.dim)
            t.graph.init_index(max_elements=max(need, 1024), ef_construction=s.ef_construction, M=s.M, random_seed=0)
            t.graph.set_num_threads(self.threads)
        elif need > t.graph.get_max_elements():
            t.graph.resize_index(max(need, int(t.graph.get_max_elements() * 1.5)))
        labels = np.arange(t.count, need, dtype=np.int64)
        t.graph.add_items(vectors, labels, num_threads=self.threads)
        t.graph.set_ef(s.ef_search)
        t.ids.extend(ids)

    # --- querying ----------------------------------------------------------------------
    def count(self, table: str) -> int:
        t = self.tables.get(table)
        return 0 if t is None else t.count

    def search(self, table: str, vectors: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """Top-k (id, cosine similarity) per query vector, approximate."""
        t = self.tables.get(table)
        if t is None or t.count == 0:
            return [[] for _ in range(len(vectors))]
        k = min(k, t.count)
        ef = max(self.config.index.ef_search, k)
        while True:
            t.graph.set_ef(ef)
            try:
                labels, dist = t.graph.knn_query(vectors, k=k, num_threads=self.threads)
                break
            except RuntimeError:
                # fewer than k reachable: clusters of near-identical vectors (repeated titles) trap
                # the greedy search; widen it first, and only then accept fewer results
                if ef < 8 * max(k, self.config.index.ef_search) and ef < t.count:
                    ef *= 2
                elif k > 1:
                    k = max(1, k // 2)
                else:
                    return [[] for _ in range(len(vectors))]
        t.graph.set_ef(self.config.index.ef_search)
        return [[(t.ids[int(l)], float(1.0 - d)) for l, d in zip(lr, dr)] for lr, dr in zip(labels, dist)]

    def vectors(self, table: str, labels: np.ndarray | None = None) -> np.ndarray:
        """The stored vectors of a table (for exact-search comparisons in the benchmark)."""
        t = self.tables[table]
        labels = np.arange(t.count) if labels is None else labels
        return np.asarray(t.graph.get_items(labels, return_type="numpy"), dtype=np.float32)
