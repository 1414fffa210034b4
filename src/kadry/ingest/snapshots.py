"""Full daily snapshots (the portal's dumps): store what changed, date what disappeared.

A dump shows every record live on its date. Instead of a copy per day, the store keeps runs:
``presence`` (record, first and last snapshot of each run of consecutive snapshots showing
it) and ``versions`` (the same per distinct content, with the fields mobility needs), and
the record itself as its newest snapshot shows it. A record missing from the next snapshot
closed between the two: ``activity_end`` is the last snapshot showing it, ``closed_at`` the
first one without it.

A snapshot is applied in one transaction after the whole file was read into staging tables
(a dump cut or killed midway changes nothing); its (dataset, time) is recorded, so the same
snapshot again adds nothing. The run update is the insertion of one date into a sorted
list, so snapshots arriving in any order end in the same store: a run spanning the new
date is split where the record is absent, runs ending just before or starting just after
it are extended (and joined) where it is present, and a new run starts elsewhere.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from kadry.errors import InputError
from kadry.ingest.outcome import resume_key
from kadry.ingest.rules import validate
from kadry.schema import CAREER, DICTIONARY, LINK, QUARANTINE, RAW_RESUME_FIELDS, RAW_VACANCY_FIELDS, arrow_schema
from kadry.sources.trudvsem_xml import KIND, TrudvsemXML, snapshot_of
from kadry.store import Store

__all__ = ["SnapshotResult", "ingest_snapshot", "snapshot_done"]

_TABLE = {
    "vacancy": ("vacancies", "vacancy_id", RAW_VACANCY_FIELDS),
    "resume": ("resumes", "resume_id", RAW_RESUME_FIELDS),
}
_VERSION_COLS = ("region_raw", "profession_code_raw", "title", "salary_amount")


@dataclass
class SnapshotResult:
    path: str
    dataset: str
    snapshot_at: datetime | None
    read: int = 0
    new: int = 0
    changed: int = 0
    merged: int = 0
    quarantined: int = 0
    closed: int = 0
    skipped: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        return self.read == self.new + self.merged + self.quarantined


def snapshot_done(store: Store, dataset: str, snapshot_at: datetime) -> bool:
    rows = store.con.execute(
        "SELECT 1 FROM snapshots WHERE dataset = ? AND snapshot_at = ?", [dataset, snapshot_at]
    ).fetchall()
    return bool(rows)


def _hash(row: dict, fields: list[str]) -> str:
    payload = json.dumps([row.get(f) for f in fields], default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:24]


def _stage_schema(kind: str) -> pa.Schema:
    from kadry.schema import RESUME, VACANCY

    base = arrow_schema(VACANCY if kind == "vacancy" else RESUME, ("raw",))
    return (
        base.append(pa.field("content_hash", pa.string()))
        .append(pa.field("live", pa.bool_()))
        .append(pa.field("pos", pa.int64()))
    )


class _Stager:
    """Streams a dump's items into staging tables inside the store (nothing held in memory)."""

    def __init__(self, store: Store, dataset: str, source_file: str, batch_size: int) -> None:
        self.con = store.con
        self.salt = store.salt
        self.dataset = dataset
        self.kind = KIND[dataset]
        self.source_file = source_file
        self.batch_size = batch_size
        self.rows: list[dict] = []
        self.career: list[dict] = []
        self.links: list[dict] = []
        self.dicts: list[dict] = []
        self.quarantine: list[dict] = []
        self.read = 0
        self.n_quarantined = 0
        if self.kind in _TABLE:
            self.fields = [f for f in _TABLE[self.kind][2] if f not in (_TABLE[self.kind][1], "source_key")]
        for name, schema in self._schemas().items():
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
            self.con.register("_empty", pa.table({f.name: pa.array([], f.type) for f in schema}, schema=schema))
            self.con.execute(f"CREATE TABLE {name} AS SELECT * FROM _empty")
            self.con.unregister("_empty")

    def _schemas(self) -> dict[str, pa.Schema]:
        out = {"_stage_quarantine": arrow_schema(QUARANTINE)}
        if self.kind in _TABLE:
            out["_stage_records"] = _stage_schema(self.kind)
        if self.kind == "resume":
            out["_stage_career"] = arrow_schema(CAREER)
        if self.kind == "link":
            out["_stage_links"] = arrow_schema(LINK)
        if self.kind == "dictionary":
            out["_stage_dict"] = arrow_schema(DICTIONARY)
        return out

    def add(self, item) -> None:
        self.read += 1
        if item.record is None:
            self._bad(item.position, item.reason or "unreadable record", item.excerpt)
        elif self.kind in _TABLE:
            self._record(item)
        elif self.kind == "link":
            rec = item.record
            self.links.append(
                {
                    "kind": rec["kind"],
                    "link_id": rec["link_id"],
                    "resume_id": f"trudvsem:{resume_key(self.salt, 'trudvsem', rec['cv_id'])}",
                    "vacancy_id": f"trudvsem:{rec['vacancy_source_id']}",
                    "created_at": rec["created_at"],
                    "source_file": self.source_file,
                }
            )
        else:
            self.dicts.append(item.record)
        if len(self.rows) + len(self.links) + len(self.dicts) + len(self.career) >= self.batch_size:
            self.flush()

    def _bad(self, position: int, reason: str, excerpt: object) -> None:
        self.n_quarantined += 1
        self.quarantine.append(
            {
                "source_file": self.source_file,
                "position": position,
                "kind": self.kind,
                "reason": reason,
                "excerpt": None if self.kind == "resume" or excerpt is None else str(excerpt)[:200],
            }
        )

    def _record(self, item) -> None:
        rec = dict(item.record)
        career = rec.pop("_career", None) or []
        reason = validate(self.kind, rec)
        if reason:
            self._bad(item.position, reason, None if self.kind == "resume" else rec.get("title"))
            return
        row = {name: rec.get(name) for name in self.fields}
        row["simulated"] = bool(rec.get("simulated") or False)
        if self.kind == "vacancy":
            row["vacancy_id"] = f"trudvsem:{row['source_id']}"
            row["salary_amount"] = (
                row.get("salary_from") if row.get("salary_from") is not None else row.get("salary_to")
            )
            key = row["vacancy_id"]
        else:
            row["source_key"] = resume_key(self.salt, "trudvsem", str(rec["source_id"]))
            row["resume_id"] = f"trudvsem:{row['source_key']}"
            key = row["resume_id"]
            for i, job in enumerate(career):
                self.career.append({"resume_id": key, "position": i, **job})
        # the hash is over what is stored, plus the career: a changed work history is a change
        row["content_hash"] = _hash({**row, "_career": career}, [*self.fields, "simulated", "_career"])
        row["live"] = not bool(rec.get("archived"))
        row["pos"] = item.position
        self.rows.append(row)

    def flush(self) -> None:
        con = self.con
        for name, rows, schema in (
            ("_stage_records", self.rows, _stage_schema(self.kind) if self.kind in _TABLE else None),
            ("_stage_career", self.career, arrow_schema(CAREER)),
            ("_stage_links", self.links, arrow_schema(LINK)),
            ("_stage_dict", self.dicts, arrow_schema(DICTIONARY)),
            ("_stage_quarantine", self.quarantine, arrow_schema(QUARANTINE)),
        ):
            if rows and schema is not None:
                con.register("_batch", pa.Table.from_pylist(rows, schema=schema))
                con.execute(f"INSERT INTO {name} SELECT * FROM _batch")
                con.unregister("_batch")
                rows.clear()

    def drop(self) -> None:
        for name in self._schemas():
            self.con.execute(f"DROP TABLE IF EXISTS {name}")


