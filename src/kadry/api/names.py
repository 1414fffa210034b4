"""Names of occupations and regions for people (Russian and English), from the shipped dictionaries."""

from __future__ import annotations

from functools import lru_cache

from kadry.normalize.regions import DISTRICT_NAMES, subjects_by_code

__all__ = ["DISTRICTS", "occupation_names", "region_names"]

DISTRICTS = DISTRICT_NAMES


@lru_cache(maxsize=1)
def occupation_names() -> dict[str, tuple[str | None, str | None]]:
    """``role:<id>`` / ``category:<id>`` / ``it`` / ``all`` -> (Russian, English) names."""
    out: dict[str, tuple[str | None, str | None]] = {
        "all": ("Все профессии", "All occupations"),
        "it": ("ИТ-сегмент", "IT segment"),
    }
    from kadry.normalize.occupations import categories, roles

    for cid, name in categories().items():
        out[f"category:{cid}"] = (name, None)
    for rid, role in roles().items():
        out[f"role:{rid}"] = (role.name, None)
    return out


@lru_cache(maxsize=1)
def region_names() -> dict[str, tuple[str | None, str | None]]:
    """Region code / ``district:<code>`` / ``all`` -> (Russian, English) names."""
    out: dict[str, tuple[str | None, str | None]] = {
        "all": ("Все регионы", "All regions"),
        "unknown": ("Не указан", "Unknown"),
    }
    for code, names in DISTRICTS.items():
        out[f"district:{code}"] = names
    for code, row in subjects_by_code().items():
        out.setdefault(code, (row.get("name") or None, row.get("name_en") or None))
    return out
