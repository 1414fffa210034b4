import pytest

from kadry.match.config import MatchConfig
from kadry.match.score import score_pair

CFG = MatchConfig()
RES = dict(
    title="Frontend",
    region_code="RU-MOW",
    country_code="RU",
    salary_rub=200000.0,
    experience="between1And3",
    skills=["React", "CSS"],
    ready_to_relocate=False,
)
VAC = dict(
    title="Frontend",
    region_code="RU-MOW",
    country_code="RU",
    salary_rub_to=250000.0,
    experience="between1And3",
    skills=["react", "TypeScript"],
)


def test_all_parts_and_missing_skills():
    s = score_pair(RES, VAC, 1.0, CFG)
    assert s.excluded is None
    assert s.parts.title == 1.0 and s.parts.place == 1.0 and s.parts.salary == 1.0 and s.parts.experience == 1.0
    assert s.parts.skills == 0.5
    assert s.matched_skills == ["react"] and s.missing_skills == ["TypeScript"]
    assert s.score == pytest.approx((0.45 + 0.2 * 0.5 + 0.12 + 0.13 + 0.10) / 1.0)


def test_salary_above_offer_lowers_the_score_gradually():
    parts = [score_pair(dict(RES, salary_rub=v), VAC, 1.0, CFG).parts.salary for v in (250000, 300000, 400000)]
    assert parts[0] == 1.0 and 0 < parts[1] < 1 and parts[2] == 0.0


def test_unknown_parts_take_the_neutral_value():
    s = score_pair(dict(title="x"), dict(title="y"), 0.3, CFG)
    assert s.known == {"title": True, "skills": False, "salary": False, "place": False, "experience": False}
    assert s.parts.salary == s.parts.place == s.parts.experience == s.parts.skills == CFG.soft.unknown


def test_abroad_on_site_excluded_unless_ready_to_move_there():
    abroad = dict(VAC, country_code="BY", region_code=None)
    assert "not ready to relocate" in score_pair(RES, abroad, 1.0, CFG).excluded
    ready = dict(RES, ready_to_relocate=True, relocation_countries=["BY"])
    s = score_pair(ready, abroad, 1.0, CFG)
    assert s.excluded is None and s.parts.place == CFG.soft.relocate_abroad
    elsewhere = dict(RES, ready_to_relocate=True, relocation_countries=["KZ"])
    assert score_pair(elsewhere, abroad, 1.0, CFG).excluded
    # remote work abroad is fine for anyone
    assert score_pair(RES, dict(abroad, remote=True), 1.0, CFG).parts.place == 1.0
    # the hard constraint is configurable
    soft = MatchConfig.model_validate({"hard": {"relocation_abroad": False}})
    assert score_pair(RES, abroad, 1.0, soft).excluded is None


def test_other_region_is_soft_by_default_hard_when_configured():
    spb = dict(VAC, region_code="RU-SPE")
    s = score_pair(RES, spb, 1.0, CFG)
    assert s.excluded is None and s.parts.place == CFG.soft.other_region
    assert score_pair(dict(RES, ready_to_relocate=True), spb, 1.0, CFG).parts.place == CFG.soft.relocate_region
    hard = MatchConfig.model_validate({"hard": {"relocation_region": True}})
    assert score_pair(RES, spb, 1.0, hard).excluded


def test_experience_gap_soft_and_hard():
    senior = dict(VAC, experience="moreThan6")
    s = score_pair(RES, senior, 1.0, CFG)
    assert s.excluded is None and s.parts.experience == 0.0
    assert score_pair(RES, dict(VAC, experience="between3And6"), 1.0, CFG).parts.experience == 0.5
    hard = MatchConfig.model_validate({"hard": {"max_experience_gap": 2}})
    assert score_pair(RES, senior, 1.0, hard).excluded


def test_role_affinity_moves_the_title_part_toward_one():
    low = score_pair(RES, VAC, 0.4, CFG)
    high = score_pair(RES, VAC, 0.4, CFG, role_affinity=1.0)
    assert low.parts.title == pytest.approx(0.4) and high.parts.title == pytest.approx(1.0)


def test_age_and_gender_do_not_change_the_score():
    a = score_pair(dict(RES, age_band="18-24", gender="male"), VAC, 0.7, CFG)
    b = score_pair(dict(RES, age_band="55-64", gender="female"), VAC, 0.7, CFG)
    assert a == b
