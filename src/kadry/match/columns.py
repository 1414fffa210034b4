"""Matching fields as numpy columns: what the scoring rules read, for many records at once.

Scoring a query against a few hundred candidates one Python dict at a time was most of a
match's time; here each field the rules read becomes one array (codes for strings, 0 for
"none"), built from an Arrow table of ``records.FIELDS_OF`` columns, so the rules in
``score.score_columns`` run on whole candidate sets. The same builder encodes the in-memory
candidate tables (``features``), a query and the two sides of ``score_pair``: one reading of
every field.

Codes: strings (regions, countries, roles, titles, canonical skills) are interned in one
process-wide table, so a query and the candidates of either table compare by integer. A value
that Python treats as false (None, "") is code 0, which the rules read as "not given".
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kadry.match.records import FIELDS_OF
from kadry.schema import EXPERIENCE_BANDS

__all__ = ["Columns", "PER_ROW", "encode", "encode_records", "intern", "string_of"]

_LOCK = threading.Lock()
_CODES: dict[str, int] = {}
_STRINGS: list[str] = [""]  # code 0: not given
_BAND = {b: i for i, b in enumerate(EXPERIENCE_BANDS)}

_TYPES = {
    "title": pa.string(),
    "role_id": pa.string(),
    "region_code": pa.string(),
    "country_code": pa.string(),
    "remote": pa.bool_(),
    "salary_rub": pa.float64(),
    "salary_rub_from": pa.float64(),
    "salary_rub_to": pa.float64(),
    "experience": pa.string(),
    "skills": pa.list_(pa.string()),
    "ready_to_relocate": pa.bool_(),
    "relocation_countries": pa.list_(pa.string()),
    "vacancy_id": pa.string(),
    "resume_id": pa.string(),
}


def intern(values: list) -> np.ndarray:
    """Codes of strings (0 for None and ""), adding new ones to the process-wide table."""
    out = np.zeros(len(values), dtype=np.int32)
    codes = _CODES
    for n, v in enumerate(values):
        if not v:
            continue
        c = codes.get(v)
        if c is None:
            with _LOCK:
                c = codes.get(v)
                if c is None:
                    c = codes[v] = len(_STRINGS)
                    _STRINGS.append(v)
        out[n] = c
    return out


def string_of(code: int) -> str:
    return _STRINGS[code]


def _dictionary(col: pa.ChunkedArray | pa.Array) -> tuple[list, np.ndarray]:
    """A string column's distinct values and each row's index into them (-1 for null)."""
    enc = pc.dictionary_encode(col)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks() if enc.num_chunks else pa.array([], pa.dictionary(pa.int32(), pa.string()))
    return enc.dictionary.to_pylist(), enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _codes(col: pa.ChunkedArray | pa.Array, mapper=None) -> np.ndarray:
    """Per-row codes of a string column, interning each distinct value once (``mapper`` first)."""
    words, idx = _dictionary(col)
    table = np.append(intern([mapper(w) if mapper and w else w for w in words]), np.int32(0))
    return table[idx]  # index -1 (null) is the appended 0


def _float(col) -> np.ndarray:
    """A number column; None is 0.0 (Python's ``not x``), NaN stays NaN (truthy, then unknown)."""
    return pc.fill_null(pc.cast(col, pa.float64()), 0.0).to_numpy(zero_copy_only=False).astype(np.float64)


def _tri(col) -> np.ndarray:
    """A boolean column as int8: 1 True, 0 False, -1 None (the rules tell ``is False`` from None)."""
    a = pc.cast(col, pa.int8())
    return pc.fill_null(a, -1).to_numpy(zero_copy_only=False).astype(np.int8)


def _lists(col, mapper=None, *, unique: bool) -> tuple[np.ndarray, np.ndarray]:
    """A list column as CSR: (offsets, codes); ``unique`` keeps each code once per row and drops
    code 0 (a skill that is None or empty is no skill); otherwise every element is kept."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    arr = pc.fill_null(arr, pa.scalar([], arr.type)) if arr.null_count else arr
    lengths = pc.list_value_length(arr).to_numpy(zero_copy_only=False).astype(np.int64)
    flat = pc.list_flatten(arr)
    codes = _codes(flat, mapper) if len(flat) else np.zeros(0, dtype=np.int32)
    rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    if unique:
        keep = codes != 0
        rows, codes = rows[keep], codes[keep]
        if len(codes):
            pair = np.unique(rows * (np.int64(1) << 31) + codes)
            rows, codes = pair >> 31, (pair & ((1 << 31) - 1)).astype(np.int32)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(lengths)), out=offsets[1:])
    return offsets, codes.astype(np.int32)


@dataclass
class Columns:
    """One table's matching fields for ``n`` records (see the module docstring for the codes)."""

    table: str
    title: np.ndarray  # code of the title
    role: np.ndarray  # code of the hh role
    region: np.ndarray
    country: np.ndarray
    remote: np.ndarray  # int8 1 / 0 / -1
    salary: np.ndarray  # resumes: the expected salary; vacancies: the offer's top (to, point, from)
    band: np.ndarray  # experience band, -1 unknown
    skill_at: np.ndarray  # CSR offsets into skills
    skills: np.ndarray  # canonical skill codes, each once per record
    ready: np.ndarray  # int8 1 / 0 / -1 (vacancies: -1)
    country_at: np.ndarray  # CSR offsets into countries (resumes' relocation countries, as listed)
    countries: np.ndarray

    def __len__(self) -> int:
        return len(self.title)

    def take(self, rows: np.ndarray) -> Columns:
        """The given records, in that order (lists are re-packed)."""
        out = {f: getattr(self, f)[rows] for f in PER_ROW}
        for at, values in _CSR:
            out[at], out[values] = _take_csr(getattr(self, at), getattr(self, values), rows)
        return Columns(self.table, **out)

    @staticmethod
    def concat(parts: list[Columns]) -> Columns:
        if len(parts) == 1:
            return parts[0]
        out = {f: np.concatenate([getattr(p, f) for p in parts]) for f in PER_ROW}
        for at, values in _CSR:
            starts = np.cumsum([0] + [int(getattr(p, at)[-1]) for p in parts[:-1]])
            out[at] = np.concatenate([np.zeros(1, np.int64)] + [getattr(p, at)[1:] + b for p, b in zip(parts, starts)])
            out[values] = np.concatenate([getattr(p, values) for p in parts])
        return Columns(parts[0].table, **out)


#: the fields with one value per record, and the (offsets, values) pairs of the list fields
PER_ROW = ("title", "role", "region", "country", "remote", "salary", "band", "ready")
_CSR = (("skill_at", "skills"), ("country_at", "countries"))


def _take_csr(at: np.ndarray, values: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lengths = at[rows + 1] - at[rows]
    out_at = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out_at[1:])
    if not len(values) or not out_at[-1]:
        return out_at, np.zeros(0, dtype=np.int32)
    starts = np.repeat(at[rows] - out_at[:-1], lengths)
    return out_at, values[starts + np.arange(out_at[-1])]


def _canonical(skill: str) -> str:
    """A skill's comparison key; one of blanks only is still a (blank) skill, as in ``score._skills``."""
    from kadry.match.text import canonical_skill

    return canonical_skill(skill) or "\x00"


def encode(tbl: pa.Table, table: str) -> Columns:
    """Columns of an Arrow table holding ``FIELDS_OF[table]`` (extra columns are ignored)."""
    n = tbl.num_rows

    def col(name: str):
        return tbl.column(name) if name in tbl.column_names else pa.nulls(n, _TYPES[name])

    if table == "vacancies":
        to, point, low = (_float(col(c)) for c in ("salary_rub_to", "salary_rub", "salary_rub_from"))
        salary = np.where(to != 0, to, np.where(point != 0, point, low))  # the first one given (NaN counts)
        ready = np.full(n, -1, dtype=np.int8)
        country_at, countries = np.zeros(n + 1, dtype=np.int64), np.zeros(0, np.int32)
    else:
        salary = _float(col("salary_rub"))
        ready = _tri(col("ready_to_relocate"))
        country_at, countries = _lists(col("relocation_countries"), unique=False)
    words, idx = _dictionary(col("experience"))
    band = np.array([_BAND.get(w or "", -1) for w in words] + [-1], dtype=np.int8)[idx]  # -1 (null): unknown
    skill_at, skills = _lists(col("skills"), _canonical, unique=True)
    return Columns(
        table,
        _codes(col("title")),
        _codes(col("role_id")),
        _codes(col("region_code")),
        _codes(col("country_code")),
        _tri(col("remote")),
        salary,
        band,
        skill_at,
        skills,
        ready,
        country_at,
        countries,
    )


def encode_records(records: list[dict], table: str) -> Columns:
    """Columns of records given as dicts (a query, the two sides of one pair)."""
    fields = [f for f in FIELDS_OF[table] if f in _TYPES]
    schema = pa.schema([(f, _TYPES[f]) for f in fields])
    rows = [{f: _plain(r.get(f), f) for f in fields} for r in records]
    return encode(pa.Table.from_pylist(rows, schema=schema), table)


def _plain(value, field: str):
    """A dict value as its Arrow column takes it (numpy scalars and tuples from callers)."""
    if value is None:
        return None
    if _TYPES[field] == pa.float64():
        return float(value)
    if pa.types.is_list(_TYPES[field]):
        return [None if v is None else str(v) for v in value]
    if _TYPES[field] == pa.bool_():
        return bool(value)
    return str(value)
