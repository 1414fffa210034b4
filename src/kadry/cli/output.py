"""Result tables for people and for pipes: the one output path of ``index``, ``flows``, ``relocation``.

- Where: a terminal gets a table; a pipe or a file gets plain CSV (or TSV, JSON, Parquet)
  unless ``--format table`` is asked for, so ``kadry index | head`` is data, not box drawing.
- Width: columns are chosen by priority (segment, period, the index, its band, the counts,
  then the rest) until the terminal's width (``COLUMNS``) is used up; the others are named
  in a note (``--wide`` shows all). A shown number is never cut: the table is laid out at
  its natural width, so Rich never has to shrink a column to "2.…".
- Notes (the range chosen, what is missing, simulated rows) go under the table, or to stderr
  when the data goes to stdout, so a pipe stays clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kadry.errors import InputError

__all__ = ["FORMATS", "View", "console_width", "emit", "fit_columns", "resolve_format"]

FORMATS = ("table", "csv", "tsv", "json", "parquet")
_SUFFIX = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".parquet": "parquet", ".txt": "table"}
#: columns whose values are words (left-aligned)
_TEXT_TYPES = ("string", "date32[day]", "bool", "large_string")


def resolve_format(fmt: str | None, out: Path | None, *, terminal: bool | None = None) -> str:
    """``--format`` as given, else from ``--out``'s suffix, else table on a terminal and CSV in a pipe."""
    if fmt is not None:
        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
        return fmt
    if out is not None:
        return _SUFFIX.get(Path(out).suffix.lower(), "csv")
    if terminal is None:
        terminal = sys.stdout.isatty()
    return "table" if terminal else "csv"


def console_width() -> int:
    """The width to lay a table out in: ``COLUMNS`` if set, else the terminal's, else 80."""
    return Console().width


@dataclass
class View:
    """How one command's table looks: titles, hidden columns, priorities, cell formatting."""

    title: str
    hidden: set[str] = field(default_factory=set)
    #: columns in the order they are kept when space is short (others follow in table order)
    priority: Sequence[str] = ()
    #: (column, row) -> the text shown, or a rich Text (styled)
    cell: Callable[[str, dict], str | Text] = lambda c, r: plain(r.get(c))
    #: row -> extra style for the whole row (e.g. "dim" for unknown segments)
    row_style: Callable[[dict], str | None] = lambda r: None
    limit: int | None = None
    empty: str = "no records in this range"


def plain(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def fit_columns(widths: dict[str, int], order: Sequence[str], width: int) -> tuple[list[str], list[str]]:
    """Columns (in ``order``) that fit ``width`` with Rich's box and padding, and those left out.

    A column costs its text width + 3 (a space each side and a rule), the table 1 more.
    The first column is always kept; the kept ones are returned in their table order.
    """
    kept: list[str] = []
    used = 1
    for c in order:
        cost = widths[c] + 3
        if kept and used + cost > width:
            continue
        kept.append(c)
        used += cost
    return kept, [c for c in order if c not in kept]


def emit(
    table: pa.Table, fmt: str, out: Path | None, view: View, *, notes: Sequence[str] = (), wide: bool = False
) -> None:
    """Write ``table`` as ``fmt`` (see the module's docstring); ``notes`` go where a person reads them."""
    from kadry.indicators.output import write

    if fmt != "table":
        text = write(table, fmt, out)
        if text is not None:
            typer.echo(text, nl=False)
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        for note in notes:
            err.print(note, markup=False)
        return
    rows = table.to_pylist()
    shown_rows = rows if view.limit is None else rows[: view.limit]
    cols = [c for c in table.column_names if c not in view.hidden]
    texts = [{c: view.cell(c, r) for c in cols} for r in shown_rows]
    widths = {c: max([cell_len(c)] + [cell_len(str(t[c])) for t in texts]) for c in cols}
    target = console_width()
    order = [c for c in view.priority if c in cols] + [c for c in cols if c not in view.priority]
    left_out: list[str]
    if wide:
        kept, left_out = list(cols), []
    else:
        kept, left_out = fit_columns(widths, order, target)
        kept = [c for c in cols if c in kept]
    natural = 1 + sum(widths[c] + 3 for c in kept)
    text_out = None
    if out is not None:
        text_out = open(out, "w", encoding="utf-8")
    # laid out at its natural width (at least the terminal's): Rich never shrinks a column
    console = Console(width=max(target, natural), file=text_out, highlight=False, soft_wrap=False)
    grid = Table(title=view.title, show_lines=False)
    for c in kept:
        text_like = str(table.schema.field(c).type) in _TEXT_TYPES
        grid.add_column(c, justify="left" if text_like else "right", no_wrap=True, min_width=widths[c])
    for r, t in zip(shown_rows, texts):
        grid.add_row(*[t[c] if isinstance(t[c], Text) else Text(str(t[c])) for c in kept], style=view.row_style(r))
    try:
        console.print(grid)
        if not rows:
            console.print(view.empty, markup=False)
        if len(rows) > len(shown_rows):
            console.print(
                f"{len(rows) - len(shown_rows):,} more rows (use --limit, or --format csv/json)", markup=False
            )
        if left_out:
            console.print(
                f"not shown for width ({target} columns): {', '.join(left_out)}; use --wide, or --format csv",
                markup=False,
            )
        note_console = Console(width=target, file=text_out, highlight=False)
        for note in notes:
            note_console.print(note)
    finally:
        if text_out is not None:
            text_out.close()
