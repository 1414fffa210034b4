"""What every reader yields, and the helpers they share.

A reader turns one input file into a stream of ``Item``: either a canonical raw record
(the ``raw`` columns of kadry.schema, plus ``observed_at`` and the observation fields) or a
quarantine reason with the record's position. Readers never decide what is stored: the
ingest pipeline validates, hashes, merges and accounts for every item.
"""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Iterator, Protocol

from kadry.errors import UnreadableFileError

__all__ = [
    "Item",
    "Reader",
    "open_binary",
    "open_text",
    "head_bytes",
    "parse_ts",
    "to_float",
    "clean_str",
    "strip_html",
    "BadValue",
]


class BadValue(ValueError):
    """A field value that makes the record impossible; its message is the quarantine reason."""


@dataclass(slots=True)
class Item:
    """One input record: a ``record`` to store, or a ``reason`` to quarantine it."""

    position: int
    kind: str  # "vacancy" or "resume"
    record: dict | None = None
    reason: str | None = None
    excerpt: str | None = None

    @classmethod
    def bad(cls, position: int, kind: str, reason: str, excerpt: object = None) -> "Item":
        text = None if excerpt is None or kind == "resume" else str(excerpt)[:200]
        return cls(position, kind, None, reason, text)


class Reader(Protocol):
    """A format: ``sniff`` says whether a file looks like it, ``read`` streams its items."""

    name: str
    kind: str

    def sniff(self, path: Path, head: bytes) -> bool: ...

    def read(self, path: Path) -> Iterator[Item]: ...


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for reading, gunzipping transparently (by magic number, not by name)."""
    try:
        raw = open(path, "rb")
    except OSError as exc:
        raise UnreadableFileError(path, exc.strerror or str(exc)) from None
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    return raw


def open_text(path: Path, newline: str | None = None) -> IO[str]:
    """Text view of a (possibly gzipped) file: UTF-8 with BOM tolerated, else cp1251."""
    binary = open_binary(path)
    head = binary.read(65536)
    binary.seek(0)
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a cut multi-byte character at the end of the window is not a bad encoding
        if exc.start < len(head) - 4:
            encoding = "cp1251"
    return io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline=newline)


def head_bytes(path: Path, n: int = 8192) -> bytes:
    """The first bytes of a file, decompressed, for sniffing."""
    with open_binary(path) as f:
        try:
            return f.read(n)
        except (OSError, EOFError) as exc:
            raise UnreadableFileError(path, f"cannot decompress: {exc}") from None


_TS_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
               "%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m")
_EARLIEST = datetime(1990, 1, 1)


def parse_ts(value: object, *, field: str = "date") -> datetime | None:
    """A timestamp as a naive local wall-clock datetime (the offset is dropped, not applied).

    hh and trudvsem give Moscow-time stamps; keeping the wall clock keeps the calendar day a
    person in Russia would name. Unparseable or impossible dates raise ``BadValue``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)):
        if value != value:
            return None
        seconds = value / 1000 if value > 1e11 else value  # epoch millis or seconds
        dt = datetime.fromtimestamp(seconds, tz=timezone.utc)
    else:
        text = str(value).strip()
        if not text or text.lower() in {"nan", "none", "null", "nat"}:
            return None
        try:
            dt = datetime.fromisoformat(text)  # the common case, ten times faster than strptime
        except ValueError:
            dt = None
            text = re.sub(r"(\+|-)(\d\d):(\d\d)$", r"\1\2\3", text).replace("Z", "+0000")
        for fmt in _TS_FORMATS if dt is None else ():
            try:
                dt = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if dt is None:
            raise BadValue(f"unparseable {field}: {str(value)[:40]!r}")
    dt = dt.replace(tzinfo=None)
    if dt < _EARLIEST or dt > datetime.now() + timedelta(days=366):
        raise BadValue(f"impossible {field}: {dt.date().isoformat()}")
    return dt


_NUM_CLEAN = re.compile(r"[\s\u00a0\u202f]")


def to_float(value: object, *, field: str = "number") -> float | None:
    """A number from JSON or CSV text ('150 000', '1,5'); empty means missing, junk is an error."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        out = float(value)
    else:
        text = _NUM_CLEAN.sub("", str(value))
        if text.lower() in {"", "nan", "none", "null"}:
            return None
        try:
            out = float(text.replace(",", "."))
        except ValueError:
            raise BadValue(f"not a number in {field}: {str(value)[:40]!r}") from None
    if out != out:
        return None
    return out


def clean_str(value: object) -> str | None:
    """A stripped string, or None for empty/NaN-like values."""
    if value is None:
        return None
    text = str(value).strip()
    if not text or text.lower() in {"nan", "none", "null"}:
        return None
    return text


_TAG = re.compile(r"<[^>]+>")
_WS = re.compile(r"[ \t\r\f\v]+")


def strip_html(html: object) -> str | None:
    """Plain text of an HTML fragment, paragraphs kept as newlines."""
    text = clean_str(html)
    if text is None:
        return None
    import html as _html

    text = re.sub(r"(?i)<\s*(br|/p|/li|/div|/h\d)\s*/?>", "\n", text)
    text = _html.unescape(_TAG.sub(" ", text))
    lines = [_WS.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line) or None
