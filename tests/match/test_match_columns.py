"""The columnar scorer against the per-pair rules it replaced: same parts, scores, exclusions.

``reference_score`` below is the per-pair implementation as it stood before the rules became
columns (kept here verbatim as the oracle); Hypothesis draws records with every shape a field can
take (None, empty, blanks, NaN, zero, unknown bands, lists with None) and both directions.
"""

from __future__ import annotations

import math
import random
from datetime import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kadry.match.columns import encode_records
from kadry.match.config import MatchConfig
from kadry.match.engine import Matcher
from kadry.match.records import fetch
from kadry.match.score import PART_NAMES, PairScore, Parts, score_columns, score_pair
from kadry.match.text import canonical_skill
from kadry.schema import EXPERIENCE_BANDS

_BAND = {b: i for i, b in enumerate(EXPERIENCE_BANDS)}


def _title(sim: float, role_affinity: float, cfg: MatchConfig) -> float:
    sim = min(max(float(sim), 0.0), 1.0)
    return sim + cfg.soft.role_weight * (1.0 - sim) * min(max(role_affinity, 0.0), 1.0)


def _skills(resume: dict, vacancy: dict) -> tuple[float | None, list[str], list[str]]:
    wanted = {canonical_skill(s): s for s in (vacancy.get("skills") or []) if s}
    if not wanted:
        return None, [], []
    have = {canonical_skill(s) for s in (resume.get("skills") or []) if s}
    matched = [wanted[k] for k in wanted if k in have]
    missing = [wanted[k] for k in wanted if k not in have]
    if not have:
        return None, [], missing
    return len(matched) / len(wanted), matched, missing


def _salary(resume: dict, vacancy: dict, cfg: MatchConfig) -> tuple[float | None, str | None]:
    expected = resume.get("salary_rub")
    top = next((vacancy.get(k) for k in ("salary_rub_to", "salary_rub", "salary_rub_from") if vacancy.get(k)), None)
    if not expected or not top or expected != expected or top != top:
        return None, None
    if expected <= top:
        return 1.0, None
    excess = (expected - top) / top
    limit = cfg.hard.max_salary_excess
    if limit is not None and excess > limit:
        return 0.0, f"expected salary is {excess:.0%} above the offer (limit {limit:.0%})"
    return max(0.0, 1.0 - excess / cfg.soft.salary_tolerance), None


def _place(resume: dict, vacancy: dict, cfg: MatchConfig) -> tuple[float | None, str | None]:
    if vacancy.get("remote") and resume.get("remote") is not False:
        return 1.0, None
    rr, vr = resume.get("region_code"), vacancy.get("region_code")
    rc, vc = resume.get("country_code"), vacancy.get("country_code")
    if rr and vr and rr == vr:
        return 1.0, None
    ready = resume.get("ready_to_relocate")
    if rc and vc and rc != vc:
        countries = resume.get("relocation_countries") or []
        willing = ready is True and (not countries or vc in countries)
        if willing:
            return cfg.soft.relocate_abroad, None
        if cfg.hard.relocation_abroad and (ready is False or (ready is True and countries)):
            return 0.0, f"on-site work in {vc}; the person is not ready to relocate there"
        return cfg.soft.other_region, None
    if rr and vr:  # same country (or country unknown on one side), other region
        if ready is True:
            return cfg.soft.relocate_region, None
        if ready is False and cfg.hard.relocation_region:
            return 0.0, f"on-site work in {vr}; the person is not ready to relocate"
        return cfg.soft.other_region, None
    return None, None


def _experience(resume: dict, vacancy: dict, cfg: MatchConfig) -> tuple[float | None, str | None]:
    r, v = _BAND.get(resume.get("experience") or ""), _BAND.get(vacancy.get("experience") or "")
    if r is None or v is None:
        return None, None
    gap = v - r
    if gap > 0:
        limit = cfg.hard.max_experience_gap
        if limit is not None and gap >= limit:
            return 0.0, f"lacks {gap} experience band(s) (limit {limit})"
        return max(0.0, 1.0 - gap * cfg.soft.experience_step), None
    if gap <= -2:
        return max(0.0, 1.0 - (-gap - 1) * cfg.soft.overqualified_step), None
    return 1.0, None


