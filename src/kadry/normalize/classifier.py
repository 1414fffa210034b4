"""Title -> hh professional role: lemmas, word vectors and character n-grams in one linear model.

What the model reads of a title (``TitleFeatures``):

- character 2-5-grams of the folded title (the long tail, typos, "инж.-констр.");
- pymorphy3 lemmas, single and in pairs ("инженера-сметчика" reads as "инженер сметчик");
  English job words also add their Russian translation (``title_glossary.csv``, hand-made);
- the mean of the lemmas' pretrained navec vectors (natasha's news embeddings, reduced to the
  words of real titles and shipped product-quantised: ``title_vectors.npz``), so an unseen
  word lands near the seen words it means.

Two linear models over the three blocks, shipped as int8 weights with a per-class scale: a
linear SVM (its margins, through a fitted temperature, give the sharpest top answer) and a
multinomial logistic regression (its probabilities spread over the roles an ambiguous title
really has, which ranks the second and third candidates better). The probabilities are their
weighted mean, the weight chosen on the validation side; an isotonic map makes the top one a
calibrated confidence, and below the model's threshold a title is "unknown" (never hh's residual "Другое", which is not
a class). The title decides; key skills only break a tie between the title's own top
candidates (``predict``), so adding skills can neither flip a clear answer nor make it unknown.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np

from kadry.config import RESOURCES
from kadry.errors import ConfigError
from kadry.normalize.skills import latinize

__all__ = [
    "HELDOUT_PATH",
    "lemma",
    "METRICS_PATH",
    "MODEL_PATH",
    "OTHER_ROLE",
    "THRESHOLD",
    "VECTORS_PATH",
    "Prediction",
    "TitleClassifier",
    "TitleFeatures",
    "char_wb",
    "fold",
    "shipped_metrics",
    "title_key",
    "title_words",
    "word_vectors",
]

RES = RESOURCES / "normalize"
MODEL_PATH = RES / "title_role_model.npz"
VECTORS_PATH = RES / "title_vectors.npz"
GLOSSARY_PATH = RES / "title_glossary.csv"
METRICS_PATH = RES / "classifier_metrics.json"
HELDOUT_PATH = RES / "classifier_heldout.csv"
#: hh's residual role "Другое": a label of the data, never an answer of the model
OTHER_ROLE = "40"
#: fallback abstain threshold; the shipped model carries its own (chosen on the validation fold)
THRESHOLD = 0.3
#: skills may pick among the title's candidates only when the title's top two are this close
TIE_MARGIN = 0.15

_NGRAMS = (2, 5)
_WORD = re.compile(r"[0-9a-zа-я+#]+")


@dataclass(frozen=True, slots=True)
class Prediction:
    role_id: str
    confidence: float
    top3: tuple[str, ...]
    abstained: bool = False

    @property
    def role(self) -> str | None:
        """The role, or None when the model abstains ("unknown")."""
        return None if self.abstained else self.role_id


def fold(text: str | None) -> str:
    """Lower case, ё -> е, look-alike letters fixed, whitespace collapsed."""
    t = latinize(text or "").lower().replace("ё", "е")
    return re.sub(r"\s+", " ", t).strip()


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=1)
def glossary() -> dict[str, tuple[str, ...]]:
    """English job word or two-word phrase -> Russian lemmas it adds (``title_glossary.csv``, edit freely)."""
    out: dict[str, tuple[str, ...]] = {}
    with open(GLOSSARY_PATH, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            out[r["word"].strip().lower()] = tuple(r["ru"].split())
    return out


_LEMMAS: dict[str, str] = {}


def lemma(word: str) -> str:
    """A word's dictionary form (pymorphy3, ё folded), cached: titles repeat their words."""
    got = _LEMMAS.get(word)
    if got is None:
        got = _morph().parse(word)[0].normal_form.replace("ё", "е") if re.search("[а-я]", word) else word
        if len(_LEMMAS) < 1_000_000:
            _LEMMAS[word] = got
    return got


def title_words(title: str | None) -> list[str]:
    """The title's lemmas in order, then the Russian words its English job words and phrases add."""
    gl = glossary()
    lemmas = [lemma(w) for w in _WORD.findall(fold(title))]
    extra: list[str] = []
    for a, b in pairwise(lemmas):
        extra.extend(gl.get(f"{a} {b}", ()))
    for w in lemmas:
        extra.extend(gl.get(w, ()))
    return lemmas + extra


def title_key(title: str | None) -> str:
    """The normalised title a split groups by: its distinct lemmas, sorted (word order and case ignored)."""
    return " ".join(sorted({lemma(w) for w in _WORD.findall(fold(title))}))


