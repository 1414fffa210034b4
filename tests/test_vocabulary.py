"""One vocabulary: the same keys in both languages, and every display reads it."""

from __future__ import annotations

from kadry import vocabulary
from kadry.indicators import BANDS


def test_both_languages_have_every_word():
    ru, en = vocabulary.words("ru"), vocabulary.words("en")
    for part in ("words", "reasons", "bands", "short"):
        assert set(ru[part]) == set(en[part]) and all(ru[part].values()) and all(en[part].values())


def test_every_band_is_named():
    assert {label for _, label in BANDS} <= set(vocabulary.BAND_WORDS) and {label for _, label in BANDS} <= set(
        vocabulary.SHORT
    )


def test_report_and_vocabulary_agree_on_bands():
    from kadry.report.labels import Labels

    for lang in ("ru", "en"):
        for code in vocabulary.BAND_WORDS:
            assert Labels(lang).band(code) == vocabulary.band_word(code, lang)
        assert Labels(lang)["no_resumes"] == vocabulary.reason_word("no_resumes", lang)
