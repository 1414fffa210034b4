"""The score of one (resume, vacancy) pair, with its parts and the reason for an exclusion.

Each part lies in [0, 1]; a part that cannot be judged (no salary given, unknown region) takes
the configured ``unknown`` value rather than being dropped, so that a record with little data
neither wins nor loses by it. The score is the weighted mean of the parts. Inputs are the
fields in ``records.RESUME_FIELDS`` / ``VACANCY_FIELDS`` only: never age band or gender.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from kadry.match.config import MatchConfig
from kadry.match.text import canonical_skill
from kadry.schema import EXPERIENCE_BANDS

__all__ = ["Parts", "PairScore", "score_pair", "PART_NAMES"]

PART_NAMES = ("title", "skills", "salary", "place", "experience")
_BAND = {b: i for i, b in enumerate(EXPERIENCE_BANDS)}


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


def score_pair(
    resume: dict, vacancy: dict, title_similarity: float, cfg: MatchConfig, role_affinity: float = 0.0
) -> PairScore:
    """Score one pair.

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
