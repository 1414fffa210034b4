from pathlib import Path

from kadry.schema import AGE_BANDS, TABLES, age_band, arrow_schema, ddl, experience_band, markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def test_docs_are_generated_from_the_schema():
    assert DOCS.read_text() == markdown(), "run: python -m kadry.schema > docs/schema.md"


def test_ddl_and_arrow_agree():
    for table, (columns, _) in TABLES.items():
        assert len(arrow_schema(columns)) == len(columns)
        assert all(c.name in ddl(table) for c in columns)


def test_bands():
    assert [age_band(a) for a in (13, 17, 18, 24, 25, 44, 64, 65, 101, None)] == [
        None,
        "<18",
        "18-24",
        "18-24",
        "25-34",
        "35-44",
        "55-64",
        "65+",
        None,
        None,
    ]
    assert set(AGE_BANDS) >= {age_band(a) for a in range(14, 100)}
    assert [experience_band(m) for m in (0, 11, 12, 35, 36, 71, 72, -1, None)] == [
        "noExperience",
        "noExperience",
        "between1And3",
        "between1And3",
        "between3And6",
        "between3And6",
        "moreThan6",
        None,
        None,
    ]
