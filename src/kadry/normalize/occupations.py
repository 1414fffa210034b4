"""Occupations: hh professional roles, their primary category, ISCO-08 and the IT segment.

hh files a role under up to six categories ("Администратор" is administrative, domestic,
medical, beauty and hospitality at once). Statistics need one category per role, so
``roles.csv`` names a primary category for each, chosen by hand (see docs/normalization.md),
and an ISCO-08 sub-major group (two digits) for international comparison. The IT segment
is every role that hh lists under category 11 (Информационные технологии), whatever its
primary category.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kadry.config import RESOURCES

__all__ = ["Role", "IT_CATEGORY", "roles", "categories", "role", "primary_role", "roles_frame", "IT_ROLES"]

RES = RESOURCES / "normalize"
IT_CATEGORY = "11"


@dataclass(frozen=True, slots=True)
class Role:
    role_id: str
    name: str
    categories: tuple[str, ...]
    primary_category: str
    isco2: str | None
    is_it: bool


@lru_cache(maxsize=1)
def roles(base: Path = RES) -> dict[str, Role]:
    """All 174 hh roles of the shipped dictionary, by id."""
    out = {}
    with open(base / "roles.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            cats = tuple(r["categories"].split())
            out[r["role_id"]] = Role(r["role_id"], r["name"], cats, r["primary_category"], r["isco2"] or None, IT_CATEGORY in cats)
    return out


@lru_cache(maxsize=1)
def categories(base: Path = RES) -> dict[str, str]:
    """hh role category id -> name."""
    with open(base / "categories.csv", encoding="utf-8", newline="") as f:
        return {r["category_id"]: r["name"] for r in csv.DictReader(f)}


IT_ROLES = frozenset(rid for rid, r in roles().items() if r.is_it)


def role(role_id: object) -> Role | None:
    """The role of an id (int or str), or None if hh's 2024 dictionary does not have it."""
    if role_id is None:
        return None
    return roles().get(str(role_id).strip())


def primary_role(role_ids: list[str] | None) -> str | None:
    """The record's primary role: the first known role in source order, else the first given."""
    if not role_ids:
        return None
    ids = [str(r).strip() for r in role_ids if r is not None and str(r).strip()]
    for rid in ids:
        if rid in roles():
            return rid
    return ids[0] if ids else None


def roles_frame():
    """The role table as a pandas DataFrame (role_id, role_category, isco2, is_it) for SQL joins."""
    import pandas as pd

    rows = [(r.role_id, r.primary_category, r.isco2, r.is_it) for r in roles().values()]
    return pd.DataFrame(rows, columns=["role_id", "role_category", "isco2", "is_it"])
