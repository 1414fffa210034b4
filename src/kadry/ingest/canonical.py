"""Bulk load of Parquet already in the canonical shape (the simulator's output, other stores' exports).

The rows go through the one write path (kadry.ingest.staged), so tens of millions load at
DuckDB's speed with the accounting, checks and merge rule of every other reader; the folder's
own sightings are added once and the lifecycle is derived from them.
"""

from __future__ import annotations

from pathlib import Path

from kadry.errors import UnreadableFileError
from kadry.ingest.outcome import FileResult
from kadry.ingest.staged import write_staged
from kadry.schema import RAW_OBSERVATION_FIELDS, RAW_RESUME_FIELDS, RAW_VACANCY_FIELDS
from kadry.store import Store
from kadry.store.writes import log_file, refresh_lifecycle_sql, sql_path, transaction

__all__ = ["ingest_canonical", "is_canonical_folder"]

_PARTS = {
    "vacancies": ("vacancy", "vacancy_id", RAW_VACANCY_FIELDS),
    "resumes": ("resume", "resume_id", RAW_RESUME_FIELDS),
}


def _files(root: Path, name: str) -> list[Path]:
    """A part's Parquet files (``name/*.parquet`` or ``name.parquet``), in name order: the read
    order, so that among equal sighting times a later file's row wins."""
    folder, single = root / name, root / f"{name}.parquet"
    if folder.is_dir() and (files := sorted(folder.glob("*.parquet"))):
        return files
    return [single] if single.is_file() else []


def _sql_list(files: list[Path]) -> str:
    return "[" + ", ".join(f"'{sql_path(f)}'" for f in files) + "]"


def ingest_canonical(store: Store, root: Path, kinds: tuple[str, ...] = ("vacancy", "resume")) -> FileResult:
    """Load a canonical Parquet folder; ``kinds`` limits it to vacancies or resumes (and their sightings).

    Each Parquet file becomes a stage table for the one write path (kadry.ingest.staged): the
    same checks, person-name test, merge rule (a repeat updates the record) and accounting as
    every other reader. The folder's own ``observations`` are its sightings.
    """
    root = Path(root)
    if not root.is_dir():
        raise UnreadableFileError(
            root, "canonical input must be a directory with vacancies/, resumes/, observations/ Parquet"
        )
    result = FileResult(str(root.resolve()), "canonical")
    con = store.con
    found = False
    with transaction(con, store.path):
        sightings = _files(root, "observations")
        observed = _sql_list(sightings) if sightings else None
        for table, (kind, key, raw) in _PARTS.items():
            parts = _files(root, table)
            if not parts or kind not in kinds:
                continue
            found = True
            amount = "coalesce(salary_from, salary_to)" if kind == "vacancy" else "salary_amount"
            seen = "NULL::TIMESTAMP"  # the write path dates an undated row as every reader's
            if observed is not None:
                # a record was last seen at its folder's latest sighting of it
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE _seen AS SELECT record_id, max(observed_at) AS seen "
                    f"FROM read_parquet({observed}, union_by_name = true) WHERE kind = '{kind}' GROUP BY record_id"
                )
                seen = f"(SELECT seen FROM _seen WHERE record_id = p.{key})"
            for part in parts:
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE _stage AS SELECT {', '.join(raw)}, {seen} AS observed_at, "
                    f"NULL::BOOLEAN AS archived, {amount} AS salary_amount, file_row_number AS _ord, "
                    f"NULL::VARCHAR AS _bad, NULL::VARCHAR AS _excerpt "
                    f"FROM read_parquet('{sql_path(part)}', file_row_number = true) p"
                )
                # a folder without sightings of its own gets one per record, as every other reader's
                staged = write_staged(con, kind, str(Path(part).resolve()), sightings=observed is None)
                con.execute("DROP TABLE _stage")
                result.counts.add(staged.counts)
                result.names_hidden += staged.names_hidden
                result.fields_quarantined += staged.fields_quarantined
            con.execute("DROP TABLE IF EXISTS _seen")
        if observed is not None:
            cols = ", ".join(RAW_OBSERVATION_FIELDS)
            con.execute(
                f"INSERT INTO observations ({cols}) SELECT {cols} FROM ("
                f"  SELECT {cols}, row_number() OVER (PARTITION BY kind, record_id, observed_at) AS _k "
                f"  FROM read_parquet({observed}, union_by_name = true) WHERE kind IN ({', '.join(repr(k) for k in kinds)})) s "
                "WHERE _k = 1 AND NOT EXISTS (SELECT 1 FROM observations o WHERE o.kind = s.kind "
                "AND o.record_id = s.record_id AND o.observed_at IS NOT DISTINCT FROM s.observed_at)"
            )
        if found:
            for kind in kinds:
                con.execute(refresh_lifecycle_sql(kind))
            c = result.counts
            log_file(
                con,
                result.path,
                result.format,
                (c.read, c.stored, c.merged, c.quarantined),
                names_hidden=result.names_hidden,
                fields_quarantined=result.fields_quarantined,
            )
    if not found:
        raise UnreadableFileError(root, "no vacancies/ or resumes/ Parquet files inside")
    return result


def is_canonical_folder(path: Path) -> bool:
    """A folder in the canonical shape: ``kadry simulate``'s output or ``kadry export``'s
    (``vacancies/`` or ``resumes/`` Parquet folders, or ``vacancies.parquet``/``resumes.parquet``)."""
    path = Path(path)
    return path.is_dir() and any(_files(path, name) for name in _PARTS)
