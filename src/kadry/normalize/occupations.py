"""Occupations: hh professional roles, their primary category, ISCO-08 and the IT segment.

hh files a role under up to six categories ("Администратор" is administrative, domestic,
medical, beauty and hospitality at once). Statistics need one category per role, so
``roles.csv`` names a primary category for each, chosen by hand (see docs/normalization.md),
and an ISCO-08 sub-major group (two digits) for international comparison. The IT segment
is every role that hh lists under category 11 (Информационные технологии), whatever its
primary category.

One occupation dimension for every source (``code_occupation``): hh records carry their own
roles; everything else (the portal's 6-digit profession codes, its typical-position names, bare
titles) is coded to the same hh roles, and so to ISCO-08, through the crosswalk
(``occupation_crosswalk.csv``, built from the profession names by the title model, corrected by
the editable ``occupation_overrides.csv``). Every answer names the crosswalk version it came from.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kadry.config import RESOURCES

__all__ = [
    "CROSSWALK_PATH",
    "IT_CATEGORY",
    "IT_ROLES",
    "OVERRIDES_PATH",
    "PROFESSIONS_PATH",
    "Occupation",
    "Role",
    "build_crosswalk",
    "categories",
    "code_occupation",
    "code_occupations",
    "crosswalk",
    "crosswalk_version",
    "primary_role",
    "role",
    "roles",
    "roles_frame",
]

RES = RESOURCES / "normalize"
IT_CATEGORY = "11"
CROSSWALK_PATH = RES / "occupation_crosswalk.csv"
OVERRIDES_PATH = RES / "occupation_overrides.csv"
PROFESSIONS_PATH = RES / "trudvsem_professions.csv"


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
            out[r["role_id"]] = Role(
                r["role_id"], r["name"], cats, r["primary_category"], r["isco2"] or None, IT_CATEGORY in cats
            )
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


# --- one occupation dimension for every source ----------------------------------------------------
@dataclass(frozen=True, slots=True)
class Occupation:
    role_id: str | None
    isco2: str | None
    method: str  # source, override, title, crosswalk, typical_position, unknown
    confidence: float
    crosswalk_version: str


_VERSIONED = (
    "roles.csv",
    "occupation_crosswalk.csv",
    "occupation_overrides.csv",
    "title_role_model.npz",
    "title_vectors.npz",
    "title_glossary.csv",
)


def crosswalk_version(base: Path = RES) -> str:
    """A short hash of everything an occupation answer depends on: roles, crosswalk, overrides, model."""
    stamp = tuple(
        (p.stat().st_mtime_ns, p.stat().st_size) if p.exists() else None for p in (base / n for n in _VERSIONED)
    )
    return _version(base, stamp)


@lru_cache(maxsize=8)
def _version(base: Path, stamp: tuple) -> str:
    digest = hashlib.sha256()
    for name in _VERSIONED:
        p = base / name
        digest.update(name.encode())
        digest.update(p.read_bytes() if p.exists() else b"")
    return "occ1+" + digest.hexdigest()[:10]


def _read_overrides(path: Path | None = None) -> dict[tuple[str, str], str | None]:
    """(source, code or folded name) -> role id, or None where the override says "decide by title"."""
    from kadry.errors import ConfigError

    path = path or OVERRIDES_PATH
    out: dict[tuple[str, str], str | None] = {}
    if not path.exists():
        return out
    with open(path, encoding="utf-8", newline="") as f:
        for n, r in enumerate(csv.DictReader(f), start=2):
            rid = (r.get("role_id") or "").strip() or None
            if rid is not None and rid not in roles():
                raise ConfigError(f"{path.name}, line {n}: role_id {rid!r} is not an hh role")
            key = (r.get("code") or "").strip() or _fold_name(r.get("name"))
            out[((r.get("source") or "").strip(), key)] = rid
    return out


def _fold_name(name: str | None) -> str:
    return " ".join((name or "").lower().replace("ё", "е").split())


@lru_cache(maxsize=1)
def crosswalk() -> dict[tuple[str, str], tuple[str | None, float, str]]:
    """(source, code) -> (role id or None, confidence, method): the shipped crosswalk with overrides applied."""
    out: dict[tuple[str, str], tuple[str | None, float, str]] = {}
    if CROSSWALK_PATH.exists():
        with open(CROSSWALK_PATH, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                out[(r["source"], r["code"])] = (r["role_id"] or None, float(r["confidence"] or 0), r["method"])
    for key, rid in _read_overrides().items():
        out[key] = (rid, 1.0, "override")
    return out


def build_crosswalk(
    professions: Path = PROFESSIONS_PATH, out: Path | None = CROSSWALK_PATH, classifier=None
) -> list[dict]:
    """Code each portal profession code from its names with the title model; write the crosswalk.

    A code's names (the portal's typical positions first, then the employers' job names seen with
    it) vote with their calibrated probabilities; the code takes the role of the highest mean
    probability, and none (decide by the title) when that mean is below the model's threshold.
    """
    import numpy as np

    from kadry.normalize.classifier import TitleClassifier

    clf = classifier or TitleClassifier.load()
    names: dict[str, list[tuple[str, str]]] = {}
    with open(professions, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            names.setdefault(r["code"], []).append((r["kind"], r["name"]))
    rows = []
    for code, items in sorted(names.items()):
        typical = [n for k, n in items if k in ("typical_position", "profession")]
        use = typical or [n for _, n in items]
        p = clf.proba(use).mean(axis=0)
        best = int(np.argmax(p))
        rid = str(clf.classes[best]) if p[best] >= clf.threshold else ""
        rows.append(
            {
                "source": "trudvsem",
                "code": code,
                "names": " | ".join(use),
                "role_id": rid,
                "confidence": f"{p[best]:.3f}",
                "method": "model",
            }
        )
    if out is not None:
        with open(out, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["source", "code", "names", "role_id", "confidence", "method"])
            w.writeheader()
            w.writerows(rows)
        crosswalk.cache_clear()
    return rows


def code_occupations(
    source: str,
    titles: Sequence[str | None],
    profession_codes: Sequence[str | None] | None = None,
    *,
    typical_positions: Sequence[str | None] | None = None,
    role_ids: Sequence[Sequence[str] | None] | None = None,
    classifier=None,
) -> list[Occupation]:
    """``code_occupation`` for many records at once (the model runs once per batch)."""
    from kadry.normalize.classifier import TitleClassifier

    n = len(titles)
    codes = list(profession_codes or [None] * n)
    typical = list(typical_positions or [None] * n)
    given = list(role_ids or [None] * n)
    version = crosswalk_version()
    cw = crosswalk()
    table = roles()
    out: list[Occupation | None] = [None] * n
    todo = []
    for i in range(n):
        given_i = given[i]
        rid = primary_role(list(given_i)) if given_i else None
        if rid in table:
            out[i] = Occupation(rid, table[rid].isco2, "source", 1.0, version)
            continue
        code = str(codes[i]).strip() if codes[i] not in (None, "") else None
        hit = cw.get((source, code)) if code else None
        if hit and hit[2] == "override" and hit[0]:
            out[i] = Occupation(hit[0], table[hit[0]].isco2, "override", 1.0, version)
            continue
        todo.append(i)
    if todo:
        clf = classifier or TitleClassifier.load()
        preds = clf.predict([titles[i] or "" for i in todo])
        need_typical = []
        for i, p in zip(todo, preds):
            if titles[i] and not p.abstained:
                out[i] = Occupation(p.role_id, table[p.role_id].isco2, "title", p.confidence, version)
                continue
            code = str(codes[i]).strip() if codes[i] not in (None, "") else None
            hit = cw.get((source, code)) if code else None
            if hit and hit[0]:
                out[i] = Occupation(hit[0], table[hit[0]].isco2, "crosswalk", hit[1], version)
            elif typical[i] and _fold_name(typical[i]) != "ничего не выбрано":
                need_typical.append(i)
            else:
                out[i] = Occupation(None, None, "unknown", p.confidence, version)
        if need_typical:
            for i, p in zip(need_typical, clf.predict([typical[i] or "" for i in need_typical])):
                out[i] = (
                    Occupation(p.role_id, table[p.role_id].isco2, "typical_position", p.confidence, version)
                    if not p.abstained
                    else Occupation(None, None, "unknown", p.confidence, version)
                )
    return [o for o in out if o is not None]


def code_occupation(
    source: str,
    title: str | None,
    profession_code: str | None = None,
    *,
    typical_position: str | None = None,
    role_ids: Sequence[str] | None = None,
    classifier=None,
) -> Occupation:
    """One record's occupation: hh role, ISCO-08 sub-major group, how it was decided, crosswalk version.

    Order: the source's own hh roles (``role_ids``); an override for the source's profession code;
    the title through the model; the code's crosswalk entry; the portal's typical-position name
    through the model; else unknown (role None). ``source`` is the store's source name ("hh",
    "trudvsem", "csv:<name>", ...); only "trudvsem" codes are in the shipped crosswalk.
    """
    return code_occupations(
        source,
        [title],
        [profession_code],
        typical_positions=[typical_position],
        role_ids=[role_ids],
        classifier=classifier,
    )[0]
