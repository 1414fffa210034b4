"""JSON lines staged by the record code itself, on every core: the fast path of JSON lines.

A reader that takes one JSON value at a time (``item``) reads a JSON-lines file here in blocks
of whole lines: worker processes parse each line with orjson, turn it into an Item with the
reader's own code and return the block's stage rows as Arrow; this process appends them to
the stage table in file order, and the one write (kadry.ingest.staged) follows. The records are
the record path's by construction (the same functions), so only the speed differs: the
per-record work runs on all cores and the store is written once per file, not once per batch.

What this path does not read exactly as the record path would (not UTF-8, NUL bytes, not JSON
lines, field-level quarantine from a mapping) raises NotColumnar, and the file is read record
by record.
"""

from __future__ import annotations

import io
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from datetime import datetime
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from kadry.ingest.staged import stage_schema
from kadry.settings import settings
from kadry.sources.columnar import NotColumnar, Staging
from kadry.sources.jsonstream import container, line_object, stripped_line
from kadry.sources.textio import guarded_reads, head_bytes, head_text, notes_for, open_binary, sniff_encoding
from kadry.store import Connection, DuckDBError

__all__ = ["BLOCK", "stage_json_lines"]

#: bytes of whole lines per task: large enough that a task's fixed cost is small, small enough
#: that memory stays flat (a few blocks in flight)
BLOCK = 4 << 20
#: files below this many bytes are read in this process (starting workers costs more)
_PARALLEL_FROM = 16 << 20


def stage_json_lines(
    con: Connection,
    path: Path,
    reader,
    table: str,
    source: str | None,
    observed_at: datetime | None,
    salt: bytes,
) -> Staging:
    """The stage table ``table`` of a JSON-lines file, read by ``reader.item`` line by line."""
    head = head_bytes(path, 1 << 20)
    if sniff_encoding(head) not in ("utf-8", "utf-8-sig") or b"\0" in head:
        raise NotColumnar("not UTF-8 or NUL bytes")
    if container(head_text(head)) != "lines":
        raise NotColumnar("not JSON lines")
    schema = stage_schema(reader.kind)
    task = (reader.name, source, observed_at, salt)
    failed: list[BaseException] = []

    def batches() -> Iterator[pa.RecordBatch]:
        base, ord_at = 0, schema.get_field_index("_ord")
        try:
            for rows, n in _in_order(task, guarded_reads(_blocks(path), path), _pool(path)):
                yield from rows.set_column(ord_at, "_ord", pc.add(rows["_ord"], base)).to_batches()
                base += n
        except BaseException as exc:  # DuckDB sees only that the stream broke: keep the cause
            failed.append(exc)
            raise

    # one statement over a stream of the workers' batches (one INSERT per block cost twice as much)
    con.register("_rows", pa.RecordBatchReader.from_batches(schema, batches()))
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM _rows")
    except DuckDBError:
        if failed:
            raise failed[0] from None
        raise
    finally:
        con.unregister("_rows")
    if notes_for(path).nul_bytes:
        raise NotColumnar("NUL bytes")  # the record path counts them for the ingest log
    return Staging()


def _blocks(path: Path) -> Iterator[tuple[bytes | tuple[str, int, int], bool]]:
    """``(whole lines, first block of the file)`` as the record path splits them (on ``\n``).

    A plain file's block is its byte range, which the worker reads itself (sending the text
    through a pipe cost a tenth of the run); a gzip's block is its decompressed bytes."""
    with open_binary(path, raw=True) as f:
        plain = isinstance(f, io.BufferedReader)
    if plain:
        size, start = path.stat().st_size, 0
        with path.open("rb") as f:
            while start < size:
                f.seek(min(start + BLOCK, size))
                end = f.tell() + len(f.readline()) if start + BLOCK < size else size
                yield (str(path), start, end), start == 0
                start = end
        return
    with open_binary(path) as f:
        tail, first = b"", True
        while chunk := f.read(BLOCK):
            block = tail + chunk
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                tail = block
                continue
            yield block[:cut], first
            tail, first = block[cut:], False
        if tail:
            yield tail, first


def _in_order(task: tuple, blocks: Iterator[tuple], pool: Executor | None) -> Iterator[tuple[pa.Table, int]]:
    """Each block's rows in file order, a bounded number in flight."""
    if pool is None:
        for block, first in blocks:
            yield _rows(task, block, first)
        return
    pending: deque[Future] = deque()
    for block, first in blocks:
        pending.append(pool.submit(_rows, task, block, first))
        if len(pending) > 2 * _workers():
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _rows(task: tuple, block: bytes | tuple[str, int, int], first: bool) -> tuple[pa.Table, int]:
    """One block's stage rows (``_ord`` counted from the block's first line) and its line count."""
    from kadry.ingest.pipeline import Batch
    from kadry.sources import get_reader

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
    position = 0
    for raw in block.split(b"\n"):
        line = stripped_line(raw, first and position == 0)
        if not line:
            continue
        batch.add(reader.item(position, line_object(line)), observed_at)  # type: ignore[attr-defined]
        position += 1
    if batch.field_quarantine:
        raise NotColumnar("field-level quarantine")
    return pa.Table.from_pylist(batch.rows[reader.kind], schema=stage_schema(reader.kind)), position


def _workers() -> int:
    return max(1, min(os.cpu_count() or 1, settings().threads or os.cpu_count() or 1))


def _pool(path: Path) -> Executor | None:
    """Worker processes for a large file on a machine with more than one core, else None."""
    size = path.stat().st_size * (4 if path.suffix == ".gz" else 1)
    if _workers() < 2 or size < _PARALLEL_FROM:
        return None
    return _executor(_workers())


@lru_cache(maxsize=1)
def _executor(workers: int) -> Executor:
    """One pool per process, forked on first use.

    Forked, not spawned: a spawned worker re-runs the caller's main script, which a user's
    script without a ``__main__`` guard would not survive. The fork happens between DuckDB
    statements (its threads idle), the workers run only the readers' Python and never touch the
    store, and they leave through ``os._exit``, so no inherited connection is closed or flushed."""
    return ProcessPoolExecutor(workers, mp_context=get_context("fork"))
