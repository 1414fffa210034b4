"""Any CSV, JSON lines or Parquet file, read through a small mapping file (TOML or YAML).

The mapping names the record kind, the source, and which input column holds which
canonical field; values are converted to the field's type from kadry.schema::

    kind = "vacancy"                  # or "resume"
    source = "csv:myexport"           # default: "csv:<mapping file stem>"
    # format = "csv" | "jsonl" | "parquet"   (default: from the file)
    # delimiter = ";"                 (CSV; default: sniffed)
    [columns]
    source_id = "id"                  # omitted: a hash of the mapped values
    title = "job_title"
    salary_from = "min_salary"
    published_at = "date"
    skills_raw = { column = "skills", split = ";" }
    schedule = { column = "workplace", values = { TELECOMMUTE = "remote", ON_SITE = "fullDay" } }
    salary_from = { column = "salary", parse = "money_from" }    # "от 50 000 до 80 000 руб.", "80000 грн."
    salary_to = { column = "salary", parse = "money_to" }
    salary_currency = { column = "salary", parse = "currency", on_error = "field" }
    published_at = { column = "date", format = "%d.%m.%Y" }
    region_raw = { column = "city", optional = true }            # bad value: drop the field, keep the record
    employer_name = { value = "ООО Ромашка" }                     # a constant
    [defaults]
    salary_currency = "RUR"

A column spec is a column name, or a table with ``column`` (a CSV header, or a JSON path:
``salary.from``, ``key_skills[].name`` for a list of objects; keys match in any spelling,
``area-name`` = ``areaName``), ``split`` (list fields), ``values`` (a value map, matched
case-insensitively; unmapped values pass through), ``parse`` (``number``: the first number,
with ``тыс.``/``k``/``млн``, as in ``42 роки``; ``months``: a duration, ``4 роки`` 48; ``money_from``/``money_to``/``currency``: the
bounds and currency of salary text), ``format`` (a strptime date format), ``value`` (a
constant) and ``on_error`` (``record``, the default: a bad value quarantines the record;
``field``, or ``optional = true``: the field is left empty and quarantined on its own).

For resumes the pseudo-field ``age`` (an exact age) is accepted and stored only as
``age_band``. Only canonical fields can be named, so nothing else of the input (names,
contacts, free text) can reach a record. Input is streamed: CSV and JSON lines line by
line, Parquet in record batches.
"""

from __future__ import annotations

import csv
import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from kadry.errors import MappingError, UnreadableFileError
from kadry.schema import RESUME, VACANCY, age_band
from kadry.sources.base import NO, BadValue, BaseReader, Head, Item, Score, clean_str, head_bytes, parse_ts, to_float
from kadry.sources.csvstream import iter_rows, read_header
from kadry.sources.jsonstream import JsonBad, canon_key, iter_json_objects
from kadry.sources.records import RESUME_RECORD_FIELDS, VACANCY_RECORD_FIELDS, blank_resume, blank_vacancy, content_id
from kadry.sources.text_values import (
    currency_code,
    parse_duration_months,
    parse_gender,
    parse_number_text,
    parse_salary_text,
)

__all__ = ["Mapping", "load_mapping", "MappedReader", "sidecar_mapping", "READERS"]

_TOP_KEYS = {"kind", "source", "format", "delimiter", "columns", "defaults"}
_FORMATS = {"csv", "jsonl", "json", "parquet"}
_TYPES = {c.name: c.type for c in VACANCY + RESUME}
_TYPES.update({"observed_at": "TIMESTAMP", "archived": "BOOLEAN", "source_id": "VARCHAR", "age": "DOUBLE"})
_FIELDS = {
    "vacancy": set(VACANCY_RECORD_FIELDS) - {"source"},
    "resume": (set(RESUME_RECORD_FIELDS) - {"source"}) | {"age"},
}
_TRUE = {"1", "true", "yes", "y", "t", "да", "on"}
_FALSE = {"0", "false", "no", "n", "f", "нет", "off"}
_SIDECARS = (".mapping.toml", ".mapping.yaml", ".mapping.yml")


@dataclass(frozen=True)
class ColumnSpec:
    column: str | None
    split: str | None = None
    values: dict | None = None
    parse: str | None = None
    format: str | None = None
    value: object = None
    on_error: str = "record"


_SPEC_KEYS = {"column", "split", "values", "parse", "format", "value", "on_error", "optional"}
_PARSERS = {"number", "months", "money_from", "money_to", "currency"}


@dataclass
class Mapping:
    """A validated mapping: kind, source, canonical field -> column spec, defaults."""

    kind: str
    source: str
    columns: dict[str, ColumnSpec]
    defaults: dict[str, object] = field(default_factory=dict)
    format: str | None = None
    delimiter: str | None = None
    path: Path | None = None


