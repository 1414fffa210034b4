"""Skills: one canonical spelling per skill, and skills found in descriptions.

A skill's key folds case, whitespace, ё/е and look-alike letters: in a word that is mostly
Latin, Cyrillic С/Р/Н/... become Latin ("С++" typed in Cyrillic is C++), and in a mostly
Cyrillic word stray Latin letters become Cyrillic ("Cистемы"). Keys then go through the
editable synonyms file (``skill_synonyms.yaml``: canonical -> variants) and the vocabulary
built from the key skills in the data (``skills_vocab.csv``: the most frequent spelling of
each key is its display form). Extraction from a description matches vocabulary terms that
are tool-like (contain a Latin letter or digit) or multi-word, on token boundaries.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml

from kadry.config import RESOURCES
from kadry.errors import ConfigError

__all__ = ["SkillVocabulary", "skill_key", "latinize", "skill_vocabulary", "build_vocabulary", "tokens"]

RES = RESOURCES / "normalize"

_CYR_TO_LAT = str.maketrans("АВСЕНКМОРТХаеорсухіІ", "ABCEHKMOPTXaeopcyxiI")
_LAT_TO_CYR = str.maketrans("ABCEHKMOPTXaeopcyx", "АВСЕНКМОРТХаеорсух")
_CYR = re.compile(r"[а-яёА-ЯЁ]")
_LAT = re.compile(r"[a-zA-Z]")
_LOOKALIKE_CYR = set("АВСЕНКМОРТХаеорсух")
_TOKEN = re.compile(r"[0-9a-zа-яё+#]+(?:[.\-/][0-9a-zа-яё+#]+)*")
#: keys never extracted from free text: common words that are also skill names
_NO_EXTRACT = {
    "go",
    "r",
    "c",
    "b",
    "d",
    "1",
    "it",
    "pc",
    "ms",
    "ok",
    "as",
    "in",
    "on",
    "to",
    "or",
    "and",
    "the",
    "ui",
    "hr",
    "qa",
}


def latinize(text: str) -> str:
    """Fix look-alike letters word by word (the script of the majority of letters wins)."""
    has_cyr = _CYR.search(text) is not None
    if not has_cyr or (_LAT.search(text) is None and _SYMBOL.search(text) is None):
        return text  # one script and nothing like "С++": the common case, no work
    return _WORD.sub(_fix_match, text)


_WORD = re.compile(r"[^\s,;()/]+")
_SYMBOL = re.compile(r"[+#0-9]")


def _fix_match(m: re.Match) -> str:
    return _fix_word(m.group(0))


@lru_cache(maxsize=100_000)
def _fix_word(word: str) -> str:
    cyr = len(_CYR.findall(word))
    lat = len(_LAT.findall(word))
    if cyr and lat:
        return word.translate(_LAT_TO_CYR) if cyr > lat else word.translate(_CYR_TO_LAT)
    if cyr and not lat:
        letters = [ch for ch in word if ch.isalpha()]
        # "С++", "С#", "1С": only look-alike letters next to symbols or digits -> Latin
        if letters and all(ch in _LOOKALIKE_CYR for ch in letters) and _SYMBOL.search(word) and len(letters) <= 2:
            return word.translate(_CYR_TO_LAT)
    return word


def skill_key(text: str) -> str:
    """The folding key of a skill string."""
    s = unicodedata.normalize("NFKC", text)
    s = latinize(s).casefold().replace("ё", "е")
    s = re.sub(r"\s*([:/+#.\-])\s*", r"\1", s)
    s = re.sub(r"[\s_]+", " ", s)
    return s.strip(" .,;:-")


def tokens(text: str) -> list[str]:
    """Lower-cased, latinized tokens (keeps C++, C#, Node.js, CI/CD together)."""
    return _TOKEN.findall(latinize(text).casefold().replace("ё", "е"))


class SkillVocabulary:
    """Canonical spellings; build with ``skill_vocabulary()`` for the shipped files."""

    def __init__(self, display: dict[str, str], synonyms: dict[str, str], counts: dict[str, int] | None = None) -> None:
        self.display = display  # key -> display form
        self.synonyms = synonyms  # variant key -> canonical display form
        self.counts = counts or {}
        self._extract = self._extraction_terms()

    @classmethod
    def load(cls, base: Path = RES) -> SkillVocabulary:
        display, counts = {}, {}
        vocab = base / "skills_vocab.csv"
        if vocab.exists():
            with open(vocab, encoding="utf-8", newline="") as f:
                for r in csv.DictReader(f):
                    display[r["key"]] = r["display"]
                    counts[r["key"]] = int(r["count"])
        return cls(display, _load_synonyms(base / "skill_synonyms.yaml"), counts)

    def canonical(self, raw: str | None) -> str | None:
        """The display form of a raw skill (None for an empty one)."""
        if raw is None:
            return None
        key = skill_key(raw)
        if not key:
            return None
        if key in self.synonyms:
            return self.synonyms[key]
        if key in self.display:
            return self.display[key]
        return re.sub(r"\s+", " ", latinize(unicodedata.normalize("NFKC", raw))).strip(" .,;:-")

    def _extraction_terms(self) -> dict[tuple[str, ...], str]:
        terms: dict[tuple[str, ...], str] = {}
        candidates = [(k, d) for k, d in self.display.items() if self.counts.get(k, 0) >= 2]
        candidates += list(self.synonyms.items())
        for key, display in candidates:
            toks = tuple(tokens(key))
            if not toks or len(toks) > 4 or key in _NO_EXTRACT:
                continue
            tool_like = bool(re.search(r"[a-z0-9]", key))
            if not tool_like and len(toks) < 2:
                continue  # a single Russian word: inflection and ambiguity make it unreliable
            if len(key) < 2 and "+" not in key and "#" not in key:
                continue
            terms[toks] = self.synonyms.get(key, display)
        return terms

    def extract(self, text: str | None) -> list[str]:
        """Canonical skills named in a description, sorted (empty when none)."""
        return sorted({skill for skill, _, _ in self.extract_spans(text)})

    def extract_spans(self, text: str | None) -> list[tuple[str, int, int]]:
        """(canonical skill, start, end) of every match in the text, longest match first."""
        if not text:
            return []
        folded = latinize(text).lower().replace("ё", "е")
        found = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(folded)]
        out = []
        i = 0
        while i < len(found):
            for n in (4, 3, 2, 1):
                gram = tuple(t for t, _, _ in found[i : i + n])
                if len(gram) == n and gram in self._extract:
                    out.append((self._extract[gram], found[i][1], found[i + n - 1][2]))
                    i += n - 1
                    break
            i += 1
        return out


def _load_synonyms(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping 'canonical: [variants]'")
    out = {}
    for canonical, variants in data.items():
        canonical = str(canonical)
        out[skill_key(canonical)] = canonical
        for v in variants or []:
            out[skill_key(str(v))] = canonical
    return out


def build_vocabulary(skills: Iterable[str]) -> list[tuple[str, str, int]]:
    """(key, display, count) rows from raw key skills: the most frequent spelling per key."""
    spellings: dict[str, Counter] = {}
    for raw in skills:
        if not raw:
            continue
        key = skill_key(raw)
        if key:
            spellings.setdefault(key, Counter())[re.sub(r"\s+", " ", latinize(raw.strip()))] += 1
    rows = []
    for key, c in spellings.items():
        display = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        rows.append((key, display, sum(c.values())))
    rows.sort(key=lambda r: (-r[2], r[0]))
    return rows


@lru_cache(maxsize=1)
def skill_vocabulary() -> SkillVocabulary:
    return SkillVocabulary.load()
