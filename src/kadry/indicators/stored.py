"""Activity intervals kept in the store: merged once, keyed by integers, refreshed per ingest.

Stocks (and the index built on them) need every record's activity intervals; merging a
resume's update windows into islands is a sort of all its events, the dearest step of a
query. So the store keeps the result, per record, under the default activity rules:

- ``activity_keys(kind, record_id, rec)``: a small integer per record;
- ``segment_codes(dim, value, code)``: a small integer per coded value of each dimension
  (``"unknown"`` included, so decoding gives exactly the strings ``segments.coded_dims`` gives);
- ``activity_intervals(kind, rec, <dim codes>, simulated, dup, s, e, e_seen, next_s)``: the
  merged intervals of activity.py, with both vacancy end rules (``e`` lifetime, ``e_seen``
  last sighting) and the duplicate mark, so those options need no rebuild.

``refresh_intervals(store, touched)`` rebuilds the rows of the records an ingest touched
(all records when ``touched`` is None); ingest and normalize call it once per batch. The
intervals are computed by the same Ibis definitions the query path uses (activity.py), so
the stored and the computed rows cannot drift apart. A query uses the stored rows only when
they match its options and the store has not changed since the refresh (row counts and
newest sighting are compared, see ``stored_state``); otherwise it computes them as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import ibis

from kadry.indicators.activity import Options, intervals, vacancy_intervals
from kadry.indicators.engine import STORED_TABLES, Engine, store_tables
from kadry.indicators.periods import epoch_day
from kadry.indicators.segments import ALL, DIMENSIONS, filter_values
from kadry.indicators.state import META_KEY, freshness, read_meta, stored_state

__all__ = [
    "ROLLED_UP",
    "STORED_OPTIONS",
    "STORED_TABLES",
    "decode",
    "freshness",
    "refresh_intervals",
    "stored_intervals",
    "stored_state",
    "usable",
]

#: the code of a rolled-up dimension ("all"): segment codes are never negative
ROLLED_UP = -1
#: the options the stored intervals were merged under (the defaults)
STORED_OPTIONS = {"lifetime": Options().lifetime, "window": Options().window}
_DIMS = tuple(DIMENSIONS)

_DDL = {
    "activity_keys": "CREATE TABLE IF NOT EXISTS activity_keys (kind VARCHAR, record_id VARCHAR, rec BIGINT)",
    "segment_codes": "CREATE TABLE IF NOT EXISTS segment_codes (dim VARCHAR, value VARCHAR, code INTEGER)",
    "activity_intervals": (
        "CREATE TABLE IF NOT EXISTS activity_intervals (kind VARCHAR, rec BIGINT, "
        + ", ".join(f"{d} INTEGER" for d in _DIMS)
        + ", simulated BOOLEAN, dup BOOLEAN, s BIGINT, e BIGINT, e_seen BIGINT, next_s BIGINT)"
    ),
}


def refresh_intervals(store: Any, touched: Mapping[str, Iterable[str]] | None = None) -> int:
    """Rebuild the stored intervals of the touched records (``{"vacancy": ids, "resume": ids}``); None = all.

    Runs in the caller's transaction if one is open. Returns the number of interval rows written.
    """
    con = store.con
    for ddl in _DDL.values():
        con.execute(ddl)
    meta = read_meta(con)
    if touched is None or meta is None:
        # first build (or a full one): start from empty tables
        for t in ("activity_intervals",):
            con.execute(f"DELETE FROM {t}")
        touched_tables = None
    else:
        touched_tables = {k: list(dict.fromkeys(str(i) for i in touched.get(k, ()))) for k in ("vacancy", "resume")}
    from kadry.store import ibis_backend

    icon = ibis_backend(con)
    base = {t: v for t, v in store_tables(icon, store.path, con).items() if t not in STORED_TABLES}
    written = 0
    for kind, table, key in (("vacancy", "vacancies", "vacancy_id"), ("resume", "resumes", "resume_id")):
        tables = dict(base)
        if touched_tables is not None:
            ids = touched_tables[kind]
            if not ids:
                continue
            con.execute("CREATE OR REPLACE TEMP TABLE _touched (record_id VARCHAR)")
            con.executemany("INSERT INTO _touched VALUES (?)", [[i] for i in ids]) if len(ids) < 64 else _bulk(con, ids)
            t = icon.table("_touched")
            tables[table] = base[table].semi_join(t, base[table][key] == t.record_id)
            if kind == "resume":
                for name in ("observations", "presence"):
                    o = base[name]
                    tables[name] = o.semi_join(t, o.record_id == t.record_id)
        eng = Engine("duckdb", icon, tables, owns=False)
        expr = _build(eng, kind)
        con.execute("CREATE OR REPLACE TEMP TABLE _iv AS " + ibis.to_sql(expr, dialect="duckdb"))
        src = f"(SELECT {key} AS record_id FROM {table}" + (
            " WHERE " + key + " IN (SELECT record_id FROM _touched))" if touched_tables is not None else ")"
        )
        # integer keys for records never seen before
        con.execute(
            f"INSERT INTO activity_keys SELECT '{kind}', n.record_id, "
            f"(SELECT coalesce(max(rec), 0) FROM activity_keys WHERE kind = '{kind}') + row_number() OVER (ORDER BY n.record_id) "
            f"FROM {src} n WHERE NOT EXISTS (SELECT 1 FROM activity_keys k WHERE k.kind = '{kind}' AND k.record_id = n.record_id)"
        )
        for d in _DIMS:
            con.execute(
                f"INSERT INTO segment_codes SELECT '{d}', v, (SELECT coalesce(max(code), 0) FROM segment_codes WHERE dim = '{d}') "
                f"+ row_number() OVER (ORDER BY v) FROM (SELECT DISTINCT {d} AS v FROM _iv) n "
                f"WHERE NOT EXISTS (SELECT 1 FROM segment_codes c WHERE c.dim = '{d}' AND c.value = n.v)"
            )
        if touched_tables is not None:
            con.execute(
                f"DELETE FROM activity_intervals WHERE kind = '{kind}' AND rec IN "
                f"(SELECT k.rec FROM activity_keys k JOIN _touched t USING (record_id) WHERE k.kind = '{kind}')"
            )
        joins = " ".join(f"JOIN segment_codes c_{d} ON c_{d}.dim = '{d}' AND c_{d}.value = i.{d}" for d in _DIMS)
        codes = ", ".join(f"c_{d}.code" for d in _DIMS)
        n = con.execute(
            f"INSERT INTO activity_intervals SELECT '{kind}', k.rec, {codes}, i.simulated, i.dup, i.s, i.e, i.e_seen, i.next_s "
            f"FROM _iv i JOIN activity_keys k ON k.kind = '{kind}' AND k.record_id = i.record_id {joins}"
        ).fetchall()
        written += n[0][0] if n else 0
    con.execute("DROP TABLE IF EXISTS _iv")
    con.execute("DROP TABLE IF EXISTS _touched")
    fresh = {**STORED_OPTIONS, "state": list(stored_state(con))}
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [META_KEY, json.dumps(fresh)])
    return written


def _bulk(con: Any, ids: list[str]) -> None:
    import pyarrow as pa

    con.register("_touched_arrow", pa.table({"record_id": pa.array(ids, pa.string())}))
    try:
        con.execute("INSERT INTO _touched SELECT record_id FROM _touched_arrow")
    finally:
        con.unregister("_touched_arrow")


def _build(eng: Engine, kind: str) -> ibis.Table:
    """The intervals of one kind under the default rules, every dimension coded, both vacancy end rules."""
    opts = Options(include_duplicates=True)
    dims = list(_DIMS)
    if kind == "vacancy":
        extra = {
            "dup": lambda t: t.dup_of.notnull(),
            "closed": lambda t: epoch_day(ibis.coalesce(t.closed_at, t.archived_at)),
            "seen": lambda t: epoch_day(t.last_seen),
            "snap_end": lambda t: epoch_day(t.activity_end),
        }
        iv = vacancy_intervals(eng, dims, None, opts, extra)
        by_lifetime = iv.s + (opts.lifetime - 1)
        # as activity.vacancy_intervals: a snapshot source's last showing, else the close, else the rule
        e_seen = ibis.coalesce(iv.snap_end, iv.closed, ibis.greatest(iv.s, iv.seen).fill_null(by_lifetime))
        return iv.select("record_id", *dims, "simulated", "dup", "s", "e", e_seen=e_seen, next_s=ibis.null("int64"))
    iv = intervals(eng, "resume", dims, None, opts)
    return iv.select(
        "record_id", *dims, "simulated", dup=ibis.literal(False), s=iv.s, e=iv.e, e_seen=iv.e, next_s=iv.next_s
    )


def usable(engine: Engine, opts: Options) -> bool:
    """Can this query read the stored intervals instead of merging them again?"""
    return (
        engine.stored_intervals
        and opts.lifetime == STORED_OPTIONS["lifetime"]
        and opts.window == STORED_OPTIONS["window"]
    )


def stored_intervals(engine: Engine, dims: list[str], filters: dict | None, opts: Options) -> ibis.Table:
    """The stored intervals of both kinds: ``s, e, next_s, <dim codes>, simulated, is_v`` (filters applied by code)."""
    t = engine.table("activity_intervals")
    if not opts.include_duplicates:
        # only a vacancy can be a duplicate (a resume's ``dup`` is stored false, never null), so no
        # string comparison of ``kind`` per row: at 10M records it was 8% of a daily stock query
        t = t.filter(~t.dup)
    codes = engine.table("segment_codes")
    for raw, wanted in (filters or {}).items():
        name, values = filter_values(raw, wanted)
        allowed = codes.filter(codes.dim == name, codes.value.isin(values))
        t = t.semi_join(allowed, t[name] == allowed.code)
    e = ibis.ifelse(t.kind == "vacancy", t.e_seen, t.e) if opts.vacancy_rule == "last_seen" else t.e
    return t.select(
        s=t.s, e=e, next_s=t.next_s, **{d: t[d] for d in dims}, simulated=t.simulated, is_v=t.kind == "vacancy"
    )


def decode(engine: Engine, t: ibis.Table, dims: list[str]) -> ibis.Table:
    """Replace each dimension's integer code by its string value (a join per dimension, on the small result).

    ``ROLLED_UP`` becomes ``"all"``.
    """
    codes = engine.table("segment_codes")
    for d in dims:
        c = codes.filter(codes.dim == d).select(**{f"_c_{d}": "code", f"_v_{d}": "value"})
        t = t.left_join(c, t[d] == c[f"_c_{d}"])
        value = ibis.ifelse(t[d] == ROLLED_UP, ibis.literal(ALL), t[f"_v_{d}"])
        t = t.mutate(**{f"_v_{d}": value}).drop(d, f"_c_{d}").rename(**{d: f"_v_{d}"})
    return t
