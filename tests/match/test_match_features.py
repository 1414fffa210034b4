"""The in-memory, batched path gives the same rankings and explanations as per-query store lookups."""

from kadry.match.engine import Matcher
from kadry.match.features import Features
from kadry.match.load import insert_records
from kadry.match.records import fetch
from tests.match.conftest import RESUMES, VACANCIES


def _both(store):
    fast = Matcher(store)
    slow = Matcher(store, index=fast.index, update=False)
    slow.in_memory = False
    return fast, slow


def test_features_rows_equal_store_rows(store):
    store.con.execute("UPDATE vacancies SET closed_at = TIMESTAMP '2026-01-01' WHERE vacancy_id = 'hh:1'")
    f = Features("vacancies")
    assert f.refresh(store.con, 10**9) == len(VACANCIES)
    ids = [v["vacancy_id"] for v in VACANCIES] + ["hh:nope"]
    for open_only in (False, True):
        for dup in (False, True):
            want = fetch(store.con, "vacancies", ids, open_only=open_only, skip_duplicates=dup)
            assert f.rows(ids, open_only=open_only, skip_duplicates=dup) == want
    assert "hh:1" not in f.rows(ids, open_only=True) and "hh:nope" not in f.rows(ids)


def test_same_rankings_and_explanations_both_directions(store):
    fast, slow = _both(store)
    for r in RESUMES:
        for k in (1, 3, 20):
            assert fast.for_resume(r["resume_id"], k).to_dict() == slow.for_resume(r["resume_id"], k).to_dict()
    for v in VACANCIES:
        assert fast.for_vacancy(v["vacancy_id"], 5).to_dict() == slow.for_vacancy(v["vacancy_id"], 5).to_dict()


def test_batched_equals_one_at_a_time(store):
    fast, slow = _both(store)
    resumes = [fetch(store.con, "resumes", [r["resume_id"]])[r["resume_id"]] for r in RESUMES]
    batched = fast.rank_vacancies_many(resumes, 10)
    assert [b.to_dict() for b in batched] == [slow.rank_vacancies(r, 10).to_dict() for r in resumes]
    vacancies = [fetch(store.con, "vacancies", [v["vacancy_id"]])[v["vacancy_id"]] for v in VACANCIES]
    vacancies = [v for v in vacancies if v["title"] or v["skills"]]
    batched = fast.rank_resumes_many(vacancies, 4)
    assert [b.to_dict() for b in batched] == [slow.rank_resumes(v, 4).to_dict() for v in vacancies]


def test_features_follow_the_index_when_records_arrive(store):
    fast = Matcher(store)
    before = [m.id for m in fast.for_resume("hh:aa11", 20).matches]
    new = dict(VACANCIES[0], vacancy_id="hh:new1", source_id="new1")
    insert_records(store, "vacancies", [new])
    fast.index.update()
    after = [m.id for m in fast.for_resume("hh:aa11", 20).matches]
    assert "hh:new1" not in before and "hh:new1" in after
