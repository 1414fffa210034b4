"""Ranked, explained matches: candidates from the ANN index, then exact re-ranking.

``Matcher(store).for_resume(resume_id, k)`` -> vacancies for a job seeker;
``Matcher(store).for_vacancy(vacancy_id, k)`` -> job seekers for a vacancy. The index is brought
up to date (new records added) before the first query of a Matcher.
"""

from __future__ import annotations

import gc
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from kadry.errors import BadRequest
from kadry.match.columns import Columns, encode_records, intern, string_of
from kadry.match.config import MatchConfig
from kadry.match.features import Features
from kadry.match.index import MatchIndex
from kadry.match.records import RESUME_FIELDS, VACANCY_FIELDS, fetch_one
from kadry.match.score import PairScore, pair_score, score_columns

__all__ = ["Match", "MatchResult", "Matcher", "MAX_K"]

MAX_K = 500
_TITLE_CACHE = 200_000
#: at most this many times the candidate count after expanding distinct texts through postings
_EXPAND = 2
#: roles whose records are added by role and skill: at most this many, each with this share of the vote
_ROLES = 2
_ROLE_SHARE = 0.25
#: tables at least this large are moved out of the cycle collector's generations once loaded
_FREEZE_ROWS = 200_000


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
        self._titles: OrderedDict[int, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        #: the matching fields of each table, held in memory (``features``)
        self._features: dict[str, Features] = {}

    def _features_of(self, target: str) -> Features:
        """The table's fields in memory, brought level with the index."""
        f = self._features.get(target)
        if f is None:
            f = self._features[target] = Features(target)
        if f.refresh(self.store.con, self.index.count(target)) and len(f) >= _FREEZE_ROWS:
            # the rows just read (and the index's ids and postings) live as long as the matcher: out of
            # the cycle collector's generations, whose full passes over a million ids took 150-200 ms
            # each, one in every few hundred queries (as servers freeze what they loaded before forking).
            # Only for large tables: what is frozen is never collected as a cycle
            gc.freeze()
        return f

    def _candidates(self, target: str, at: np.ndarray, drop: frozenset[str], extra: np.ndarray | None) -> _Candidates:
        """The candidates at index positions ``at`` that exist, pass the filters and are not in
        ``drop``, then the ``extra`` rows (positions in the features, already filtered) not among them."""
        hard = self.config.hard
        f = self._features_of(target)
        fpos = f.from_index(self._index_ids(target), at, open_only=hard.open_only, skip_duplicates=hard.skip_duplicates)
        if extra is not None and len(extra):
            fpos = np.concatenate([fpos, extra[~np.isin(extra, fpos)]])
        if drop:
            fpos = fpos[~np.isin(fpos, [f.pos[i] for i in drop if i in f.pos])]
        id_column = f.ids
        return _Candidates(lambda j: id_column[fpos[j]], f.id_order()[fpos], fpos)

    def _index_ids(self, target: str) -> list[str]:
        return self.index.tables[target].ids if target in self.index.tables else []

    def _by_role_and_skill(
        self, target: str, qcols: Columns, found: list[tuple[np.ndarray, np.ndarray]], k: int
    ) -> list[np.ndarray]:
        """Per query, candidates the vector search misses: records of its occupation (its own hh
        role when given, else the roles its nearest vectors vote for) that ask for or offer one
        of its skills, fewest skills first, up to max(k, candidates_per_match) per role and skill.

        Why: the occupation part of the score reaches 1 for a record of the voted role whatever
        its title's cosine, and the skills part is the share of the vacancy's skills the person
        has, so a record of the right role listing one of the query's skills can outrank every
        near title. The text vectors rank by cosine and miss such records: at a million
        simulated vacancies, the matcher's top 20 reached 73.7% of its own exact ranking's top-20
        scores without these candidates, 98.5% with them (BENCHMARKS.md)."""
        hard, soft = self.config.hard, self.config.soft
        f = self._features_of(target)
        keys, starts, rows = f.role_skill_postings(open_only=hard.open_only, skip_duplicates=hard.skip_duplicates)
        per = max(k, self.config.index.candidates_per_match)
        empty = np.zeros(0, dtype=np.int64)
        if not len(keys) or f.encoded is None:
            return [empty for _ in found]
        index_ids = self._index_ids(target)
        out = []
        for n, (at, sims) in enumerate(found):
            skills = qcols.skills[qcols.skill_at[n] : qcols.skill_at[n + 1]].astype(np.int64)
            if not len(skills):
                out.append(empty)
                continue
            if qcols.role[n]:
                roles = [int(qcols.role[n])]
            else:
                fpos = f.mapped(index_ids, at)
                held = fpos >= 0
                votes = _votes(f.encoded.role[fpos[held]], sims[held], soft.role_neighbours, soft.role_power)
                total = sum(votes.values())
                best = sorted(votes.items(), key=lambda rv: (-rv[1], string_of(rv[0])))[:_ROLES]
                roles = [r for r, v in best if v >= _ROLE_SHARE * total]
            want = ((np.array(roles, dtype=np.int64)[:, None] << 31) | skills[None, :]).ravel()
            i = np.searchsorted(keys, want)
            i = i[(i < len(keys)) & (keys[np.minimum(i, len(keys) - 1)] == want)]
            parts = [rows[a : min(a + per, b)] for a, b in zip(starts[i].tolist(), starts[i + 1].tolist())]
            got = np.unique(np.concatenate(parts)) if parts else empty
            out.append(got[np.argsort(f.id_order()[got], kind="stable")])  # in id order: stable across loads
        return out

    def _role_affinity(self, own: str | None, roles: np.ndarray, sims: np.ndarray) -> np.ndarray:
        """How much each candidate's hh role agrees with the query's occupation.

        The nearest titles among the candidates vote for roles (``_votes``); a candidate's
        affinity is its role's share of the vote, averaged half-and-half with agreement with
        the query's own role when that is known. Only the other records' roles are used, never
        a label of the query that the store does not hold. ``roles``: role codes.
        """
        soft = self.config.soft
        if soft.role_weight == 0 or not roles.any():
            return np.zeros(len(roles))
        votes = _votes(roles, sims, soft.role_neighbours, soft.role_power)
        total = sum(votes.values())
        share = np.zeros(len(roles))
        if total:
            for r, v in votes.items():
                share[roles == r] = v / total
        if own:
            share = 0.5 * share + 0.5 * (roles == intern([own])[0]).astype(np.float64)
        return share

    def _cache_titles(self, codes: np.ndarray) -> None:
        """Title vectors of the titles not cached yet, in one pass of the text model."""
        cache = self._titles
        todo = [c for c in np.unique(codes).tolist() if c not in cache]
        if todo:
            m = self.index.text_model.title_sparse([string_of(c) for c in todo])
            for n, c in enumerate(todo):
                a, b = m.indptr[n], m.indptr[n + 1]
                cache[c] = (m.indices[a:b].copy(), m.data[a:b].copy())

    def _title_sims(self, q: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Exact title cosines of the query's title vector ``q`` (dense) with each candidate's title,
        once per distinct title (titles recur a lot; ``_rerank_many`` has cached their vectors)."""
        cache = self._titles
        uniq, inverse = np.unique(codes, return_inverse=True)
        out = np.empty(len(uniq), dtype=np.float32)
        for n, c in enumerate(uniq.tolist()):
            idx, data = cache[c]
            cache.move_to_end(c)
            out[n] = float(q[idx] @ data)
        return out[inverse.ravel()]

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
        qvecs, qtitles = model.dense_and_titles([q.get("title") for q in queries], [q.get("skills") for q in queries])
        # n_cand distinct vectors, each expanded through its postings: up to max(k, candidates_per_match)
        # records per vector (so the k nearest are always among them), _EXPAND * n_cand in all.
        # Records sharing a vector differ in salary, place, experience: the re-ranking tells them apart
        per_vector = max(k, cfg.index.candidates_per_match)
        found = self.index.search_positions(target, qvecs, _EXPAND * n_cand, distinct=n_cand, per_vector=per_vector)
        qcols = encode_records(queries, "resumes" if target == "vacancies" else "vacancies")
        extra = self._by_role_and_skill(target, qcols, found, k)
        return self._rerank_many(queries, target, k, [at for at, _ in found], exclude, qtitles, extra, qcols)

    def _rerank_many(
        self,
        queries: list[dict],
        target: str,
        k: int,
        found: list[np.ndarray],
        exclude: frozenset[str],
        qtitles: sp.csr_matrix | None = None,
        extra: list[np.ndarray] | None = None,
        qcols: Columns | None = None,
    ) -> list[MatchResult]:
        """Exact scoring of every query's candidates on all parts, the whole batch in one set of
        columns (each candidate paired with its query); only the k shown are explained pair by
        pair. Fields, title vectors and the rows shown are read once for the batch."""
        cfg = self.config
        if qcols is None:
            qcols = encode_records(queries, "resumes" if target == "vacancies" else "vacancies")
        if qtitles is None:
            qtitles = self.index.text_model.title_sparse([q.get("title") for q in queries])
        picked = []
        for n, (query, at) in enumerate(zip(queries, found)):
            own_id = query.get("vacancy_id") or query.get("resume_id")
            drop = exclude | {own_id} if own_id else exclude
            picked.append(self._candidates(target, at, drop, extra[n] if extra is not None else None))
        bounds = np.cumsum([0] + [len(c.order) for c in picked])
        f = self._features_of(target)
        at = np.concatenate([c.fpos for c in picked] + [np.zeros(0, np.int64)])
        cols = f.encoded.take(at) if f.encoded is not None else encode_records([], target)
        self._cache_titles(cols.title)
        sims = np.zeros(len(cols), dtype=np.float32)
        affinity = np.zeros(len(cols), dtype=np.float64)
        q = np.zeros(qtitles.shape[1], dtype=np.float32)  # one query's title vector, dense, in turn
        for n, query in enumerate(queries):
            a, b = bounds[n], bounds[n + 1]
            if a == b:
                continue
            nz = slice(qtitles.indptr[n], qtitles.indptr[n + 1])
            q[qtitles.indices[nz]] = qtitles.data[nz]
            sims[a:b] = self._title_sims(q, cols.title[a:b])
            q[qtitles.indices[nz]] = 0.0
            affinity[a:b] = self._role_affinity(query.get("role_id"), cols.role[a:b], sims[a:b])
        scored = score_columns(qcols, cols, sims, affinity, cfg, of=np.repeat(np.arange(len(queries)), np.diff(bounds)))
        excluded = scored.excluded
        order = np.concatenate([c.order for c in picked] + [np.zeros(0, np.int64)])
        chosen = [_best(scored.score, excluded, order, bounds[n], bounds[n + 1], k) for n in range(len(queries))]
        shown_at = np.concatenate([at[sel] for sel in chosen] + [np.zeros(0, np.int64)])
        flat = f.rows_at(shown_at)
        ends = np.cumsum([len(sel) for sel in chosen])
        rows = [flat[e - len(sel) : e] for sel, e in zip(chosen, ends.tolist())]
        out = []
        for n, (query, cand, sel, shown) in enumerate(zip(queries, picked, chosen, rows)):
            matches = []
            for rank, (j, row) in enumerate(zip(sel.tolist(), shown)):
                resume, vacancy = (query, row) if target == "vacancies" else (row, query)
                detail = pair_score(scored, j, resume, vacancy, float(sims[j]), float(affinity[j]), cfg)
                matches.append(Match(rank + 1, cand.id_of(j - int(bounds[n])), detail.score, detail, row))
            dropped = int(excluded[bounds[n] : bounds[n + 1]].sum())
            out.append(MatchResult(_direction(target), _public(query, target), matches, len(cand.order), dropped))
        while len(self._titles) > _TITLE_CACHE:
            self._titles.popitem(last=False)
        return out


def _best(score: np.ndarray, excluded: np.ndarray, order: np.ndarray, a: int, b: int, k: int) -> np.ndarray:
    """The k best of rows a..b not excluded: by score rounded as shown, then by id (``order``)."""
    kept = a + np.flatnonzero(~excluded[a:b])
    if len(kept) > k:  # only scores that can reach the k-th place (after rounding) are sorted
        floor = np.partition(score[kept], len(kept) - k)[len(kept) - k]
        kept = kept[score[kept] >= floor - 1e-6]
    shown = np.array([round(v, 6) for v in score[kept].tolist()], dtype=np.float64)
    return kept[np.lexsort((order[kept], -shown))][:k]  # lexsort: the last key sorts first


@dataclass
class _Candidates:
    """One query's candidates: the id of the j-th, each one's place in id order (the tie-break),
    and their positions in the in-memory features."""

    id_of: Callable[[int], str]
    order: np.ndarray
    fpos: np.ndarray


def _votes(roles: np.ndarray, sims: np.ndarray, neighbours: int, power: float) -> dict[int, float]:
    """The roles (codes, 0 none) of the ``neighbours`` most similar records, each vote weighted
    by its similarity to ``power`` (near titles count far more)."""
    votes: dict[int, float] = {}
    for j in np.argsort(-sims, kind="stable")[:neighbours].tolist():
        r = int(roles[j])
        if r:
            votes[r] = votes.get(r, 0.0) + max(float(sims[j]), 0.0) ** power
    return votes


def _direction(target: str) -> str:
    return "resume" if target == "vacancies" else "vacancy"


def _public(query: dict, target: str) -> dict:
    fields = RESUME_FIELDS if target == "vacancies" else VACANCY_FIELDS
    return {f: query.get(f) for f in fields if f in query}