def reference_score(
    resume: dict, vacancy: dict, title_similarity: float, cfg: MatchConfig, role_affinity: float = 0.0
) -> PairScore:
    """The per-pair rules as they were written before the columnar scorer (the oracle).

    ``title_similarity`` is the exact cosine of their title vectors; ``role_affinity`` (0..1) how
    much the other side's hh role agrees with the query's occupation (see ``engine``).
    """
    unknown = cfg.soft.unknown
    title = _title(title_similarity, role_affinity, cfg)
    skills, matched, missing = _skills(resume, vacancy)
    salary, why_salary = _salary(resume, vacancy, cfg)
    place, why_place = _place(resume, vacancy, cfg)
    experience, why_exp = _experience(resume, vacancy, cfg)
    known = {
        "title": True,
        "skills": skills is not None,
        "salary": salary is not None,
        "place": place is not None,
        "experience": experience is not None,
    }
    parts = Parts(
        title=title,
        skills=unknown if skills is None else skills,
        salary=unknown if salary is None else salary,
        place=unknown if place is None else place,
        experience=unknown if experience is None else experience,
    )
    w = cfg.weights
    weights = {"title": w.title, "skills": w.skills, "salary": w.salary, "place": w.place, "experience": w.experience}
    total = sum(weights.values()) or 1.0
    score = sum(weights[k] * getattr(parts, k) for k in PART_NAMES) / total
    excluded = why_place or why_exp or why_salary
    if excluded is None and title_similarity < cfg.hard.min_title_similarity:
        excluded = f"title similarity {title_similarity:.2f} below {cfg.hard.min_title_similarity:.2f}"
    return PairScore(
        round(score, 6),
        parts,
        known,
        matched,
        missing,
        excluded,
        round(float(title_similarity), 6),
        round(float(role_affinity), 6),
    )


SKILLS = st.lists(
    st.sampled_from(["Python", "python ", "SQL", "sql", "  ", "", "Ёлка", "елка", "Git", "1С"]), max_size=5
)
PLACES = st.sampled_from([None, "", "RU-MOW", "RU-SPE", "BY-HM"])
COUNTRIES = st.sampled_from([None, "", "RU", "BY", "KZ"])
MONEY = st.sampled_from([None, 0.0, 50_000.0, 100_000.0, 150_000.0, 400_000.0, float("nan"), -10.0])
BANDS = st.sampled_from([None, "", "weird", *EXPERIENCE_BANDS])
FLAG = st.sampled_from([None, True, False])

RESUME = st.fixed_dictionaries(
    {
        "title": st.sampled_from([None, "", "Python developer"]),
        "role_id": st.sampled_from([None, "96"]),
        "region_code": PLACES,
        "country_code": COUNTRIES,
        "remote": FLAG,
        "salary_rub": MONEY,
        "experience": BANDS,
        "skills": st.one_of(st.none(), SKILLS),
        "ready_to_relocate": FLAG,
        "relocation_countries": st.one_of(st.none(), st.lists(COUNTRIES, max_size=3)),
    }
)
VACANCY = st.fixed_dictionaries(
    {
        "title": st.sampled_from([None, "Python developer"]),
        "role_id": st.sampled_from([None, "96"]),
        "region_code": PLACES,
        "country_code": COUNTRIES,
        "remote": FLAG,
        "salary_rub": MONEY,
        "salary_rub_from": MONEY,
        "salary_rub_to": MONEY,
        "experience": BANDS,
        "skills": st.one_of(st.none(), SKILLS),
    }
)
CONFIGS = [
    MatchConfig(),
    MatchConfig.model_validate(
        {
            "hard": {
                "relocation_region": True,
                "max_experience_gap": 2,
                "max_salary_excess": 0.3,
                "min_title_similarity": 0.4,
            },
            "weights": {"skills": 2.0, "salary": 0.0},
        }
    ),
]


def _same(a: PairScore, b: PairScore) -> None:
    da, db = a.to_dict(), b.to_dict()
    for key in ("parts", "known", "matched_skills", "missing_skills", "excluded", "title_similarity", "role_affinity"):
        assert da[key] == db[key], key
    assert a.score == b.score or (math.isnan(a.score) and math.isnan(b.score))