def char_wb(text: str) -> list[str]:
    """sklearn's ``char_wb`` n-grams (2..5) of a text."""
    lo, hi = _NGRAMS
    out = []
    for w in text.split():
        w = f" {w} "
        n_w = len(w)
        for n in range(lo, hi + 1):
            offset = 0
            out.append(w[offset : offset + n])
            while offset + n < n_w:
                offset += 1
                out.append(w[offset : offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return out


def _word_grams(words: list[str]) -> list[str]:
    return words + [f"{a}_{b}" for a, b in pairwise(words)]


# --- word vectors -----------------------------------------------------------------------------
@lru_cache(maxsize=2)
def _vectors(path: str) -> tuple[dict[str, int], np.ndarray]:
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"no title word vectors at {p}")
    with np.load(p, allow_pickle=False) as z:
        words = z["words"].tolist()
        codes, books = z["codes"], z["codebook"]  # (n, q) uint8, (q, 256, d) float32
    q = codes.shape[1]
    mat = np.concatenate([books[i][codes[:, i]] for i in range(q)], axis=1).astype(np.float32)
    mat /= np.maximum(np.linalg.norm(mat, axis=1, keepdims=True), 1e-6)
    return {w: i for i, w in enumerate(words)}, mat


def word_vectors(path: Path = VECTORS_PATH) -> tuple[dict[str, int], np.ndarray]:
    """The shipped reduced navec vocabulary: word -> row, and the unit vectors."""
    return _vectors(str(path))


# --- features ---------------------------------------------------------------------------------
class TitleFeatures:
    """Title texts -> the three L2-normalised blocks (char, word, vector), weighted."""

    def __init__(
        self,
        char_vocab: list[str],
        char_idf: np.ndarray,
        word_vocab: list[str],
        word_idf: np.ndarray,
        weights: Sequence[float],
        vectors_path: Path = VECTORS_PATH,
    ) -> None:
        self.char_vocab, self.word_vocab = list(char_vocab), list(word_vocab)
        self.char_idf = np.asarray(char_idf, dtype=np.float32)
        self.word_idf = np.asarray(word_idf, dtype=np.float32)
        self.weights = tuple(float(w) for w in weights)
        self._ci = {t: i for i, t in enumerate(self.char_vocab)}
        self._wi = {t: i for i, t in enumerate(self.word_vocab)}
        self._vi, self._vm = word_vectors(vectors_path)
        self._cache: dict[str, np.ndarray] = {}

    @property
    def width(self) -> int:
        return len(self.char_vocab) + len(self.word_vocab) + self._vm.shape[1]

    @classmethod
    def fit(
        cls, titles: list[str], weights: Sequence[float], *, min_df: int = 2, vectors_path: Path = VECTORS_PATH
    ) -> TitleFeatures:
        """Vocabularies and idf from training titles (char n-grams and words seen ``min_df`` times)."""
        from collections import Counter

        cdf: Counter[str] = Counter()
        wdf: Counter[str] = Counter()
        for t in titles:
            cdf.update(set(char_wb(fold(t))))
            wdf.update(set(_word_grams(title_words(t))))
        n = len(titles)
        cv = sorted(g for g, c in cdf.items() if c >= min_df)
        wv = sorted(g for g, c in wdf.items() if c >= min_df)
        cidf = np.array([np.log((1 + n) / (1 + cdf[g])) + 1 for g in cv], dtype=np.float32)
        widf = np.array([np.log((1 + n) / (1 + wdf[g])) + 1 for g in wv], dtype=np.float32)
        return cls(cv, cidf, wv, widf, weights, vectors_path)

    def _tfidf(self, rows: list[np.ndarray], idf: np.ndarray, width: int):
        from scipy.sparse import csr_matrix

        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(r) for r in rows])
        col = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
        X = csr_matrix((np.ones(len(col), dtype=np.float32), col, indptr), shape=(len(rows), width))
        X.sum_duplicates()
        np.log(X.data, X.data)
        X.data += 1.0
        X.data *= idf[X.indices]
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        X.data /= np.repeat(norms, np.diff(X.indptr)).astype(np.float32)
        return X

    def transform(self, titles: list[str]):
        """One row per title: [char block | word block | vector block], each L2-normalised and weighted."""
        from scipy.sparse import csr_matrix, hstack

        ci, wi, vi = self._ci, self._wi, self._vi
        crow, wrow = [], []
        dense = np.zeros((len(titles), self._vm.shape[1]), dtype=np.float32)
        cache = self._cache
        for k, t in enumerate(titles):
            f = fold(t)
            parts = []
            for w in f.split():  # char n-grams never cross a space: cache them per word
                g = cache.get(w)
                if g is None:
                    g = np.fromiter((ci[x] for x in char_wb(w) if x in ci), dtype=np.int32)
                    if len(cache) < 500_000:
                        cache[w] = g
                parts.append(g)
            crow.append(np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32))
            words = title_words(t)
            wrow.append(np.fromiter((wi[x] for x in _word_grams(words) if x in wi), dtype=np.int32))
            idx = [vi[w] for w in words if w in vi]
            if idx:
                dense[k] = self._vm[idx].mean(axis=0)
        nrm = np.linalg.norm(dense, axis=1, keepdims=True)
        dense /= np.where(nrm > 0, nrm, 1.0)
        wc, ww, wv = self.weights
        Xc = self._tfidf(crow, self.char_idf, len(self.char_vocab)) * wc
        Xw = self._tfidf(wrow, self.word_idf, len(self.word_vocab)) * ww
        return hstack([Xc, Xw, csr_matrix(dense * wv)], format="csr")