def _fail(where: object, message: str) -> MappingError:
    return MappingError(f"{where}: {message}", path=str(where))


def load_mapping(path: Path) -> Mapping:
    """Read and validate a TOML/YAML mapping; every mistake is a one-line MappingError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, f"cannot read mapping: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        else:
            data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise _fail(path, f"unreadable mapping: {str(exc).splitlines()[0]}") from None
    return mapping_from_dict(data, path)


def mapping_from_dict(data: object, where: object = "mapping") -> Mapping:
    if not isinstance(data, dict):
        raise _fail(where, "a mapping must be a table of keys (kind, source, columns, defaults)")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise _fail(
            where, f"unknown key(s) {', '.join(sorted(map(str, unknown)))}; allowed: {', '.join(sorted(_TOP_KEYS))}"
        )
    kind = data.get("kind")
    if kind not in _FIELDS:
        raise _fail(where, f"bad kind {kind!r}: must be 'vacancy' or 'resume'")
    stem = Path(str(where)).name.split(".")[0] if where != "mapping" else "mapped"
    source = data.get("source", f"csv:{stem}")
    if not isinstance(source, str) or not source.strip():
        raise _fail(where, "source must be a non-empty string")
    fmt = data.get("format")
    if fmt is not None and fmt not in _FORMATS:
        raise _fail(where, f"bad format {fmt!r}: one of {', '.join(sorted(_FORMATS))}")
    delimiter = data.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise _fail(where, f"delimiter must be one character, not {delimiter!r}")
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, dict) or not raw_columns:
        raise _fail(where, "[columns] must name at least one canonical field")
    allowed = _FIELDS[kind]
    columns: dict[str, ColumnSpec] = {}
    for name, spec in raw_columns.items():
        if name not in allowed:
            raise _fail(where, f"unknown {kind} field {name!r} in [columns]; known: {', '.join(sorted(allowed))}")
        columns[name] = _spec(where, name, spec)
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise _fail(where, "[defaults] must be a table")
    for name in defaults:
        if name not in allowed:
            raise _fail(where, f"unknown {kind} field {name!r} in [defaults]; known: {', '.join(sorted(allowed))}")
    return Mapping(
        kind, source.strip(), columns, dict(defaults), fmt, delimiter, Path(str(where)) if where != "mapping" else None
    )


def _spec(where: object, name: str, spec: object) -> ColumnSpec:
    if isinstance(spec, str) and spec:
        return ColumnSpec(spec)
    if not isinstance(spec, dict) or not set(spec) <= _SPEC_KEYS or not ("column" in spec or "value" in spec):
        raise _fail(
            where,
            f"{name} must be a column name or a table with column (or value) and optionally "
            f"{', '.join(sorted(_SPEC_KEYS - {'column', 'value'}))}",
        )
    column = spec.get("column")
    if column is not None and (not isinstance(column, str) or not column):
        raise _fail(where, f"{name}.column must be a non-empty string")
    split = spec.get("split")
    if split is not None and (not isinstance(split, str) or not split):
        raise _fail(where, f"{name}.split must be a non-empty string")
    if split is not None and not _TYPES[name].endswith("[]"):
        raise _fail(where, f"{name} is not a list field; 'split' applies to list fields only")
    values = spec.get("values")
    if values is not None and not isinstance(values, dict):
        raise _fail(where, f"{name}.values must be a table mapping input values to canonical ones")
    parse = spec.get("parse")
    if parse is not None and parse not in _PARSERS:
        raise _fail(where, f"{name}.parse must be one of {', '.join(sorted(_PARSERS))}, not {parse!r}")
    fmt = spec.get("format")
    if fmt is not None and (not isinstance(fmt, str) or "%" not in fmt):
        raise _fail(where, f'{name}.format must be a strptime format such as "%d.%m.%Y"')
    on_error = spec.get("on_error", "field" if spec.get("optional") is True else "record")
    if on_error not in ("record", "field"):
        raise _fail(where, f"{name}.on_error must be 'record' or 'field', not {on_error!r}")
    folded = {str(k).strip().lower(): v for k, v in values.items()} if values else None
    return ColumnSpec(column, split, folded, parse, fmt, spec.get("value"), on_error)


def sidecar_mapping(path: Path) -> Path | None:
    """``data.csv.mapping.toml`` (or ``.yaml``) beside a data file, if there is one."""
    for suffix in _SIDECARS:
        candidate = path.with_name(path.name + suffix)
        if candidate.is_file():
            return candidate
    return None


def _convert(name: str, value: object, split: str | None) -> object:
    """A raw input value as the canonical type of field ``name``; BadValue if impossible."""
    kind = _TYPES[name]
    if kind.endswith("[]"):
        if value is None:
            return []
        if isinstance(value, (list, tuple)):
            items = value
        else:
            text = str(value).strip()
            if split is None and text.startswith("["):
                try:
                    items = json.loads(text)
                except ValueError:
                    items = [text]
            else:
                items = text.split(split) if split else [text]
        return [t for t in (clean_str(i) for i in items if not isinstance(i, (dict, list))) if t]
    if isinstance(value, (dict, list)):
        raise BadValue(f"{name}: expected a single value, got {type(value).__name__}")
    if kind == "VARCHAR":
        return clean_str(value)
    if kind in ("DOUBLE", "BIGINT", "INTEGER"):
        number = to_float(value, field=name)
        return number if kind == "DOUBLE" or number is None else int(round(number))
    if kind == "BOOLEAN":
        if isinstance(value, bool) or value is None:
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE or text == "":
            return False if text else None
        raise BadValue(f"not a yes/no value in {name}: {str(value)[:40]!r}")
    if kind == "TIMESTAMP":
        return parse_ts(value, field=name)
    raise BadValue(f"unsupported field type {kind} for {name}")  # pragma: no cover


def _lookup(row: dict, column: str | None) -> object:
    """A CSV column, or a JSON path (``salary.from``, ``key_skills[].name``), keys in any spelling."""
    if column is None:
        return None
    if column in row:
        return row[column]
    return _walk(row, column.split("."))


def _child(value: dict, key: str) -> object:
    if key in value:
        return value[key]
    wanted = canon_key(key)
    for k, v in value.items():
        if isinstance(k, str) and canon_key(k) == wanted:
            return v
    return None


def _walk(value: object, parts: list[str]) -> object:
    if not parts:
        return value
    part, rest = parts[0], parts[1:]
    if part.endswith("[]"):
        seq = _child(value, part[:-2]) if part[:-2] and isinstance(value, dict) else value
        if not isinstance(seq, list):
            return None
        out: list = []
        for element in seq:
            got = _walk(element, rest)
            if isinstance(got, list):
                out.extend(got)
            elif got is not None:
                out.append(got)
        return out
    if not isinstance(value, dict):
        return None
    return _walk(_child(value, part), rest)


def _value(name: str, spec: ColumnSpec, raw: object) -> object:
    """The spec's value for a row: constant, lookup, value map, unit parsing, date format, type."""
    value = spec.value if spec.column is None else raw
    if spec.values is not None and value is not None and not isinstance(value, (dict, list)):
        value = spec.values.get(str(value).strip().lower(), value)
    if spec.parse and value is not None and not isinstance(value, (dict, list)):
        text = str(value)
        if spec.parse == "number":
            value = parse_number_text(text)
            if value is None and text.strip():
                raise BadValue(f"{name}: no number in the value")
        elif spec.parse == "months":
            value = parse_duration_months(text)
            if value is None and text.strip():
                raise BadValue(f"{name}: no duration (years, months) in the value")
        elif spec.parse == "currency":
            value = currency_code(text)
        else:
            money = parse_salary_text(text)
            value = None if money is None else money.salary_from if spec.parse == "money_from" else money.salary_to
    if spec.format and value is not None and not isinstance(value, datetime):
        text = str(value).strip()
        if text:
            try:
                value = datetime.strptime(text, spec.format)
            except ValueError:
                raise BadValue(f"{name}: not a date in the format {spec.format}") from None
        else:
            value = None
    return _convert(name, value, spec.split)


