"""This package's formats through the real ingest pipeline into a real DuckDB store."""

from __future__ import annotations

from pathlib import Path

from kadry.ingest import ingest_paths

FIXTURES = Path(__file__).parent / "fixtures"
PERSONAL = (
    "Смирнова",
    "345-67-89",
    "anna.smirnova",
    "котиков",
    "Ромашка",
    "hhcdn",
    "ivan@example.com",
    "Иванова Мария",
    "111-22-33",
    "Сидорова",
    "+7 (812)",
    "Кузнецов",
    "+7 900",
    "@example.com",
    "Петрова",
    "Силантьев",
    "7f3a2b1c0005d4e3f20039ed1f6a4b5c6d7e8f",
    "7033b2e80005baef1f0039ed1f695435466a64",
    "https://",
)


def _store_text(store) -> str:
    parts = []
    for table in ("vacancies", "resumes", "observations", "quarantine"):
        parts.append(repr(store.con.execute(f"SELECT * FROM {table}").fetchall()))
    return "\n".join(parts)


def test_every_fixture_accounted_and_nothing_personal_stored(store):
    reports = [
        ingest_paths(store, [FIXTURES / "trudvsem"]),
        ingest_paths(store, [FIXTURES / "hh_resume"]),
        ingest_paths(store, [FIXTURES / "resume_csv"]),
        ingest_paths(store, [FIXTURES / "mapped" / "export.csv"], mapping=FIXTURES / "mapped" / "export.toml"),
        ingest_paths(
            store, [FIXTURES / "mapped" / "resumes.jsonl"], "mapped", mapping=FIXTURES / "mapped" / "resumes.yaml"
        ),
    ]
    files = [f for r in reports for f in r.files]
    assert not [f.path for f in files if f.skipped]
    formats = {Path(f.path).name: f.format for f in files}
    assert formats["api_vacancies.json"] == "trudvsem-json" and formats["vacancy.csv"] == "trudvsem-csv"
    assert formats["java.csv"] == "resume-csv" and formats["ios_vacancies.csv"] == "hh-vacancy-cards-csv"
    for f in files:
        assert f.counts.balanced, (f.path, f.counts)
    total = sum(f.counts.read for f in files)
    assert total == store.count("quarantine") + sum(f.counts.stored + f.counts.merged for f in files)
    text = _store_text(store)
    for secret in PERSONAL:
        assert secret not in text, secret
    ages = store.con.execute("SELECT DISTINCT age_band FROM resumes WHERE age_band IS NOT NULL").fetchall()
    assert {a for (a,) in ages} <= {"<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"}


def test_second_ingest_adds_nothing(store):
    first = ingest_paths(store, [FIXTURES / "trudvsem", FIXTURES / "resume_csv"]).total
    counts = {t: store.count(t) for t in ("vacancies", "resumes", "observations", "quarantine")}
    again = ingest_paths(store, [FIXTURES / "trudvsem", FIXTURES / "resume_csv"]).total
    assert again.read == first.read and again.stored == 0
    assert counts == {t: store.count(t) for t in counts}
