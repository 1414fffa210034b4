"""Flat CSV exports of hh vacancies, read by their header, not by column position.

Covers ``name,salary_from,salary_to,salary_currency,area_name,published_at`` (with or without
a leading unnamed index column, CR-only line ends included), the role-labelled export
``id,title,city,experience,...,role_id`` and flattened API dumps
``id,name,company,salary_from,...,key_skills,url``. A row without an id gets a content hash,
so the same row in two overlapping downloads is one vacancy seen twice.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from kadry.errors import UnreadableFileError
from kadry.sources.base import NO, BadValue, BaseReader, Head, Item, Score, clean_str, parse_ts, strip_html, to_float
from kadry.sources.csvstream import iter_rows
from kadry.sources.text_values import experience_id_from_text

__all__ = ["HHFlatCSV", "READERS", "SCHEDULE_TEXT"]

# header aliases: canonical -> names seen in the wild (lower case)
_ALIASES = {
    "source_id": ("id", "vacancy_id"),
    "title": ("name", "title", "vacancy_name", "vacancy_title"),
    "salary_from": ("salary_from", "from"),
    "salary_to": ("salary_to", "to"),
    "salary_currency": ("salary_currency", "currency"),
    "salary_gross": ("salary_gross", "gross"),
    "region_raw": ("area_name", "city", "area", "region", "location"),
    "area_id_raw": ("area_id",),
    "published_at": ("published_at", "published", "date", "created"),
    "employer_name": ("company", "employer", "employer_name"),
    "experience_raw": ("experience",),
    "schedule": ("schedule",),
    "employment": ("employment",),
    "description": ("description",),
    "skills_raw": ("key_skills", "skills"),
    "role_ids_raw": ("role_id", "professional_role", "professional_roles"),
}
_TITLE_NAMES = set(_ALIASES["title"])
_PLACE_OR_SALARY = set(_ALIASES["region_raw"]) | {"salary_from", "salary_to"}

SCHEDULE_TEXT = {
    "полный день": "fullDay",
    "сменный график": "shift",
    "гибкий график": "flexible",
    "удаленная работа": "remote",
    "удалённая работа": "remote",
    "вахтовый метод": "flyInFlyOut",
}
_TRUE = {"1", "true", "yes", "да", "t"}
_FALSE = {"0", "false", "no", "нет", "f"}


def _column_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for canonical, names in _ALIASES.items():
        for name in names:
            if name in header:
                found[canonical] = header.index(name)
                break
    return found


def _bool(value: str | None) -> bool | None:
    text = (value or "").strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def _schedule(value: str | None) -> str | None:
    text = clean_str(value)
    return None if text is None else SCHEDULE_TEXT.get(text.lower(), text)


def _skills(value: str | None) -> list[str]:
    text = clean_str(value)
    if text is None:
        return []
    parts = re.split(r"\s*[;|]\s*", text) if re.search(r"[;|]", text) else text.split(",")
    return [p.strip().strip("'\"[]") for p in parts if p.strip().strip("'\"[]")]


#: every column of the three known hh flat exports ("" is pandas' unnamed index)
_KNOWN = {
    "",
    "unnamed: 0",
    "name",
    "salary_from",
    "salary_to",
    "salary_currency",
    "area_name",
    "published_at",
    "id",
    "title",
    "city",
    "experience",
    "employment",
    "schedule",
    "has_salary",
    "salary_gross",
    "is_premium",
    "employer_trusted",
    "has_address",
    "role_id",
    "published_weekday",
    "published_hour",
    "title_word_count",
    "company",
    "currency",
    "description",
    "key_skills",
    "url",
}


def _share(values: list[str], ok) -> float:
    if not values:
        return 1.0
    good = 0
    for value in values:
        try:
            good += bool(ok(value))
        except (BadValue, ValueError):
            pass
    return good / len(values)


class HHFlatCSV(BaseReader):
    """Flat hh vacancy CSVs, recognised by a header made of hh export columns and values of hh shapes."""

    name = "hh-csv"
    kind = "vacancy"

    def score(self, head: Head) -> Score:
        from kadry.ingest.rules import KNOWN_CURRENCIES

        if head.is_json or not head.header:
            return NO
        cols = head.header
        if not set(cols) & _TITLE_NAMES or not set(cols) & (_PLACE_OR_SALARY | {"published_at", "role_id", "company"}):
            return NO
        known = sum(c in _KNOWN for c in cols) / len(cols)
        # value shapes: hh writes numbers, ISO dates and ISO currency codes
        shape = min(
            _share(head.column("salary_from") + head.column("salary_to"), lambda v: to_float(v) is not None),
            _share(head.column("published_at"), lambda v: parse_ts(v) is not None),
            _share(head.column("salary_currency") + head.column("currency"), lambda v: v.upper() in KNOWN_CURRENCIES),
        )
        value = round(known * shape, 2)
        return Score(
            value,
            "vacancy",
            f"{sum(c in _KNOWN for c in cols)}/{len(cols)} columns of hh flat exports, values {shape:.0%} of hh shapes",
        )

    def read(self, path: Path) -> Iterator[Item]:
        columns: dict[str, int] | None = None
        width = 0
        for line, row, header in iter_rows(path):
            if columns is None:
                columns = _column_map(header)
                width = len(header)
                if "title" not in columns:
                    raise UnreadableFileError(
                        path,
                        f"no title column (expected one of {', '.join(_ALIASES['title'])}; "
                        f"found {', '.join(header) or 'nothing'})",
                    )
            if isinstance(row, csv.Error):
                yield Item.bad(line, self.kind, f"bad CSV row: {row}")
                continue
            if len(row) != width:
                yield Item.bad(line, self.kind, f"row has {len(row)} fields, header has {width}", ",".join(row))
                continue
            try:
                yield Item(line, self.kind, self._record(row, columns))
            except BadValue as exc:
                yield Item.bad(line, self.kind, str(exc), ",".join(row))

    def stage(self, con, path: Path, table: str, source: str | None, observed_at):
        """The columnar path (kadry.sources.columnar): the file as a stage table, built by DuckDB."""
        return _stage(con, path, table, source, observed_at)

    @staticmethod
    def _record(row: list[str], columns: dict[str, int]) -> dict:
        get = {name: row[index] for name, index in columns.items()}.get

        source_id = clean_str(get("source_id"))
        if source_id is None:
            # a content id: identical rows in overlapping downloads become one vacancy
            key = "\x1f".join(
                (cell or "").strip()
                for cell in (
                    get("title"),
                    get("salary_from"),
                    get("salary_to"),
                    get("salary_currency"),
                    get("region_raw"),
                    get("published_at"),
                )
            )
            source_id = "row-" + hashlib.sha1(key.encode()).hexdigest()[:20]
        role = clean_str(get("role_ids_raw"))
        description = get("description")
        return {
            "source": "hh",
            "source_id": source_id,
            "title": clean_str(get("title")),
            "description": strip_html(description) if description else None,
            "employer_id": None,
            "employer_name": clean_str(get("employer_name")),
            "role_ids_raw": [r for r in re.split(r"[,;|\s]+", role) if r] if role else [],
            "area_id_raw": clean_str(get("area_id_raw")),
            "region_raw": clean_str(get("region_raw")),
            "salary_from": to_float(get("salary_from"), field="salary_from"),
            "salary_to": to_float(get("salary_to"), field="salary_to"),
            "salary_currency": clean_str(get("salary_currency")),
            "salary_gross": _bool(get("salary_gross")),
            "salary_period": "month",
            "experience_raw": experience_id_from_text(get("experience_raw")),
            "employment": clean_str(get("employment")),
            "schedule": _schedule(get("schedule")),
            "work_format_raw": [],
            "skills_raw": _skills(get("skills_raw")),
            "published_at": parse_ts(get("published_at"), field="published_at"),
            "created_at": None,
            "archived_at": None,
            "archived": None,
        }


READERS = [HHFlatCSV()]


def _stage(con, path: Path, table: str, source: str | None, observed_at):
    """The file as a stage table (kadry.ingest.staged) built by DuckDB; the record path's values exactly.

    Returns the position function for quarantined rows; raises NotColumnar when the file must be
    read record by record.
    """
    from kadry.sources.columnar import (
        Lookups,
        Staging,
        clean_sql,
        csv_layout,
        load_csv,
        record_lines,
        sql_text,
        strip_sql,
    )

    delimiter, header = csv_layout(path)
    columns = _column_map([h.lower() for h in header])
    if "title" not in columns:
        raise UnreadableFileError(
            path,
            f"no title column (expected one of {', '.join(_ALIASES['title'])}; found {', '.join(header) or 'nothing'})",
        )
    n = load_csv(con, path, delimiter, len(header), "_raw")
    cell = {name: f"r.c{index}" for name, index in columns.items()}

    def clean(name: str) -> str:
        return clean_sql(cell[name]) if name in cell else "NULL"

    maps = Lookups(con, "_raw r")

    def mapped(name: str, fn, typ, default: str = "NULL") -> tuple[str, str | None]:
        """(value, error) SQL of a field converted by Python once per distinct cell."""
        return maps.add(cell[name], fn, typ) if name in cell else (default, None)

    salary_from, err_from = mapped("salary_from", lambda v: to_float(v, field="salary_from"), "DOUBLE")
    salary_to, err_to = mapped("salary_to", lambda v: to_float(v, field="salary_to"), "DOUBLE")
    published, err_pub = _published(cell, maps)
    roles, _ = mapped(
        "role_ids_raw",
        lambda v: [r for r in re.split(r"[,;|\s]+", text) if r] if (text := clean_str(v)) else [],
        "VARCHAR[]",
        "[]::VARCHAR[]",
    )
    gross, _ = mapped("salary_gross", _bool, "BOOLEAN")
    experience, _ = mapped("experience_raw", experience_id_from_text, "VARCHAR")
    schedule, _ = mapped("schedule", _schedule, "VARCHAR")
    skills, _ = mapped("skills_raw", _skills, "VARCHAR[]", "[]::VARCHAR[]")
    # strip_html per row: descriptions rarely repeat, and RE2 over long texts was slower than Python
    description = "NULL::VARCHAR"
    if "description" in cell:
        description = maps.per_row(cell["description"], strip_html)
    hashed = " || chr(31) || ".join(
        strip_sql(cell[name]) if name in cell else "''"
        for name in ("title", "salary_from", "salary_to", "salary_currency", "region_raw", "published_at")
    )
    source_id = f"coalesce({clean('source_id')}, 'row-' || left(sha1({hashed}), 20))"
    src = sql_text(source or "hh")
    errors = [e for e in (err_from, err_to, err_pub) if e]
    bad = f"coalesce({', '.join(errors)})" if errors else "NULL::VARCHAR"
    row = " || ',' || ".join(f"coalesce(r.c{i}, '')" for i in range(len(header)))
    seen = "?::TIMESTAMP" if observed_at is not None else "NULL::TIMESTAMP"  # the write path dates it
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS SELECT
            {src} || ':' || {source_id} AS vacancy_id, {src} AS source, {source_id} AS source_id, false AS simulated,
            {clean("title")} AS title, {description} AS description, NULL::VARCHAR AS employer_id,
            {clean("employer_name")} AS employer_name, {roles} AS role_ids_raw, {clean("area_id_raw")} AS area_id_raw,
            {clean("region_raw")} AS region_raw, {salary_from} AS salary_from, {salary_to} AS salary_to,
            {clean("salary_currency")} AS salary_currency, {gross} AS salary_gross, 'month' AS salary_period,
            {experience} AS experience_raw, {clean("employment")} AS employment, {schedule} AS schedule,
            []::VARCHAR[] AS work_format_raw, {skills} AS skills_raw, NULL::VARCHAR AS profession_code_raw,
            {published} AS published_at, NULL::TIMESTAMP AS created_at, NULL::TIMESTAMP AS archived_at,
            {seen} AS observed_at, NULL::BOOLEAN AS archived, coalesce({salary_from}, {salary_to}) AS salary_amount,
            r.rowid - (SELECT min(rowid) FROM _raw) AS _ord, {bad} AS _bad, CASE WHEN {bad} IS NOT NULL THEN left({row}, 200) END AS _excerpt
        FROM _raw r {maps.sql()}""",
        [observed_at] if observed_at is not None else [],
    )
    maps.drop()
    con.execute("DROP TABLE _raw")
    return Staging(position=record_lines(path, delimiter, n))


def _published(cell: dict[str, str], maps) -> tuple[str, str | None]:
    """published_at: hh's own shape (2022-03-21T11:18:32+0300) in SQL, any other text by ``parse_ts``."""
    from kadry.sources.base import ts_bounds
    from kadry.sources.columnar import strip_sql

    if "published_at" not in cell:
        return "NULL::TIMESTAMP", None
    text = strip_sql(cell["published_at"])
    # the wall clock, offset dropped, inside parse_ts's range: exactly what parse_ts returns
    earliest, latest = (t.replace(microsecond=0).isoformat(sep=" ") for t in ts_bounds())
    fast = (
        f"CASE WHEN regexp_full_match({text}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}"
        f"([+-]([01][0-9]|2[0-3]):?[0-5][0-9]|Z)?') THEN try_strptime(left({text}, 19), '%Y-%m-%dT%H:%M:%S') END"
    )
    inside = f"({fast}) BETWEEN TIMESTAMP '{earliest}' AND TIMESTAMP '{latest}'"
    out, err = maps.add(
        cell["published_at"], lambda v: parse_ts(v, field="published_at"), "TIMESTAMP", f"NOT coalesce({inside}, false)"
    )
    return f"CASE WHEN {inside} THEN {fast} ELSE {out} END", err