# --- the model --------------------------------------------------------------------------------
class TitleClassifier:
    """A trained model: ``predict`` batches of titles (skills optional); ``load`` the shipped one."""

    def __init__(
        self,
        features: TitleFeatures,
        coef: np.ndarray,
        intercept: np.ndarray,
        classes: list[str],
        *,
        temperature: float = 1.0,
        threshold: float = THRESHOLD,
        skill_vocab: list[str] | None = None,
        skill_coef: np.ndarray | None = None,
        calib_x: np.ndarray | None = None,
        calib_y: np.ndarray | None = None,
        lr_coef: np.ndarray | None = None,
        lr_intercept: np.ndarray | None = None,
        mix: float = 0.0,
    ) -> None:
        self.features = features
        #: isotonic map of the top probability to the share right (validation side); identity if absent
        self.calib_x = np.asarray(calib_x if calib_x is not None else [0.0, 1.0], dtype=np.float32)
        self.calib_y = np.asarray(calib_y if calib_y is not None else [0.0, 1.0], dtype=np.float32)
        self.classes = np.asarray(classes)
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.temperature = float(temperature)
        self.threshold = float(threshold)
        #: the logistic regression's weights and its share of the probabilities (0: the SVM alone)
        self.lr_coef = np.asarray(lr_coef if lr_coef is not None else np.zeros_like(self.coef), dtype=np.float32)
        self.lr_intercept = np.asarray(
            lr_intercept if lr_intercept is not None else np.zeros(len(classes)), dtype=np.float32
        )
        self.mix = float(mix)
        self.skill_vocab = list(skill_vocab or [])
        self._si = {t: i for i, t in enumerate(self.skill_vocab)}
        self.skill_coef = np.asarray(
            skill_coef if skill_coef is not None else np.zeros((len(classes), 0)), dtype=np.float32
        )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> TitleClassifier:
        return _load(str(path))

    def save(self, path: Path = MODEL_PATH) -> None:
        scale, lr_scale = _scale(self.coef), _scale(self.lr_coef)
        f = self.features
        np.savez_compressed(
            path,
            char_vocab=np.asarray(f.char_vocab),
            char_idf=f.char_idf,
            word_vocab=np.asarray(f.word_vocab),
            word_idf=f.word_idf,
            weights=np.asarray(f.weights, dtype=np.float32),
            coef_q=np.round(self.coef / scale[:, None]).astype(np.int8),
            coef_scale=scale,
            intercept=self.intercept,
            lr_coef_q=np.round(self.lr_coef / lr_scale[:, None]).astype(np.int8),
            lr_coef_scale=lr_scale,
            lr_intercept=self.lr_intercept,
            mix=np.float32(self.mix),
            classes=self.classes,
            temperature=np.float32(self.temperature),
            threshold=np.float32(self.threshold),
            skill_vocab=np.asarray(self.skill_vocab, dtype=str),
            skill_coef=self.skill_coef.astype(np.float16),
            calib_x=self.calib_x,
            calib_y=self.calib_y,
        )
        _load.cache_clear()

    def scores(self, titles: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The SVM's margins and the logistic regression's logits (one feature pass for both)."""
        X = self.features.transform([t or "" for t in titles])
        return np.asarray(X @ self.coef.T) + self.intercept, np.asarray(X @ self.lr_coef.T) + self.lr_intercept

    def combine(self, margins: np.ndarray, lr_logits: np.ndarray) -> np.ndarray:
        """Probabilities from the two models' scores: the tempered SVM and the regression, mixed."""
        p = _softmax(margins / self.temperature)
        if self.mix > 0:
            p = (1.0 - self.mix) * p + self.mix * _softmax(lr_logits)
        return p

    def proba(self, titles: list[str]) -> np.ndarray:
        """Probabilities of every role for each title (the title alone)."""
        return self.combine(*self.scores(titles))

    def _skill_scores(self, skills: list[str]) -> np.ndarray:
        out = np.zeros((len(skills), len(self.classes)), dtype=np.float32)
        if not self.skill_vocab:
            return out
        for k, s in enumerate(skills):
            idx = sorted({self._si[x] for x in skill_tokens(s) if x in self._si})
            if idx:
                out[k] = self.skill_coef[:, idx].sum(axis=1)
        return out

    def predict(self, titles: list[str], skills: list[str] | None = None, batch: int = 20_000) -> list[Prediction]:
        """Top role, calibrated confidence and top three per title; below the threshold it abstains.

        The confidence is the title's top probability mapped through the isotonic calibration (the
        share of validation titles with that probability that were right); the threshold applies to
        the probability itself. Skills re-rank only the title's top two when their probabilities are
        within ``TIE_MARGIN``; the confidence and the abstain decision stay the title's own.
        """
        out: list[Prediction] = []
        classes = self.classes
        for i in range(0, len(titles), batch):
            p = self.proba(list(titles[i : i + batch]))
            top = np.argsort(-p, axis=1, kind="stable")[:, :3]
            chunk = list(skills[i : i + batch]) if skills else []
            tied = np.zeros(len(p), dtype=bool)
            if chunk and any(chunk):
                first, second = p[np.arange(len(p)), top[:, 0]], p[np.arange(len(p)), top[:, 1]]
                tied = (first - second) < TIE_MARGIN
                if tied.any():
                    rows = np.flatnonzero(tied)
                    s = self._skill_scores([chunk[r] for r in rows])
                    for j, r in enumerate(rows):
                        a, b = top[r, 0], top[r, 1]
                        if s[j, b] > s[j, a]:
                            top[r, 0], top[r, 1] = b, a
            raw = p.max(axis=1)
            conf = np.interp(raw, self.calib_x, self.calib_y)
            for k, idx in enumerate(top):
                out.append(
                    Prediction(
                        str(classes[idx[0]]),
                        float(conf[k]),
                        tuple(str(classes[j]) for j in idx),
                        abstained=bool(raw[k] < self.threshold),
                    )
                )
        return out


def skill_tokens(skills: str | None) -> list[str]:
    """Folded words of a key-skills string (what the tie-break reads)."""
    return _WORD.findall(fold(skills))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _scale(coef: np.ndarray) -> np.ndarray:
    """Per-class int8 scale: the largest weight of a class maps to 127."""
    top = np.abs(coef).max(axis=1).astype(np.float32)
    return np.where(top > 0, top / 127.0, 1.0).astype(np.float32)


def quantize(coef: np.ndarray) -> np.ndarray:
    """The weights as the shipped file holds them (int8 per class), so a trained object predicts like it."""
    scale = _scale(coef)
    return np.round(coef / scale[:, None]).astype(np.int8).astype(np.float32) * scale[:, None]


@lru_cache(maxsize=4)
def _load(path: str) -> TitleClassifier:
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"no title classifier at {p}: run `kadry normalize train`")
    try:
        with np.load(p, allow_pickle=False) as z:
            feats = TitleFeatures(
                z["char_vocab"].tolist(), z["char_idf"], z["word_vocab"].tolist(), z["word_idf"], z["weights"].tolist()
            )
            coef = z["coef_q"].astype(np.float32) * z["coef_scale"][:, None]
            mixed = "mix" in z.files  # a model trained before the regression was added: the SVM alone
            return TitleClassifier(
                feats,
                coef,
                z["intercept"],
                z["classes"].tolist(),
                temperature=float(z["temperature"]),
                threshold=float(z["threshold"]),
                skill_vocab=z["skill_vocab"].tolist(),
                skill_coef=z["skill_coef"].astype(np.float32),
                calib_x=z["calib_x"],
                calib_y=z["calib_y"],
                lr_coef=z["lr_coef_q"].astype(np.float32) * z["lr_coef_scale"][:, None] if mixed else None,
                lr_intercept=z["lr_intercept"] if mixed else None,
                mix=float(z["mix"]) if mixed else 0.0,
            )
    except KeyError as exc:
        raise ConfigError(
            f"{p} is not a title model of this version (missing {exc}): run `kadry normalize train`"
        ) from None


def shipped_metrics() -> dict:
    """The figures measured when the shipped model was trained (classifier_metrics.json)."""
    if not METRICS_PATH.exists():
        return {}
    return json.loads(METRICS_PATH.read_text(encoding="utf-8"))
