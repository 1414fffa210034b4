"""What every reader yields, how a reader claims a file, and the helpers they share.

A reader turns one input file into a stream of ``Item``: either a canonical raw record
(the ``raw`` columns of kadry.schema, plus ``observed_at`` and the observation fields) or a
quarantine reason with the record's position. Readers never decide what is stored: the
ingest pipeline validates, hashes, merges and accounts for every item.

The scoring protocol (how detection picks a reader; new readers implement it too)
--------------------------------------------------------------------------------
Detection never asks "is this file yours?" but "how sure are you?". Each reader has
``score(head: Head) -> Score``; ``Head`` is the decoded start of the file, parsed once for
everybody: ``head.text``, the CSV ``head.header`` (lower-cased) and first ``head.rows``, or
the first JSON ``head.objects`` and their canonical ``head.keys`` (``area-name`` and
``areaName`` both read ``area_name``; nested keys as ``area.name``). A score is

* ``value`` in [0, 1]: the share of the evidence the reader recognises, from the content
  (header names, keys, and value shapes: dates that parse, currency codes, numbers where
  numbers belong), not from the file name. 0 means "not mine"; ``STRONG`` (0.6) or more
  means "I can read it"; 1.0 is reserved for an explicit claim (a sidecar mapping).
* ``kind``: ``vacancy`` or ``resume``, what the reader would produce;
* ``why``: a short phrase for the user ("header matches hh flat export 6/6").

``kadry.sources.detect`` reads the file with the best reader only if its value is at least
``STRONG`` and beats the runner-up by ``MARGIN`` (0.2); otherwise it fails with a one-line
error naming the candidates and their scores and ``--format`` / ``--mapping``. Independently
of the scores, a file whose content shows people (name, age, birth date columns, first names
in a title column) is never given to a vacancy reader. A reader for a format that cannot be
parsed from a text head (XML, say) still returns a Score from what ``head.text`` shows.
Subclass ``BaseReader`` to get ``sniff`` (``score >= STRONG``) for free.
"""

from __future__ import annotations

import csv
import html as html_lib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from kadry.sources.textio import head_bytes, head_text, open_binary, open_text

__all__ = [
    "Item",
    "Reader",
    "BaseReader",
    "Head",
    "Score",
    "STRONG",
    "MARGIN",
    "open_binary",
    "open_text",
    "head_bytes",
    "parse_ts",
    "to_float",
    "clean_str",
    "strip_html",
    "BadValue",
]

STRONG = 0.6
MARGIN = 0.2


class BadValue(ValueError):
    """A field value that makes the record impossible; its message is the quarantine reason."""


@dataclass(slots=True)
class Item:
    """One input record: a ``record`` to store, or a ``reason`` to quarantine it.

    ``field_issues`` lists ``(field, reason)`` of optional fields that were dropped (quarantined
    as fields) while the record itself is kept.
    """

    position: int
    kind: str  # "vacancy" or "resume"
    record: dict | None = None
    reason: str | None = None
    excerpt: str | None = None
    field_issues: list[tuple[str, str]] | None = None

    @classmethod
    def bad(cls, position: int, kind: str, reason: str, excerpt: object = None) -> Item:
        text = None if excerpt is None or kind == "resume" else str(excerpt)[:200]
        return cls(position, kind, None, reason, text)


@dataclass(frozen=True)
class Score:
    """How sure a reader is that it can read a file (see the module docstring)."""

    value: float
    kind: str = "vacancy"
    why: str = ""


NO = Score(0.0)

_DELIMITERS = ("|", ";", "\t", ",")


@dataclass
class Head:
    """The decoded start of a file, parsed once for every reader's ``score``."""

    path: Path
    raw: bytes
    text: str
    is_json: bool
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    objects: list[object] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    delimiter: str = ","

    @classmethod
    def of(cls, path: Path, raw: bytes | None = None) -> Head:
        from kadry.sources.jsonstream import canon_keys, first_objects

        raw = head_bytes(path, 65536) if raw is None else raw
        text = head_text(raw)
        stripped = text.lstrip()
        head = cls(Path(path), raw, text, stripped[:1] in ("{", "["))
        if head.is_json:
            head.objects = [canon_keys(o) for o in first_objects(raw)]
            for obj in head.objects:
                if isinstance(obj, dict):
                    head.keys.update(_flat_keys(obj))
            return head
        lines = re.split(r"\r\n|\r|\n", text, maxsplit=1)
        head.delimiter = sniff_delimiter(lines[0])
        # whole records only: the last line of the window may be cut
        body = text[: text.rfind("\n") if "\n" in text[len(lines[0]) + 1 :] else len(text)]
        try:
            parsed = list(csv.reader(body.splitlines(), delimiter=head.delimiter))[:21] if body else []
        except csv.Error:
            parsed = []
        if parsed:
            head.header = [c.strip().strip("\ufeff").strip().lower() for c in parsed[0]]
            head.rows = [r for r in parsed[1:] if any(c.strip() for c in r)]
        return head

    def column(self, name: str) -> list[str]:
        """The head's values of a CSV column (lower-cased header name), blanks dropped."""
        if name not in self.header:
            return []
        i = self.header.index(name)
        return [r[i].strip() for r in self.rows if i < len(r) and r[i].strip()]


