"""Places: hh area ids and free-text place names -> country, federal subject, federal district.

The hh area tree (countries -> federal subjects / provinces -> cities) is the backbone: an
area id resolves through its ancestors to a country (``countries.csv``) and, in Russia, to a
federal subject (``ru_subjects.csv``, the hand-made crosswalk to ISO 3166-2:RU and the
federal districts). Free text is matched against the tree's names after folding (case,
ё/е, dashes, "г."-style prefixes, "обл." abbreviations), hh's "Киров (Кировская область)"
disambiguation, Latin transliteration and a small alias list (``place_aliases.csv``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kadry.config import RESOURCES

__all__ = [
    "Place",
    "RegionMapper",
    "FEDERAL_DISTRICTS",
    "DISTRICT_NAMES",
    "subjects",
    "subjects_by_code",
    "fold_place",
    "skeleton",
    "translit",
    "region_mapper",
]

RES = RESOURCES / "normalize"

#: federal district code (the values of ``federal_district``) -> (Russian, English) name
DISTRICT_NAMES: dict[str, tuple[str, str]] = {
    "CFD": ("Центральный ФО", "Central FD"),
    "NWFD": ("Северо-Западный ФО", "Northwestern FD"),
    "SFD": ("Южный ФО", "Southern FD"),
    "NCFD": ("Северо-Кавказский ФО", "North Caucasian FD"),
    "VFD": ("Приволжский ФО", "Volga FD"),
    "UFD": ("Уральский ФО", "Ural FD"),
    "SibFD": ("Сибирский ФО", "Siberian FD"),
    "FEFD": ("Дальневосточный ФО", "Far Eastern FD"),
}
#: the same, as one label (see docs/normalization.md)
FEDERAL_DISTRICTS = {
    code: f"{en.removesuffix(' FD')} ({ru.removesuffix(' ФО')})" for code, (ru, en) in DISTRICT_NAMES.items()
}


@lru_cache(maxsize=1)
def subjects() -> tuple[dict[str, str], ...]:
    """The federal subjects (``ru_subjects.csv``: hh area id, names, ISO 3166-2:RU code, district): the one loader."""
    return tuple(_read("ru_subjects.csv", RES))


def subjects_by_code() -> dict[str, dict[str, str]]:
    """ISO 3166-2:RU code -> its row in ``subjects()``."""
    return {r["region_code"]: r for r in subjects() if r["region_code"]}


MAPPED, COUNTRY_ONLY, UNMAPPED = "mapped", "country_only", "unmapped"


@dataclass(frozen=True, slots=True)
class Place:
    country_code: str | None
    region_code: str | None
    federal_district: str | None
    area_id: str | None
    region_status: str


_UNMAPPED = Place(None, None, None, None, UNMAPPED)

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya".split(),
    )
)

# words that only say what kind of place follows ("г. Москва", "пос. Свердловский")
_PREFIX = re.compile(
    r"^(?:г\.?|гор\.?|город|пгт\.?|пос\.?|посёлок|поселок|п\.|с\.|село|д\.|дер\.|деревня|ст-ца|станица|"
    r"рп\.?|р\.п\.|мкр\.?|city of|город-курорт)\s+"
)
_SUFFIX = re.compile(r"\s+(?:г\.?|город)$")
_ABBREV = [
    (re.compile(r"\bобл\b\.?"), "область"),
    (re.compile(r"\bресп\b\.?"), "республика"),
    (re.compile(r"\bр-н\b"), "район"),
    (re.compile(r"\bавт\.?\s*окр(?:уг)?\b\.?"), "ао"),
]


def fold_place(text: str) -> str:
    """Case, ё/е, quotes, dashes and whitespace folded; the key every name is indexed by."""
    s = text.strip().lower().replace("ё", "е")
    s = re.sub(r"[«»\"']", "", s)
    s = re.sub(r"[‐‑‒–—―]", "-", s)
    s = re.sub(r"\s*-\s*", "-", s)
    s = re.sub(r"\s+", " ", s)
    return s.strip(" .,;")


def translit(text: str) -> str:
    """Russian to Latin (BGN-like); only used to index names for Latin-spelled input."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower()).replace("_", "")


