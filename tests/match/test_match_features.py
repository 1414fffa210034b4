"""The candidate fields held in memory, and the candidates added by role and skill."""

import numpy as np

from kadry.match.columns import string_of
from kadry.match.config import MatchConfig
from kadry.match.engine import Matcher
from kadry.match.features import Features
from kadry.match.load import insert_records
from kadry.match.records import fetch
from kadry.match.text import canonical_skill
from tests.match.conftest import RESUMES, VACANCIES


def test_features_rows_equal_store_rows(store):
    store.con.execute("UPDATE vacancies SET closed_at = TIMESTAMP '2026-01-01' WHERE vacancy_id = 'hh:1'")
    store.con.execute("UPDATE vacancies SET dup_of = 'hh:2' WHERE vacancy_id = 'hh:3'")
    f = Features("vacancies")
    assert f.refresh(store.con, 10**9) == len(VACANCIES)
    ids = [v["vacancy_id"] for v in VACANCIES]
    assert f.rows_at(np.array([f.pos[i] for i in ids])) == [fetch(store.con, "vacancies", ids)[i] for i in ids]
    for open_only in (False, True):
        for dup in (False, True):
            want = fetch(store.con, "vacancies", ids, open_only=open_only, skip_duplicates=dup)
            kept = f.eligible(open_only=open_only, skip_duplicates=dup)
            assert {f.ids[n] for n in np.flatnonzero(kept)} == set(want)
    index_ids = ["hh:nope", *reversed(ids)]
    at = np.arange(len(index_ids))
    assert [f.ids[p] for p in f.from_index(index_ids, at, open_only=True)] == [i for i in reversed(ids) if i != "hh:1"]


def test_batched_equals_one_at_a_time(store):
    m = Matcher(store)
    resumes = [fetch(store.con, "resumes", [r["resume_id"]])[r["resume_id"]] for r in RESUMES]
    batched = m.rank_vacancies_many(resumes, 10)
    assert [b.to_dict() for b in batched] == [m.rank_vacancies(r, 10).to_dict() for r in resumes]
    vacancies = [fetch(store.con, "vacancies", [v["vacancy_id"]])[v["vacancy_id"]] for v in VACANCIES]
    vacancies = [v for v in vacancies if v["title"] or v["skills"]]
    batched = m.rank_resumes_many(vacancies, 4)
    assert [b.to_dict() for b in batched] == [m.rank_resumes(v, 4).to_dict() for v in vacancies]


def test_role_skill_postings_list_each_role_and_skill_fewest_skills_first(new_store):
    vacancies = [
        dict(vacancy_id=f"t:{i}", source="t", title="x", role_id=role, skills=skills)
        for i, (role, skills) in enumerate(
            [("1", ["A", "b", "C"]), ("1", ["a"]), ("2", ["A", " a "]), (None, ["A"]), ("1", ["c", "D"]), ("1", [])]
        )
    ]
    store = new_store(vacancies=vacancies, resumes=[])
    store.con.execute("UPDATE vacancies SET closed_at = TIMESTAMP '2026-01-01' WHERE vacancy_id = 't:4'")
    f = Features("vacancies")
    f.refresh(store.con, 10**9)
    for open_only in (False, True):
        keys, starts, rows = f.role_skill_postings(open_only=open_only)
        got = {}
        for key, a, b in zip(keys.tolist(), starts[:-1].tolist(), starts[1:].tolist()):
            got[(string_of(key >> 31), string_of(key & ((1 << 31) - 1)))] = [f.ids[r] for r in rows[a:b]]
        # the same, counted here from the records themselves
        want: dict = {}
        for v in sorted(
            vacancies, key=lambda v: (len({canonical_skill(s) for s in v["skills"]}), f.pos[v["vacancy_id"]])
        ):
            if v["role_id"] and not (open_only and v["vacancy_id"] == "t:4"):
                for skill in dict.fromkeys(canonical_skill(s) for s in v["skills"]):
                    want.setdefault((v["role_id"], skill), []).append(v["vacancy_id"])
        assert got == want


def test_records_of_the_voted_role_with_the_skills_are_found_beyond_the_near_titles(new_store):
    """The vector search returns the near titles; an assistant of the same role asking only for
    the person's skill scores higher (its role carries the occupation part) and must be found."""
    near = [
        dict(vacancy_id=f"t:n{i}", source="t", title="Офис-менеджер", role_id="6", skills=["Excel", f"Навык {i}", "1С"])
        for i in range(60)
    ]
    far = dict(vacancy_id="t:far", source="t", title="Ассистент руководителя", role_id="6", skills=["Навыки продаж"])
    other = [
        dict(vacancy_id=f"t:o{i}", source="t", title=f"Водитель {i}", role_id="21", skills=["B"]) for i in range(40)
    ]
    store = new_store(vacancies=[*near, far, *other], resumes=[])
    cfg = MatchConfig.model_validate({"index": {"min_candidates": 5, "candidates_per_match": 1}})
    m = Matcher(store, cfg)
    query = {"title": "Офис-менеджер", "skills": ["Навыки продаж", "Excel"]}
    got = m.rank_vacancies(query, 5)
    assert got.matches[0].id == "t:far"
    exact = m._rerank_many([query], "vacancies", 5, [np.arange(len(m.index.tables["vacancies"].ids))], frozenset())[0]
    assert [x.score for x in got.matches] == [x.score for x in exact.matches]  # ties may differ by id
    # without the role and skill candidates the vector search alone misses it
    found = m.index.search_positions("vacancies", m.index.text_model.dense([query["title"]], [query["skills"]]), 10)
    assert "t:far" not in {m.index.tables["vacancies"].ids[p] for p in found[0][0].tolist()}


def test_features_follow_the_index_when_records_arrive(store):
    fast = Matcher(store)
    before = [m.id for m in fast.for_resume("hh:aa11", 20).matches]
    new = dict(VACANCIES[0], vacancy_id="hh:new1", source_id="new1")
    insert_records(store, "vacancies", [new])
    fast.index.update()
    after = [m.id for m in fast.for_resume("hh:aa11", 20).matches]
    assert "hh:new1" not in before and "hh:new1" in after
