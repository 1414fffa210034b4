"""Each rule exists once: its labels, colours, ids and start columns appear only in kadry/rules."""

from __future__ import annotations

import re
from pathlib import Path

import kadry
from kadry.rules import bands, experience

SRC = Path(kadry.__file__).parent
RULES = SRC / "rules"


def _sources(skip: Path = RULES):
    for path in sorted(SRC.rglob("*")):
        if path.suffix in (".py", ".js", ".html", ".css") and skip not in path.parents and "vendor" not in path.parts:
            yield path, path.read_text(encoding="utf-8")


def _found(needles: list[str], skip: Path = RULES) -> list[str]:
    hits = []
    for path, text in _sources(skip):
        low = text.lower()
        hits += [f"{path.relative_to(SRC)}: {n!r}" for n in needles if n.lower() in low]
    return hits


def test_band_names_labels_and_colours_live_in_rules():
    needles = (
        [b.key for b in bands.BANDS if " " in b.key]
        + [b.ru for b in bands.BANDS]
        + [b.en for b in bands.BANDS if b.en != b.key]
        + [b.colour for b in bands.BANDS]
        + [b.tint for b in bands.BANDS]
        + ["острый дефицит", "очень высокая конкуренция"]
    )
    assert _found(needles) == []


def test_experience_ids_live_in_rules():
    assert _found(list(experience.KEYS)) == []


def test_start_rule_lives_in_rules():
    pattern = re.compile(r"coalesce\(\s*(\w+\.)?(published_at|created_at)\s*,", re.I)
    hits = [f"{p.relative_to(SRC)}" for p, text in _sources() if pattern.search(text)]
    assert hits == []


def test_the_scan_sees_the_definitions_themselves():
    assert any(h.startswith("rules/bands.py") for h in _found(["extremely high competition"], skip=SRC / "nowhere"))


def test_one_loader_of_the_subjects_file():
    import ast

    readers = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value == "ru_subjects.csv":
                readers.append(str(path.relative_to(SRC)))
    assert set(readers) == {"normalize/regions.py"}


def test_district_names_once():
    from kadry.api.names import region_names
    from kadry.normalize.regions import DISTRICT_NAMES, FEDERAL_DISTRICTS, subjects_by_code

    assert (
        set(FEDERAL_DISTRICTS)
        == set(DISTRICT_NAMES)
        == {r["federal_district"] for r in subjects_by_code().values() if r["federal_district"]}
    )
    names = region_names()
    assert names["district:CFD"] == DISTRICT_NAMES["CFD"] and names["RU-MOW"] == ("Москва", "Moscow")
    assert _found(["Северо-Кавказский"], skip=SRC / "normalize") == []
