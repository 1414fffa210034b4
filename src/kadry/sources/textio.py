"""Bytes to text the way users' files really are: gzip, BOMs, UTF-16, cp1251/koi8-r, NUL bytes.

Every reader opens files through here, so a file's encoding is decided once, by content
(BOM, the NUL pattern of UTF-16, a clean UTF-8 decode, else charset-normalizer restricted to
the encodings Russian-speaking users' tools write), and NUL bytes, which Excel exports and
broken downloads carry, are dropped and counted in ``FileNotes`` for the ingest report.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import stat
import threading
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

from kadry.errors import UnreadableFileError

__all__ = [
    "FileNotes",
    "check_regular",
    "guarded_reads",
    "head_bytes",
    "head_text",
    "text_size",
    "notes_for",
    "open_binary",
    "open_text",
    "pop_notes",
    "sniff_encoding",
]

_CYRILLIC = ["cp1251", "koi8_r", "cp866", "koi8_u"]


@dataclass
class FileNotes:
    """What decoding a file changed, for the ingest report (one per file, filled while reading)."""

    encoding: str | None = None
    nul_bytes: int = 0


_NOTES: dict[str, FileNotes] = {}
_LOCK = threading.Lock()


def notes_for(path: Path | str) -> FileNotes:
    key = os.path.abspath(str(path))
    with _LOCK:
        return _NOTES.setdefault(key, FileNotes())


def pop_notes(path: Path | str) -> FileNotes:
    with _LOCK:
        return _NOTES.pop(os.path.abspath(str(path)), FileNotes())


def check_regular(path: Path) -> None:
    """Refuse anything but a regular file at once: opening a FIFO would block forever."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise UnreadableFileError(path, "no such file or directory") from None
    except OSError as exc:
        raise UnreadableFileError(path, exc.strerror or str(exc)) from None
    if stat.S_ISREG(mode):
        return
    what = (
        "a FIFO (named pipe)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a character device"
        if stat.S_ISCHR(mode)
        else "a block device"
        if stat.S_ISBLK(mode)
        else "a directory"
        if stat.S_ISDIR(mode)
        else "not a regular file"
    )
    raise UnreadableFileError(path, f"not a regular file ({what}); kadry reads regular files only")


class _NulFilter(io.RawIOBase):
    """A read-only byte stream with NUL bytes removed and counted."""

    def __init__(self, inner: IO[bytes], notes: FileNotes) -> None:
        self.inner = inner
        self.notes = notes

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        if (offset, whence) != (0, 0):
            raise io.UnsupportedOperation("only a rewind is supported")
        self.notes.nul_bytes = 0  # the file will be read again from the start
        return self.inner.seek(0)

    def tell(self) -> int:
        return self.inner.tell()

    def readinto(self, buffer) -> int:
        while True:
            data = self.inner.read(len(buffer))
            if not data:
                return 0
            if b"\0" in data:
                clean = data.replace(b"\0", b"")
                self.notes.nul_bytes += len(data) - len(clean)
                data = clean
                if not data:
                    continue
            buffer[: len(data)] = data
            return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()


def open_binary(path: Path, *, raw: bool = False) -> IO[bytes]:
    """A regular file's bytes, gunzipped by magic number (not by name); NULs removed unless ``raw``."""
    path = Path(path)
    check_regular(path)
    try:
        f: IO[bytes] = open(path, "rb")  # noqa: SIM115 - returned open, closed by the caller
    except OSError as exc:
        raise UnreadableFileError(path, exc.strerror or str(exc)) from None
    magic = f.read(2)
    f.seek(0)
    if magic == b"\x1f\x8b":
        f = gzip.GzipFile(fileobj=f)  # type: ignore[assignment]
    if raw:
        return f
    return io.BufferedReader(_NulFilter(f, notes_for(path)), 1 << 16)


def _utf16(head: bytes) -> str | None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 8:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > len(sample) // 4 and even == 0:
            return "utf-16-le"
        if even > len(sample) // 4 and odd == 0:
            return "utf-16-be"
    return None


def sniff_encoding(head: bytes) -> str:
    """The text encoding of a file head (already gunzipped)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    wide = _utf16(head)
    if wide:
        return wide
    clean = head.replace(b"\0", b"")
    try:
        clean.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(clean) - 4:  # a character cut by the window is not a bad encoding
            return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(clean[:65536], cp_isolation=_CYRILLIC).best()
    return best.encoding if best is not None else "cp1251"


def text_size(path: Path) -> int:
    """About how many bytes of text a file holds, for choosing how to read it: a ``.gz`` file
    counts four times its size."""
    return path.stat().st_size * (4 if path.suffix == ".gz" else 1)


def head_bytes(path: Path, n: int = 8192) -> bytes:
    """The first bytes of a file, decompressed, raw (NULs kept: the UTF-16 test needs them)."""
    with open_binary(path, raw=True) as f:
        try:
            return f.read(n)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise UnreadableFileError(path, f"cannot decompress: {exc}") from None


def head_text(head: bytes) -> str:
    """A file head as text, decoded as the whole file would be, BOM and NULs removed."""
    encoding = sniff_encoding(head)
    if encoding.startswith("utf-16"):
        text = head[: len(head) // 2 * 2].decode(encoding, "replace")
    else:
        text = head.replace(b"\0", b"").decode(encoding, "replace")
    return text.lstrip("\ufeff").replace("\0", "")


def open_text(path: Path, newline: str | None = None) -> IO[str]:
    """A text view of a (possibly gzipped) file in its detected encoding, NULs dropped and counted."""
    path = Path(path)
    head = head_bytes(path, 65536)
    encoding = sniff_encoding(head)
    notes = notes_for(path)
    notes.encoding = encoding
    binary = open_binary(path, raw=encoding.startswith("utf-16"))
    return io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline=newline)


T = TypeVar("T")


def guarded_reads(values: Iterable[T], path: object) -> Iterator[T]:
    """Values read from a file, with a read error (truncated gzip, I/O) turned into UnreadableFileError."""
    iterator = iter(values)
    while True:
        try:
            value = next(iterator)
        except StopIteration:
            return
        except (OSError, EOFError, zlib.error) as exc:
            raise UnreadableFileError(path, f"read failed: {exc}") from None
        yield value