def skeleton(latin: str) -> str:
    """A spelling-tolerant key for Latin place names (Yekaterinburg = Ekaterinburg)."""
    s = re.sub(r"[^a-z]", "", latin.lower())
    for a, b in (
        ("shch", "sh"),
        ("sch", "sh"),
        ("kh", "h"),
        ("tz", "c"),
        ("ts", "c"),
        ("zh", "z"),
        ("yu", "u"),
        ("iu", "u"),
        ("ya", "a"),
        ("ia", "a"),
        ("ye", "e"),
        ("yo", "e"),
        ("w", "v"),
        ("y", "i"),
        ("j", "i"),
    ):
        s = s.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", s)


def _read(name: str, base: Path) -> list[dict]:
    with open(base / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


class RegionMapper:
    """Resolves area ids and place names; build once (reads ~9.5k areas) and reuse."""

    def __init__(self, base: Path = RES) -> None:
        self.names: dict[str, str] = {}
        self.parent: dict[str, str] = {}
        for row in _read("areas.csv", base):
            self.names[row["area_id"]] = row["name"]
            if row["parent_id"]:
                self.parent[row["area_id"]] = row["parent_id"]
        self.countries = {r["area_id"]: r for r in _read("countries.csv", base)}
        self.subjects = {r["area_id"]: r for r in (subjects() if base == RES else _read("ru_subjects.csv", base))}
        self._index: dict[str, set[str]] = {}
        self._base_index: dict[str, set[str]] = {}
        self._skel: dict[str, set[str]] = {}
        for area_id, name in self.names.items():
            self._add(self._index, fold_place(name), area_id)
            base_name = re.sub(r"\s*\(.*\)\s*$", "", name)
            if base_name != name:
                self._add(self._base_index, fold_place(base_name), area_id)
            self._add(self._skel, skeleton(translit(fold_place(base_name))), area_id)
        for rows in (self.countries.values(), self.subjects.values()):
            for r in rows:
                self._add(self._index, fold_place(r["name_en"]), r["area_id"])
                self._add(self._skel, skeleton(r["name_en"]), r["area_id"])
        for area_id, r in self.subjects.items():
            for alt in _subject_variants(fold_place(r["name"])):
                self._add(self._index, alt, area_id)
        #: aliases that name a macro-region: country plus (maybe) a federal district, no subject
        self._district_alias: dict[str, str | None] = {}
        for r in _read("place_aliases.csv", base):
            key = fold_place(r["alias"])
            self._index[key] = {r["area_id"]}  # an alias overrides ambiguity on purpose
            self._skel.setdefault(skeleton(r["alias"]), set()).add(r["area_id"])
            if r["area_id"] == "113":
                self._district_alias[key] = r.get("federal_district") or None
        self._place_by_area: dict[str, Place] = {}

    @staticmethod
    def _add(index: dict[str, set[str]], key: str, area_id: str) -> None:
        if key:
            index.setdefault(key, set()).add(area_id)

    # --- ids ------------------------------------------------------------------------------
    def ancestors(self, area_id: str) -> list[str]:
        chain = [area_id]
        while chain[-1] in self.parent and len(chain) < 10:
            chain.append(self.parent[chain[-1]])
        return chain

    def by_area_id(self, area_id: object) -> Place | None:
        """The place of an hh area id, or None for an id the tree does not know."""
        if area_id is None:
            return None
        key = str(area_id).strip()
        if key.endswith(".0"):
            key = key[:-2]
        if key not in self.names:
            return None
        cached = self._place_by_area.get(key)
        if cached is None:
            cached = self._place_by_area[key] = self._place_of(key)
        return cached

    def _place_of(self, area_id: str) -> Place:
        chain = self.ancestors(area_id)
        subject = next((self.subjects[a] for a in chain if a in self.subjects), None)
        if subject is not None:
            return Place(
                subject["country_code"], subject["region_code"], subject["federal_district"] or None, area_id, MAPPED
            )
        country = next((self.countries[a] for a in chain if a in self.countries), None)
        if country is None:
            return Place(None, None, None, area_id, UNMAPPED)
        status = COUNTRY_ONLY if country["iso2"] == "RU" else MAPPED
        return Place(country["iso2"], None, None, area_id, status)

    # --- names ----------------------------------------------------------------------------
    def by_name(self, text: object) -> Place:
        """The place a free-text name denotes; ``unmapped`` when nothing (or nothing unique) fits."""
        if text is None:
            return _UNMAPPED
        return self._by_name(str(text))

    @lru_cache(maxsize=200_000)  # noqa: B019 - one Places per process (the loader caches it), so the cache never outlives it
    def _by_name(self, text: str) -> Place:
        key = fold_place(text)
        if not key:
            return _UNMAPPED
        found = self._match(key)
        if found is None and "," in key:
            # an address or "Россия, Москва": the most specific part that resolves wins
            parts = [p for p in (self._match(part.strip()) for part in key.split(",")) if p is not None]
            if parts:
                found = max(
                    parts, key=lambda p: (p.region_status == MAPPED, p.region_code is not None, p.area_id is not None)
                )
        return found or _UNMAPPED

    def _match(self, key: str) -> Place | None:
        if key in self._district_alias:
            return Place("RU", None, self._district_alias[key], "113", COUNTRY_ONLY)
        for candidate in _variants(key):
            ids = self._index.get(candidate)
            if not ids:
                ids = self._paren(candidate)
            if not ids:
                ids = self._base_index.get(candidate)
            if ids:
                return self._choose(ids)
        if re.search(r"[a-z]", key) and not re.search(r"[а-я]", key):
            ids = self._skel.get(skeleton(re.sub(r"\s*\(.*\)\s*$", "", key)))
            if ids:
                return self._choose(ids)
        return None

    def _paren(self, key: str) -> set[str] | None:
        """'Киров (Кировская обл.)': the city among same-named ones whose ancestor matches."""
        m = re.match(r"^(.*?)\s*\((.*)\)$", key)
        if not m:
            return None
        city, hint = m.group(1), m.group(2)
        ids = (self._index.get(city) or set()) | (self._base_index.get(city) or set())
        if not ids:
            return None
        hint_ids = set()
        for v in _variants(hint):
            hint_ids |= self._index.get(v, set())
        narrowed = {a for a in ids if hint_ids & set(self.ancestors(a)[1:])}
        if not narrowed and hint_ids and hint_ids <= set(self.countries):
            # "Донецк (Украина)": the text names the country; no same-named city under it in the
            # tree, so the country is what is known, not a same-named city elsewhere
            return hint_ids
        return narrowed or ids

    def _known(self, area_id: str) -> Place:
        """The place of an id among several same-named ones (ids of the tree's own index)."""
        place = self.by_area_id(area_id)
        assert place is not None  # ids come from the tree's index
        return place

    def _choose(self, ids: set[str]) -> Place | None:
        if len(ids) == 1:
            return self.by_area_id(next(iter(ids)))
        places = [self._known(a) for a in sorted(ids, key=int)]
        # prefer the highest level (a country or subject over a village of the same name)
        depth = {a: len(self.ancestors(a)) for a in ids}
        top = min(depth.values())
        tops = [a for a in sorted(ids, key=int) if depth[a] == top]
        if len(tops) == 1 and top <= 2:
            return self.by_area_id(tops[0])
        regions = {(p.country_code, p.region_code, p.federal_district) for p in places}
        if len(regions) == 1:
            country, region, district = regions.pop()
            return Place(country, region, district, None, MAPPED if region or country != "RU" else COUNTRY_ONLY)
        countries = {p.country_code for p in places}
        if len(countries) == 1 and None not in countries:
            country = countries.pop()
            return Place(country, None, None, None, COUNTRY_ONLY if country == "RU" else MAPPED)
        return _UNMAPPED

    def resolve(self, area_id_raw: object, region_raw: object) -> Place:
        """An area id if the tree knows it, else the place name."""
        return self.by_area_id(area_id_raw) or self.by_name(region_raw)


def _variants(key: str) -> list[str]:
    out = [key]
    stripped = _SUFFIX.sub("", _PREFIX.sub("", key))
    if stripped != key:
        out.append(stripped)
    for rx, full in _ABBREV:
        for k in list(out):
            expanded = rx.sub(full, k)
            if expanded != k:
                out.append(re.sub(r"\s+", " ", expanded).strip())
    return out


def _subject_variants(name: str) -> list[str]:
    """'республика татарстан' -> 'татарстан', 'татарстан республика'; 'x ао' -> 'x автономный округ'."""
    out = []
    m = re.match(r"^республика (.+)$", name) or re.match(r"^(.+) республика$", name)
    if m:
        out += [m.group(1), f"{m.group(1)} республика", f"республика {m.group(1)}"]
    if name.endswith(" ао"):
        out.append(name[:-3] + " автономный округ")
    if " ао-" in name or " ао " in name:
        out.append(name.replace(" ао", " автономный округ"))
    return out


@lru_cache(maxsize=1)
def region_mapper() -> RegionMapper:
    """The shared mapper over the shipped resources."""
    return RegionMapper()
