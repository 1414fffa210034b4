"""Ingest: every input record ends in exactly one place, and reruns change nothing.

Records stream from a reader into batches; a file is one transaction, so it is stored whole or
not at all (a truncated .gz, a full disk or a kill leaves nothing of it, and the ingest log says
it failed and why). Each batch stores new records, merges repeat sightings (the latest sighting's
values win, see kadry.store.writes; history goes to ``observations``) and quarantines the rest
with a reason. Every write is keyed (record id, sighting time, file position), so a rerun of a
file changes nothing, and the SQL itself lives in kadry.store.writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path

from kadry.errors import InputError, KadryError, StoreError, UnreadableFileError
from kadry.ingest.batch import Batch
from kadry.ingest.lines import Mark, write_json_lines
from kadry.ingest.outcome import Counts, FileResult, IngestReport, resume_key
from kadry.ingest.staged import Staged, write_staged
from kadry.sources import Item, detect, expand_paths, get_reader
from kadry.sources.columnar import NotColumnar
from kadry.sources.textio import guarded_reads, pop_notes, text_size
from kadry.store import DuckDBError, Store
from kadry.store.writes import commit_part, log_file, logged_parts, one_checkpoint, transaction

__all__ = ["Counts", "FileResult", "IngestReport", "ingest_paths", "ingest_items", "ingest_file", "resume_key"]


def ingest_paths(
    store: Store,
    paths: Iterable[str | Path],
    fmt: str | None = None,
    *,
    mapping: str | Path | None = None,
    source: str | None = None,
    observed_at: datetime | None = None,
    batch_size: int = 5000,
    on_progress: Callable[[str, int], None] | None = None,
    columnar: bool | None = None,
) -> IngestReport:
    """Ingest files and directories, each file in one transaction (all of it or nothing).

    A file that cannot be recognised or read is reported (``skipped`` / ``failed``) and the
    others go on; a store that cannot be written stops the run with the real cause. A reader
    with a columnar path (``stage``) has DuckDB read files from ``COLUMNAR_FROM`` bytes on (below
    that its fixed cost of some thirty statements is more than it saves), and JSON lines of a
    reader that takes one value at a time are staged on every core (kadry.ingest.lines);
    ``columnar=True`` uses these paths for every file, ``False`` for none (the two store the same
    thing, which the tests check).
    """
    report = IngestReport()
    for top in (Path(p) for p in paths):
        from kadry.ingest.canonical import ingest_canonical, is_canonical_folder

        if fmt == "canonical" or (fmt is None and is_canonical_folder(top)):
            report.files.append(ingest_canonical(store, top))
            continue
        try:
            files = expand_paths([top])
        except UnreadableFileError as exc:
            report.files.append(FileResult(str(top), None, skipped=exc.reason))
            continue
        for path in files:
            try:
                reader = reader_for(path, fmt, mapping)
            except UnreadableFileError as exc:
                report.files.append(FileResult(str(path), None, skipped=exc.reason))
                pop_notes(path)
                continue
            if getattr(reader, "snapshot", False):
                report.files.append(_snapshot_file(store, path, reader))
                continue
            fast = hasattr(reader, "stage") or getattr(reader, "json_lines", False)
            if fast and (columnar or (columnar is None and _big(path))):
                done = _columnar_file(store, path, reader, source=source, observed_at=observed_at)
                if done is not None:
                    report.files.append(done)
                    if on_progress:
                        on_progress(done.path, done.counts.read)
                    continue
            result = FileResult(str(path.resolve()), reader.name)
            ingest_file(
                store,
                reader.read(path),
                result,
                source=source,
                observed_at=observed_at,
                batch_size=batch_size,
                on_progress=on_progress,
            )
            report.files.append(result)
    return report


#: file size (bytes of text; a gzip counts four times its size) from which the columnar path pays
COLUMNAR_FROM = 1 << 20


def _big(path: Path) -> bool:
    return text_size(path) >= COLUMNAR_FROM


def _columnar_file(
    store: Store, path: Path, reader, *, source: str | None, observed_at: datetime | None
) -> FileResult | None:
    """One file through its reader's columnar path, or None when it must be read record by record.

    JSON lines are written in parts (kadry.ingest.lines): each part is committed with the ingest
    log's row saying where the next starts, and a file that stopped between parts (killed, a
    read error) is continued there by the next run, its counts added to the earlier parts'."""
    result = FileResult(str(path.resolve()), reader.name)
    earlier = _earlier_parts(store, result, path) if getattr(reader, "json_lines", False) else None
    done: list[tuple[Staged, Mark]] = [earlier] if earlier else []  # what is committed

    def part(written: Staged, mark: Mark) -> None:
        so_far = _plus(earlier[0] if earlier else None, written)
        _log(store, result, so_far, "partial", f"stored in parts: the first {mark.record:,} records", mark)
        commit_part(store.con, store.path)
        done[:] = [(so_far, mark)]

    # parts commit to the write-ahead log only; the store file is rewritten once, after the file
    logging = nullcontext() if hasattr(reader, "stage") else one_checkpoint(store.con, store.path)
    try:
        with logging, transaction(store.con, store.path):
            if hasattr(reader, "stage"):
                try:
                    staging = reader.stage(store.con, path, "_stage", source, observed_at)
                except DuckDBError as exc:  # values the SQL did not foresee: the record code reads them
                    raise NotColumnar(str(exc).splitlines()[0]) from None
                if staging.items:  # rows the reader left to its record code (odd value types)
                    batch = Batch(store, result.path, source)
                    for item in staging.items:
                        batch.add(item, observed_at)
                    batch.append_to(store.con, "_stage")
                staged = write_staged(store.con, reader.kind, result.path, position=staging.position)
                store.con.execute("DROP TABLE _stage")
            else:
                start = earlier[1] if earlier else None
                written = write_json_lines(
                    store.con, path, reader, result.path, source, observed_at, store.salt, start=start, part=part
                )
                staged = _plus(earlier[0] if earlier else None, written)
            result.encoding = "utf-8"
            again = f"continued after the first {result.resumed:,} records, stored by an earlier run"
            _log(store, result, staged, "ok", again if result.resumed else None)
    except NotColumnar:
        pop_notes(path)
        if not done:
            return None
        return _by_record(store, path, reader, result, done[0], source=source, observed_at=observed_at)
    except StoreError:
        raise
    except KadryError as exc:
        _failed(store, result, exc, done[0] if done else None)
    pop_notes(path)
    return result


