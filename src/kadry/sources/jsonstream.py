"""Stream JSON objects out of any container hh-like APIs and their users produce.

One object per file, a JSON array, JSON lines, a search page ``{"items": [...]}``, objects
simply concatenated (``}{``, ``},\\n{``: what ``jq -c`` or a hand-rolled dump writes), with
or without a BOM, in any encoding textio detects, gzipped or not. Arrays, large pages and
concatenated streams are parsed incrementally so memory does not grow with the file.

Keys are compared in one canonical spelling (``canon_key``): ``area-name``, ``areaName`` and
``area_name`` are the same key, so a JSON export from another tool means the same fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import ijson
import orjson

from kadry.errors import UnreadableFileError
from kadry.sources.textio import head_bytes, head_text, notes_for, open_binary, open_text, sniff_encoding

__all__ = [
    "iter_json_objects",
    "line_values",
    "looks_like_json",
    "JsonBad",
    "container",
    "canon_key",
    "canon_keys",
    "first_objects",
]

_BIG = 64 * 1024 * 1024
_CHUNK = 1 << 20
_DECODER = json.JSONDecoder()
_WS_COMMA = re.compile(r"[\s,]*")


class JsonBad:
    """Placeholder yielded for a JSON-lines line that does not parse."""

    __slots__ = ("reason", "text")

    def __init__(self, reason: str, text: str) -> None:
        self.reason = reason
        self.text = text


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEP = re.compile(r"[\s\-.]+")


#: keys seen that are canonical already (a set: ``issuperset`` checks a whole object's keys in C)
_CANONICAL: set[str] = set()


@lru_cache(maxsize=65_536)
def canon_key(key: str) -> str:
    """``areaName``, ``area-name``, ``Area Name``, ``area.name`` -> ``area_name``.

    Cached: a file repeats the same few dozen keys in every object (a quarter of a JSON
    ingest went to respelling them)."""
    out = _SEP.sub("_", _CAMEL.sub("_", key.strip())).lower()
    if out == key and len(_CANONICAL) < 65_536:  # bounded like the cache: keys can be data
        _CANONICAL.add(key)
    return out


def canon_keys(value: object) -> object:
    """The same JSON value with every object key in canonical spelling (recursively).

    An object whose keys are all canonical already is not rebuilt (one set operation in C),
    nor is one whose values did not change: on hh's objects 17 microseconds instead of 42."""
    if isinstance(value, dict):
        if not _CANONICAL.issuperset(value):
            value = {canon_key(k) if isinstance(k, str) else k: v for k, v in value.items()}
        inner = {k: canon_keys(v) for k, v in value.items() if v and isinstance(v, (dict, list))}
        return {**value, **inner} if any(inner[k] is not value[k] for k in inner) else value
    if isinstance(value, list):
        new = [canon_keys(v) if v and isinstance(v, (dict, list)) else v for v in value]
        return value if all(a is b for a, b in zip(new, value)) else new
    return value


def looks_like_json(head: bytes) -> bool:
    text = head_text(head[:4096]).lstrip()
    return text[:1] in ("{", "[")


def container(text: str) -> str:
    """What holds the objects, judged from a decoded head: array, lines, concat or object."""
    text = text.lstrip("\ufeff \t\r\n")
    if text[:1] == "[":
        return "array"
    if text[:1] != "{":
        return "none"
    try:
        _, end = _DECODER.raw_decode(text)
    except ValueError:
        return "object"  # longer than the head (one big object or page), or broken
    rest = text[end:]
    following = rest.lstrip(" \t")
    if not following.strip():
        return "object"
    if following[:1] in ("\r", "\n") and following.lstrip()[:1] == "{":
        return "lines"
    if following.lstrip(" \t\r\n,")[:1] == "{":
        return "concat"
    return "object"


def first_objects(head: bytes, n: int = 20) -> list[object]:
    """Up to ``n`` leading objects a file head holds, whatever the container (for detection)."""
    text = head_text(head).lstrip(" \t\r\n")
    kind = container(text)
    out: list[object] = []
    if kind == "array":
        text = text[1:]
    elif kind == "object":
        try:
            obj = json.loads(text)
        except ValueError:
            return _partial_page(text, n) or _partial_object(text)
        if isinstance(obj, dict) and isinstance(obj.get("items"), list) and "id" not in obj:
            return list(obj["items"][:n])
        return [obj]
    i = 0
    while len(out) < n:
        i = _WS_COMMA.match(text, i).end()  # type: ignore[union-attr]
        if i >= len(text) or text[i] == "]":
            break
        try:
            obj, i = _DECODER.raw_decode(text, i)
        except ValueError:
            break
        out.append(obj)
    return out


def _partial_object(text: str) -> list[object]:
    """The keys (two levels deep) and leading scalars of one object longer than the head."""
    import io

    root: dict = {}
    try:
        for prefix, event, value in ijson.parse(io.BytesIO(text.encode("utf-8"))):
            parts = prefix.split(".") if prefix else []
            if len(parts) > 2 or "item" in parts:
                continue
            if event == "map_key" and len(parts) <= 1:
                target = root if not parts else root.setdefault(parts[0], {})
                if isinstance(target, dict):
                    target.setdefault(value, None)
            elif event in ("string", "number", "boolean") and len(parts) in (1, 2):
                target = root if len(parts) == 1 else root.get(parts[0])
                if isinstance(target, dict):
                    target[parts[-1]] = value
    except (ijson.JSONError, ValueError):
        pass
    return [root] if root else []