@settings(max_examples=400, deadline=None)
@given(resume=RESUME, vacancy=VACANCY, sim=st.floats(-0.2, 1.2), aff=st.floats(0, 1), cfg=st.sampled_from(CONFIGS))
def test_one_pair_scores_as_the_reference(resume, vacancy, sim, aff, cfg):
    _same(score_pair(resume, vacancy, sim, cfg, aff), reference_score(resume, vacancy, sim, cfg, aff))


@settings(max_examples=150, deadline=None)
@given(
    query=st.one_of(RESUME.map(lambda r: ("resumes", r)), VACANCY.map(lambda v: ("vacancies", v))),
    cands=st.lists(st.tuples(RESUME, VACANCY, st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=12),
    cfg=st.sampled_from(CONFIGS),
)
def test_a_query_against_many_scores_each_pair_as_the_reference(query, cands, cfg):
    """One query against a whole candidate set in columns gives each pair's reference score."""
    kind, q = query
    other = "vacancies" if kind == "resumes" else "resumes"
    records = [v if other == "vacancies" else r for r, v, _, _ in cands]
    sims = np.array([s for _, _, s, _ in cands], dtype=np.float32)
    affs = np.array([a for _, _, _, a in cands])
    scored = score_columns(encode_records([q], kind), encode_records(records, other), sims, affs, cfg)
    for j, rec in enumerate(records):
        resume, vacancy = (q, rec) if kind == "resumes" else (rec, q)
        want = reference_score(resume, vacancy, float(sims[j]), cfg, float(affs[j]))
        assert bool(scored.excluded[j]) == (want.excluded is not None)
        assert round(float(scored.score[j]), 6) == want.score
        assert {k: float(v[j]) for k, v in scored.parts.items()} == want.parts.__dict__


@settings(max_examples=100, deadline=None)
@given(
    kind=st.sampled_from(["resumes", "vacancies"]),
    batch=st.lists(
        st.tuples(
            st.tuples(RESUME, VACANCY),
            st.lists(st.tuples(RESUME, VACANCY, st.floats(0, 1), st.floats(0, 1)), min_size=0, max_size=6),
        ),
        min_size=1,
        max_size=5,
    ),
    cfg=st.sampled_from(CONFIGS),
)
def test_many_queries_each_with_its_candidates_score_as_the_reference(kind, batch, cfg):
    """A batch in one set of columns (each candidate paired with its own query through ``of``):
    every pair scores as the reference does, so no query's lists leak into another's pairs."""
    other = "vacancies" if kind == "resumes" else "resumes"
    pick = 0 if kind == "resumes" else 1
    queries = [q[pick] for q, _ in batch]
    pairs = [(n, c[1 - pick], c[2], c[3]) for n, (_, cands) in enumerate(batch) for c in cands]
    sims = np.array([s for _, _, s, _ in pairs], dtype=np.float32)
    affs = np.array([a for _, _, _, a in pairs])
    of = np.array([n for n, _, _, _ in pairs], dtype=np.int64)
    records = [rec for _, rec, _, _ in pairs]
    scored = score_columns(encode_records(queries, kind), encode_records(records, other), sims, affs, cfg, of=of)
    for j, (n, rec, _, _) in enumerate(pairs):
        resume, vacancy = (queries[n], rec) if kind == "resumes" else (rec, queries[n])
        want = reference_score(resume, vacancy, float(sims[j]), cfg, float(affs[j]))
        assert bool(scored.excluded[j]) == (want.excluded is not None)
        assert round(float(scored.score[j]), 6) == want.score
        assert {k: float(v[j]) for k, v in scored.parts.items()} == want.parts.__dict__


# --- the whole re-ranking against the per-pair engine it replaced ---------------------------------
TITLES = ["Python-разработчик", "Frontend developer", "Менеджер по продажам", "Водитель", "Бухгалтер", None]


def _random_records(rng: random.Random, n: int) -> tuple[list[dict], list[dict]]:
    def pick(xs):
        return rng.choice(xs)

    vacancies = [
        dict(
            vacancy_id=f"t:v{i}",
            source="t",
            title=pick(TITLES[:-1]),
            role_id=pick([None, "96", "70", "21"]),
            region_code=pick(["RU-MOW", "RU-SPE", None, "BY-HM"]),
            country_code=pick(["RU", "BY", None]),
            remote=pick([None, True, False]),
            salary_rub=pick([None, 60_000.0, 120_000.0]),
            salary_rub_to=pick([None, 150_000.0, 250_000.0]),
            experience=pick([None, *EXPERIENCE_BANDS]),
            skills=rng.sample(["Python", "SQL", "Git", "React", "CRM", "Excel"], rng.randint(0, 3)),
            closed_at=pick([None] * 5 + [datetime(2026, 1, 1)]),
        )
        for i in range(n)
    ]
    resumes = [
        dict(
            resume_id=f"t:r{i}",
            source="t",
            title=pick(TITLES),
            role_id=pick([None, "96", "70"]),
            region_code=pick(["RU-MOW", "RU-SPE", None]),
            country_code=pick(["RU", "BY", None]),
            remote=pick([None, True, False]),
            salary_rub=pick([None, 90_000.0, 200_000.0, 400_000.0]),
            experience=pick([None, *EXPERIENCE_BANDS]),
            skills=rng.sample(["python", "sql ", "Git", "react", "Excel"], rng.randint(0, 3)) or pick([None, []]),
            ready_to_relocate=pick([None, True, False]),
            relocation_countries=pick([None, [], ["BY"], ["RU", "KZ"]]),
        )
        for i in range(n)
    ]
    return vacancies, resumes


def _old_affinity(cfg, own, roles, sims):
    """The role vote as the per-pair engine wrote it (dicts of role strings)."""
    soft = cfg.soft
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


def _old_rerank(matcher, query, target, k, ids):
    """Candidates fetched from the store as dicts, cosines title by title, every pair scored alone."""
    cfg = matcher.config
    rows = fetch(matcher.store.con, target, ids, open_only=cfg.hard.open_only, skip_duplicates=cfg.hard.skip_duplicates)
    ids = [i for i in ids if i in rows]
    model = matcher.index.text_model
    q = np.asarray(model.title_sparse([query.get("title")]).todense(), dtype=np.float32).ravel()
    m = model.title_sparse([rows[i]["title"] or "" for i in ids])
    sims = np.array(
        [
            float(q[m.indices[m.indptr[n] : m.indptr[n + 1]]] @ m.data[m.indptr[n] : m.indptr[n + 1]])
            for n in range(len(ids))
        ],
        dtype=np.float32,
    )
    aff = _old_affinity(cfg, query.get("role_id"), [rows[i].get("role_id") for i in ids], sims)
    scored, excluded = [], 0
    for i, sim, a in zip(ids, sims, aff):
        resume, vacancy = (query, rows[i]) if target == "vacancies" else (rows[i], query)
        s = reference_score(resume, vacancy, float(sim), cfg, float(a))
        if s.excluded:
            excluded += 1
            continue
        scored.append((s.score, i, s))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [(i, s.to_dict()) for _, i, s in scored[:k]], len(ids), excluded


@pytest.mark.parametrize("cfg", CONFIGS, ids=["default", "strict"])
def test_rerank_equals_the_per_pair_engine(new_store, cfg):
    """Every query of a random store against every record of the other table: the same ranking,
    scores, explanations, candidate and exclusion counts as the per-pair engine gave."""
    vacancies, resumes = _random_records(random.Random(7), 120)
    store = new_store(vacancies=vacancies, resumes=resumes)
    matcher = Matcher(store, cfg)
    for target, queries, others in (("vacancies", resumes, vacancies), ("resumes", vacancies, resumes)):
        all_ids = list(matcher.index.tables[target].ids)  # every record, in the index's order
        assert len(all_ids) == len(others)
        for query in queries[:25]:
            got = matcher._rerank_many([query], target, 15, [np.arange(len(all_ids))], frozenset())[0]
            want, n, excluded = _old_rerank(matcher, query, target, 15, all_ids)
            assert (got.candidates, got.excluded) == (n, excluded)
            assert [(m.id, m.detail.to_dict()) for m in got.matches] == want
        # a batch, each query with its own random candidate set (some empty), in one set of columns
        rng = np.random.default_rng(3)
        batch = queries[25:40]
        found = [rng.choice(len(all_ids), size=rng.integers(0, 40), replace=False) for _ in batch]
        for query, at, got in zip(batch, found, matcher._rerank_many(batch, target, 7, found, frozenset())):
            want, n, excluded = _old_rerank(matcher, query, target, 7, [all_ids[p] for p in at])
            assert (got.candidates, got.excluded) == (n, excluded)
            assert [(m.id, m.detail.to_dict()) for m in got.matches] == want
