"""Ranked, explained matches: candidates from the ANN index, then exact re-ranking.

``Matcher(store).for_resume(resume_id, k)`` -> vacancies for a job seeker;
``Matcher(store).for_vacancy(vacancy_id, k)`` -> job seekers for a vacancy. The index is brought
up to date (new records added) before the first query of a Matcher.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from kadry.errors import BadRequest
from kadry.match.config import MatchConfig
from kadry.match.features import Features
from kadry.match.index import MatchIndex
from kadry.match.records import RESUME_FIELDS, VACANCY_FIELDS, fetch, fetch_one
from kadry.match.score import PairScore, score_pair

__all__ = ["Match", "MatchResult", "Matcher", "MAX_K"]

MAX_K = 500
_TITLE_CACHE = 200_000
#: at most this many times the candidate count after expanding distinct texts through postings
_EXPAND = 2


@dataclass
class Match:
    rank: int
    id: str
    score: float
    detail: PairScore
    #: the other side's fields used for the match
    record: dict

    def to_dict(self) -> dict:
        d = self.detail.to_dict()
        return {
            "rank": self.rank,
            "id": self.id,
            "score": self.score,
            **{k: v for k, v in d.items() if k != "score"},
            "record": self.record,
        }


@dataclass
class MatchResult:
    direction: str  # "resume" (vacancies for a resume) or "vacancy" (resumes for a vacancy)
    query: dict
    matches: list[Match]
    candidates: int
    excluded: int

    def to_dict(self) -> dict:
        return {
            "direction": self.direction,
            "query": self.query,
            "candidates": self.candidates,
            "excluded": self.excluded,
            "matches": [m.to_dict() for m in self.matches],
        }


class Matcher:
    """Matching over one store with one configuration."""

    def __init__(
        self, store, config: MatchConfig | None = None, *, index: MatchIndex | None = None, update: bool = True
    ) -> None:
        self.store = store
        self.config = config or MatchConfig()
        self.index = index or MatchIndex(store, self.config)
        if update:
            self.index.update()
        self._titles: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        #: candidate rows in memory per table (``in_memory=False``: fetched from the store per query)
        self.in_memory = True
        self._features: dict[str, Features] = {}

    def _rows(self, target: str, ids: list[str]) -> dict[str, dict]:
        """Candidate rows: from the in-memory features, brought level with the index first."""
        hard = self.config.hard
        if not self.in_memory:
            return fetch(self.store.con, target, ids, open_only=hard.open_only, skip_duplicates=hard.skip_duplicates)
        f = self._features.get(target)
        if f is None:
            f = self._features[target] = Features(target)
        f.refresh(self.store.con, self.index.count(target))
        return f.rows(ids, open_only=hard.open_only, skip_duplicates=hard.skip_duplicates)

    def _role_affinity(self, own: str | None, roles: list[str | None], sims: np.ndarray) -> np.ndarray:
        """How much each candidate's hh role agrees with the query's occupation.

        The nearest titles among the candidates vote for roles (weight: similarity to a power);
        a candidate's affinity is its role's share of the vote, averaged half-and-half with
        agreement with the query's own role when that is known. Only the other records' roles
        are used, never a label of the query that the store does not hold.
        """
        soft = self.config.soft
        if soft.role_weight == 0 or not any(roles):
            return np.zeros(len(roles))
        order = np.argsort(-sims, kind="stable")[: soft.role_neighbours]
        votes: dict[str, float] = {}
        for j in order:
            if roles[j]:
                votes[roles[j]] = votes.get(roles[j], 0.0) + max(float(sims[j]), 0.0) ** soft.role_power
        total = sum(votes.values())
        share = np.array([votes.get(r, 0.0) / total if total and r else 0.0 for r in roles])
        if own:
            share = 0.5 * share + 0.5 * np.array([1.0 if r == own else 0.0 for r in roles])
        return share

    def _title_sims(self, title: str | None, ids: list[str], rows: dict[str, dict]) -> np.ndarray:
        """Exact title cosines; title vectors are cached by title (titles recur a lot)."""
        model = self.index.text_model
        cache = self._titles
        titles = [rows[i]["title"] or "" for i in ids]
        todo = list(dict.fromkeys(t for t in titles if t not in cache))
        if todo:
            m = model.title_sparse(todo)
            for n, t in enumerate(todo):
                a, b = m.indptr[n], m.indptr[n + 1]
                cache[t] = (m.indices[a:b].copy(), m.data[a:b].copy())
        q = np.asarray(model.title_sparse([title]).todense(), dtype=np.float32).ravel()
        out = np.empty(len(ids), dtype=np.float32)
        for n, t in enumerate(titles):
            idx, data = cache[t]
            cache.move_to_end(t)
            out[n] = float(q[idx] @ data)
        while len(cache) > _TITLE_CACHE:
            cache.popitem(last=False)
        return out

    def for_resume(self, resume_id: str, k: int = 20) -> MatchResult:
        resume = fetch_one(self.store.con, "resumes", resume_id)
        return self.rank_vacancies(resume, k)

    def for_vacancy(self, vacancy_id: str, k: int = 20) -> MatchResult:
        vacancy = fetch_one(self.store.con, "vacancies", vacancy_id)
        return self.rank_resumes(vacancy, k)

    # the two directions share one routine; they differ in which side is the query
    def rank_vacancies(self, resume: dict, k: int = 20, *, exclude: frozenset[str] = frozenset()) -> MatchResult:
        """Vacancies for a resume given as a dict of ``RESUME_FIELDS`` (need not be stored).

        ``exclude``: ids never to consider, not even as votes on the occupation (evaluation
        holds a query's own source record out this way).
        """
        return self._rank(resume, "vacancies", k, exclude)

    def rank_resumes(self, vacancy: dict, k: int = 20, *, exclude: frozenset[str] = frozenset()) -> MatchResult:
        """Resumes for a vacancy given as a dict of ``VACANCY_FIELDS``."""
        return self._rank(vacancy, "resumes", k, exclude)

    def rank_vacancies_many(self, resumes: list[dict], k: int = 20) -> list[MatchResult]:
        """``rank_vacancies`` for many resumes at once: one encoding and one index search for all."""
        return self._rank_many(resumes, "vacancies", k)

    def rank_resumes_many(self, vacancies: list[dict], k: int = 20) -> list[MatchResult]:
        """``rank_resumes`` for many vacancies at once."""
        return self._rank_many(vacancies, "resumes", k)

    def _rank(self, query: dict, target: str, k: int, exclude: frozenset[str] = frozenset()) -> MatchResult:
        return self._rank_many([query], target, k, exclude)[0]

    def _rank_many(
        self, queries: list[dict], target: str, k: int, exclude: frozenset[str] = frozenset()
    ) -> list[MatchResult]:
        if not isinstance(k, int) or k < 1 or k > MAX_K:
            raise BadRequest(f"k must be between 1 and {MAX_K}, got {k}", k=k)
        for query in queries:
            if not (query.get("title") or query.get("skills")):
                raise BadRequest("the record has neither a title nor skills to match on")
        if not queries:
            return []
        cfg = self.config
        model = self.index.text_model
        n_cand = max(k * cfg.index.candidates_per_match, cfg.index.min_candidates)
        qvecs = model.dense([q.get("title") for q in queries], [q.get("skills") for q in queries])
        # n_cand distinct vectors, each expanded through its postings: up to max(k, candidates_per_match)
        # records per vector (so the k nearest are always among them), _EXPAND * n_cand in all.
        # Records sharing a vector differ in salary, place, experience: the re-ranking tells them apart
        per_vector = max(k, cfg.index.candidates_per_match)
        found = self.index.search(target, qvecs, _EXPAND * n_cand, distinct=n_cand, per_vector=per_vector)
        return [self._rerank(q, target, k, hits, exclude) for q, hits in zip(queries, found)]

    def _rerank(
        self, query: dict, target: str, k: int, hits: list[tuple[str, float]], exclude: frozenset[str]
    ) -> MatchResult:
        """Exact scoring of one query's candidates on all parts."""
        cfg = self.config
        own_id = query.get("vacancy_id") or query.get("resume_id")
        ids = [i for i, _ in hits if i != own_id and i not in exclude]
        rows = self._rows(target, ids)
        ids = [i for i in ids if i in rows]
        if not ids:
            return MatchResult(_direction(target), _public(query, target), [], 0, 0)
        sims = self._title_sims(query.get("title"), ids, rows)
        affinity = self._role_affinity(query.get("role_id"), [rows[i].get("role_id") for i in ids], sims)
        scored = []
        excluded = 0
        for i, sim, aff in zip(ids, sims, affinity):
            resume, vacancy = (query, rows[i]) if target == "vacancies" else (rows[i], query)
            s = score_pair(resume, vacancy, float(sim), cfg, float(aff))
            if s.excluded:
                excluded += 1
                continue
            scored.append((s.score, i, s))
        scored.sort(key=lambda x: (-x[0], x[1]))
        matches = [Match(r + 1, i, sc, s, rows[i]) for r, (sc, i, s) in enumerate(scored[:k])]
        return MatchResult(_direction(target), _public(query, target), matches, len(ids), excluded)


def _direction(target: str) -> str:
    return "resume" if target == "vacancies" else "vacancy"


def _public(query: dict, target: str) -> dict:
    fields = RESUME_FIELDS if target == "vacancies" else VACANCY_FIELDS
    return {f: query.get(f) for f in fields if f in query}
