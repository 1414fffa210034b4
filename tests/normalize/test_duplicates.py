"""Duplicates: exact content, reposts and near-identical texts are linked, never deleted."""

from __future__ import annotations

from datetime import datetime, timedelta

from kadry.normalize.duplicates import link_duplicates, shingles

DESC = (
    "Крупное машиностроительное предприятие приглашает инженера-технолога. Обязанности: разработка "
    "технологических процессов механической обработки, оформление технологической документации, "
    "контроль соблюдения технологической дисциплины, участие во внедрении нового оборудования. "
    "Требования: высшее техническое образование, опыт работы от двух лет, знание Компас-3D."
)


def _dups(store) -> dict:
    return {
        r[0]: (r[1], r[2]) for r in store.con.execute("SELECT vacancy_id, dup_of, dup_kind FROM vacancies").fetchall()
    }


def test_kinds(store, add_vacancy):
    t0 = datetime(2023, 3, 1, 10, 0)
    # exact: the same CSV row under two content ids (written 60000 and 60000.0 by two downloads)
    add_vacancy(store, "row-a", title="Токарь", region_raw="Пермь", salary_from=60000.0, published_at=t0)
    add_vacancy(store, "row-b", title="Токарь ", region_raw="Пермь", salary_from=60000.0, published_at=t0)
    # repost: same employer, title and place, 10 and 35 days later (a chain), then 80 days later (new advert)
    for i, days in enumerate((0, 10, 35, 80)):
        add_vacancy(
            store,
            f"r{i}",
            title="Инженер-конструктор",
            employer_id="e1",
            area_id_raw="1002",
            published_at=t0 + timedelta(days=days),
        )
    # near: nearly the same text and title, posted again without the employer id (so no repost)
    add_vacancy(
        store, "n1", title="Инженер-технолог", description=DESC, employer_id="e2", area_id_raw="1002", published_at=t0
    )
    add_vacancy(
        store,
        "n2",
        title="Инженер-технолог.",
        description=DESC + " Звоните.",
        area_id_raw="1002",
        published_at=t0 + timedelta(days=3),
    )
    # same text in another city: a second workplace, not a duplicate
    add_vacancy(
        store, "n3", title="Инженер-технолог", description=DESC, employer_id="e2", area_id_raw="1007", published_at=t0
    )
    # same title and place from an unknown employer: nothing says it is the same advert
    add_vacancy(store, "f1", title="Программист 1С", region_raw="Москва", published_at=t0)
    add_vacancy(store, "f2", title="Программист 1С", region_raw="Москва", published_at=t0 + timedelta(days=2))
    store.con.execute("UPDATE vacancies SET area_id = area_id_raw, region_raw = coalesce(region_raw, area_id_raw)")
    out = link_duplicates(store.con)
    d = _dups(store)
    assert d["hh:row-b"] == ("hh:row-a", "exact")
    assert d["hh:r0"] == (None, None)
    assert d["hh:r1"] == ("hh:r0", "repost") and d["hh:r2"] == ("hh:r0", "repost")
    assert d["hh:r3"] == (None, None)
    assert d["hh:n2"] == ("hh:n1", "near")
    assert d["hh:n3"] == (None, None)
    assert d["hh:f1"] == (None, None) and d["hh:f2"] == (None, None)
    assert out["dup_exact"] == 1 and out["dup_repost"] == 2 and out["dup_near"] == 1
    assert store.count("vacancies") == 11  # linked, never deleted
    # rerunning gives the same links
    link_duplicates(store.con)
    assert _dups(store) == d


def test_shingles():
    assert shingles("a b c d", 3, words=True) == {"a b c", "b c d"}
    assert shingles("ab", 3, words=False) == {"ab"}
    assert shingles("", 3, words=True) == set()


def test_simulated_rows_are_never_linked(store, add_vacancy):
    t0 = datetime(2024, 1, 1)
    for i in range(3):
        add_vacancy(
            store,
            f"s{i}",
            source="sim",
            simulated=True,
            title="Повар",
            employer_id="e9",
            area_id_raw="1",
            published_at=t0 + timedelta(days=i),
        )
    store.con.execute("UPDATE vacancies SET area_id = area_id_raw")
    link_duplicates(store.con)
    assert store.con.execute("SELECT count(*) FROM vacancies WHERE dup_of IS NOT NULL").fetchone()[0] == 0


def test_shared_boilerplate_under_different_titles_is_not_a_duplicate(store, add_vacancy):
    t0 = datetime(2023, 3, 28, 18, 40)
    add_vacancy(
        store,
        "a",
        title="Senior DevOps Engineer",
        description=DESC,
        employer_id="e3",
        area_id_raw="1002",
        published_at=t0,
    )
    add_vacancy(
        store,
        "b",
        title="Middle DevOps Engineer",
        description=DESC,
        employer_id="e3",
        area_id_raw="1002",
        published_at=t0,
    )
    # two of hh's 2007 macro-regions are different places even though both resolve to Russia only
    add_vacancy(store, "c", title="Продавец", region_raw="Уральский округ", published_at=t0)
    add_vacancy(store, "d", title="Продавец", region_raw="Южный округ", published_at=t0)
    store.con.execute("""UPDATE vacancies SET area_id = coalesce(area_id_raw, '113'),
                         region_status = CASE WHEN area_id_raw IS NULL THEN 'country_only' ELSE 'mapped' END""")
    link_duplicates(store.con)
    assert store.con.execute("SELECT count(*) FROM vacancies WHERE dup_of IS NOT NULL").fetchone()[0] == 0
