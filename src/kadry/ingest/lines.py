"""JSON lines read by the record code itself, on every core: the fast path of JSON lines.

A reader that takes one JSON value at a time (``item``) reads a JSON-lines file here in blocks
of whole lines: worker processes parse each line with orjson, turn it into an Item with the
reader's own code and return the block's stage rows as Arrow; this process numbers them in file
order and a writer thread writes them in chunks through the one write (kadry.ingest.staged)
while the workers parse the next ones. The records are the record path's by construction (the
same functions), and the write's result does not depend on the chunk size, so only the speed
differs: the per-record work runs on all cores and the store's work overlaps it.

A large file is written in parts of ``PART`` bytes of text, each committed by the caller
with a ``Mark`` of where the next part starts, so memory stays flat (DuckDB holds a transaction's
long strings until it commits) and a run that stopped (killed, a read error) is continued, not
redone, by the next one (kadry.ingest.pipeline keeps the mark in the ingest log).

What this path does not read exactly as the record path would (not UTF-8, NUL bytes, not JSON
lines, field-level quarantine from a mapping, a worker that died) raises NotColumnar, and the
file is read record by record.
"""

from __future__ import annotations

import io
import json
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from kadry.ingest.batch import Batch
from kadry.ingest.outcome import Counts
from kadry.ingest.staged import Staged, stage_schema, write_rows
from kadry.settings import settings
from kadry.sources import get_reader
from kadry.sources.columnar import NotColumnar
from kadry.sources.jsonstream import container, line_values
from kadry.sources.textio import guarded_reads, head_bytes, head_text, notes_for, open_binary, sniff_encoding, text_size
from kadry.store import Connection

__all__ = ["BLOCK", "CHUNK", "PART", "Mark", "shutdown_workers", "write_json_lines"]

#: bytes of whole lines per task: large enough that a task's fixed cost is small, small enough
#: that memory stays flat (a few blocks in flight)
BLOCK = 4 << 20
#: records per write: enough that a write's fixed statements cost little, few enough that two
#: chunks (one written, one gathered) stay small in memory
CHUNK = 10000
#: bytes of text per committed part: DuckDB keeps a transaction's long strings (descriptions)
#: outside its buffer pool until the commit, about a third of the text's size, so a part bounds
#: that; a commit costs little next to writing a part
PART = 64 << 20
#: files below this many bytes are read in this process (starting workers costs more)
_PARALLEL_FROM = 16 << 20


@dataclass(frozen=True)
class Mark:
    """Where the next part of a file starts: at byte ``at`` of its text (a gzip's decompressed
    text) with record ``record``; ``size`` and ``mtime_ns`` say which file that was."""

    at: int
    record: int
    size: int
    mtime_ns: int

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def of(cls, text: str | None, path: Path) -> Mark | None:
        """The mark kept for ``path``, if the file is still the one it was made on."""
        try:
            mark = cls(**json.loads(text or ""))
            st = path.stat()
        except (ValueError, TypeError, OSError):
            return None
        return mark if (mark.size, mark.mtime_ns) == (st.st_size, st.st_mtime_ns) else None


def write_json_lines(
    con: Connection,
    path: Path,
    reader,
    source_file: str,
    source: str | None,
    observed_at: datetime | None,
    salt: bytes,
    *,
    start: Mark | None = None,
    part: Callable[[Staged, Mark], None] | None = None,
) -> Staged:
    """A JSON-lines file read by ``reader.item`` line by line and written, inside the caller's
    transaction, in chunks of ``CHUNK`` records; what this call wrote is returned.

    A writer thread writes one chunk (DuckDB works without the GIL) while this thread gathers
    the next from the workers, so the store's work overlaps the parsing instead of following
    it. Chunks are batches of the one write path, whose result does not depend on batch size.
    ``start``: continue where an earlier run's parts end. ``part(written so far, mark)`` is
    called after each ``PART`` bytes of text, in the writer thread right after the part's last
    chunk (so the workers parse on while it commits), for the caller to commit; it is not called
    for the file's last part.
    """
    head = head_bytes(path, 1 << 20)
    if sniff_encoding(head) not in ("utf-8", "utf-8-sig") or b"\0" in head:
        raise NotColumnar("not UTF-8 or NUL bytes")
    if container(head_text(head)) != "lines":
        raise NotColumnar("not JSON lines")
    schema = stage_schema(reader.kind)
    ord_at = schema.get_field_index("_ord")
    task = (reader.name, source, observed_at, salt)
    total = Staged(Counts())

    def write(tables: list[pa.Table], mark: Mark | None = None) -> None:
        """One chunk, then (``mark``) the part it ends, committed by ``part`` in this same thread."""
        total.add(write_rows(con, reader.kind, source_file, pa.concat_tables(tables)))
        if mark is not None and part is not None:
            part(total, mark)

    st = path.stat()
    with ThreadPoolExecutor(1, thread_name_prefix="kadry-write") as writer:
        writing: Future | None = None
        try:
            chunk: list[pa.Table] = []
            size = 0
            base, marked = (start.record, start.at) if start else (0, 0)
            blocks = guarded_reads(_blocks(path, marked), path)
            for rows, n, end in _in_order(task, blocks, _pool(path)):
                chunk.append(rows.set_column(ord_at, "_ord", pc.add(rows["_ord"], base)))
                base, size = base + n, size + rows.num_rows
                if size >= CHUNK:
                    mark = None
                    if part is not None and end - marked >= PART:
                        # a part ends with this chunk: the writer commits it while the workers parse on
                        mark, marked = Mark(end, base, st.st_size, st.st_mtime_ns), end
                    if writing is not None:
                        writing.result()
                    writing, chunk, size = writer.submit(write, chunk, mark), [], 0
            if writing is not None:
                writing.result()
            writing = None
            write(chunk or [schema.empty_table()])
        finally:
            if writing is not None:  # a read failed: let the write in progress end before the rollback
                wait([writing])
    if notes_for(path).nul_bytes:
        raise NotColumnar("NUL bytes")  # the record path counts them for the ingest log
    return total


