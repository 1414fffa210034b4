"""Writing a result table: CSV, TSV, JSON (records), Parquet; dates as ISO strings in text formats."""

from __future__ import annotations

import io
import json
import math
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from kadry.errors import InputError

__all__ = ["FORMATS", "to_records", "write"]

FORMATS = ("table", "csv", "tsv", "json", "parquet")


def to_records(table: pa.Table) -> list[dict]:
    """Rows as dicts with JSON-safe values (ISO dates, None for NaN)."""
    out = []
    for row in table.to_pylist():
        for k, v in row.items():
            if isinstance(v, date):
                row[k] = v.isoformat()
            elif isinstance(v, float) and math.isnan(v):
                row[k] = None
        out.append(row)
    return out


def write(table: pa.Table, fmt: str, out: str | Path | None) -> str | None:
    """Write ``table`` as ``fmt`` to ``out``; without ``out`` return the text (not for Parquet)."""
    if fmt == "parquet":
        if out is None:
            raise InputError("--format parquet needs --out FILE")
        pq.write_table(table, str(out))
        return None
    if fmt in ("csv", "tsv"):
        buf = io.BytesIO()
        pacsv.write_csv(table, buf, pacsv.WriteOptions(delimiter="," if fmt == "csv" else "\t"))
        text = buf.getvalue().decode()
    elif fmt == "json":
        text = json.dumps(to_records(table), ensure_ascii=False, indent=1) + "\n"
    else:
        raise InputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if out is None:
        return text
    Path(out).write_text(text, encoding="utf-8")
    return None
