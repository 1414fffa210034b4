from kadry.match.index import MatchIndex, index_folder
from kadry.match.load import insert_records
from kadry.match.engine import Matcher


def test_index_persists_beside_the_store_and_grows_incrementally(tmp_path, new_store):
    db = tmp_path / "k.duckdb"
    store = new_store(db)
    index = MatchIndex(store)
    added = index.update()
    assert added == {"vacancies": 7, "resumes": 2}
    folder = index_folder(db)
    assert folder == tmp_path / "k.duckdb.match"
    assert {"model.joblib", "state.json", "vacancies.hnsw", "vacancies.ids.parquet"} <= {p.name for p in folder.iterdir()}

    # nothing new: nothing added; a new vacancy: only it is added, with the same text model
    assert MatchIndex(store).update() == {"vacancies": 0, "resumes": 0}
    insert_records(store, "vacancies", [dict(vacancy_id="hh:100", title="Frontend-разработчик Vue", region_code="RU-MOW",
                                             country_code="RU")])
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
