"""Stream CSV rows with the line each record starts on, whatever its delimiter or encoding.

Positions are 0-based physical lines (the header is line 0), so a quarantined row can be
found with ``sed -n`` even when earlier records span several lines.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from kadry.errors import UnreadableFileError
from kadry.sources.base import sniff_delimiter
from kadry.sources.textio import head_text, open_text

__all__ = ["first_line", "sniff_delimiter", "header_tokens", "read_header", "iter_rows"]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def first_line(head: bytes) -> str:
    """The first line of a (decompressed) file head, BOM removed, in the file's encoding."""
    return re.split(r"\r\n|\r|\n", head_text(head[:8192]), maxsplit=1)[0]


def header_tokens(line: str) -> list[str]:
    """Header names of a first line, lower-cased and unquoted."""
    delimiter = sniff_delimiter(line)
    return [c.strip().strip("\"'").strip().lower() for c in next(csv.reader([line], delimiter=delimiter), [])]


def read_header(path: Path, delimiter: str | None = None) -> list[str]:
    """The header names of a CSV file as written (stripped, case kept); [] for an empty file."""
    with open_text(path, newline="") as f:
        try:
            line = f.readline()
        except (UnicodeError, OSError, EOFError) as exc:
            raise UnreadableFileError(path, f"cannot read: {exc}") from None
    line = line.lstrip("\ufeff").rstrip("\r\n")
    if not line.strip():
        return []
    return [h.strip() for h in next(csv.reader([line], delimiter=delimiter or sniff_delimiter(line)), [])]


def iter_rows(
    path: Path, delimiter: str | None = None, *, lower: bool = True
) -> Iterator[tuple[int, list[str] | csv.Error, list[str]]]:
    """``(line, cells or csv.Error, header)`` for each non-blank data row, streamed.

    Header names are stripped (and lower-cased unless ``lower=False``).
    """
    with open_text(path, newline="") as f:
        if delimiter is None:
            sample = f.read(8192)
            f.seek(0)
            delimiter = sniff_delimiter(re.split(r"\r\n|\r|\n", sample, maxsplit=1)[0])
        reader = csv.reader(f, delimiter=delimiter)
        try:
            header = [h.strip().strip("\ufeff") for h in next(reader)]
            header = [h.lower() for h in header] if lower else header
        except StopIteration:
            return
        except (csv.Error, UnicodeError, OSError, EOFError) as exc:
            raise UnreadableFileError(path, f"bad CSV header: {exc}") from None
        start = reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, exc, header
                start = reader.line_num
                continue
            except (OSError, EOFError) as exc:
                raise UnreadableFileError(path, f"cannot read after line {start}: {exc}") from None
            if row and any(cell.strip() for cell in row):
                yield start, row, header
            start = reader.line_num
