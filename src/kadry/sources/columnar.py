"""Read a whole flat CSV with DuckDB and shape it in SQL: the columnar path.

(JSON lines have their own fast path, kadry.ingest.lines: the record code on every core. In SQL,
DuckDB parsed each line once per value read and was slower than orjson.)

A reader that can describe its fields as SQL over the file's cells (``stage``)
skips the per-record Python: DuckDB parses the file, SQL does what the record path's
``clean_str`` and id hashing do, and the conversions that need kadry's Python rules (numbers,
dates, experience wording, skills lists, HTML) run once per distinct value (``python_map``),
not per row. The result is the stage table of kadry.ingest.staged, so both paths end in the
same write.

The two paths must store the same thing. A file the columnar path cannot read exactly as the
record code would (not UTF-8, NUL bytes, CR-only line ends, a row DuckDB's strict parser
rejects, blanks beside a quote at a field's edge) raises
``NotColumnar`` and is read record by record instead; the tests compare the two stores.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kadry.errors import KadryError
from kadry.sources.base import BadValue, sniff_delimiter
from kadry.sources.textio import head_bytes, sniff_encoding
from kadry.store.connect import Connection, DuckDBError, text_function
from kadry.store.writes import sql_path

__all__ = [
    "Lookups",
    "NotColumnar",
    "Staging",
    "clean_sql",
    "csv_layout",
    "load_csv",
    "python_map",
    "record_lines",
    "sql_text",
    "strip_sql",
    "trim_sql",
]

#: what Python's ``str.strip()`` removes, so SQL trims exactly as the record path does
_WS = "".join(chr(i) for i in range(0x110000) if chr(i).isspace())
_WS_SQL = "'" + _WS + "'"
_CODES = ", ".join(str(ord(c)) for c in _WS)


def _edge(expr: str) -> str:
    """Whether a value starts or ends with such a character (most do not: they skip the slow trim)."""
    return f"(ord({expr}) IN ({_CODES}) OR ord(right({expr}, 1)) IN ({_CODES}))"


class NotColumnar(KadryError):
    """This file must be read record by record (internal: the pipeline falls back, the user sees nothing)."""


@dataclass
class Staging:
    """What a reader's ``stage`` leaves besides the stage table: where quarantined rows sit in the
    file (None: the read order is the position), and ``items`` of rows it left to the record code."""

    position: Callable[[Sequence[int]], dict[int, int]] | None = None
    items: list = field(default_factory=list)


def sql_text(value: str) -> str:
    """A SQL string literal (quoted, quotes doubled by the store's own escaping)."""
    return f"'{sql_path(value)}'"


def clean_sql(expr: str) -> str:
    """``kadry.sources.base.clean_str`` in SQL: stripped, and NULL for empty or NaN-like text."""
    t = f"trim({expr}, {_WS_SQL})"
    return (
        f"CASE WHEN {_edge(expr)} THEN "
        f"CASE WHEN lower({t}) IN ('', 'nan', 'none', 'null') THEN NULL ELSE {t} END "
        f"WHEN length({expr}) <= 4 AND lower({expr}) IN ('', 'nan', 'none', 'null') THEN NULL ELSE {expr} END"
    )


def trim_sql(expr: str) -> str:
    """Python's ``str.strip()`` in SQL."""
    return f"CASE WHEN {_edge(expr)} THEN trim({expr}, {_WS_SQL}) ELSE {expr} END"


def strip_sql(expr: str) -> str:
    """Python's ``(cell or '').strip()`` in SQL."""
    return trim_sql(f"coalesce({expr}, '')")


def csv_layout(path: Path) -> tuple[str, list[str]]:
    """``(delimiter, header as written)`` of a CSV the columnar path can read exactly, else NotColumnar."""
    head = head_bytes(path, 65536)
    if sniff_encoding(head) not in ("utf-8", "utf-8-sig"):
        raise NotColumnar("not UTF-8")
    if b"\0" in head or re.search(rb"\r(?!\n)", head[:-1]):
        raise NotColumnar("NUL bytes or CR-only line ends")
    text = head.decode("utf-8", "ignore").lstrip("\ufeff")
    line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    if '"' in line:
        raise NotColumnar("quoted header")
    delimiter = sniff_delimiter(line)
    _scan(path, delimiter)
    return delimiter, [h.strip().strip("\ufeff") for h in line.split(delimiter)]


def _scan(path: Path, delimiter: str) -> None:
    """NotColumnar if a quote sits next to blanks at a field's edge anywhere in the file
    (``a, "b"``): DuckDB trims those blanks, Python's csv keeps them (and the quotes) as text.

    Blank-and-quote pairs are found with ``bytes.find`` and only those are looked at; a quote
    doubled is inside a quoted field (a title with ``, ""Ромашка""`` in it) and no edge.
    """
    from kadry.sources.textio import open_binary

    stops = (delimiter.encode(), b"\n", b"\r")
    with open_binary(path, raw=True) as f:
        tail = b""
        while chunk := f.read(1 << 23):
            block = tail + chunk
            for needle in (b' "', b'\t"'):
                i = block.find(needle)
                while i != -1:
                    j = i
                    while j >= 0 and block[j] in b" \t":
                        j -= 1
                    if (j < 0 or block[j : j + 1] in stops) and block[i + 2 : i + 3] != b'"':
                        raise NotColumnar("blanks before a quote at a field's start")
                    i = block.find(needle, i + 1)
            for needle in (b'" ', b'"\t'):
                i = block.find(needle)
                while i != -1:
                    k = i + 1
                    while k < len(block) and block[k] in b" \t":
                        k += 1
                    if (k == len(block) or block[k : k + 1] in stops) and block[i - 1 : i] != b'"':
                        raise NotColumnar("blanks after a quote at a field's end")
                    i = block.find(needle, i + 1)
            tail = block[-64:]


def _compression(path: Path) -> str:
    return "gzip" if str(path).endswith(".gz") else "none"


def _parse(con: Connection, what: str, sql: str) -> None:
    """Run DuckDB's reader; its refusal means the record path must read the file."""
    try:
        con.execute(sql)
    except DuckDBError as exc:  # the caller's transaction is aborted: its rollback drops the table
        raise NotColumnar(f"DuckDB's {what} reader: {str(exc).splitlines()[0]}") from None


def load_csv(con: Connection, path: Path, delimiter: str, width: int, table: str = "_raw") -> int:
    """Parse the file into a TEMP table ``c0..cN`` of text (rowid - min(rowid) = read order: inside a
    transaction rowids start high), blank rows left out
    as the record path leaves them; NotColumnar if DuckDB's strict parser or the NUL check objects."""
    cols = [f"c{i}" for i in range(width)]
    spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in cols) + "}"
    blank = " AND ".join(f"{strip_sql(c)} = ''" for c in cols)
    _parse(
        con,
        "CSV",
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_csv({sql_text(str(path))}, header = true, "
        f"auto_detect = false, columns = {spec}, delim = {sql_text(delimiter)}, quote = '\"', escape = '\"', "
        f"strict_mode = true, compression = '{_compression(path)}') WHERE NOT ({blank})",
    )
    nul = " OR ".join(f"contains({c}, chr(0))" for c in cols)
    n, has_nul = con.execute(f"SELECT count(*), coalesce(bool_or({nul}), false) FROM {table}").fetchall()[0]
    if has_nul:
        raise NotColumnar("NUL bytes")
    return n


def python_map(
    con: Connection,
    table: str,
    expr: str,
    fn: Callable[[str], object],
    typ: str,
    name: str,
    where: str = "TRUE",
) -> str:
    """A TEMP table ``name(v, out, err)``: ``fn`` of each distinct value of ``expr`` (an empty
    cell, NULL to DuckDB, is ``''`` as to Python's csv; ``err`` is the BadValue message), so
    Python's rule runs once per value, not per row. Join it on ``coalesce(cell, '')``.

    Distinct values travel as query parameters, not Arrow: registering Arrow makes DuckDB import
    pandas, a third of a second that small files would pay."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (v VARCHAR, out {typ}, err VARCHAR)")
    values = [v for (v,) in con.execute(f"SELECT DISTINCT coalesce({expr}, '') FROM {table} WHERE {where}").fetchall()]
    outs, errs = _apply(fn, values)
    if values:
        con.execute(f"INSERT INTO {name} SELECT unnest($1), unnest($2)::{typ}, unnest($3)", [values, outs, errs])
    return name


#: numbers of per-row functions (names unique on a connection, even after a failed statement)
_FUNCTIONS = itertools.count()


class Lookups:
    """The ``python_map`` tables of one staging SELECT over ``table``: each ``add`` gives the SQL of
    the result and of the BadValue message, and the LEFT JOIN that brings them in."""

    def __init__(self, con: Connection, table: str) -> None:
        self.con, self.table = con, table
        self.names: list[str] = []
        self.joins: list[str] = []
        self.functions: list[str] = []

    def add(self, expr: str, fn: Callable[[str], object], typ: str, where: str = "TRUE") -> tuple[str, str]:
        name = f"_m{len(self.names)}"
        python_map(self.con, self.table, expr, fn, typ, name, where)
        self.names.append(name)
        self.joins.append(f"LEFT JOIN {name} ON {name}.v = coalesce({expr}, '')")
        return f"{name}.out", f"{name}.err"

    def per_row(self, expr: str, fn: Callable[[str], str | None]) -> str:
        """SQL of ``fn`` applied to each row's text (NULL stays NULL), for values that rarely repeat
        (descriptions), where finding the distinct ones costs more than it saves.

        A vectorised DuckDB function over Arrow batches: the texts never leave DuckDB as rows
        nor come back through a table and a join. ``fn`` must not raise (a BadValue would fail
        the statement, and the file would be read record by record)."""
        import pyarrow as pa

        name = f"_kadry_f{next(_FUNCTIONS)}"

        def batch(values):  # unannotated: DuckDB reads a UDF's annotations, and ours are strings
            return pa.array([fn(v) for v in values.to_pylist()], pa.string())

        text_function(self.con, name, batch)
        self.functions.append(name)
        return f"{name}({expr})"

    def sql(self) -> str:
        return " ".join(self.joins)

    def drop(self) -> None:
        for name in self.names:
            self.con.execute(f"DROP TABLE {name}")
        for name in self.functions:
            self.con.remove_function(name)
        self.functions.clear()


def _apply(fn: Callable[[str], object], values: list) -> tuple[list, list]:
    """``fn`` of each value, with a BadValue's message in place of a result."""
    outs: list[object] = []
    errs: list[str | None] = []
    for value in values:
        try:
            outs.append(fn(value))
            errs.append(None)
        except BadValue as exc:
            outs.append(None)
            errs.append(str(exc))
    return outs, errs


def record_lines(path: Path, delimiter: str, expected: int) -> Callable[[Sequence[int]], dict[int, int]]:
    """Read order -> the physical line a record starts on (the record path's positions), found by
    Python's csv module only when some record is quarantined."""

    def lines(ords: Sequence[int]) -> dict[int, int]:
        from kadry.sources.csvstream import iter_rows

        starts = [line for line, _row, _header in iter_rows(path, delimiter)]
        if len(starts) != expected:
            raise NotColumnar(f"Python's csv reads {len(starts)} records, DuckDB {expected}")
        return {o: starts[o] for o in ords}

    return lines
