"""The checks that send a readable record (or one of its fields) to quarantine: one SQL rule
set for both ingest paths.

The record path registers each batch as an Arrow table and runs ``reason_sql`` over it; the bulk
canonical Parquet path runs the same expression over ``read_parquet``. There is no Python copy
of the rules, so the two paths cannot drift apart. The first failing check is the reason.
``FIELD_RULES`` are the checks of optional values: the record is kept, the values are emptied
and each is recorded in ``quarantine_fields`` with the reason (never the value).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["CHECK_COLUMNS", "FIELD_RULES", "KNOWN_CURRENCIES", "FieldRule", "reason_sql", "validate"]

#: currencies hh, trudvsem and the CBR tables use; anything else cannot be converted honestly
KNOWN_CURRENCIES = {
    "RUR",
    "RUB",
    "USD",
    "EUR",
    "KZT",
    "UAH",
    "BYR",
    "BYN",
    "AZN",
    "UZS",
    "GEL",
    "KGS",
    "AMD",
    "GBP",
    "CNY",
    "TRY",
    "RSD",
    "PLN",
    "CHF",
    "JPY",
    "ILS",
    "AED",
    "TJS",
    "MDL",
    "CZK",
    "SEK",
}

#: the columns the rules read (the record path builds its check table from them)
CHECK_COLUMNS = {
    "vacancy": ("source_id", "title", "salary_from", "salary_to", "salary_currency"),
    "resume": ("source_id", "salary_amount", "salary_currency", "experience_months"),
}


class FieldRule(NamedTuple):
    """Optional values that cannot be read honestly: emptied, the record kept."""

    condition: str  # SQL over CHECK_COLUMNS
    fields: tuple[str, ...]  # canonical fields emptied (and recorded) when it holds
    reason: str


#: kind -> the field rules, applied to records that pass ``reason_sql``
FIELD_RULES: dict[str, tuple[FieldRule, ...]] = {
    # a bare number is ambiguous (roubles? dollars? thousands?): the salary is dropped, the vacancy
    # (title, place, dates) is still a vacancy; hh flat exports leave the currency empty only with
    # no salary, files from elsewhere often have no currency column at all
    "vacancy": (
        FieldRule(
            "(salary_from IS NOT NULL OR salary_to IS NOT NULL) AND salary_currency IS NULL",
            ("salary_from", "salary_to"),
            "salary without currency",
        ),
    ),
    "resume": (),
}


def reason_sql(kind: str, ident: str = "source_id") -> str:
    """A SQL expression: the quarantine reason of a row, or NULL if it may be stored."""
    currencies = ", ".join(f"'{c}'" for c in sorted(KNOWN_CURRENCIES))
    checks = [(f"{ident} IS NULL OR trim({ident}) = ''", "'missing id'")]
    if kind == "vacancy":
        checks += [
            ("title IS NULL OR trim(title) = ''", "'missing title'"),
            ("salary_from < 0", "'negative salary (salary_from=' || printf('%g', salary_from::DOUBLE) || ')'"),
            ("salary_to < 0", "'negative salary (salary_to=' || printf('%g', salary_to::DOUBLE) || ')'"),
        ]
    else:
        checks.append(
            ("salary_amount < 0", "'negative salary (salary_amount=' || printf('%g', salary_amount::DOUBLE) || ')'")
        )
    checks.append(
        (
            f"salary_currency IS NOT NULL AND upper(salary_currency) NOT IN ({currencies})",
            "'unknown currency: ' || left(salary_currency, 12)",
        )
    )
    if kind == "resume":
        checks.append(
            (
                "experience_months < 0 OR experience_months > 960",
                "'impossible experience: ' || printf('%g', experience_months::DOUBLE) || ' months'",
            )
        )
    return "CASE " + " ".join(f"WHEN {cond} THEN {why}" for cond, why in checks) + " END"


_TYPES = {
    "source_id": "VARCHAR",
    "title": "VARCHAR",
    "salary_currency": "VARCHAR",
    "salary_from": "DOUBLE",
    "salary_to": "DOUBLE",
    "salary_amount": "DOUBLE",
    "experience_months": "DOUBLE",
}
_SCRATCH: list = []


def validate(kind: str, record: dict) -> str | None:
    """The same rule set for one record (callers that cannot batch, e.g. the snapshot path).

    Runs ``reason_sql`` on a one-row select, so there is still no Python copy of the rules;
    batching callers should register an Arrow table instead (much faster).
    """
    if not _SCRATCH:
        from kadry.store.connect import scratch

        _SCRATCH.append(scratch())
    con = _SCRATCH[0]
    cols = CHECK_COLUMNS[kind]
    values = []
    for name in cols:
        value = record.get(name)
        values.append(None if value is None else str(value) if _TYPES[name] == "VARCHAR" else float(value))
    select = ", ".join(f"?::{_TYPES[c]} AS {c}" for c in cols)
    return con.execute(f"SELECT {reason_sql(kind)} FROM (SELECT {select})", values).fetchall()[0][0]
