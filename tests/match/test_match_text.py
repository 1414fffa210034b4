import numpy as np

from kadry.match.text import BaselineTfidf, TextModel, canonical_skill, canonical_text


def test_canonical_text_bridges_languages_and_spellings():
    assert canonical_text("Senior Front-end Developer") == "frontend разработчик"
    assert canonical_text("Фронтенд-разработчик") == "frontend разработчик"
    assert canonical_text("Программист 1С") == "разработчик 1c"
    assert canonical_text("С++ Разработчик") == "c++ разработчик"
    assert canonical_text(None) == ""


def test_canonical_skill_folds_case_and_space():
    assert canonical_skill("  Node.JS ") == canonical_skill("node.js")


def _model():
    titles = [
        "Frontend-разработчик",
        "Менеджер по продажам",
        "Бухгалтер",
        "Водитель",
        "Java developer",
        "Менеджер по работе с клиентами",
        "Sales manager",
        "Accountant",
        "Курьер",
        "Повар",
    ]
    return TextModel(dim=8).fit(titles)


def test_english_title_is_nearer_its_russian_twin_than_other_jobs():
    m = _model()
    x = m.title_sparse(["Front-end developer", "Frontend-разработчик", "Менеджер по продажам", "Бухгалтер"])
    sims = (x[0] @ x[1:].T).toarray().ravel()
    assert sims[0] > 0.6 and sims[0] > 2 * max(sims[1:])
    y = m.title_sparse(["Sales manager", "Менеджер по продажам", "Водитель"])
    s2 = (y[0] @ y[1:].T).toarray().ravel()
    assert s2[0] > s2[1]


def test_dense_vectors_are_unit_float32():
    m = _model()
    d = m.dense(["Frontend-разработчик", "Повар"], [["React"], None])
    assert d.dtype == np.float32 and d.shape == (2, m.dim)
    assert np.allclose(np.linalg.norm(d, axis=1), 1.0, atol=1e-5)


def test_baseline_is_plain_word_tfidf():
    b = BaselineTfidf().fit(["Frontend developer", "Frontend-разработчик"])
    x = b.transform(["Frontend developer", "Frontend-разработчик"])
    assert 0 < (x[0] @ x[1].T).toarray()[0, 0] < 1