class MappedReader(BaseReader):
    """CSV / JSON lines / Parquet through a mapping file (``--format mapped --mapping m.toml``)."""

    name = "mapped"

    def __init__(self, mapping: Mapping | Path | str | None = None) -> None:
        if isinstance(mapping, (str, Path)):
            mapping = load_mapping(Path(mapping))
        self.mapping = mapping
        self.kind = mapping.kind if mapping else "vacancy"

    def score(self, head: Head) -> Score:
        """Only a file with a sidecar mapping (``<file>.mapping.toml``) is claimed, and then for sure."""
        if sidecar_mapping(head.path) is None:
            return NO
        return Score(1.0, self.kind, "a sidecar mapping file")

    def read(self, path: Path) -> Iterator[Item]:
        mapping = self.mapping
        if mapping is None:
            sidecar = sidecar_mapping(path)
            if sidecar is None:
                raise MappingError(
                    f"{path}: the mapped format needs a mapping file (--mapping m.toml, "
                    f"or {path.name}.mapping.toml beside it)"
                )
            mapping = load_mapping(sidecar)
        fmt = mapping.format or _format_of(path)
        rows = {"csv": self._csv_rows, "parquet": self._parquet_rows}.get(fmt, self._json_rows)(path, mapping)
        for position, row in rows:
            if isinstance(row, str):
                yield Item.bad(position, mapping.kind, row)
                continue
            try:
                record = self._record(row, mapping)
                issues = record.pop("_field_issues", None)
                yield Item(position, mapping.kind, record, field_issues=issues or None)
            except BadValue as exc:
                # the excerpt shows mapped columns only: unmapped ones may hold personal data
                shown = {
                    spec.column: _lookup(row, spec.column)
                    for spec in mapping.columns.values()
                    if spec.column is not None
                }
                yield Item.bad(position, mapping.kind, str(exc), json.dumps(shown, ensure_ascii=False, default=str))

    @staticmethod
    def _record(row: dict, mapping: Mapping) -> dict:
        record = blank_vacancy(mapping.source) if mapping.kind == "vacancy" else blank_resume(mapping.source)
        for name, value in mapping.defaults.items():
            record[name] = _convert(name, value, None)
        issues: list[tuple[str, str]] = []
        for name, spec in mapping.columns.items():
            try:
                value = _value(name, spec, _lookup(row, spec.column))
            except BadValue as exc:
                if spec.on_error != "field":
                    raise
                issues.append((name, str(exc)))
                continue
            if value not in (None, []):
                record[name] = value
        record["_field_issues"] = issues
        if record.get("gender") is not None:
            record["gender"] = parse_gender(record["gender"])
        age = record.pop("age", None)
        if age is not None and record.get("age_band") is None:
            record["age_band"] = age_band(age)
        if record.get("source_id") is None:
            values = [_lookup(row, spec.column) for spec in mapping.columns.values() if spec.column is not None]
            record["source_id"] = content_id("row-", values)
        if mapping.kind == "resume" and record.get("observed_at") is None:
            record["observed_at"] = record.get("updated_at")
        return record

    @staticmethod
    def _check_columns(path: Path, mapping: Mapping, available: list[str]) -> None:
        wanted = {spec.column for spec in mapping.columns.values() if spec.column is not None}
        have = {canon_key(a) for a in available}
        missing = sorted(
            c
            for c in wanted
            if c not in available
            and c.split(".")[0] not in available
            and canon_key(c.split(".")[0].removesuffix("[]")) not in have
        )
        if missing:
            raise MappingError(
                f"{path}: column(s) {', '.join(missing)} named in the mapping are not in the file; "
                f"available: {', '.join(available) or 'none'}",
                missing=missing,
                available=available,
            )

    def _csv_rows(self, path: Path, mapping: Mapping) -> Iterator[tuple[int, dict | str]]:
        header = read_header(path, mapping.delimiter)
        self._check_columns(path, mapping, header)
        for position, row, _ in iter_rows(path, mapping.delimiter, lower=False):
            if isinstance(row, csv.Error):
                yield position, f"bad CSV row: {row}"
            elif len(row) != len(header):
                yield position, f"row has {len(row)} fields, header has {len(header)}"
            else:
                yield position, dict(zip(header, row))

    def _json_rows(self, path: Path, mapping: Mapping) -> Iterator[tuple[int, dict | str]]:
        checked = False
        for position, obj in iter_json_objects(path):
            if isinstance(obj, JsonBad):
                yield position, obj.reason
            elif not isinstance(obj, dict):
                yield position, f"not a JSON object but {type(obj).__name__}"
            else:
                if not checked:
                    self._check_columns(path, mapping, list(obj))
                    checked = True
                yield position, obj

    def _parquet_rows(self, path: Path, mapping: Mapping) -> Iterator[tuple[int, dict | str]]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(path)
        except (OSError, pa.ArrowException) as exc:
            raise UnreadableFileError(path, f"not a readable Parquet file: {exc}") from None
        available = pf.schema_arrow.names
        self._check_columns(path, mapping, available)
        wanted = sorted(
            {
                spec.column.split(".")[0].removesuffix("[]")
                for spec in mapping.columns.values()
                if spec.column is not None
            }
        )
        position = 0
        try:
            for batch in pf.iter_batches(batch_size=4096, columns=wanted):
                for row in batch.to_pylist():
                    yield position, row
                    position += 1
        except (OSError, pa.ArrowException) as exc:
            raise UnreadableFileError(path, f"Parquet read failed after row {position}: {exc}") from None


def _format_of(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".parquet") or name.endswith(".pq"):
        return "parquet"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    head = head_bytes(path, 4096)
    if head[:4] == b"PAR1":
        return "parquet"
    return "jsonl" if head.lstrip()[:1] in (b"{", b"[") else "csv"


READERS = [MappedReader()]
