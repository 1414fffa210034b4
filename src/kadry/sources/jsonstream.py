"""Stream JSON objects out of any container hh-like APIs and their users produce.

One object per file, a JSON array, JSON lines, a search page ``{"items": [...]}``, any of
them gzipped. Arrays and large pages are parsed incrementally (ijson) so memory does not
grow with the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import ijson

from kadry.errors import UnreadableFileError
from kadry.sources.base import head_bytes, open_binary

__all__ = ["iter_json_objects", "looks_like_json", "JsonBad"]

_BIG = 64 * 1024 * 1024


class JsonBad:
    """Placeholder yielded for a JSON-lines line that does not parse."""

    __slots__ = ("reason", "text")

    def __init__(self, reason: str, text: str) -> None:
        self.reason = reason
        self.text = text


def looks_like_json(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text[:1] in (b"{", b"[")


def _container(path: Path) -> str:
    head = head_bytes(path, 1 << 20).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise UnreadableFileError(path, "empty file")
    if head[:1] == b"[":
        return "array"
    if head[:1] != b"{":
        raise UnreadableFileError(path, "not JSON (does not start with '{' or '[')")
    first, _, rest = head.partition(b"\n")
    if rest.strip():
        try:
            json.loads(first)
            return "lines"
        except ValueError:
            pass
    return "object"


def iter_json_objects(path: Path, items_key: str = "items") -> Iterator[tuple[int, object]]:
    """Yield ``(position, object)``; a bad JSON-lines line yields ``(position, JsonBad)``.

    A search page ``{"items": [...]}`` yields its items; any other single object is yielded
    whole. A broken array or object is a broken file: ``UnreadableFileError`` names it.
    """
    kind = _container(path)
    if kind == "lines":
        with open_binary(path) as f:
            position = 0
            for raw in f:
                line = raw.strip()
                if not line:
                    continue
                try:
                    yield position, json.loads(line)
                except ValueError as exc:
                    yield position, JsonBad(f"unparseable JSON line: {exc.args[0][:80]}", line[:200].decode("utf-8", "replace"))
                position += 1
        return
    if kind == "array":
        yield from _stream(path, "item")
        return
    size = path.stat().st_size
    if size > _BIG:
        yield from _stream(path, f"{items_key}.item")
        return
    with open_binary(path) as f:
        try:
            data = json.loads(f.read())
        except ValueError as exc:
            raise UnreadableFileError(path, f"unparseable JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get(items_key), list) and "id" not in data:
        for position, obj in enumerate(data[items_key]):
            yield position, obj
    else:
        yield 0, data


def _stream(path: Path, prefix: str) -> Iterator[tuple[int, object]]:
    position = 0
    with open_binary(path) as f:
        try:
            for obj in ijson.items(f, prefix, use_float=True):
                yield position, obj
                position += 1
        except (ijson.JSONError, ValueError, EOFError, OSError) as exc:
            raise UnreadableFileError(path, f"unparseable JSON after record {position}: {str(exc)[:80]}") from None
