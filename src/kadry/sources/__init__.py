"""Readers for real input formats, chosen with ``--format`` or detected from a file's head.

Specific shapes are tried before general ones (a resume CSV before the generic vacancy
CSV), so detection picks the narrowest reader that recognises a file.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from kadry.errors import InputError, UnreadableFileError
from kadry.sources.base import Item, Reader, head_bytes

__all__ = ["Item", "Reader", "readers", "reader_names", "get_reader", "detect", "expand_paths"]

# modules with a READERS list, most specific first
_MODULES = ["mapped", "trudvsem_xml", "trudvsem", "hh_resume", "resume_csv", "hh_json", "hh_csv"]
_DATA_SUFFIXES = {".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".gz", ".parquet", ".xml"}


def readers() -> list[Reader]:
    found: list[Reader] = []
    for name in _MODULES:
        try:
            module = importlib.import_module(f"kadry.sources.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"kadry.sources.{name}":
                raise
            continue
        found.extend(getattr(module, "READERS", []))
    return found


def reader_names() -> list[str]:
    return [r.name for r in readers()] + ["mapped", "canonical"]


def get_reader(name: str) -> Reader:
    for reader in readers():
        if reader.name == name:
            return reader
    raise InputError(f"unknown format {name!r}; known formats: {', '.join(reader_names())}")


def detect(path: Path) -> Reader:
    """The first reader whose ``sniff`` accepts the file's head."""
    head = head_bytes(path)
    if not head.strip():
        raise UnreadableFileError(path, "empty file")
    for reader in readers():
        if reader.sniff(path, head):
            return reader
    raise UnreadableFileError(path, f"format not recognised; pass --format (one of {', '.join(reader_names())})")


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files named, and data files under directories named (sorted, hidden files skipped)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(p.startswith(".") for p in child.relative_to(path).parts) \
                        and child.suffix.lower() in _DATA_SUFFIXES:
                    out.append(child)
        elif path.exists():
            out.append(path)
        else:
            raise UnreadableFileError(path, "no such file or directory")
    return out
