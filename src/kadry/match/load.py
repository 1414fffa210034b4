"""Put records into a store directly, with their normalized columns already set.

Evaluation and tests use it to build a store from labelled real data without waiting for the
ingest and normalize stages; unset columns are null.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from kadry.schema import TABLES, arrow_schema

__all__ = ["insert_records"]


def insert_records(store, table: str, rows: Iterable[dict]) -> int:
    """Insert ``rows`` (dicts keyed by column name) into ``table``; returns the count."""
    columns, _ = TABLES[table]
    schema = arrow_schema(columns)
    rows = list(rows)
    if not rows:
        return 0
    unknown = set().union(*(r.keys() for r in rows)) - set(schema.names)
    if unknown:
        raise ValueError(f"not columns of {table}: {sorted(unknown)}")
    data = pa.Table.from_pylist([{n: r.get(n) for n in schema.names} for r in rows], schema=schema)
    name = f"_insert_{table}"
    store.con.register(name, data)
    try:
        store.con.execute(f"INSERT INTO {table} SELECT * FROM {name}")
    finally:
        store.con.unregister(name)
    return len(rows)
