import pytest

from kadry.errors import BadRequest, NotFound
from kadry.match.config import MatchConfig
from kadry.match.engine import Matcher
from kadry.match.load import insert_records


def test_vacancies_for_a_resume_ranked_and_explained(store):
    result = Matcher(store).for_resume("hh:aa11", k=5)
    ids = [m.id for m in result.matches]
    # the Moscow frontend vacancy first; the one in Belarus is excluded (not ready to relocate);
    # the duplicate hh:7 is skipped
    assert ids[0] == "hh:1"
    assert "hh:3" not in ids and "hh:7" not in ids
    assert result.excluded >= 1
    top = result.matches[0]
    assert top.detail.missing_skills == ["TypeScript", "CSS"] and top.detail.matched_skills == ["React"]
    scores = [m.score for m in result.matches]
    assert scores == sorted(scores, reverse=True)
    # frontend jobs outrank the sales and driver ones
    assert ids.index("hh:6") < ids.index("hh:2") if "hh:2" in ids else True


def test_resumes_for_a_vacancy(store):
    result = Matcher(store).for_vacancy("hh:2", k=2)
    assert [m.id for m in result.matches][0] == "hh:bb22"
    assert set(result.matches[0].record) == {
        "resume_id",
        "title",
        "role_id",
        "region_code",
        "country_code",
        "remote",
        "salary_rub",
        "experience",
        "skills",
        "ready_to_relocate",
        "relocation_countries",
    }


def test_unknown_ids_and_bad_k(store):
    m = Matcher(store)
    with pytest.raises(NotFound):
        m.for_resume("hh:nope")
    with pytest.raises(NotFound):
        m.for_vacancy("hh:nope")
    with pytest.raises(BadRequest):
        m.for_resume("hh:aa11", k=0)


def test_hard_constraints_are_configurable(store):
    cfg = MatchConfig.model_validate({"hard": {"relocation_abroad": False}})
    ids = [m.id for m in Matcher(store, cfg).for_resume("hh:aa11", k=10).matches]
    assert "hh:3" in ids


def test_closed_vacancies_are_not_offered(new_store):
    store = new_store()
    store.con.execute("UPDATE vacancies SET closed_at = TIMESTAMP '2026-01-01' WHERE vacancy_id = 'hh:1'")
    ids = [m.id for m in Matcher(store).for_resume("hh:aa11", k=10).matches]
    assert "hh:1" not in ids and ids


def test_age_band_and_gender_never_change_matches(new_store):
    a = new_store()
    b = new_store()
    b.con.execute("UPDATE resumes SET age_band = '65+', gender = 'female' WHERE resume_id = 'hh:aa11'")
    ra = Matcher(a).for_resume("hh:aa11", k=10).to_dict()
    rb = Matcher(b).for_resume("hh:aa11", k=10).to_dict()
    assert ra == rb


def test_role_votes_come_from_other_records_not_the_query(new_store):
    store = new_store()
    insert_records(
        store,
        "vacancies",
        [
            dict(vacancy_id=f"hh:x{i}", title=t, role_id=r)
            for i, (t, r) in enumerate(
                [
                    ("Программист 1С", "96"),
                    ("Разработчик 1С", "96"),
                    ("Консультант 1С", "96"),
                    ("Бухгалтер 1С", "18"),
                    ("Главный бухгалтер", "18"),
                ]
            )
        ],
    )
    m = Matcher(store)
    r = m.rank_vacancies({"title": "Программист 1C"}, k=20)
    by_id = {x.id: x for x in r.matches}
    # the role most of the nearest titles carry (96) gets the boost, not the accountant's
    assert by_id["hh:x1"].detail.role_affinity > by_id["hh:x3"].detail.role_affinity
    # excluding a record removes it and its vote
    r2 = m.rank_vacancies({"title": "Программист 1C"}, k=20, exclude=frozenset({"hh:x0"}))
    assert "hh:x0" not in [x.id for x in r2.matches]


def test_records_without_title_are_indexed_but_not_queryable(new_store):
    store = new_store()
    insert_records(store, "vacancies", [dict(vacancy_id="hh:blank", title=None)])
    insert_records(store, "resumes", [dict(resume_id="hh:blank", title=None)])
    m = Matcher(store)
    assert m.index.count("vacancies") == 8
    with pytest.raises(BadRequest, match="neither a title nor skills"):
        m.for_resume("hh:blank")
    assert m.for_resume("hh:aa11", k=3).matches[0].id == "hh:1"
