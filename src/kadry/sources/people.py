"""Person names: recognise them so they never reach the store, and files that are about people.

A private person named as an hh employer ("Иванов Иван Иванович", "ИП Петрова А.В.") or a
first name sitting in a title column (a CV list read as vacancies) is personal data. The
check uses pymorphy3's Russian and Ukrainian dictionaries (tags Name, Surn, Patr) instead of
a hand list, so it knows the names a dictionary knows and no more.

Decisions (docs/formats.md): an individual entrepreneur keeps the legal form and loses the
name ("ИП Петрова А.В." -> "ИП [частное лицо]"); any other person-named employer becomes
"[частное лицо]"; a person-named title becomes "[скрыто: имя человека]". The record is kept
(it is a real vacancy) and the count is reported by ingest and ``kadry stats``.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "EMPLOYER_PLACEHOLDER",
    "PERSON_COLUMNS",
    "TITLE_PLACEHOLDER",
    "is_person_name",
    "person_evidence",
    "scrub_person",
]

EMPLOYER_PLACEHOLDER = "[частное лицо]"
TITLE_PLACEHOLDER = "[скрыто: имя человека]"

_LEGAL = re.compile(
    r"^(?:ИП|И\.\s?П\.|ФЛП|ФОП|СПД|индивидуальный предприниматель|фізична особа[- ]підприємець)\s+", re.IGNORECASE
)
_INITIALS = re.compile(r"^(?:[А-ЯЁІЇЄҐA-Z]\.\s?){1,2}$")
_WORD = re.compile(r"^[А-ЯЁІЇЄҐ][а-яёіїєґ'’-]+$|^[А-ЯЁІЇЄҐ][а-яёіїєґ]+-[А-ЯЁІЇЄҐ][а-яёіїєґ]+$")
_PERSON_TAGS = {"Name", "Surn", "Patr"}
_PATRONYMIC = re.compile(r"(вич|вна|чна|ична|оглы|оғлы|кызы|қызы|ович|івна|ївна)$", re.IGNORECASE)

#: header names that only a file about people has (contacts alone are not enough: vacancies carry them)
PERSON_COLUMNS = {
    "age",
    "возраст",
    "вік",
    "birth",
    "birthday",
    "birth_date",
    "birthdate",
    "date_of_birth",
    "dob",
    "дата рождения",
    "дата народження",
    "gender",
    "sex",
    "пол",
    "стать",
    "fio",
    "фио",
    "піб",
    "full_name",
    "fullname",
    "first_name",
    "firstname",
    "last_name",
    "lastname",
    "surname",
    "middle_name",
    "имя",
    "фамилия",
    "отчество",
    "прізвище",
    "ім'я",
    "citizenship",
    "гражданство",
    "громадянство",
    "candidate",
    "applicant",
    "кандидат",
    "соискатель",
}
_PERSON_KEYS = {
    "first_name",
    "last_name",
    "middle_name",
    "birth_date",
    "gender",
    "total_experience",
    "age",
    "citizenship",
    "skill_set",
}


@lru_cache(maxsize=2)
def _morph(lang: str):
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=lang)


@lru_cache(maxsize=200_000)
def _word_kind(word: str, least: float = 0.3) -> str | None:
    """'Name', 'Surn', 'Patr' when a dictionary reads the word so with at least ``least`` of its weight."""
    best: tuple[float, str | None] = (0.0, None)
    for lang in ("ru", "uk"):
        parses = _morph(lang).parse(word)
        total = sum(p.score for p in parses) or 1.0
        for tag in _PERSON_TAGS:
            share = sum(p.score for p in parses if tag in p.tag) / total
            if share > best[0]:
                best = (share, tag)
    return best[1] if best[0] >= least else None


@lru_cache(maxsize=200_000)
def _classify(text: str) -> tuple[bool, bool]:
    """(is a person's name, has an entrepreneur prefix)."""
    stripped = text.strip()
    legal = bool(_LEGAL.match(stripped))
    rest = _LEGAL.sub("", stripped).strip().strip(",\"'«»")
    tokens = rest.replace(",", " ").split()
    if not 1 <= len(tokens) <= 4:
        return False, legal
    words = [t for t in tokens if not _INITIALS.match(t)]
    initials = len(tokens) - len(words)
    if not words or not all(_WORD.match(w) for w in words):
        return False, legal
    if legal:
        return True, legal  # an ИП is by law a natural person: its name is a person's name
    if len(words) >= 2 and _PATRONYMIC.search(words[-1]):
        return True, legal  # "... Гокум Оглы", "... Иванович": a patronymic the dictionary may lack
    kinds = [_word_kind(w) for w in words]
    if any(k is None for k in kinds):
        return False, legal
    if len(tokens) == 1:
        # a lone word is a name only if a dictionary reads it almost only as a first name or
        # patronymic ("Анна", not "Роза"), or as a surname after an entrepreneur prefix ("ИП Иванов")
        return _word_kind(words[0], 0.9) in ("Name", "Patr") or (legal and kinds[0] == "Surn"), legal
    return initials > 0 or len(set(kinds)) > 1 or kinds[0] == "Surn", legal


def is_person_name(text: str | None) -> bool:
    """Whether a short text is a person's name ("Иванов Иван Иванович", "Петрова А.В.", "Олена")."""
    if not text or len(text) > 80 or not any(c.isupper() for c in text):
        return False
    return _classify(text)[0]


def scrub_person(value: str | None, placeholder: str) -> tuple[str | None, bool]:
    """``(value or its placeholder, whether it was a person's name)``; ИП keeps its legal form."""
    if not is_person_name(value):
        return value, False
    legal = _classify(str(value))[1]
    return (f"ИП {placeholder}" if legal and placeholder == EMPLOYER_PLACEHOLDER else placeholder), True


def person_evidence(head) -> str | None:
    """Why a file's head looks like a file about people (CVs, applicants), or None."""
    if head.is_json:
        keys = {k.split(".")[-1] for k in head.keys}
        found = sorted(keys & _PERSON_KEYS)
        return f"keys {', '.join(found)}" if len(found) >= 2 or "last_name" in found else None
    columns = sorted(c for c in head.header if c in PERSON_COLUMNS)
    named = []
    for column in head.header:
        values = head.column(column)[:20]
        if len(values) >= 3 and sum(is_person_name(v) for v in values) / len(values) >= 0.5:
            named.append(column)
    reasons = []
    if columns:
        reasons.append(f"column(s) {', '.join(columns)}")
    if named:
        reasons.append(f"person names in column(s) {', '.join(named)}")
    return "; ".join(reasons) or None
