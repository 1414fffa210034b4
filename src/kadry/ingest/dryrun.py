"""``kadry ingest --dry-run``: what a file would become, without touching any store.

The same reader, person-name check, checks and canonical shaping as a real ingest (the batch
is written by the one write path into a throwaway in-memory store), so a mapping can be written and checked in minutes: the first records as they
would be stored, and what would be quarantined (records, and fields dropped from kept records).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from kadry.ingest.batch import Batch
from kadry.ingest.pipeline import reader_for
from kadry.schema import TABLES, ddl
from kadry.sources.textio import pop_notes
from kadry.store.connect import scratch

__all__ = ["DryRun", "dry_run", "print_dry_run"]

_SHOWN = (
    "source",
    "source_id",
    "title",
    "employer_name",
    "region_raw",
    "salary_from",
    "salary_to",
    "salary_amount",
    "salary_currency",
    "salary_period",
    "experience_raw",
    "schedule",
    "work_format_raw",
    "skills_raw",
    "published_at",
    "age_band",
    "gender",
    "updated_at",
)


@dataclass
class DryRun:
    path: str
    format: str
    read: int = 0
    records: list[dict] = field(default_factory=list)
    quarantined: list[tuple[int, str]] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    fields: Counter = field(default_factory=Counter)
    names_hidden: int = 0


def dry_run(
    path: Path | str,
    fmt: str | None = None,
    *,
    mapping: Path | str | None = None,
    source: str | None = None,
    limit: int = 5,
    scan: int = 2000,
) -> DryRun:
    """Read up to ``scan`` records of a file as ingest would; keep the first ``limit`` of each outcome."""
    path = Path(path)
    reader = reader_for(path, fmt, mapping)
    out = DryRun(str(path), reader.name)
    batch = Batch(None, str(path), source, salt=b"kadry-dry-run")
    for item in reader.read(path):
        if out.read >= scan:
            break
        out.read += 1
        batch.add(item, None)
    con = scratch()
    try:
        for table in TABLES:
            con.execute(ddl(table))
        # the real write path, into a throwaway in-memory store
        batch.flush(con)
        for position, reason in con.execute("SELECT position, reason FROM quarantine ORDER BY position").fetchall():
            out.reasons[reason] += 1
            if len(out.quarantined) < limit:
                out.quarantined.append((position, reason))
        for name, reason, n in con.execute(
            "SELECT field, reason, count(*) FROM quarantine_fields GROUP BY ALL ORDER BY 3 DESC"
        ).fetchall():
            out.fields[f"{name}: {reason}"] += n
        for table in ("vacancies", "resumes"):
            if len(out.records) >= limit:
                break
            cur = con.execute(f"SELECT * FROM {table} LIMIT {limit - len(out.records)}")
            names = [d[0] for d in cur.description]
            for values in cur.fetchall():
                row = dict(zip(names, values))
                out.records.append({k: row[k] for k in _SHOWN if k in row})
    finally:
        con.close()
    out.names_hidden = batch.names_hidden
    pop_notes(path)
    return out


def print_dry_run(run: DryRun, console: Console) -> None:
    console.print(f"{run.path}: format {run.format}, {run.read:,} records read (nothing stored)", soft_wrap=True)
    if run.records:
        columns = [k for k in _SHOWN if any(r.get(k) not in (None, []) for r in run.records)]
        table = Table(title="first records as they would be stored")
        for name in columns:
            table.add_column(name, overflow="fold")
        for r in run.records:
            table.add_row(*("" if r.get(k) in (None, []) else str(r.get(k)) for k in columns))
        console.print(table)
    for reason, n in run.reasons.most_common(10):
        console.print(f"would quarantine {n:,} record(s): {reason}", soft_wrap=True, markup=False)
    for reason, n in run.fields.most_common(10):
        console.print(f"would drop the field in {n:,} record(s) (record kept): {reason}", soft_wrap=True, markup=False)
    if run.names_hidden:
        console.print(f"{run.names_hidden:,} person names would be replaced by a placeholder")