def _blocks(path: Path, start: int = 0) -> Iterator[tuple[bytes | tuple[str, int, int], bool, int]]:
    r"""``(whole lines, first block of the file, text byte after them)`` from text byte ``start``
    (a line's start), split as the record path splits them (on ``\n``).

    A plain file's block is its byte range, which the worker reads itself (sending the text
    through a pipe cost a tenth of the run); a gzip's block is its decompressed bytes."""
    with open_binary(path, raw=True) as f:
        plain = isinstance(f, io.BufferedReader)
    if plain:
        size = path.stat().st_size
        with path.open("rb") as f:
            while start < size:
                f.seek(min(start + BLOCK, size))
                end = f.tell() + len(f.readline()) if start + BLOCK < size else size
                yield (str(path), start, end), start == 0, end
                start = end
        return
    with open_binary(path) as f:
        skip = start
        while skip > 0 and (gone := len(f.read(min(skip, BLOCK)))):
            skip -= gone
        tail, at = b"", start
        while chunk := f.read(BLOCK):
            block = tail + chunk
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                tail = block
                continue
            at += cut
            yield block[:cut], at == cut, at
            tail = block[cut:]
        if tail:
            yield tail, at == 0, at + len(tail)


def _in_order(task: tuple, blocks: Iterator[tuple], pool: Executor | None) -> Iterator[tuple[pa.Table, int, int]]:
    """Each block's rows, line count and end in file order, a bounded number in flight."""
    if pool is None:
        for block, first, end in blocks:
            yield *_rows(task, block, first), end
        return
    pending: deque[tuple[Future, int]] = deque()
    window = 2 * _workers()
    try:
        for block, first, end in blocks:
            pending.append((pool.submit(_rows, task, block, first), end))
            if len(pending) > window:
                future, at = pending.popleft()
                yield *future.result(), at
        while pending:
            future, at = pending.popleft()
            yield *future.result(), at
    except BrokenExecutor:  # a worker died (killed, out of memory): new workers next time, this file by record
        shutdown_workers()
        raise NotColumnar("a worker process died") from None
    finally:
        for future, _ in pending:
            future.cancel()


def _rows(task: tuple, block: bytes | tuple[str, int, int], first: bool) -> tuple[pa.Table, int]:
    """One block's stage rows (``_ord`` counted from the block's first line) and its line count."""
    if isinstance(block, tuple):
        name, start, end = block
        with open(name, "rb") as f:
            f.seek(start)
            block = f.read(end - start)
        if b"\0" in block:
            raise NotColumnar("NUL bytes")  # the record path removes and counts them
    name, source, observed_at, salt = task
    reader = get_reader(name)
    batch = Batch(None, "", source, salt=salt)
    for position, value in line_values(block.split(b"\n"), first):
        batch.add(reader.item(position, value), observed_at)  # type: ignore[attr-defined]
    if batch.field_quarantine:
        raise NotColumnar("field-level quarantine")
    return pa.Table.from_pylist(batch.rows[reader.kind], schema=stage_schema(reader.kind)), batch.size


def _workers() -> int:
    """One per core, no more than ``KADRY_THREADS``."""
    cores = os.cpu_count() or 1
    return min(cores, settings().threads or cores)


def _pool(path: Path) -> Executor | None:
    """Worker processes for a large file on a machine with more than one core, else None."""
    workers = _workers()
    if workers < 2 or text_size(path) < _PARALLEL_FROM:
        return None
    return _executor(workers)


#: the worker pool of this process, once started
_STARTED: list[Executor] = []


def _executor(workers: int) -> Executor:
    """One pool per process, forked on first use.

    Forked, not spawned: a spawned worker re-runs the caller's main script, which a user's
    script without a ``__main__`` guard would not survive. The fork happens between DuckDB
    statements (its threads idle), the workers run only the readers' Python and never touch the
    store, and they leave through ``os._exit``, so no inherited connection is closed or flushed."""
    if not _STARTED:
        _STARTED.append(ProcessPoolExecutor(workers, mp_context=get_context("fork")))
    return _STARTED[0]


def shutdown_workers() -> None:
    """Stop the worker processes, if any were started (they are started again when needed)."""
    while _STARTED:
        _STARTED.pop().shutdown(wait=True)
