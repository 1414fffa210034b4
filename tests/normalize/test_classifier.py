"""The shipped title classifier: held-out accuracy, determinism, the unknown threshold."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from kadry.normalize.classifier import HELDOUT_PATH, MODEL_PATH, THRESHOLD, TitleClassifier, char_wb, prepare_text, shipped_metrics
from kadry.normalize.occupations import roles
from kadry.normalize.train import evaluate, split_key


@pytest.fixture(scope="module")
def model() -> TitleClassifier:
    return TitleClassifier.load()


def test_shipped_model_is_small():
    assert MODEL_PATH.stat().st_size < 5_000_000


def test_heldout_accuracy_holds(model):
    rows = [(r["title"], r["skills"], r["role_id"]) for r in csv.DictReader(open(HELDOUT_PATH, encoding="utf-8"))]
    assert len(rows) > 800
    assert all(split_key(t) for t, _, _ in rows)  # the held-out side of the split, never trained on
    m = evaluate(model, rows)
    assert m["top3"] >= 0.85
    assert m["top1"] >= 0.60
    assert m["top1_above_threshold"] > m["top1"]  # confidence means something
    assert shipped_metrics()["heldout"]["top3"] == pytest.approx(m["top3"], abs=0.002)


def test_predictions_are_deterministic_and_valid(model):
    titles = ["Программист Java", "Водитель категории C", "Бухгалтер на первичку", "Senior Python Developer",
              "Продавец-кассир", "Врач-терапевт"]
    a = model.predict(titles)
    b = TitleClassifier.load().predict(list(reversed(titles)))[::-1]
    assert [(p.role_id, round(p.confidence, 6)) for p in a] == [(p.role_id, round(p.confidence, 6)) for p in b]
    assert all(p.role_id in roles() for p in a)
    assert [p.role_id for p in a] == ["96", "21", "18", "96", "97", "24"]
    assert all(p.confidence >= THRESHOLD for p in a)


def test_nonsense_is_below_the_threshold(model):
    p = model.predict(["zzzz qqqq", "!!!"])
    assert all(x.confidence < THRESHOLD for x in p)


def test_fast_transform_equals_sklearn(model):
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [prepare_text(t, s) for t, s in [("Инженер-конструктор", "AutoCAD Компас"), ("С++ developer", ""), ("a", "")]]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=False,
                          vocabulary={t: i for i, t in enumerate(model.vocabulary)}, dtype=np.float32)
    vec.idf_ = model.idf
    assert abs(vec.transform(texts) - model.transform(texts)).max() < 1e-6
    assert char_wb("ab") == [" a", "ab", "b ", " ab", "ab ", " ab "]
