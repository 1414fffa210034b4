"""The score of (resume, vacancy) pairs, with their parts and the reason for an exclusion.

The rules run on columns (``score_columns``: a batch of queries against all their candidates at
once, on ``columns.Columns``); ``score_pair`` is the same rules on one pair, and ``pair_score``
explains one pair of a scored set (matched and missing skills, the reason). Each part lies in
[0, 1]; a part that cannot be judged (no salary given, unknown region) takes the configured
``unknown`` value rather than being dropped, so that a record with little data neither wins nor
loses by it. The score is the weighted mean of the parts. Inputs are the fields in
``records.RESUME_FIELDS`` / ``VACANCY_FIELDS`` only: never age band or gender.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from types import SimpleNamespace

import numpy as np

from kadry.match.columns import PER_ROW, Columns, encode_records
from kadry.match.config import MatchConfig
from kadry.match.text import canonical_skill

__all__ = ["Parts", "PairScore", "Scored", "score_columns", "score_pair", "pair_score", "PART_NAMES"]

PART_NAMES = ("title", "skills", "salary", "place", "experience")


@dataclass
class Parts:
    title: float
    skills: float
    salary: float
    place: float
    experience: float


@dataclass
class PairScore:
    score: float
    parts: Parts
    #: which parts could be judged (False: the ``unknown`` value was used)
    known: dict[str, bool]
    matched_skills: list[str] = field(default_factory=list)
    missing_skills: list[str] = field(default_factory=list)
    #: why the pair is excluded by a hard constraint (None: it is not)
    excluded: str | None = None
    #: the plain title cosine and the role agreement that make up the title part
    title_similarity: float = 0.0
    role_affinity: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def _skills(resume: dict, vacancy: dict) -> tuple[list[str], list[str]]:
    """The vacancy's skills the person has and lacks, as the vacancy writes them (the explanation;
    the part itself is counted on canonical codes by ``score_columns``, the same comparison)."""
    wanted = {canonical_skill(s): s for s in (vacancy.get("skills") or []) if s}
    have = {canonical_skill(s) for s in (resume.get("skills") or []) if s}
    matched = [wanted[k] for k in wanted if k in have]
    missing = [wanted[k] for k in wanted if k not in have]
    return (matched, missing) if have else ([], missing)


@dataclass
class Scored:
    """The rules' results for many pairs, in columns: parts, which were known, the score, and per
    rule the pairs it excludes (the reason is worded only for the pairs shown, by ``reason``)."""

    score: np.ndarray
    parts: dict[str, np.ndarray]
    known: dict[str, np.ndarray]
    salary_excess: np.ndarray
    gap: np.ndarray
    out_salary: np.ndarray
    out_abroad: np.ndarray
    out_region: np.ndarray
    out_experience: np.ndarray
    out_title: np.ndarray

    @property
    def excluded(self) -> np.ndarray:
        return self.out_salary | self.out_abroad | self.out_region | self.out_experience | self.out_title

    def reason(self, j: int, vacancy_region: str, vacancy_country: str, sim: float, cfg: MatchConfig) -> str | None:
        """Why pair ``j`` is excluded (place first, then experience, salary, title), or None."""
        if self.out_abroad[j]:
            return f"on-site work in {vacancy_country}; the person is not ready to relocate there"
        if self.out_region[j]:
            return f"on-site work in {vacancy_region}; the person is not ready to relocate"
        if self.out_experience[j]:
            return f"lacks {int(self.gap[j])} experience band(s) (limit {cfg.hard.max_experience_gap})"
        if self.out_salary[j]:
            limit = cfg.hard.max_salary_excess
            return f"expected salary is {self.salary_excess[j]:.0%} above the offer (limit {limit:.0%})"
        if self.out_title[j]:
            return f"title similarity {sim:.2f} below {cfg.hard.min_title_similarity:.2f}"
        return None


def _pair_member(
    at: np.ndarray, values: np.ndarray, of: np.ndarray, probe_at: np.ndarray, probe: np.ndarray
) -> np.ndarray:
    """Per row j of a CSR list (offsets ``at``): how many of its values are in row ``of[j]`` of
    the CSR list ``probe`` (each pair's own query). (query row, code) keys, looked up in the
    sorted probe keys: the probe is the batch's few queries, the values all their candidates."""
    shift = np.int64(1) << 31  # codes are int32
    keys = np.repeat(of.astype(np.int64), np.diff(at)) * shift + values
    probe_keys = np.sort(np.repeat(np.arange(len(probe_at) - 1, dtype=np.int64), np.diff(probe_at)) * shift + probe)
    if len(probe_keys):
        hit = probe_keys[np.minimum(np.searchsorted(probe_keys, keys), len(probe_keys) - 1)] == keys
    else:
        hit = np.zeros(len(keys), dtype=bool)
    csum = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(hit, out=csum[1:])
    return csum[at[1:]] - csum[at[:-1]]


def score_columns(
    query: Columns,
    cand: Columns,
    sim: np.ndarray,
    affinity: np.ndarray,
    cfg: MatchConfig,
    of: np.ndarray | None = None,
) -> Scored:
    """Every rule for many pairs at once: each row of ``cand`` against its query, row ``of[j]`` of
    ``query`` (the other table; ``of`` None: ``query`` holds one record, paired with every row).

    Each part lies in [0, 1] or is unknown (the configured ``unknown`` value); the score is the
    weighted mean of the parts. A hard constraint excludes a pair (``Scored.excluded``).
    """
    soft, hard = cfg.soft, cfg.hard
    n = len(cand)
    of = np.zeros(n, dtype=np.int64) if of is None else of
    # the query's fields repeated for its pairs; its lists are looked up through ``of``
    q = SimpleNamespace(**{f: getattr(query, f)[of] for f in PER_ROW})
    q.listed = np.diff(query.country_at)[of] > 0
    c = SimpleNamespace(**{f: getattr(cand, f) for f in PER_ROW})
    c.listed = np.diff(cand.country_at) > 0
    r, v = (q, c) if query.table == "resumes" else (c, q)
    sim = sim.astype(np.float64)
    # title: the cosine moved toward 1 by the role agreement
    s = np.clip(sim, 0.0, 1.0)
    title = s + soft.role_weight * (1.0 - s) * np.clip(affinity.astype(np.float64), 0.0, 1.0)
    # skills: the share of the vacancy's skills the person has (unknown without skills on either side)
    matched = _pair_member(cand.skill_at, cand.skills, of, query.skill_at, query.skills)
    wanted, have = np.diff(cand.skill_at), np.diff(query.skill_at)[of]
    if query.table == "vacancies":
        wanted, have = have, wanted
    skills_known = (wanted > 0) & (have > 0)
    skills = np.divide(matched, np.where(skills_known, wanted, 1)).astype(np.float64)
    # salary: full when the expectation is within the offer's top, falling to 0 at the tolerance
    e, top = r.salary, v.salary
    salary_known = (e != 0) & ~np.isnan(e) & (top != 0) & ~np.isnan(top)
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = np.where(salary_known, (e - top) / np.where(salary_known, top, 1.0), 0.0)
    within = salary_known & (e <= top)
    limit = hard.max_salary_excess
    out_salary = salary_known & ~within & (excess > limit) if limit is not None else np.zeros(n, dtype=bool)
    salary = np.where(within, 1.0, np.where(out_salary, 0.0, np.maximum(0.0, 1.0 - excess / soft.salary_tolerance)))
    # place: remote work, the same region, abroad (with or without moving), elsewhere in the country
    remote_ok = (v.remote == 1) & (r.remote != 0)
    same_region = (r.region != 0) & (v.region != 0) & (r.region == v.region)
    abroad = (r.country != 0) & (v.country != 0) & (r.country != v.country)
    if query.table == "resumes":  # the vacancy's country among the query's listed ones
        in_list = _pair_member(np.arange(n + 1), cand.country, of, query.country_at, query.countries) > 0
    else:  # the query's country among each candidate's listed ones
        in_list = _pair_member(cand.country_at, cand.countries, of, np.arange(len(query) + 1), query.country) > 0
    ready, listed = r.ready, r.listed
    willing = (ready == 1) & (~listed | in_list)
    both_regions = (r.region != 0) & (v.region != 0)
    a = ~remote_ok & ~same_region
    go_abroad = a & abroad & willing
    out_abroad = a & abroad & ~willing & hard.relocation_abroad & ((ready == 0) | ((ready == 1) & listed))
    stay_abroad = a & abroad & ~willing & ~out_abroad
    b = a & ~abroad & both_regions
    move = b & (ready == 1)
    out_region = b & (ready == 0) & hard.relocation_region
    stay = b & ~move & ~out_region
    place_known = remote_ok | same_region | (a & abroad) | b
    place = np.select(
        [remote_ok | same_region, go_abroad, out_abroad | out_region, stay_abroad | stay, move],
        [1.0, soft.relocate_abroad, 0.0, soft.other_region, soft.relocate_region],
        0.0,
    )
    # experience: bands lacked lower it, far over-qualification a little
    exp_known = (r.band >= 0) & (v.band >= 0)
    gap = v.band.astype(np.int64) - r.band.astype(np.int64)
    glimit = hard.max_experience_gap
    out_exp = exp_known & (gap > 0) & (gap >= glimit) if glimit is not None else np.zeros(n, dtype=bool)
    experience = np.where(
        gap > 0,
        np.maximum(0.0, 1.0 - gap * soft.experience_step),
        np.where(gap <= -2, np.maximum(0.0, 1.0 - (-gap - 1) * soft.overqualified_step), 1.0),
    )
    experience = np.where(out_exp, 0.0, experience)
    unknown = soft.unknown
    parts = {
        "title": title,
        "skills": np.where(skills_known, skills, unknown),
        "salary": np.where(salary_known, salary, unknown),
        "place": np.where(place_known, place, unknown),
        "experience": np.where(exp_known, experience, unknown),
    }
    known = {
        "title": np.ones(n, dtype=bool),
        "skills": skills_known,
        "salary": salary_known,
        "place": place_known,
        "experience": exp_known,
    }
    w = cfg.weights
    weights = {"title": w.title, "skills": w.skills, "salary": w.salary, "place": w.place, "experience": w.experience}
    total = sum(weights.values()) or 1.0
    score = np.zeros(n, dtype=np.float64)
    for k in PART_NAMES:  # the same order of additions as a sum over the parts
        score = score + weights[k] * parts[k]
    score = score / total
    out_title = sim < hard.min_title_similarity
    return Scored(score, parts, known, excess, gap, out_salary, out_abroad, out_region, out_exp, out_title)


def pair_score(
    scored: Scored, j: int, resume: dict, vacancy: dict, sim: float, affinity: float, cfg: MatchConfig
) -> PairScore:
    """The explained score of pair ``j`` (``resume`` and ``vacancy`` are its two records)."""
    matched, missing = _skills(resume, vacancy)
    return PairScore(
        round(float(scored.score[j]), 6),
        Parts(**{k: float(scored.parts[k][j]) for k in PART_NAMES}),
        {k: bool(scored.known[k][j]) for k in PART_NAMES},
        matched,
        missing,
        scored.reason(j, vacancy.get("region_code") or "", vacancy.get("country_code") or "", sim, cfg),
        round(float(sim), 6),
        round(float(affinity), 6),
    )


def score_pair(
    resume: dict, vacancy: dict, title_similarity: float, cfg: MatchConfig, role_affinity: float = 0.0
) -> PairScore:
    """Score one pair (the rules of ``score_columns`` on one row).

    ``title_similarity`` is the exact cosine of their title vectors; ``role_affinity`` (0..1) how
    much the other side's hh role agrees with the query's occupation (see ``engine``).
    """
    r, v = encode_records([resume], "resumes"), encode_records([vacancy], "vacancies")
    scored = score_columns(r, v, np.array([title_similarity]), np.array([role_affinity]), cfg)
    return pair_score(scored, 0, resume, vacancy, title_similarity, role_affinity, cfg)