def _flat_keys(obj: dict, prefix: str = "", depth: int = 0) -> set[str]:
    out: set[str] = set()
    for key, value in obj.items():
        name = f"{prefix}{key}"
        out.add(name)
        if isinstance(value, dict) and depth < 2:
            out |= _flat_keys(value, name + ".", depth + 1)
    return out


def sniff_delimiter(line: str) -> str:
    """The delimiter of a header line: the most frequent of ``| ; TAB ,`` outside quotes."""
    bare = re.sub(r'"[^"]*"', "", line)
    counts = {d: bare.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class Reader(Protocol):
    """A format: ``score`` says how sure it is a file is its format, ``read`` streams its items."""

    name: str
    kind: str

    def score(self, head: Head) -> Score: ...

    def sniff(self, path: Path, head: bytes) -> bool: ...

    def read(self, path: Path) -> Iterator[Item]: ...


class BaseReader:
    """Shared defaults: ``sniff`` is ``score >= STRONG``."""

    name = "base"
    kind = "vacancy"

    def score(self, head: Head) -> Score:  # pragma: no cover - every reader overrides it
        return NO

    def sniff(self, path: Path, head: bytes) -> bool:
        return self.score(Head.of(path, head if len(head) >= 65536 else None)).value >= STRONG

    def read(self, path: Path) -> Iterator[Item]:  # pragma: no cover
        raise NotImplementedError


_TS_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m",
)
_EARLIEST = datetime(1990, 1, 1)


def ts_bounds() -> tuple[datetime, datetime]:
    """The dates ``parse_ts`` accepts: from 1990 to a year and a day ahead (later is a typo)."""
    return _EARLIEST, datetime.now() + timedelta(days=366)


def parse_ts(value: object, *, field: str = "date") -> datetime | None:
    """A timestamp as a naive local wall-clock datetime (the offset is dropped, not applied).

    hh and trudvsem give Moscow-time stamps; keeping the wall clock keeps the calendar day a
    person in Russia would name. Unparseable or impossible dates raise ``BadValue``.
    """
    if value is None or value == "":
        return None
    dt: datetime | None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)):
        if value != value:
            return None
        seconds = value / 1000 if value > 1e11 else value  # epoch millis or seconds
        dt = datetime.fromtimestamp(seconds, tz=UTC)
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
    earliest, latest = ts_bounds()
    if dt < earliest or dt > latest:
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
    if not text or (len(text) <= 4 and text.lower() in {"nan", "none", "null"}):
        return None
    return text


_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"(?i)<\s*(br|/p|/li|/div|/h\d)\s*/?>")
_BLANKS = "\t\r\f\v"
_SPACES = re.compile("  +")


def collapse_blanks(text: str) -> str:
    """Each run of spaces, tabs, CR, FF and VT as one space (newlines and other spaces kept).

    The same as ``re.sub(r"[ \\t\\r\\f\\v]+", " ", text)``, four times as fast on long texts:
    that regex stops at every single space between words; here ``str.replace`` turns the rare
    blanks into spaces and a regex stops only where two spaces meet."""
    for blank in _BLANKS:
        if blank in text:
            text = text.replace(blank, " ")
    return _SPACES.sub(" ", text) if "  " in text else text


def strip_html(html: object) -> str | None:
    """Plain text of an HTML fragment, paragraphs kept as newlines."""
    text = clean_str(html)
    if text is None:
        return None
    if "<" in text:
        text = _TAG.sub(" ", _BREAK.sub("\n", text))
    if "&" in text:
        text = html_lib.unescape(text)
    lines = [line.strip() for line in collapse_blanks(text).split("\n")]
    return "\n".join(line for line in lines if line) or None
