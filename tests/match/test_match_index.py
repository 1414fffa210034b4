from kadry.match.engine import Matcher
from kadry.match.index import MatchIndex, index_folder
from kadry.match.load import insert_records


def test_index_persists_beside_the_store_and_grows_incrementally(tmp_path, new_store):
    db = tmp_path / "k.duckdb"
    store = new_store(db)
    index = MatchIndex(store)
    added = index.update()
    assert added == {"vacancies": 7, "resumes": 2}
    folder = index_folder(db)
    assert folder == tmp_path / "k.duckdb.match"
    assert {"model.joblib", "state.json", "vacancies.hnsw", "vacancies.ids.parquet"} <= {
        p.name for p in folder.iterdir()
    }

    # nothing new: nothing added; a new vacancy: only it is added, with the same text model
    assert MatchIndex(store).update() == {"vacancies": 0, "resumes": 0}
    insert_records(
        store,
        "vacancies",
        [dict(vacancy_id="hh:100", title="Frontend-разработчик Vue", region_code="RU-MOW", country_code="RU")],
    )
    reopened = MatchIndex(store)
    assert reopened.count("vacancies") == 7
    assert reopened.update() == {"vacancies": 1, "resumes": 0}
    assert MatchIndex(store).count("vacancies") == 8
    ids = [m.id for m in Matcher(store).for_resume("hh:aa11", k=10).matches]
    assert "hh:100" in ids
    store.close()


def test_rebuild_starts_again(tmp_path, new_store):
    store = new_store(tmp_path / "k.duckdb")
    index = MatchIndex(store)
    index.update()
    assert index.rebuild() == {"vacancies": 7, "resumes": 2}
    store.close()


def test_search_returns_nearest_first(store):
    index = MatchIndex(store)
    index.update()
    hits = index.search("vacancies", index.model.dense(["Frontend developer"]), 3)[0]
    assert hits[0][0] == "hh:3" and hits[0][1] > 0.9  # same title; its skills block differs
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_read_only_store_can_be_indexed(tmp_path, new_store):
    from kadry.store import Store

    db = tmp_path / "k.duckdb"
    new_store(db).close()
    with Store(db, read_only=True) as ro:
        assert Matcher(ro).for_resume("hh:aa11", k=3).matches
    assert (tmp_path / "k.duckdb.match" / "state.json").exists()


def test_identical_texts_share_one_vector_and_are_expanded_through_postings(tmp_path, new_store):
    db = tmp_path / "k.duckdb"
    store = new_store(db)
    twins = [
        dict(
            vacancy_id=f"hh:t{n}",
            title="Frontend developer",
            region_code="RU-MOW",
            country_code="RU",
            skills=["React", "Vue"],
            salary_rub=100000.0 + n,
        )
        for n in range(5)
    ]
    insert_records(store, "vacancies", twins[:3])
    index = MatchIndex(store)
    index.update()
    # hh:3 has the same title and skills as the twins: 7 + 3 records, 7 distinct texts
    assert index.count("vacancies") == 10 and index.distinct_count("vacancies") == 7
    hits = index.search("vacancies", index.model.dense(["Frontend developer"], [["React", "Vue"]]), 4)[0]
    assert {i for i, _ in hits[:4]} == {"hh:3", "hh:t0", "hh:t1", "hh:t2"}
    assert len({round(s, 6) for _, s in hits}) == 1  # one vector, one similarity
    capped = index.search("vacancies", index.model.dense(["Frontend developer"], [["React", "Vue"]]), 4, per_vector=2)[
        0
    ]
    assert [i for i, _ in capped[:2]] == ["hh:3", "hh:t0"] and "hh:t1" not in {i for i, _ in capped}

    # a known text arriving later only adds a posting; skills in another order encode to the
    # same vector and share it too; the postings survive a reopen
    twins[4]["skills"] = ["Vue", "React"]
    insert_records(store, "vacancies", twins[3:])
    reopened = MatchIndex(store)
    assert reopened.update() == {"vacancies": 2, "resumes": 0}
    again = MatchIndex(store)
    assert again.count("vacancies") == 12 and again.distinct_count("vacancies") == 7
    hits = again.search("vacancies", again.model.dense(["Frontend developer"], [["React", "Vue"]]), 6)[0]
    assert {i for i, _ in hits} == {"hh:3", *(t["vacancy_id"] for t in twins)}
    # the matcher re-ranks the twins on the other parts (salary differs)
    ids = [m.id for m in Matcher(store).for_resume("hh:aa11", k=10).matches]
    assert {"hh:t0", "hh:t4"} <= set(ids)
    store.close()


def test_an_index_in_the_old_single_level_format_is_rebuilt(tmp_path, new_store):
    import json

    db = tmp_path / "k.duckdb"
    store = new_store(db)
    MatchIndex(store).update()
    state_path = index_folder(db) / "state.json"
    state = json.loads(state_path.read_text())
    state["format"] = 1
    state_path.write_text(json.dumps(state))
    old = MatchIndex(store)
    assert old.count("vacancies") == 0  # not loaded
    assert old.update() == {"vacancies": 7, "resumes": 2}
    assert MatchIndex(store).distinct_count("vacancies") == 7
    store.close()


def test_expansion_through_postings_is_the_plain_loop(new_store):
    """``search`` lists the records under each nearest distinct vector (at most ``per_vector``,
    oldest first) until k; checked against that loop written out, for many k and caps, on a
    store where texts repeat."""
    import random

    import numpy as np

    rng = random.Random(3)
    titles = ["Python-разработчик", "Водитель", "Бухгалтер", "Frontend developer", "Курьер"]
    store = new_store(
        vacancies=[
            dict(vacancy_id=f"t:{i}", source="t", title=rng.choice(titles), skills=rng.choice([[], ["SQL"], ["Git"]]))
            for i in range(200)
        ],
        resumes=[],
    )
    index = MatchIndex(store)
    index.update()
    t = index.tables["vacancies"]
    q = index.model.dense(["Python developer", "Водитель-курьер"])
    for k, distinct, cap in [(1, 3, None), (20, 5, 4), (50, 10, 20), (400, 15, None), (7, 2, 1)]:
        labels, sims = index.search_distinct("vacancies", q, distinct)
        got = index.search("vacancies", q, k, distinct=distinct, per_vector=cap)
        for n in range(len(q)):
            want: list[tuple[str, float]] = []
            for label, sim in zip(labels[n], sims[n]):
                want += [(t.ids[p], float(sim)) for p in t.postings[int(label)][:cap]]
                if len(want) >= k:
                    break
            assert got[n] == want[:k], (k, distinct, cap)
            at, s = index.search_positions("vacancies", q, k, distinct=distinct, per_vector=cap)[n]
            assert [t.ids[p] for p in at.tolist()] == [i for i, _ in want[:k]] and np.allclose(
                s, [x for _, x in want[:k]]
            )
