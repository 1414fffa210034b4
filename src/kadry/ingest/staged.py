"""The one write path of ingest: a staged table of canonical rows becomes stored, merged or quarantined.

Every reader ends here, whether its rows were staged from Python records (a batch of the
record path), built by DuckDB straight from the file (the columnar path of flat CSV and hh JSON
lines) or read from canonical Parquet, so the checks, the person-name scrub, the merge rule and
the accounting are written once, in SQL:

1. person names in employer and title fields get a placeholder (kadry.sources.people decides,
   once per distinct value that could be a name);
2. the rule set of kadry.ingest.rules quarantines rows (a reader's own reason comes first);
3. the field rules empty optional values, each recorded in ``quarantine_fields``;
4. per key the winning sighting is the latest ``observed_at`` (a row without one is dated by
   its latest own date; none is oldest), among equal times the one read last (``_ord``), so
   the result does not depend on batch size;
5. winners update known records (only from a sighting at least as late as the stored one) or
   are inserted; every sighting goes to ``observations``; the lifecycle is re-derived.

The stage table holds the canonical fields of its kind plus ``observed_at``, ``archived``,
``salary_amount`` and three bookkeeping columns: ``_ord`` (read order), ``_bad`` (a reader's
quarantine reason, or NULL) and ``_excerpt`` (what the quarantine may show of a bad row).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyarrow as pa

from kadry.ingest.outcome import Counts
from kadry.ingest.rules import FIELD_RULES, reason_sql
from kadry.sources.people import EMPLOYER_PLACEHOLDER, TITLE_PLACEHOLDER, scrub_person
from kadry.store import Connection
from kadry.store.writes import (
    KEY,
    insert_field_quarantine,
    insert_quarantine,
    insert_sightings,
    refresh_lifecycle_sql,
    upsert_winners,
)

__all__ = ["EXTRA", "Staged", "stage_schema", "write_rows", "write_staged"]

#: columns a stage table has beyond the canonical fields of its kind
EXTRA = {"observed_at": pa.timestamp("us"), "archived": pa.bool_(), "salary_amount": pa.float64()}
_BOOK = {"_ord": pa.int64(), "_bad": pa.string(), "_excerpt": pa.string()}

#: when a row without a sighting time of its own was seen: its latest date (none is oldest)
_SEEN = {"vacancy": "greatest(published_at, created_at)", "resume": "greatest(updated_at, created_at)"}

#: (field, placeholder) checked for person names, per kind; a resume's title is the person's own
#: wish, but a CV list read as records can put names there
_NAMED = {
    "vacancy": (("employer_name", EMPLOYER_PLACEHOLDER), ("title", TITLE_PLACEHOLDER)),
    "resume": (("title", TITLE_PLACEHOLDER),),
}
#: a value that could be a person's name has no digit and no Latin lower-case letter (names are
#: Cyrillic words or Latin initials) and is short; only those reach the dictionary check
_MAYBE_NAME = "length({c}) <= 80 AND NOT regexp_matches({c}, '[0-9a-z]')"


def stage_schema(kind: str) -> pa.Schema:
    """The Arrow schema of a stage table (what the record path registers)."""
    from kadry.schema import RESUME, VACANCY, arrow_schema

    base = arrow_schema(VACANCY if kind == "vacancy" else RESUME, ("raw",))
    for name, typ in {**EXTRA, **_BOOK}.items():
        if name not in base.names:
            base = base.append(pa.field(name, typ))
    return base


@dataclass
class Staged:
    counts: Counts
    names_hidden: int = 0
    fields_quarantined: int = 0

    def add(self, other: Staged) -> None:
        self.counts.add(other.counts)
        self.names_hidden += other.names_hidden
        self.fields_quarantined += other.fields_quarantined


def write_rows(con: Connection, kind: str, source_file: str, rows: pa.Table) -> Staged:
    """Stage rows (Arrow, ``stage_schema(kind)``) written inside the caller's transaction."""
    con.register("_rows", rows)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _stage AS SELECT * FROM _rows")
    finally:
        con.unregister("_rows")
    staged = write_staged(con, kind, source_file)
    con.execute("DROP TABLE _stage")
    return staged