def _neighbours(con, dataset: str, at: datetime) -> tuple[datetime | None, datetime | None]:
    p = con.execute(
        "SELECT max(snapshot_at) FROM snapshots WHERE dataset = ? AND snapshot_at < ?", [dataset, at]
    ).fetchall()[0][0]
    n = con.execute(
        "SELECT min(snapshot_at) FROM snapshots WHERE dataset = ? AND snapshot_at > ?", [dataset, at]
    ).fetchall()[0][0]
    return p, n


def _insert_date(
    con, table: str, kind: str, keys: list[str], extra: list[str], d: datetime, p: datetime | None, n: datetime | None
) -> None:
    """Insert snapshot ``d`` into the runs of ``table`` for the keys in ``_k`` (see the module doc)."""
    on = " AND ".join(f"r.{c} = k.{c}" for c in keys)
    present = f"EXISTS (SELECT 1 FROM _k k WHERE {on})"
    cols = ", ".join(["kind", *keys, "first_at", "last_at", *extra])
    scope = f"r.kind = '{kind}'"
    if p is not None and n is not None:
        split = f"{scope} AND r.first_at < $d AND r.last_at > $d AND NOT {present}"
        copy = ", ".join(["kind", *keys, "$n", "last_at", *extra])
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {copy} FROM {table} r WHERE {split}", {"d": d, "n": n})
        con.execute(f"UPDATE {table} r SET last_at = $p WHERE {split}", {"d": d, "p": p})
    if p is not None:
        con.execute(
            f"UPDATE {table} r SET last_at = $d WHERE {scope} AND r.last_at = $p AND {present}", {"d": d, "p": p}
        )
    if n is not None:
        con.execute(
            f"UPDATE {table} r SET first_at = $d WHERE {scope} AND r.first_at = $n AND {present}", {"d": d, "n": n}
        )
        # a run now ending at d and one now starting at d are one run
        same = " AND ".join(f"b.{c} = r.{c}" for c in keys)
        con.execute(
            f"UPDATE {table} r SET last_at = b.last_at FROM {table} b WHERE {scope} AND b.kind = r.kind AND {same} "
            f"AND r.last_at = $d AND r.first_at < $d AND b.first_at = $d",
            {"d": d},
        )
        con.execute(
            f"DELETE FROM {table} r WHERE {scope} AND r.first_at = $d AND r.last_at > $d AND EXISTS ("
            f"SELECT 1 FROM {table} b WHERE b.kind = r.kind AND {same} AND b.first_at < $d AND b.last_at = r.last_at)",
            {"d": d},
        )
    kcols = ", ".join(f"k.{c}" for c in keys)
    kextra = "".join(f", k.{c}" for c in extra)
    con.execute(
        f"INSERT INTO {table} ({cols}) SELECT '{kind}', {kcols}, $d, $d{kextra} FROM _k k WHERE NOT EXISTS ("
        f"SELECT 1 FROM {table} r WHERE {scope} AND {on} AND r.first_at <= $d AND r.last_at >= $d)",
        {"d": d},
    )