def _failed(store: Store, result: FileResult, exc: KadryError, done: tuple[Staged, Mark] | None = None) -> None:
    """A file that broke off: nothing of it stored, or (``done``) only the parts before, which the
    next run continues after; a ``failed`` row in the ingest log."""
    pop_notes(result.path)
    result.failed = reason = getattr(exc, "reason", None) or str(exc)
    with transaction(store.con, store.path):
        if done is None:
            _log(store, result, Staged(Counts()), "failed", reason)
        else:
            so_far, mark = done
            result.failed = f"{reason} (the first {mark.record:,} records are stored; a rerun continues after them)"
            _log(store, result, so_far, "failed", result.failed, mark)


def _plus(earlier: Staged | None, written: Staged) -> Staged:
    """The counts of a file's earlier parts and of what this run wrote, together."""
    if earlier is None:
        return written
    out = Staged(Counts())
    out.add(earlier)
    out.add(written)
    return out


def _log(
    store: Store, result: FileResult, staged: Staged, status: str, detail: str | None = None, mark: Mark | None = None
) -> None:
    """The file's ingest-log row with these counts (which ``result`` takes too)."""
    result.counts = c = staged.counts
    result.names_hidden, result.fields_quarantined = staged.names_hidden, staged.fields_quarantined
    log_file(
        store.con,
        result.path,
        result.format,
        (c.read, c.stored, c.merged, c.quarantined),
        status=status,
        detail=detail,
        names_hidden=staged.names_hidden,
        fields_quarantined=staged.fields_quarantined,
        resume=mark.to_json() if mark else None,
    )


def _earlier_parts(store: Store, result: FileResult, path: Path) -> tuple[Staged, Mark] | None:
    """The parts of this file an earlier run stored with this reader, if it is still the same file."""
    row = logged_parts(store.con, result.path)
    if row is None or row[0] != result.format:
        return None
    mark = Mark.of(row[7], path)
    if mark is None:
        return None
    result.resumed = mark.record
    return Staged(Counts(*row[1:5]), row[5] or 0, row[6] or 0), mark