def write_staged(
    con: Connection,
    kind: str,
    source_file: str,
    table: str = "_stage",
    *,
    position: Callable[[Sequence[int]], dict[int, int]] | None = None,
    sightings: bool = True,
) -> Staged:
    """Write a stage table (a TEMP table, changed in place) inside the caller's transaction.

    ``position`` maps read order to the position the quarantine records (a CSV's physical
    line); it is asked only for the rows that are quarantined, None means ``_ord`` is the position.
    ``sightings=False``: the caller adds the sightings and derives the lifecycle itself (a
    canonical folder brings its own observations).
    """
    out = Staged(Counts())
    con.execute(f"UPDATE {table} SET observed_at = {_SEEN[kind]} WHERE observed_at IS NULL")
    out.names_hidden = _scrub(con, kind, table)
    rule = reason_sql(kind, "source_id" if kind == "vacancy" else "source_key")
    # a reader's reason comes with the reader's excerpt; a rule's shows the title (as the record path did)
    con.execute(
        f"UPDATE {table} SET _bad = {rule}, _excerpt = left(title, 200) WHERE _bad IS NULL AND ({rule}) IS NOT NULL"
    )
    where = lambda ords: position(ords) if position else {o: o for o in ords}  # noqa: E731
    _quarantine(con, kind, source_file, table, where)
    out.fields_quarantined = _drop_fields(con, kind, source_file, table, where)
    n, bad = con.execute(f"SELECT count(*), count(_bad) FROM {table}").fetchall()[0]
    key = KEY[kind]
    # the rows that lose, found on three narrow columns (copying the winners would copy every field):
    # to a later sighting of their record, and (``sighting``) to a later read of the same sighting
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _lost AS SELECT _ord, _m > 1 AS sighting FROM (SELECT _ord, "
        f"row_number() OVER (PARTITION BY {key} ORDER BY observed_at DESC NULLS LAST, _ord DESC) AS _n, "
        f"row_number() OVER (PARTITION BY {key}, observed_at ORDER BY _ord DESC) AS _m "
        f"FROM {table} WHERE _bad IS NULL) WHERE _n > 1"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW _win AS SELECT * FROM {table} WHERE _bad IS NULL "
        "AND _ord NOT IN (SELECT _ord FROM _lost)"
    )
    stored, known, winners = upsert_winners(con, kind, "_win")
    if sightings:
        insert_sightings(con, kind, table, source_file, "_ord NOT IN (SELECT _ord FROM _lost WHERE sighting)")
        con.execute(refresh_lifecycle_sql(kind, f"AND o.record_id IN (SELECT {key} FROM _win)"))
    con.execute("DROP VIEW _win")
    con.execute("DROP TABLE _lost")
    # repeats inside the stage, plus winners whose key the store already held
    out.counts = Counts(read=n, stored=stored, merged=(n - bad - winners) + known, quarantined=bad)
    return out


def _scrub(con: Connection, kind: str, table: str) -> int:
    """Person names in employer and title fields replaced by a placeholder; how many were."""
    hidden = 0
    for column, placeholder in _NAMED[kind]:
        values = con.execute(
            f"SELECT DISTINCT {column} FROM {table} WHERE _bad IS NULL AND {column} IS NOT NULL "
            f"AND {_MAYBE_NAME.format(c=column)}"
        ).fetchall()
        names = [(v, new) for (v,) in values for new, hit in [scrub_person(v, placeholder)] if hit]
        if not names:
            continue
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _names AS SELECT unnest($1) AS old, unnest($2) AS new",
            [[o for o, _ in names], [n for _, n in names]],
        )
        hidden += con.execute(
            f"SELECT count(*) FROM {table} s JOIN _names m ON s.{column} = m.old WHERE s._bad IS NULL"
        ).fetchall()[0][0]
        con.execute(f"UPDATE {table} SET {column} = m.new FROM _names m WHERE {column} = m.old AND _bad IS NULL")
        con.execute("DROP TABLE _names")
    return hidden


def _safe_sql(kind: str, expr: str) -> str:
    """A resume's reason without personal values (kadry.ingest.batch's ``_safe``, in SQL)."""
    if kind != "resume":
        return expr
    quoted = f"regexp_replace({expr}, '''[^'']*''|\"[^\"]*\"', '''…''', 'g')"
    return f"regexp_replace({quoted}, '[0-9]+(?:[.,][0-9]+)?', 'N', 'g')"


def _quarantine(con, kind: str, source_file: str, table: str, where) -> None:
    excerpt = "NULL" if kind == "resume" else "left(_excerpt, 200)"
    rows = con.execute(
        f"SELECT _ord, {_safe_sql(kind, '_bad')}, {excerpt} FROM {table} WHERE _bad IS NOT NULL ORDER BY _ord"
    ).fetchall()
    if not rows:
        return
    lines = where([r[0] for r in rows])
    insert_quarantine(
        con,
        [
            {"source_file": source_file, "position": lines[o], "kind": kind, "reason": reason, "excerpt": text}
            for o, reason, text in rows
        ],
    )


def _drop_fields(con, kind: str, source_file: str, table: str, where) -> int:
    """The field rules: values emptied in the stage, each recorded with the rule's reason."""
    n = 0
    for rule in FIELD_RULES[kind]:
        cond = f"_bad IS NULL AND ({rule.condition}) IS TRUE"
        ords = [o for (o,) in con.execute(f"SELECT _ord FROM {table} WHERE {cond} ORDER BY _ord").fetchall()]
        if not ords:
            continue
        lines = where(ords)
        insert_field_quarantine(
            con,
            [
                {"source_file": source_file, "position": lines[o], "kind": kind, "field": f, "reason": rule.reason}
                for o in ords
                for f in rule.fields
            ],
        )
        sets = [f"{f} = NULL" for f in rule.fields]
        if kind == "vacancy":
            sets.append("salary_amount = NULL")
        con.execute(f"UPDATE {table} SET {', '.join(sets)} WHERE {cond}")
        n += len(ords) * len(rule.fields)
    return n