def _apply_records(con, kind: str, dataset: str, d: datetime, p: datetime | None, n: datetime | None) -> dict:
    table, key, raw = _TABLE[kind]
    lit = f"TIMESTAMP '{d.isoformat(sep=' ')}'"
    # one row per record: the last in the file wins (a dump listing a record twice)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _s AS SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER "
        f"(PARTITION BY {key} ORDER BY pos DESC) rn FROM _stage_records) WHERE rn = 1"
    )
    n_rows = con.execute("SELECT count(*) FROM _stage_records").fetchall()[0][0]
    existing = con.execute(f"SELECT count(*) FROM _s s JOIN {table} t ON t.{key} = s.{key}").fetchall()[0][0]
    # merged, counted: repeats inside the file plus records already stored (not read - new - quarantined)
    merged = n_rows - con.execute("SELECT count(*) FROM _s").fetchall()[0][0] + existing
    changed = con.execute(
        f"SELECT count(*) FROM _s s JOIN {table} t ON t.{key} = s.{key} WHERE "
        f"(t.activity_end IS NULL OR {lit} >= t.activity_end) AND EXISTS (SELECT 1 FROM versions v "
        f"WHERE v.kind = '{kind}' AND v.record_id = s.{key} AND v.content_hash <> s.content_hash "
        f"AND v.last_at = t.activity_end)"
    ).fetchall()[0][0]
    # the record's values are those of the newest snapshot showing it
    others = [c for c in raw if c != key]
    assign = ", ".join(f"{c} = s.{c}" for c in others)
    newest = f"t.{key} = s.{key} AND (t.activity_end IS NULL OR {lit} >= t.activity_end)"
    if kind == "resume":
        con.execute(
            f"DELETE FROM career_history WHERE resume_id IN (SELECT s.{key} FROM _s s JOIN {table} t ON {newest})"
        )
    con.execute(
        f"UPDATE {table} t SET {assign}, norm_version = CASE WHEN t.norm_version IS NOT NULL AND EXISTS ("
        f"SELECT 1 FROM versions v WHERE v.kind = '{kind}' AND v.record_id = s.{key} AND v.content_hash = s.content_hash"
        f") THEN t.norm_version ELSE NULL END FROM _s s WHERE {newest}"
    )
    cols = ", ".join(raw)
    con.execute(
        f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _s s WHERE NOT EXISTS "
        f"(SELECT 1 FROM {table} t WHERE t.{key} = s.{key})"
    )
    if kind == "resume":
        con.execute(
            "INSERT INTO career_history SELECT c.* FROM _stage_career c JOIN _s s ON s.resume_id = c.resume_id "
            f"JOIN resumes t ON t.resume_id = s.resume_id WHERE t.activity_end IS NULL OR {lit} >= t.activity_end"
        )
    # runs of presence (live records only) and of versions
    version_vals = ", ".join(
        f"{'salary_from' if (c == 'salary_amount' and kind == 'vacancy') else c} AS {c}" for c in _VERSION_COLS
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _k AS SELECT {key} AS record_id, content_hash, {version_vals} FROM _s WHERE live"
    )
    _insert_date(con, "presence", kind, ["record_id"], [], d, p, n)
    _insert_date(con, "versions", kind, ["record_id", "content_hash"], list(_VERSION_COLS), d, p, n)
    # lifecycle from the runs: first and last snapshot showing it, and the first one without it
    con.execute(
        f"""UPDATE {table} t SET first_seen = agg.f, last_seen = agg.l, activity_end = agg.l, closed_at = nx.nxt
            FROM (SELECT record_id, min(first_at) f, max(last_at) l FROM presence WHERE kind = '{kind}' GROUP BY record_id) agg,
                 (SELECT snapshot_at, lead(snapshot_at) OVER (ORDER BY snapshot_at) nxt FROM snapshots WHERE dataset = ?) nx
            WHERE t.{key} = agg.record_id AND nx.snapshot_at = agg.l""",
        [dataset],
    )
    closed = con.execute(f"SELECT count(*) FROM {table} WHERE source = 'trudvsem' AND closed_at = ?", [d]).fetchall()[
        0
    ][0]
    con.execute("DROP TABLE IF EXISTS _s")
    con.execute("DROP TABLE IF EXISTS _k")
    return {"rows": n_rows, "existing": existing, "merged": merged, "changed": changed, "closed": closed}