def _by_record(
    store: Store,
    path: Path,
    reader,
    result: FileResult,
    done: tuple[Staged, Mark],
    *,
    source: str | None,
    observed_at: datetime | None,
) -> FileResult:
    """The rest of a file whose first parts are stored, read record by record after them."""
    so_far, mark = done
    result.counts = Counts()
    result.counts.add(so_far.counts)
    result.names_hidden, result.fields_quarantined = so_far.names_hidden, so_far.fields_quarantined
    rest = (item for item in reader.read(path) if item.position >= mark.record)
    return ingest_file(store, rest, result, source=source, observed_at=observed_at, done=done)


def _snapshot_file(store: Store, path: Path, reader) -> FileResult:
    """A full-snapshot dump (trudvsem XML) goes through the snapshot lifecycle (kadry.ingest.snapshots)."""
    from kadry.ingest.snapshots import ingest_snapshot

    snap = ingest_snapshot(store, path, getattr(reader, "dataset", None))
    result = FileResult(str(path.resolve()), f"{reader.name}:{snap.dataset}", skipped=snap.skipped)
    result.counts = Counts(read=snap.read, stored=snap.new, merged=snap.merged, quarantined=snap.quarantined)
    return result


def reader_for(path: Path, fmt: str | None, mapping: str | Path | None):
    if fmt == "mapped" or mapping is not None:
        if mapping is None:
            raise InputError("--format mapped needs --mapping FILE (TOML or YAML naming the columns)")
        from kadry.sources.mapped import MappedReader
        from kadry.sources.textio import check_regular

        check_regular(path)
        return MappedReader(Path(mapping))
    if fmt:
        from kadry.sources.base import Head
        from kadry.sources.people import person_evidence
        from kadry.sources.textio import check_regular

        check_regular(path)
        reader = get_reader(fmt)
        people = person_evidence(Head.of(path)) if reader.kind == "vacancy" else None
        if people:
            # --format names the shape, not the content: a file about people is still not vacancies
            raise UnreadableFileError(
                path,
                f"looks like a file about people ({people}), not vacancies: not read "
                f'as {fmt}; read resumes with a mapping of kind = "resume"',
            )
        return reader
    return detect(path)


def ingest_file(
    store: Store,
    items: Iterable[Item],
    result: FileResult,
    *,
    source: str | None = None,
    observed_at: datetime | None = None,
    batch_size: int = 5000,
    on_progress: Callable[[str, int], None] | None = None,
    done: tuple[Staged, Mark] | None = None,
) -> FileResult:
    """Consume one file's items in one transaction; a failure leaves nothing of the file but a
    ``failed`` row in the ingest log. A failed write (disk full, read-only) raises StoreError.

    ``done``: the file's parts already stored (``result`` starts from their counts), which a
    failure keeps."""
    batch = Batch(store, result.path, source)
    try:
        with transaction(store.con, store.path):
            for item in guarded_reads(items, result.path):
                batch.add(item, observed_at)
                if batch.size >= batch_size:
                    result.counts.add(batch.flush())
                    if on_progress:
                        on_progress(result.path, result.counts.read)
            result.counts.add(batch.flush())
            notes = pop_notes(result.path)
            result.nul_bytes, result.encoding = notes.nul_bytes, notes.encoding
            result.names_hidden += batch.names_hidden
            result.fields_quarantined += batch.fields_quarantined
            c = result.counts
            log_file(
                store.con,
                result.path,
                result.format,
                (c.read, c.stored, c.merged, c.quarantined),
                detail=f"{result.nul_bytes} NUL bytes removed" if result.nul_bytes else None,
                names_hidden=result.names_hidden,
                fields_quarantined=result.fields_quarantined,
            )
    except StoreError:
        result.counts, result.failed = done[0].counts if done else Counts(), "store write failed"
        raise
    except KadryError as exc:
        _failed(store, result, exc, done)
    if on_progress:
        on_progress(result.path, result.counts.read)
    return result


def ingest_items(
    store: Store,
    items: Iterable[Item],
    result: FileResult,
    *,
    observed_at: datetime | None = None,
    batch_size: int = 5000,
    on_progress: Callable[[str, int], None] | None = None,
) -> FileResult:
    """Consume a reader's items into the store (one transaction), counting each one."""
    return ingest_file(store, items, result, observed_at=observed_at, batch_size=batch_size, on_progress=on_progress)
