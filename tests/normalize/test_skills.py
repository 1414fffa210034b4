"""Skills: folding, look-alike letters, synonyms, the vocabulary, extraction precision."""

from __future__ import annotations

import pytest

from kadry.errors import ConfigError
from kadry.normalize.figures import extraction_precision
from kadry.normalize.skills import SkillVocabulary, build_vocabulary, latinize, skill_key, skill_vocabulary, tokens


@pytest.fixture(scope="module")
def v() -> SkillVocabulary:
    return skill_vocabulary()


def test_lookalike_letters():
    assert latinize("С++") == "C++"  # Cyrillic С
    assert latinize("С#") == "C#"
    assert latinize("Cистемы") == "Системы"  # a Latin C in a Russian word
    assert latinize("Pyth\u043en") == "Python"  # a Cyrillic о in a Latin word
    assert latinize("ООП") == "ООП"  # a real Russian abbreviation stays
    assert skill_key("С++") == skill_key("c++") == "c++"
    assert skill_key("  Solid   Works ") == "solid works"


@pytest.mark.parametrize(
    "raw, canonical",
    [
        ("С++", "C++"),
        ("postgres", "PostgreSQL"),
        ("Postgre SQL", "PostgreSQL"),
        ("k8s", "Kubernetes"),
        ("Solid Works", "SolidWorks"),
        ("golang", "Go"),
        ("JS", "JavaScript"),
        ("1C: Предприятие", "1С: Предприятие"),
        ("python", "Python"),
        ("Пользователь пк", "Пользователь ПК"),
        ("Ёлочный навык", "Ёлочный навык"),
    ],
)
def test_canonical(v, raw, canonical):
    assert v.canonical(raw) == canonical


def test_empty_skills(v):
    assert v.canonical(None) is None and v.canonical("  ") is None


def test_vocabulary_picks_the_most_frequent_spelling():
    rows = build_vocabulary(["AutoCAD", "autocad", "AutoCAD", "Git", " git "])
    assert ("autocad", "AutoCAD", 3) in rows and ("git", "Git", 2) in rows


def test_synonyms_file_is_editable(tmp_path):
    (tmp_path / "skill_synonyms.yaml").write_text("Kotlin: [котлин, KT]\n", encoding="utf-8")
    (tmp_path / "skills_vocab.csv").write_text("key,display,count\n", encoding="utf-8")
    v = SkillVocabulary.load(tmp_path)
    assert v.canonical("Котлин") == "Kotlin" and v.canonical("kt") == "Kotlin"
    (tmp_path / "skill_synonyms.yaml").write_text("Kotlin: [a: b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        SkillVocabulary.load(tmp_path)


def test_extraction(v):
    text = (
        "Требования: опыт работы с Python и PostgreSQL, знание Docker и Git; будет плюсом С++ "
        "(набрано кириллицей) и Kubernetes. Мы go-to компания, работаем в команде."
    )
    found = v.extract(text)
    assert {"Python", "PostgreSQL", "Docker", "Git", "C++", "Kubernetes"} <= set(found)
    assert "Go" not in found  # 'go' alone is an English word, not taken from free text
    assert v.extract("") == [] and v.extract(None) == []
    assert tokens("Node.js, CI/CD и C#") == ["node.js", "ci/cd", "и", "c#"]


def test_extraction_precision_on_the_hand_checked_sample():
    p = extraction_precision()
    assert p["sample_vacancies"] == 30
    assert p["judged_extractions"] >= 80
    assert p["unjudged_extractions"] == 0  # a vocabulary change must come with a re-judged sample
    assert p["precision"] >= 0.9