def _partial_page(text: str, n: int) -> list[object]:
    """Leading items of a page too long for the head: ``{"items": [ {...}, {...}, ...``."""
    match = re.search(r'"items"\s*:\s*\[', text)
    if not match:
        return []
    return first_objects(("[" + text[match.end() :]).encode("utf-8"), n)


def iter_json_objects(path: Path, items_key: str = "items") -> Iterator[tuple[int, object]]:
    """Yield ``(position, object)``; a bad JSON-lines line yields ``(position, JsonBad)``.

    A search page ``{"items": [...]}`` yields its items; any other single object is yielded
    whole. A broken array, object or concatenated stream is a broken file:
    ``UnreadableFileError`` names it and how far it got.
    """
    head = head_bytes(path, 1 << 20)
    text = head_text(head)
    if not text.strip():
        raise UnreadableFileError(path, "empty file")
    kind = container(text)
    if kind == "none":
        raise UnreadableFileError(path, "not JSON (does not start with '{' or '[')")
    encoding = sniff_encoding(head)
    utf8 = encoding.startswith("utf-8")
    notes_for(path).encoding = encoding
    if kind == "lines":
        yield from _lines(path, utf8)
        return
    if kind == "concat":
        yield from _concat(path)
        return
    if kind == "array":
        if utf8:
            yield from _stream(path, "item")
        else:
            yield from _whole(path, items_key, array=True)
        return
    size = path.stat().st_size
    if size > _BIG and utf8:
        yield from _stream(path, f"{items_key}.item")
        return
    yield from _whole(path, items_key)


def _whole(path: Path, items_key: str, array: bool = False) -> Iterator[tuple[int, object]]:
    with open_text(path) as f:
        try:
            data = json.loads(f.read().lstrip("\ufeff"))
        except ValueError as exc:
            raise UnreadableFileError(path, f"unparseable JSON: {exc}") from None
        except (OSError, EOFError) as exc:
            raise UnreadableFileError(path, f"cannot read: {exc}") from None
    if array and isinstance(data, list):
        yield from enumerate(data)
    elif isinstance(data, dict) and isinstance(data.get(items_key), list) and "id" not in data:
        yield from enumerate(data[items_key])
    else:
        yield 0, data


def _lines(path: Path, utf8: bool) -> Iterator[tuple[int, object]]:
    f = open_binary(path) if utf8 else open_text(path)
    with f:
        yield from line_values(f)


def line_values(lines: Iterable, first: bool = True) -> Iterator[tuple[int, object]]:
    """``(position, value)`` of each non-blank JSON-lines line (bytes or text), numbered from 0; a
    line that does not parse is a JsonBad. ``first``: these are a file's first lines (a BOM may
    open them)."""
    position = 0
    for raw in lines:
        line = _stripped(raw, first and position == 0)
        if not line:
            continue
        yield position, _value(line)
        position += 1


def _stripped(raw, at_start: bool):
    """A JSON-lines line (bytes or text) without blanks around it, nor a BOM before the first."""
    line = raw.strip()
    if at_start and line[:3] in (b"\xef\xbb\xbf", "\ufeff"):
        line = line.lstrip(b"\xef\xbb\xbf" if isinstance(line, bytes) else "\ufeff")
    return line


def _value(line: bytes | str) -> object:
    """One stripped, non-empty JSON-lines line as its value, or JsonBad saying why not."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        shown = line[:200].decode("utf-8", "replace") if isinstance(line, bytes) else line[:200]
        return JsonBad(f"unparseable JSON line: {str(exc)[:80]}", shown)


def _concat(path: Path) -> Iterator[tuple[int, object]]:
    """Objects one after another with optional commas/whitespace between, streamed in 1 MiB chunks."""
    position = 0
    with open_text(path) as f:
        buf = f.read(_CHUNK).lstrip("\ufeff")
        eof = not buf
        i = 0
        while True:
            i = _WS_COMMA.match(buf, i).end()  # type: ignore[union-attr]
            if i >= len(buf):
                if eof:
                    return
                buf, i = f.read(_CHUNK), 0
                eof = not buf
                continue
            try:
                obj, end = _DECODER.raw_decode(buf, i)
            except ValueError as exc:
                more = "" if eof else f.read(_CHUNK)
                if not more:
                    raise UnreadableFileError(
                        path, f"unparseable JSON after record {position}: {str(exc)[:80]}"
                    ) from None
                buf, i = buf[i:] + more, 0
                continue
            if end == len(buf) and not eof and buf[i] != "{":
                # a bare number/literal could continue in the next chunk
                buf, i = buf[i:] + f.read(_CHUNK), 0
                continue
            yield position, obj
            position += 1
            i = end
            if i > _CHUNK:
                buf, i = buf[i:], 0


def _stream(path: Path, prefix: str) -> Iterator[tuple[int, object]]:
    position = 0
    with open_binary(path) as f:
        if f.peek(3)[:3] == b"\xef\xbb\xbf":  # type: ignore[attr-defined]
            f.read(3)
        try:
            for obj in ijson.items(f, prefix, use_float=True):
                yield position, obj
                position += 1
        except (ijson.JSONError, ValueError, EOFError, OSError) as exc:
            raise UnreadableFileError(path, f"unparseable JSON after record {position}: {str(exc)[:80]}") from None
