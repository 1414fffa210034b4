"""The approximate nearest-neighbour index over vacancies and resumes, kept beside the store.

Layout of ``<store>.match/`` (nothing in it is personal beyond the hashed resume ids the store
already holds)::

    model.joblib              fitted TextModel (kept fixed: new records are encoded with it)
    state.json                model and index parameters, counts, build times
    vacancies.hnsw            hnswlib graph (cosine) over the DISTINCT vacancy vectors
    vacancies.keys.parquet    text key (hash of title + skills) -> graph label
    vacancies.vectors.parquet hash of each graph label's vector bytes (equal vectors share a label)
    vacancies.ids.parquet     vacancy_id -> graph label, in arrival order (the postings)
    resumes.*                 the same for resumes

Two levels: records with identical title + skills text (or texts that encode to the same
vector) share one vector, so the graph holds each vector once and the postings list the records
under it. Repeated titles otherwise make huge clusters of identical points, in which the graph
search gets lost; a search finds distinct vectors and expands each through its postings
(capped per vector when asked).

``update`` adds only the records whose ids are not yet in the index (a new text gets a new
vector, a known text only a new posting), so the index grows as records arrive; ``rebuild``
refits the text model and starts again. A store opened as ":memory:" keeps its index in memory.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import hnswlib
import joblib
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kadry.errors import BadRequest, ConfigError, NotFound, StoreError
from kadry.match.config import MatchConfig
from kadry.match.records import id_column
from kadry.match.text import GLOSSARY_PATH, TextModel

__all__ = ["MatchIndex", "index_folder", "TABLES"]

TABLES = ("vacancies", "resumes")
_CHUNK = 50_000
_FORMAT = 2  # 2: distinct vectors + postings


def index_folder(store_path: str | Path) -> Path | None:
    """``<store>.match`` beside a store file; None for an in-memory store."""
    return None if str(store_path) == ":memory:" else Path(str(store_path) + ".match")


def _glossary_hash() -> str:
    return hashlib.sha256(Path(GLOSSARY_PATH).read_bytes()).hexdigest()[:16]


def _text_key(title: str | None, skills) -> bytes:
    """Identity of a record's text: records with equal keys get one shared vector."""
    text = (title or "") + "\x1f" + "\x1e".join(skills or [])
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class _Table:
    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.ids: list[str] = []  # every record, in arrival order
        self.labels: list[int] = []  # graph label of each record (parallel to ids)
        self.keys: dict[bytes, int] = {}  # text key -> graph label
        self.vkeys: dict[bytes, int] = {}  # hash of the vector's bytes -> graph label (texts that encode alike)
        self.postings: list[list[int]] = []  # graph label -> positions in ids
        self.graph: hnswlib.Index | None = None
        self._csr_key: tuple[int, int, int] | None = None
        self._csr: tuple[np.ndarray, np.ndarray] = (np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64))

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def distinct(self) -> int:
        return len(self.postings)

    def postings_csr(self) -> tuple[np.ndarray, np.ndarray]:
        """The postings as (offsets by label, positions), rebuilt when records have arrived."""
        key = (len(self.ids), len(self.postings), id(self.postings))
        if self._csr_key != key:
            lengths = np.fromiter((len(p) for p in self.postings), dtype=np.int64, count=len(self.postings))
            at = np.zeros(len(lengths) + 1, dtype=np.int64)
            np.cumsum(lengths, out=at[1:])
            flat = np.fromiter((x for p in self.postings for x in p), dtype=np.int64, count=int(at[-1]))
            self._csr, self._csr_key = (at, flat), key
        return self._csr

    def _set(
        self, ids: list[str], labels: list[int], keys: list[bytes], key_labels: list[int], vkeys: list[bytes]
    ) -> None:
        self.ids, self.labels = ids, labels
        self.keys = dict(zip(keys, key_labels))
        self.vkeys = {k: n for n, k in enumerate(vkeys)}
        self.postings = [[] for _ in vkeys]
        for pos, label in enumerate(labels):
            self.postings[label].append(pos)


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

    @property
    def text_model(self) -> TextModel:
        """The fitted text model; a ConfigError when the index has not been built yet."""
        if self.model is None:
            raise ConfigError("the text model is not fitted: build the match index first")
        return self.model

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
                ids = pq.read_table(self.folder / f"{name}.ids.parquet")
                keys = pq.read_table(self.folder / f"{name}.keys.parquet")
                vkeys = pq.read_table(self.folder / f"{name}.vectors.parquet").column("key").to_pylist()
                t._set(
                    ids.column("id").to_pylist(),
                    ids.column("label").to_pylist(),
                    keys.column("key").to_pylist(),
                    keys.column("label").to_pylist(),
                    vkeys,
                )
                g = hnswlib.Index(space="cosine", dim=t.dim)
                g.load_index(str(self.folder / f"{name}.hnsw"), max_elements=max(t.distinct, 1))
                g.set_ef(self.config.index.ef_search)
                g.set_num_threads(self.threads)
                t.graph = g
                tables[name] = t
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise StoreError(
                f"match index in {self.folder} is unreadable ({exc}); run `kadry match build --rebuild`"
            ) from None
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
            pq.write_table(
                pa.table({"id": pa.array(t.ids, pa.string()), "label": pa.array(t.labels, pa.int32())}),
                self.folder / f"{name}.ids.parquet",
            )
            pq.write_table(
                pa.table(
                    {"key": pa.array(list(t.keys), pa.binary(16)), "label": pa.array(list(t.keys.values()), pa.int32())}
                ),
                self.folder / f"{name}.keys.parquet",
            )
            vkeys = sorted(t.vkeys, key=t.vkeys.__getitem__)
            pq.write_table(pa.table({"key": pa.array(vkeys, pa.binary(16))}), self.folder / f"{name}.vectors.parquet")
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

    def update(
        self, tables: tuple[str, ...] = TABLES, progress: Callable[[str, int], None] | None = None
    ) -> dict[str, int]:
        """Add records not yet indexed; returns how many were added per table."""
        started = time.perf_counter()
        if self.model is None:
            self._fit_model()
        added: dict[str, int] = {}
        for table in tables:
            added[table] = self._update_table(table, progress)
        if any(added.values()) or not (self.folder and (self.folder / "state.json").exists()):
            now = datetime.now(UTC).isoformat(timespec="seconds")
            for table in tables:
                t = self.tables.get(table)
                if t is not None and t.graph is not None:
                    info = self.state["tables"].setdefault(table, {"dim": t.dim})
                    info.update(count=t.count, distinct=t.distinct, updated_at=now)
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
            assert self.model is not None  # update() fits the model before any table
            t = self.tables[table] = _Table(self.model.dim)
        elif self.store.count(table) == t.count:
            return 0  # nothing new (records are never deleted from the store)
        reader = self._new_rows(table, t.ids)
        added = 0
        for batch in reader:
            ids = batch.column(0).to_pylist()
            if not ids:
                continue
            self._add(t, ids, batch.column(1).to_pylist(), batch.column(2).to_pylist())
            added += len(ids)
            if progress:
                progress(table, added)
        self.store.con.unregister(f"_match_known_{table}")
        return added

    def _add(self, t: _Table, ids: list[str], titles: list, skills: list) -> None:
        """Post each record under its vector; encode only texts not seen before, insert only new vectors.

        Two texts can encode alike (skills in another order, words outside the model's
        vocabulary): the vector's bytes are a second key, so equal vectors share one label.
        """
        pending: dict[bytes, int] = {}  # new text key -> row in new_titles
        new_titles: list[str | None] = []
        new_skills: list[list[str] | None] = []
        waiting: list[tuple[int, int]] = []
        for rid, title, sk in zip(ids, titles, skills):
            key = _text_key(title, sk)
            label = t.keys.get(key)
            pos = len(t.ids)
            t.ids.append(rid)
            if label is None:
                j = pending.get(key)
                if j is None:
                    j = pending[key] = len(new_titles)
                    new_titles.append(title)
                    new_skills.append(sk)
                waiting.append((pos, j))
                t.labels.append(-1)
            else:
                t.postings[label].append(pos)
                t.labels.append(label)
        if not new_titles:
            return
        assert self.model is not None  # update() fits the model before adding records
        vectors = np.ascontiguousarray(self.model.dense(new_titles, new_skills), dtype=np.float32)
        first = t.distinct
        fresh, row_label = [], []
        for j, (key, vec) in enumerate(zip(pending, vectors)):
            vkey = hashlib.blake2b(vec.tobytes(), digest_size=16).digest()
            label = t.vkeys.get(vkey)
            if label is None:
                label = t.vkeys[vkey] = t.distinct
                t.postings.append([])
                fresh.append(j)
            t.keys[key] = label
            row_label.append(label)
        for pos, j in waiting:
            t.labels[pos] = row_label[j]
            t.postings[row_label[j]].append(pos)
        if fresh:
            self._insert(t, first, vectors[fresh])

    def _insert(self, t: _Table, first: int, vectors: np.ndarray) -> None:
        s = self.config.index
        need = first + len(vectors)
        if t.graph is None:
            t.graph = hnswlib.Index(space="cosine", dim=t.dim)
            t.graph.init_index(max_elements=max(need, 1024), ef_construction=s.ef_construction, M=s.M, random_seed=0)
            t.graph.set_num_threads(self.threads)
        elif need > t.graph.get_max_elements():
            t.graph.resize_index(max(need, int(t.graph.get_max_elements() * 1.5)))
        labels = np.arange(first, need, dtype=np.int64)
        t.graph.add_items(vectors, labels, num_threads=self.threads)
        t.graph.set_ef(s.ef_search)

    # --- querying ----------------------------------------------------------------------
    def count(self, table: str) -> int:
        t = self.tables.get(table)
        return 0 if t is None else t.count

    def distinct_count(self, table: str) -> int:
        t = self.tables.get(table)
        return 0 if t is None else t.distinct

    def search_distinct(self, table: str, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k distinct vectors per query: (labels, cosine similarities), approximate."""
        t = self.tables.get(table)
        if t is None or t.distinct == 0:
            return np.zeros((len(vectors), 0), np.int64), np.zeros((len(vectors), 0), np.float32)
        graph = t.graph
        assert graph is not None  # a table with distinct vectors has its graph
        k = min(k, t.distinct)
        ef = max(self.config.index.ef_search, k)
        try:
            while True:
                graph.set_ef(ef)
                try:
                    labels, dist = graph.knn_query(vectors, k=k, num_threads=self.threads)
                    return labels, 1.0 - dist
                except RuntimeError:
                    # fewer than k reachable: widen the search first, and only then accept fewer
                    if ef < 8 * max(k, self.config.index.ef_search) and ef < t.distinct:
                        ef *= 2
                    elif k > 1:
                        k = max(1, k // 2)
                    else:
                        return np.zeros((len(vectors), 0), np.int64), np.zeros((len(vectors), 0), np.float32)
        finally:
            graph.set_ef(self.config.index.ef_search)

    def search(
        self, table: str, vectors: np.ndarray, k: int, *, distinct: int | None = None, per_vector: int | None = None
    ) -> list[list[tuple[str, float]]]:
        """Up to k (id, cosine similarity) per query vector, nearest first, approximate.

        Finds the ``distinct`` (default k) nearest distinct text vectors, then lists the records
        posted under each (at most ``per_vector`` of them, oldest first) until k are listed.
        Records sharing a vector tie; which of them fill the last places is arbitrary.
        """
        t = self.tables.get(table)
        found = self.search_positions(table, vectors, k, distinct=distinct, per_vector=per_vector)
        if t is None:
            return [[] for _ in vectors]
        return [[(t.ids[p], s) for p, s in zip(pos.tolist(), sims.tolist())] for pos, sims in found]

    def search_positions(
        self, table: str, vectors: np.ndarray, k: int, *, distinct: int | None = None, per_vector: int | None = None
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """``search`` as arrays: per query, the records' positions in ``tables[table].ids`` and their
        similarities (what the matcher reads: no id strings made for candidates it drops)."""
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        t = self.tables.get(table)
        if t is None or t.distinct == 0:
            return [empty for _ in vectors]  # what search_distinct's empty result gives
        labels, sims = self.search_distinct(table, vectors, distinct or k)
        at, flat = t.postings_csr()
        cap = np.iinfo(np.int64).max if per_vector is None else per_vector
        out = []
        for lr, sr in zip(labels, sims):
            lr = lr.astype(np.int64)
            start = at[lr]
            n = np.minimum(at[lr + 1] - start, cap)
            last = int(np.searchsorted(np.cumsum(n), k))  # the label whose records reach k
            start, n, sr = start[: last + 1], n[: last + 1], sr[: last + 1]
            total = int(n.sum())
            offsets = np.repeat(start - np.concatenate([[0], np.cumsum(n)[:-1]]), n) + np.arange(total)
            out.append((flat[offsets][:k], np.repeat(sr, n)[:k].astype(np.float32)))
        return out

    def vectors(self, table: str, labels: np.ndarray | None = None) -> np.ndarray:
        """The stored distinct vectors of a table (for exact-search comparisons in the benchmark)."""
        t = self.tables[table]
        labels = np.arange(t.distinct) if labels is None else labels
        if t.graph is None:
            raise NotFound(f"the match index holds no vectors of {table} yet")
        return np.asarray(t.graph.get_items(labels, return_type="numpy"), dtype=np.float32)

    def record_labels(self, table: str) -> np.ndarray:
        """The distinct-vector label of every indexed record, in the order of ``tables[table].ids``."""
        return np.asarray(self.tables[table].labels, dtype=np.int64)
