"""Text similarity for job titles and skills in Russian and English.

Character n-grams handle Russian inflection ("менеджера по продажам" ~ "менеджер продаж") and
typos; a small bilingual glossary (resources/match/glossary.tsv) maps English and transliterated
job words to one token, because n-grams cannot bridge two alphabets ("developer" ~
"разработчик"). The same fitted model gives two things: a sparse TF-IDF vector for exact
re-ranking, and a dense float32 vector (TruncatedSVD of it, L2-normalized) for the
approximate nearest-neighbour index. The model is fitted once on a sample and then kept fixed
so that the index can grow incrementally without re-encoding what it already holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as _l2
from threadpoolctl import threadpool_limits

from kadry.config import RESOURCES
from kadry.errors import ConfigError

__all__ = ["canonical_text", "canonical_skill", "TextModel", "BaselineTfidf", "GLOSSARY_PATH"]

GLOSSARY_PATH = RESOURCES / "match" / "glossary.tsv"
_COMPOUNDS = [
    (re.compile(r"\bfront[\s\-]?end\b"), "frontend"),
    (re.compile(r"\bback[\s\-]?end\b"), "backend"),
    (re.compile(r"\bfull[\s\-]?stack\b"), "fullstack"),
    (re.compile(r"\bфронт[\s\-]?[еэ]нд\b"), "frontend"),
    (re.compile(r"\bб[эе]к[\s\-]?[еэ]нд\b"), "backend"),
    (re.compile(r"\bфул+[\s\-]?ст[еэ]к\b"), "fullstack"),
    (re.compile(r"\bdata\s+scien\w*"), "datascientist"),
    (re.compile(r"\bmachine\s+learning\b|\bмашинно\w*\s+обучени\w*"), "ml"),
    (re.compile(r"(?<![\w])с(\+\+|#)"), r"c\1"),  # Cyrillic "С++" is the Latin one
]
_TOKEN = re.compile(r"[0-9a-zа-я][0-9a-zа-я+#]*")


@lru_cache(maxsize=1)
def _glossary() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in Path(GLOSSARY_PATH).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        term, _, canon = line.partition("\t")
        table[term.strip()] = canon.strip()
    return table


def canonical_text(text: str | None) -> str:
    """Lower-case, unify spelling and map glossary words; the input of every text feature."""
    if not text:
        return ""
    s = text.lower().replace("ё", "е")
    for pattern, repl in _COMPOUNDS:
        s = pattern.sub(repl, s)
    table = _glossary()
    out = []
    for token in _TOKEN.findall(s):
        canon = table.get(token, token)
        if canon:
            out.append(canon)
    return " ".join(out)


@lru_cache(maxsize=1 << 16)
def canonical_skill(skill: str) -> str:
    """A skill's comparison key: case, spacing and ё folded ("Node.JS " == "node.js"). Cached:
    every explanation folds the same few thousand skills again."""
    return " ".join(skill.lower().replace("ё", "е").split())


def _skills_text(skills: Sequence[str] | None) -> str:
    if skills is None:
        return ""
    return " ".join(canonical_text(s) for s in skills if s)


class TextModel:
    """Fitted TF-IDF (character n-grams and words of titles; skills), plus its dense SVD projection."""

    #: share of the similarity carried by the title (the rest by the skills)
    TITLE_WEIGHT = 0.8

    def __init__(self, dim: int = 128, max_features: int = 200_000, seed: int = 0) -> None:
        self.dim = dim
        self.max_features = max_features
        self.seed = seed
        self._title = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 4),
            min_df=1,
            max_features=max_features,
            sublinear_tf=True,
            dtype=np.float32,
        )
        # whole words beside the n-grams: measured +1 point of precision@10 on hh roles
        self._words = TfidfVectorizer(
            analyzer="word",
            token_pattern=r"[^\s]+",
            min_df=1,
            sublinear_tf=True,
            dtype=np.float32,
        )
        self._skills = TfidfVectorizer(
            analyzer="word",
            token_pattern=r"[^\s]+",
            min_df=1,
            sublinear_tf=True,
            dtype=np.float32,
        )
        self._svd: TruncatedSVD | None = None
        self._has_skills = False
        self.fitted = False

    # --- fitting -----------------------------------------------------------------------
    def fit(self, titles: Sequence[str | None], skills: Sequence[Sequence[str] | None] | None = None) -> TextModel:
        """Fit on a sample of records (titles of vacancies and resumes, their skills)."""
        t = [canonical_text(x) for x in titles]
        if not any(t):
            raise ConfigError("cannot fit the text model: no titles in the sample")
        self._title.fit(t)
        self._words.fit(t)
        s = [_skills_text(x) for x in (skills or [None] * len(t))]
        self._has_skills = any(s)
        if self._has_skills:
            self._skills.fit(s)
        sparse = self._sparse(self._title_block(t), s)
        n_features = sparse.shape[1]
        dim = max(2, min(self.dim, n_features - 1, sparse.shape[0] - 1)) if sparse.shape[0] > 2 else 2
        self._svd = TruncatedSVD(n_components=dim, algorithm="randomized", n_iter=4, random_state=self.seed)
        # one BLAS thread: on a shared two-core machine more threads thrash (8x slower measured)
        with threadpool_limits(limits=1):
            self._svd.fit(sparse)
        self._svd.components_ = self._svd.components_.astype(np.float32)
        self.dim = dim
        self.fitted = True
        return self

    # --- encoding ----------------------------------------------------------------------
    def _title_block(self, titles: list[str]) -> sp.csr_matrix:
        both = sp.hstack(
            [_l2(self._title.transform(titles)), _l2(self._words.transform(titles))], format="csr", dtype=np.float32
        )
        return _l2(both)

    def _sparse(self, title_block: sp.csr_matrix, skills: list[str]) -> sp.csr_matrix:
        a = title_block * np.float32(np.sqrt(self.TITLE_WEIGHT))
        if not self._has_skills:
            return sp.csr_matrix(a)
        b = _l2(self._skills.transform(skills)) * np.float32(np.sqrt(1 - self.TITLE_WEIGHT))
        return sp.hstack([a, b], format="csr", dtype=np.float32)

    def sparse(
        self, titles: Sequence[str | None], skills: Sequence[Sequence[str] | None] | None = None
    ) -> sp.csr_matrix:
        """Sparse TF-IDF rows (title block and skills block), for exact similarity."""
        self._check()
        t = [canonical_text(x) for x in titles]
        s = [_skills_text(x) for x in (skills or [None] * len(t))]
        return self._sparse(self._title_block(t), s)

    def title_sparse(self, titles: Sequence[str | None]) -> sp.csr_matrix:
        """L2-normalized title-only rows: the occupation/title similarity part."""
        self._check()
        return self._title_block([canonical_text(x) for x in titles])

    def dense(self, titles: Sequence[str | None], skills: Sequence[Sequence[str] | None] | None = None) -> np.ndarray:
        """Dense float32 rows, L2-normalized (cosine = inner product): the ANN index's vectors."""
        return self._project(self.sparse(titles, skills))

    def dense_and_titles(
        self, titles: Sequence[str | None], skills: Sequence[Sequence[str] | None]
    ) -> tuple[np.ndarray, sp.csr_matrix]:
        """``dense`` and ``title_sparse`` of the same records, the title block built once (a
        batch of queries needs both: one to search, one for the exact title cosines)."""
        self._check()
        t = [canonical_text(x) for x in titles]
        tb = self._title_block(t)
        return self._project(self._sparse(tb, [_skills_text(x) for x in skills])), tb

    def _project(self, x: sp.csr_matrix) -> np.ndarray:
        assert self._svd is not None  # set by fit(), which the callers have checked
        d = np.asarray(x @ self._svd.components_.T, dtype=np.float32)
        norms = np.linalg.norm(d, axis=1)
        empty = norms == 0
        if empty.any():  # no title and no skills: a fixed unit vector (hnswlib cannot take zeros)
            d[empty] = 1.0
            norms[empty] = np.sqrt(d.shape[1])
        return d / norms[:, None]

    def _check(self) -> None:
        if not self.fitted:
            raise ConfigError("the text model is not fitted: build the match index first")


class BaselineTfidf:
    """The plain baseline quality is measured against: word TF-IDF of the raw title, cosine."""

    def __init__(self) -> None:
        self._v = TfidfVectorizer()

    def fit(self, titles: Iterable[str]) -> BaselineTfidf:
        self._v.fit([t or "" for t in titles])
        return self

    def transform(self, titles: Iterable[str]) -> sp.csr_matrix:
        return self._v.transform([t or "" for t in titles])