def _merged(con, stage: str, table: str, key: tuple[str, ...]) -> int:
    """Staged rows that add no row: repeats of a key inside the file, and keys already stored."""
    k = ", ".join(key)
    on = " AND ".join(f"t.{c} = s.{c}" for c in key)
    rows, distinct = con.execute(f"SELECT count(*), count(DISTINCT ({k})) FROM {stage}").fetchall()[0]
    known = con.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT {k} FROM {stage}) s WHERE EXISTS (SELECT 1 FROM {table} t WHERE {on})"
    ).fetchall()[0][0]
    return int(rows - distinct + known)


def ingest_snapshot(
    store: Store,
    path: str | Path,
    dataset: str | None = None,
    *,
    snapshot_at: datetime | None = None,
    batch_size: int = 20_000,
    on_progress: Callable[[str, int], None] | None = None,
) -> SnapshotResult:
    """Apply one dump to the store (a snapshot already applied is skipped, not re-read)."""
    path = Path(path)
    reader = TrudvsemXML(dataset)
    dataset = reader.dataset_for(path)
    snap = snapshot_at or snapshot_of(path)
    if snap is None:
        raise InputError(
            f"{path.name}: no snapshot date in the file name (data-YYYYMMDDTHHMMSS-...); pass --snapshot-at"
        )
    result = SnapshotResult(str(path), dataset, snap)
    con = store.con
    if snapshot_done(store, dataset, snap):
        result.skipped = "snapshot already ingested"
        return result
    stager = _Stager(store, dataset, path.name, batch_size)
    try:
        for item in reader.read(path):
            stager.add(item)
            if on_progress and stager.read % 100_000 == 0:
                on_progress(path.name, stager.read)
        stager.flush()
        result.read, result.quarantined = stager.read, stager.n_quarantined
        kind = KIND[dataset]
        con.begin()
        try:
            con.execute(
                "INSERT INTO snapshots VALUES (?, ?, ?, ?, NULL, NULL, ?, NULL)",
                [dataset, snap, path.name, result.read, result.quarantined],
            )
            if kind in _TABLE:
                p, n = _neighbours(con, dataset, snap)
                before = store.count(_TABLE[kind][0])
                info = _apply_records(con, kind, dataset, snap, p, n)
                result.new = store.count(_TABLE[kind][0]) - before
                result.changed, result.closed, result.merged = info["changed"], info["closed"], info["merged"]
            elif kind == "link":
                before = store.count("links")
                result.merged = _merged(con, "_stage_links", "links", ("kind", "link_id"))
                con.execute(
                    "INSERT INTO links SELECT * FROM (SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER "
                    "(PARTITION BY kind, link_id ORDER BY created_at) rn FROM _stage_links) WHERE rn = 1) s "
                    "WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.kind = s.kind AND l.link_id = s.link_id)"
                )
                result.new = store.count("links") - before
            else:
                before = store.count("dictionaries")
                result.merged = _merged(con, "_stage_dict", "dictionaries", ("dictionary", "code"))
                con.execute(
                    "DELETE FROM dictionaries d WHERE EXISTS (SELECT 1 FROM _stage_dict s "
                    "WHERE s.dictionary = d.dictionary AND s.code = d.code)"
                )
                con.execute(
                    "INSERT INTO dictionaries SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER "
                    "(PARTITION BY dictionary, code ORDER BY code) rn FROM _stage_dict) WHERE rn = 1"
                )
                result.new = store.count("dictionaries") - before
            con.execute(
                "INSERT INTO quarantine SELECT * FROM _stage_quarantine s WHERE NOT EXISTS ("
                "SELECT 1 FROM quarantine q WHERE q.source_file = s.source_file AND q.position = s.position)"
            )
            con.execute(
                "UPDATE snapshots SET new = ?, changed = ?, finished_at = ? WHERE dataset = ? AND snapshot_at = ?",
                [result.new, result.changed, datetime.now().replace(microsecond=0), dataset, snap],
            )
            from kadry.store.writes import log_file

            log_file(
                con, path.name, f"trudvsem-xml:{dataset}", (result.read, result.new, result.merged, result.quarantined)
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise
    finally:
        stager.drop()
    if on_progress:
        on_progress(path.name, result.read)
    return result
