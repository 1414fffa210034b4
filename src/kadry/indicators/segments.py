"""Segments: the dimensions a result can be cut by, their coded values, and roll-ups.

Every dimension is coded as a non-null string before grouping: a missing value becomes
``"unknown"`` and a rolled-up dimension ``"all"``, so roll-up rows and rows of unknown
segments never mix, and results join on plain string keys on every engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import combinations
from typing import Any

import ibis

from kadry.errors import InputError

__all__ = [
    "DIMENSIONS",
    "ALL",
    "UNKNOWN",
    "resolve_dims",
    "parse_filters",
    "coded_dims",
    "apply_filters",
    "filter_values",
    "rollup",
]

ALL = "all"
UNKNOWN = "unknown"

#: output name -> (column in vacancies/resumes, labels for true/false of a boolean column)
DIMENSIONS: dict[str, tuple[str, tuple[str, str] | None]] = {
    "role": ("role_id", None),
    "role_category": ("role_category", None),
    "isco2": ("isco2", None),
    "it": ("is_it", ("it", "non_it")),
    "region": ("region_code", None),
    "federal_district": ("federal_district", None),
    "country": ("country_code", None),
    "experience": ("experience", None),
    "remote": ("remote", ("remote", "on_site")),
    # where the records come from (hh, trudvsem, ...): one index per source, never mixed silently
    "source": ("source", None),
    # the source's own occupation code (trudvsem: OKPDTR-style profession code)
    "profession": ("profession_code_raw", None),
}

_ALIASES = {
    "role_id": "role",
    "occupation": "role",
    "region_code": "region",
    "federal_subject": "region",
    "district": "federal_district",
    "country_code": "country",
    "is_it": "it",
    "work_format": "remote",
}


def resolve_dims(by: Iterable[str] | str | None) -> list[str]:
    """Canonical dimension names, in the order given, without repeats; unknown names are an error."""
    if by is None:
        return []
    if isinstance(by, str):
        by = [b for b in by.split(",")]
    out: list[str] = []
    for raw in by:
        name = raw.strip().lower()
        if not name:
            continue
        name = _ALIASES.get(name, name)
        if name not in DIMENSIONS:
            raise InputError(f"unknown dimension {raw!r}: use {', '.join(DIMENSIONS)}")
        if name not in out:
            out.append(name)
    return out


_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


def parse_filters(items: Iterable[str] | None) -> dict[str, list]:
    """``["it=true", "role=96,97"]`` -> ``{"it": [True], "role": ["96", "97"]}``: the one filter syntax.

    Every command and endpoint with ``--filter``/``filter`` reads it here. A yes/no dimension
    takes true/false (yes/no, 1/0) or its own labels (``it``/``non_it``, ``remote``/``on_site``).
    """
    out: dict[str, list] = {}
    for item in items or []:
        if "=" not in item:
            raise InputError(f"bad filter {item!r}: use DIMENSION=VALUE[,VALUE...]")
        key, _, values = item.partition("=")
        name = resolve_dims([key])[0]
        labels = DIMENSIONS[name][1]
        parsed: list = []
        for v in (v.strip() for v in values.split(",")):
            if not v:
                continue
            if labels is None or v in labels or v == UNKNOWN:
                parsed.append(v)
            elif v.lower() in _TRUE + _FALSE:
                parsed.append(v.lower() in _TRUE)
            else:
                raise InputError(f"bad filter {item!r}: {name} is true or false (or {labels[0]}, {labels[1]})")
        if not parsed:
            raise InputError(f"bad filter {item!r}: no value after '='")
        out.setdefault(name, []).extend(parsed)
    return out


def _code(t: ibis.Table, name: str) -> ibis.Value:
    column, labels = DIMENSIONS[name]
    col = t[column]
    if labels is not None:
        return ibis.cases((col, labels[0]), (~col, labels[1]), else_=UNKNOWN)
    return col.cast("string").fill_null(UNKNOWN)


def coded_dims(t: ibis.Table, names: Iterable[str] = tuple(DIMENSIONS)) -> dict[str, ibis.Value]:
    """``{name: coded string expression}`` for ``t`` (a vacancies or resumes table)."""
    return {name: _code(t, name) for name in names}


def apply_filters(t: ibis.Table, filters: dict[str, Any] | None) -> ibis.Table:
    """Keep rows whose coded dimension value is one of the given ones (``{"region": ["RU-MOW"]}``)."""
    if not filters:
        return t
    preds = []
    for raw, wanted in filters.items():
        name, coded = filter_values(raw, wanted)
        preds.append(_code(t, name).isin(coded))
    return t.filter(*preds)


def filter_values(raw: str, wanted: Any) -> tuple[str, list[str]]:
    """A filter's dimension and its values as coded strings (``True`` -> ``"remote"``, None -> ``"unknown"``)."""
    name = resolve_dims([raw])[0]
    values = wanted if isinstance(wanted, (list, tuple, set, frozenset)) else [wanted]
    labels = DIMENSIONS[name][1]
    coded = []
    for v in values:
        if isinstance(v, bool) and labels is not None:
            coded.append(labels[0] if v else labels[1])
        elif v is None:
            coded.append(UNKNOWN)
        else:
            coded.append(str(v))
    if not coded:
        raise InputError(f"filter {raw!r} has no values")
    return name, coded


def _total(total: Any, column: ibis.Value) -> ibis.Value:
    return ibis.literal(total) if isinstance(total, str) else ibis.literal(total, column.type())


def rollup(
    rel: ibis.Table,
    dims: list[str],
    keys: list[str],
    metrics: Callable[[ibis.Table], dict[str, ibis.Value]],
    *,
    rollups: bool = True,
    total: Any = ALL,
) -> ibis.Table:
    """Aggregate ``rel`` by ``dims + keys`` and, with ``rollups``, by every subset of ``dims``.

    A rolled-up dimension holds ``total`` (``"all"``; a code for integer-coded dimensions).

    A union of group-bys (one per subset, dimensions outside it set to ``"all"``): Ibis
    compiles it the same way for every backend, unlike GROUPING SETS.
    """
    subsets: list[tuple[str, ...]] = [tuple(dims)]
    if rollups:
        subsets = [s for k in range(len(dims), -1, -1) for s in combinations(dims, k)]
    parts = []
    for subset in subsets:
        r = (
            rel.mutate(**{d: _total(total, rel[d]) for d in dims if d not in subset})
            if len(subset) < len(dims)
            else rel
        )
        parts.append(r.group_by([*dims, *keys]).aggregate(**metrics(r)))
    return parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
