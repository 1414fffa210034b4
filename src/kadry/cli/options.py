"""The options every command shares, defined once: ``--db``, ``--format/-f``, ``--out/-o``, ``--quiet/-q``.

A command passes only what differs (its default, or a help text naming its own formats), so the
names, short forms and the store's default read the same in every command.
"""

from __future__ import annotations

from typing import Any

import typer

__all__ = ["DB_HELP", "db", "fmt", "out", "quiet"]

DB_HELP = "Store file (default: $KADRY_DB or ./kadry.duckdb)."


def db(help: str = DB_HELP, default: Any = None) -> Any:
    return typer.Option(default, "--db", help=help)


def fmt(default: Any = "table", help: str = "table, csv, json or parquet.") -> Any:
    return typer.Option(default, "--format", "-f", help=help)


def out(help: str = "Write to this file instead of the terminal.", default: Any = None) -> Any:
    return typer.Option(default, "--out", "-o", help=help)


def quiet(help: str = "No progress output.") -> Any:
    return typer.Option(False, "--quiet", "-q", help=help)
