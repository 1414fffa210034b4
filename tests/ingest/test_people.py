"""Private persons named as employers (or titles) never reach the store; the count is reported."""

from __future__ import annotations

from pathlib import Path

from kadry.ingest import ingest_paths
from kadry.sources.people import EMPLOYER_PLACEHOLDER, is_person_name, scrub_person
from kadry.store.stats import store_stats

FIXTURES = Path(__file__).parent / "fixtures"


def test_private_employers_get_placeholders_and_are_counted(store):
    report = ingest_paths(store, [FIXTURES / "private_employers.jsonl"])
    assert report.files[0].names_hidden == 3
    employers = dict(store.con.execute("SELECT source_id, employer_name FROM vacancies").fetchall())
    assert employers == {
        "93500001": "[частное лицо]",
        "93500002": "ИП [частное лицо]",
        "93500003": "Магнит, Розничная сеть",
        "93500004": "[частное лицо]",
    }
    dump = repr(store.con.execute("SELECT * FROM vacancies").fetchall()) + repr(
        store.con.execute("SELECT * FROM quarantine").fetchall()
    )
    assert not any(name in dump for name in ("Иванов", "Петрова", "Смирнова"))
    assert store_stats(store)["names_hidden"] == 3


def test_name_check_on_common_cases():
    for name in (
        "Иванов Иван Иванович",
        "ИП Петрова А.В.",
        "Петрова А.В.",
        "Тарас Шевченко",
        "ИП Абдулаев Эмиль Гокум Оглы",
        "Анна",
    ):
        assert is_person_name(name), name
    for text in (
        "Газпром",
        "Менеджер по продажам",
        "ООО Ромашка",
        "Иванов и партнёры",
        "Яндекс",
        "Продавец",
        "Магнит",
        "Роза",
        "Сбер",
    ):
        assert not is_person_name(text), text
    assert scrub_person("ИП Кузнецов", EMPLOYER_PLACEHOLDER) == ("ИП [частное лицо]", True)
