"""Title (+ skills) -> hh professional role: character n-gram TF-IDF and a linear model.

Trained on the labelled real vacancies (hh-roles-3cities-2026 role_id, the hh API samples'
professional_roles) plus the role names themselves; shipped trained as a small ``.npz``
(vocabulary, idf, int8 weights with a per-class scale), so prediction needs neither pickles nor the training
data, and is deterministic. Below ``THRESHOLD`` probability a title's role is "unknown".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from kadry.config import RESOURCES
from kadry.errors import ConfigError
from kadry.normalize.skills import latinize

__all__ = ["Prediction", "TitleClassifier", "THRESHOLD", "MODEL_PATH", "METRICS_PATH", "HELDOUT_PATH", "prepare_text", "char_wb"]

RES = RESOURCES / "normalize"
MODEL_PATH = RES / "title_role_model.npz"
METRICS_PATH = RES / "classifier_metrics.json"
HELDOUT_PATH = RES / "classifier_heldout.csv"
#: below this probability the role is "unknown" (chosen on the held-out split, see docs)
THRESHOLD = 0.25

_NGRAMS = (2, 5)


@dataclass(frozen=True, slots=True)
class Prediction:
    role_id: str
    confidence: float
    top3: tuple[str, ...]


def prepare_text(title: str | None, skills: str | None = None) -> str:
    """What the model reads: folded title, then the skills (weaker: they come after)."""
    t = latinize(title or "").lower().replace("ё", "е")
    t = re.sub(r"\s+", " ", t).strip()
    s = latinize(skills or "").lower().replace("ё", "е")
    return f"{t} | {s[:300]}" if s.strip() else t


def char_wb(text: str) -> list[str]:
    """sklearn's ``char_wb`` n-grams (2..5) of a text, reimplemented to predict without sklearn."""
    lo, hi = _NGRAMS
    out = []
    for w in text.split():
        w = f" {w} "
        n_w = len(w)
        for n in range(lo, hi + 1):
            offset = 0
            out.append(w[offset:offset + n])
            while offset + n < n_w:
                offset += 1
                out.append(w[offset:offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return out


def _vectorizer(vocabulary=None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=_NGRAMS, sublinear_tf=True, lowercase=False,
        min_df=2, max_features=40_000, vocabulary=vocabulary, dtype=np.float32,
    )


class TitleClassifier:
    """A trained model: ``predict`` batches of titles; ``load`` the shipped one."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray, coef: np.ndarray, intercept: np.ndarray, classes: list[str]) -> None:
        self.classes = np.asarray(classes)
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.vocabulary = list(vocabulary)
        self._index = {term: i for i, term in enumerate(self.vocabulary)}
        self._word_cache: dict[str, np.ndarray] = {}

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "TitleClassifier":
        return _load(str(path))

    def save(self, path: Path = MODEL_PATH) -> None:
        scale = _scale(self.coef)
        np.savez_compressed(
            path, vocabulary=np.asarray(self.vocabulary), idf=self.idf,
            coef_q=np.round(self.coef / scale[:, None]).astype(np.int8), coef_scale=scale,
            intercept=self.intercept, classes=self.classes,
        )

    def transform(self, texts: list[str]):
        """TF-IDF rows, equal to sklearn's ``TfidfVectorizer(analyzer="char_wb", sublinear_tf=True)``.

        char_wb n-grams never cross a space, so a text's n-grams are its words' n-grams;
        titles repeat words endlessly, so n-grams are cached per word (and sklearn is not
        even imported to predict).
        """
        from scipy.sparse import csr_matrix

        cache, index = self._word_cache, self._index
        indptr, cols, total = [0], [], 0
        for text in texts:
            for word in text.split():
                feats = cache.get(word)
                if feats is None:
                    feats = np.fromiter((index[g] for g in char_wb(word) if g in index), dtype=np.int32)
                    if len(cache) < 500_000:
                        cache[word] = feats
                cols.append(feats)
                total += len(feats)
            indptr.append(total)
        col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int32)
        X = csr_matrix((np.ones(len(col), dtype=np.float32), col, np.asarray(indptr)), shape=(len(texts), len(index)))
        X.sum_duplicates()
        np.log(X.data, X.data)
        X.data += 1.0
        X.data *= self.idf[X.indices]
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        X.data /= np.repeat(norms, np.diff(X.indptr)).astype(np.float32)
        return X

    def proba(self, titles: list[str], skills: list[str] | None = None) -> np.ndarray:
        skills = skills or [""] * len(titles)
        X = self.transform([prepare_text(t, s) for t, s in zip(titles, skills)])
        z = X @ self.coef.T + self.intercept
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, titles: list[str], skills: list[str] | None = None, batch: int = 20_000) -> list[Prediction]:
        out: list[Prediction] = []
        for i in range(0, len(titles), batch):
            p = self.proba(titles[i:i + batch], (skills or [""] * len(titles))[i:i + batch])
            top = np.argsort(-p, axis=1, kind="stable")[:, :3]
            for row, idx in zip(p, top):
                out.append(Prediction(str(self.classes[idx[0]]), float(row[idx[0]]), tuple(str(self.classes[j]) for j in idx)))
        return out

    @classmethod
    def fit(cls, texts: list[str], labels: list[str], *, C: float = 20.0) -> "TitleClassifier":
        """Train on prepared texts (see ``prepare_text``); deterministic for the same input."""
        from sklearn.linear_model import LogisticRegression

        vec = _vectorizer()
        X = vec.fit_transform(texts)
        model = LogisticRegression(C=C, max_iter=3000, tol=1e-4)
        model.fit(X, labels)
        vocab = [None] * len(vec.vocabulary_)
        for term, i in vec.vocabulary_.items():
            vocab[i] = term
        # quantize as the shipped file does, so the trained object predicts exactly like it
        scale = _scale(model.coef_)
        coef = np.round(model.coef_ / scale[:, None]).astype(np.int8).astype(np.float32) * scale[:, None]
        return cls(vocab, vec.idf_, coef, model.intercept_, [str(c) for c in model.classes_])


def _scale(coef: np.ndarray) -> np.ndarray:
    """Per-class int8 scale: the largest weight of a class maps to 127."""
    top = np.abs(coef).max(axis=1).astype(np.float32)
    return np.where(top > 0, top / 127.0, 1.0).astype(np.float32)


@lru_cache(maxsize=2)
def _load(path: str) -> TitleClassifier:
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"no title classifier at {p}: run `kadry normalize train`")
    with np.load(p, allow_pickle=False) as z:
        coef = z["coef_q"].astype(np.float32) * z["coef_scale"][:, None]
        return TitleClassifier(z["vocabulary"].tolist(), z["idf"], coef, z["intercept"], z["classes"].tolist())


def shipped_metrics() -> dict:
    """The figures measured when the shipped model was trained (classifier_metrics.json)."""
    if not METRICS_PATH.exists():
        return {}
    return json.loads(METRICS_PATH.read_text(encoding="utf-8"))
