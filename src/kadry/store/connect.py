"""The only place kadry opens DuckDB: store files (read-write, read-only), scratch connections, Ibis.

Every connection gets the same settings (``KADRY_MEMORY_LIMIT``, ``KADRY_THREADS``) and every
missing store the same error (``NoStore``). A test keeps other modules from calling
``duckdb.connect`` or ``ibis.duckdb.connect`` themselves.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from kadry.errors import ConfigError, NoStore, StoreError
from kadry.settings import settings

__all__ = [
    "Connection",
    "DuckDBError",
    "resolve",
    "require",
    "connect",
    "scratch",
    "text_function",
    "ibis_backend",
    "ibis_connect",
]

#: what DuckDB raises (for callers that run their own SQL on a connection from here)
DuckDBError = duckdb.Error
#: an open DuckDB connection, for type hints outside this package
Connection = duckdb.DuckDBPyConnection

MEMORY = ":memory:"


def resolve(path: str | Path | None) -> Path:
    """The store file: ``path``, else ``KADRY_DB``, else ``./kadry.duckdb``."""
    return Path(path) if path is not None else settings().db


def require(path: str | Path | None) -> Path:
    """The store file, which must exist (else the one ``NoStore`` error)."""
    resolved = resolve(path)
    if str(resolved) != MEMORY and not resolved.exists():
        raise NoStore(resolved)
    return resolved


def _apply_settings(con: duckdb.DuckDBPyConnection) -> None:
    s = settings()
    for name, variable, value in (
        ("memory_limit", "KADRY_MEMORY_LIMIT", s.memory_limit),
        ("threads", "KADRY_THREADS", s.threads),
    ):
        if value is None:
            continue
        try:
            con.execute(f"SET {name} = ?", [value]).fetchall()
        except duckdb.Error as exc:
            con.close()
            raise ConfigError(f"bad {variable} {value!r}: {str(exc).splitlines()[0]}") from None


def _alive(pid: str) -> bool:
    """Whether a process of this id runs (a partial file of a live creator is left alone)."""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _create(path: Path) -> None:
    """Make an empty store file whole or not at all.

    DuckDB writes a new file's header after creating it, so a process killed in between leaves
    a file DuckDB refuses to open ever after. The header is written under a name of our own and
    linked into place only when complete; a leftover of a killed run holds nothing and is
    overwritten.
    """
    for left in path.parent.glob(f"{path.name}.creating-*"):
        if not _alive(left.name.rsplit("-", 1)[1]):
            left.unlink(missing_ok=True)
    partial = path.with_name(f"{path.name}.creating-{os.getpid()}")
    partial.unlink(missing_ok=True)  # an earlier process of the same id
    duckdb.connect(str(partial)).close()
    try:
        os.link(partial, path)
    except FileExistsError:
        pass  # another process made it first: theirs is complete too
    except OSError:  # a file system without hard links: a rename, unless a store appeared meanwhile
        if not path.exists():
            os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def connect(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to the store file with kadry's settings applied.

    ``read_only`` needs an existing file and opens it shared, so an API server and a CLI
    query can read at once; a writer creates the file (whole, see ``_create``).
    """
    resolved = require(path) if read_only else resolve(path)
    try:
        if not read_only and str(resolved) != MEMORY and not resolved.exists():
            _create(resolved)
        con = duckdb.connect(str(resolved), read_only=read_only)
    except duckdb.Error as exc:
        raise StoreError(f"cannot open store {resolved}: {str(exc).splitlines()[0]}", path=str(resolved)) from None
    except OSError as exc:
        raise StoreError(f"cannot create store {resolved}: {exc.strerror or exc}", path=str(resolved)) from None
    _apply_settings(con)
    return con


def scratch() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection (SQL over Parquet files, no store), with kadry's settings."""
    con = duckdb.connect(MEMORY)
    _apply_settings(con)
    return con


def text_function(con: duckdb.DuckDBPyConnection, name: str, fn: Callable[[Any], Any]) -> None:
    """Register ``fn`` (a pyarrow string array -> a pyarrow string array) as a vectorised SQL
    function ``name(VARCHAR) -> VARCHAR``: DuckDB hands it batches, NULLs stay NULL."""
    from duckdb.func import ARROW

    varchar = duckdb.sqltype("VARCHAR")
    con.create_function(name, fn, [varchar], varchar, type=ARROW)


def ibis_backend(con: duckdb.DuckDBPyConnection) -> Any:
    """An Ibis DuckDB backend over a connection from here (closing the backend closes it)."""
    import ibis

    return ibis.duckdb.from_connection(con)


def ibis_connect(path: str | Path | None = None) -> Any:
    """An Ibis backend on the store file, read-only (what the indicator engine computes on)."""
    return ibis_backend(connect(path, read_only=True))
