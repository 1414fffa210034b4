"""The canonical record shapes: one definition for readers, the store, the simulator and Spark.

Each table is a list of ``Column``; the Arrow schema and the DuckDB DDL are derived from it,
so a column is added in one place. Raw values (as the source gave them) sit beside the
normalized ones (filled by ``kadry normalize``) so normalization can be rerun without
re-reading the sources. docs/schema.md documents every column.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from kadry.rules import experience as _experience

__all__ = [
    "Column",
    "VACANCY",
    "RESUME",
    "OBSERVATION",
    "QUARANTINE",
    "INGEST_LOG",
    "QUARANTINE_FIELDS",
    "SNAPSHOT",
    "PRESENCE",
    "VERSION",
    "CAREER",
    "LINK",
    "DICTIONARY",
    "TABLES",
    "RAW_VACANCY_FIELDS",
    "RAW_RESUME_FIELDS",
    "RAW_OBSERVATION_FIELDS",
    "arrow_schema",
    "ddl",
    "EXPERIENCE_BANDS",
    "AGE_BANDS",
    "age_band",
    "experience_band",
]

_ARROW = {
    "VARCHAR": pa.string(),
    "VARCHAR[]": pa.list_(pa.string()),
    "DOUBLE": pa.float64(),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us"),
    "DATE": pa.date32(),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    doc: str
    #: raw: set by a reader; norm: set by normalize; life: lifecycle kept by the store
    stage: str = "raw"


def _c(name: str, type_: str, doc: str, stage: str = "raw") -> Column:
    return Column(name, type_, doc, stage)


# --- vacancies: one row per (source, source_id) --------------------------------------------
VACANCY: list[Column] = [
    _c("vacancy_id", "VARCHAR", "'<source>:<source_id>', primary key"),
    _c("source", "VARCHAR", "hh, trudvsem, csv:<name>, sim"),
    _c("source_id", "VARCHAR", "the source's own id (or a content hash where it has none)"),
    _c("simulated", "BOOLEAN", "true for records made by `kadry simulate`"),
    _c("title", "VARCHAR", "job title as published"),
    _c("description", "VARCHAR", "plain text of the advert (HTML removed), may be null"),
    _c("employer_id", "VARCHAR", "source's employer id"),
    _c("employer_name", "VARCHAR", "employer (an organisation, not a person)"),
    _c("role_ids_raw", "VARCHAR[]", "hh professional role ids given by the source"),
    _c("area_id_raw", "VARCHAR", "hh area id given by the source"),
    _c("region_raw", "VARCHAR", "place name as given (area name, city, address)"),
    _c("salary_from", "DOUBLE", "lower bound as given"),
    _c("salary_to", "DOUBLE", "upper bound as given"),
    _c("salary_currency", "VARCHAR", "ISO-like code as given (RUR, USD, BYR, ...)"),
    _c("salary_gross", "BOOLEAN", "true: before income tax; null: not said"),
    _c("salary_period", "VARCHAR", "month (default), hour, day, shift, year"),
    _c("experience_raw", "VARCHAR", "required experience as given"),
    _c("employment", "VARCHAR", "full, part, project, volunteer, probation"),
    _c("schedule", "VARCHAR", "fullDay, shift, flexible, remote, flyInFlyOut"),
    _c("work_format_raw", "VARCHAR[]", "ON_SITE, REMOTE, HYBRID, FIELD_WORK (2025 API)"),
    _c("skills_raw", "VARCHAR[]", "key skills as given"),
    _c("profession_code_raw", "VARCHAR", "the source's occupation code (trudvsem: 6-digit OKPDTR-style)"),
    _c("published_at", "TIMESTAMP", "publication time, local wall-clock of the source"),
    _c("created_at", "TIMESTAMP", "creation time where the source gives one"),
    _c("archived_at", "TIMESTAMP", "close time given by the source (trudvsem, simulator)"),
    # lifecycle, kept by the store from observations
    _c("first_seen", "TIMESTAMP", "earliest observation", "life"),
    _c("last_seen", "TIMESTAMP", "latest observation", "life"),
    _c(
        "closed_at",
        "TIMESTAMP",
        "archived_at, else first observation that showed it archived (snapshot sources: the first snapshot without it)",
        "life",
    ),
    _c(
        "activity_end",
        "TIMESTAMP",
        "snapshot sources: last snapshot showing it (it closed before the next one)",
        "life",
    ),
    # normalized
    _c("country_code", "VARCHAR", "ISO 3166-1 alpha-2 of the place", "norm"),
    _c("region_code", "VARCHAR", "ISO 3166-2:RU federal subject (RU-MOW, ...)", "norm"),
    _c("federal_district", "VARCHAR", "federal district code (CFD, NWFD, ...)", "norm"),
    _c("area_id", "VARCHAR", "hh area id of the place, resolved", "norm"),
    _c("region_status", "VARCHAR", "mapped, country_only, unmapped", "norm"),
    _c("role_id", "VARCHAR", "primary hh professional role", "norm"),
    _c("role_ids", "VARCHAR[]", "all hh roles (source or classifier)", "norm"),
    _c("role_category", "VARCHAR", "hh role category id", "norm"),
    _c("isco2", "VARCHAR", "ISCO-08 sub-major group (two digits)", "norm"),
    _c("is_it", "BOOLEAN", "role in the information-technology category", "norm"),
    _c("role_source", "VARCHAR", "source, classifier, unknown", "norm"),
    _c("role_confidence", "DOUBLE", "classifier probability (1.0 when from source)", "norm"),
    _c(
        "occupation_version",
        "VARCHAR",
        "version of the occupation crosswalk and title model (occupations.crosswalk_version)",
        "norm",
    ),
    _c("experience", "VARCHAR", ", ".join(_experience.KEYS), "norm"),
    _c("remote", "BOOLEAN", "work can be done remotely", "norm"),
    _c("salary_rub", "DOUBLE", "point estimate, roubles per month, net of income tax", "norm"),
    _c("salary_rub_from", "DOUBLE", "lower bound, roubles/month net", "norm"),
    _c("salary_rub_to", "DOUBLE", "upper bound, roubles/month net", "norm"),
    _c("salary_flag", "VARCHAR", "ok, missing, below_minimum, too_high, no_rate", "norm"),
    _c("skills", "VARCHAR[]", "canonical skills (key skills or extracted)", "norm"),
    _c("skills_source", "VARCHAR", "key_skills, description, none", "norm"),
    _c("dup_of", "VARCHAR", "vacancy_id of the canonical record if a duplicate", "norm"),
    _c("dup_kind", "VARCHAR", "exact (same content, other id), repost, near (null when canonical)", "norm"),
    _c("norm_version", "VARCHAR", "version of the rules that produced the normalized values", "norm"),
]

# --- resumes: one row per (source, hashed id); no names, contacts, URLs, photos, free text -------
RESUME: list[Column] = [
    _c("resume_id", "VARCHAR", "'<source>:<salted hash of the source id>', primary key"),
    _c("source", "VARCHAR", "hh, csv:<name>, sim"),
    _c("source_key", "VARCHAR", "salted SHA-256 of the source's resume id (never the id)"),
    _c("simulated", "BOOLEAN", "true for records made by `kadry simulate`"),
    _c("title", "VARCHAR", "desired position"),
    _c("role_ids_raw", "VARCHAR[]", "hh professional roles given by the source"),
    _c("area_id_raw", "VARCHAR", "hh area id of residence"),
    _c("region_raw", "VARCHAR", "place of residence as given"),
    _c("salary_amount", "DOUBLE", "desired salary as given"),
    _c("salary_currency", "VARCHAR", "currency as given"),
    _c("salary_gross", "BOOLEAN", "null: not said (hh resumes are usually net)"),
    _c("experience_months", "INTEGER", "total experience in months"),
    _c("age_band", "VARCHAR", "age band (exact age is never stored)"),
    _c("gender", "VARCHAR", "male, female (evaluation only; never an input to a score)"),
    _c("skills_raw", "VARCHAR[]", "skills as given"),
    _c("employment_raw", "VARCHAR[]", "employment types wanted"),
    _c("schedule_raw", "VARCHAR[]", "schedules wanted (remote, fullDay, ...)"),
    _c("relocation_type", "VARCHAR", "no_relocation, relocation_possible, relocation_desirable"),
    _c("relocation_area_ids", "VARCHAR[]", "hh area ids the person would move to"),
    _c("relocation_areas_raw", "VARCHAR[]", "place names the person would move to"),
    _c("citizenship", "VARCHAR[]", "hh area ids / names of citizenship countries"),
    _c("created_at", "TIMESTAMP", "creation time"),
    _c("updated_at", "TIMESTAMP", "latest update seen"),
    _c("profession_code_raw", "VARCHAR", "the source's occupation code (trudvsem: 6-digit OKPDTR-style)"),
    _c("first_seen", "TIMESTAMP", "earliest observation", "life"),
    _c("last_seen", "TIMESTAMP", "latest observation", "life"),
    _c("closed_at", "TIMESTAMP", "snapshot sources: first snapshot without it", "life"),
    _c("activity_end", "TIMESTAMP", "snapshot sources: last snapshot showing it", "life"),
    _c("country_code", "VARCHAR", "ISO 3166-1 alpha-2 of residence", "norm"),
    _c("region_code", "VARCHAR", "ISO 3166-2:RU of residence", "norm"),
    _c("federal_district", "VARCHAR", "federal district code", "norm"),
    _c("area_id", "VARCHAR", "hh area id, resolved", "norm"),
    _c("region_status", "VARCHAR", "mapped, country_only, unmapped", "norm"),
    _c("role_id", "VARCHAR", "primary hh role", "norm"),
    _c("role_ids", "VARCHAR[]", "all hh roles", "norm"),
    _c("role_category", "VARCHAR", "hh role category id", "norm"),
    _c("isco2", "VARCHAR", "ISCO-08 sub-major group", "norm"),
    _c("is_it", "BOOLEAN", "role in the IT category", "norm"),
    _c("role_source", "VARCHAR", "source, classifier, unknown", "norm"),
    _c("role_confidence", "DOUBLE", "classifier probability", "norm"),
    _c("occupation_version", "VARCHAR", "version of the occupation crosswalk and title model", "norm"),
    _c("experience", "VARCHAR", "experience band, same ids as vacancies", "norm"),
    _c("remote", "BOOLEAN", "wants or accepts remote work", "norm"),
    _c("salary_rub", "DOUBLE", "desired salary, roubles per month, net", "norm"),
    _c("salary_flag", "VARCHAR", "ok, missing, below_minimum, too_high, no_rate", "norm"),
    _c("skills", "VARCHAR[]", "canonical skills", "norm"),
    _c("relocation_countries", "VARCHAR[]", "ISO alpha-2 of relocation areas", "norm"),
    _c("ready_to_relocate", "BOOLEAN", "relocation_type is possible or desirable", "norm"),
    _c("ready_abroad", "BOOLEAN", "ready to relocate and some relocation area is abroad", "norm"),
    _c("norm_version", "VARCHAR", "rules version", "norm"),
]

# --- observations: one row per sighting (kind, record, time); the history of a record ----------
OBSERVATION: list[Column] = [
    _c("kind", "VARCHAR", "vacancy or resume"),
    _c("record_id", "VARCHAR", "vacancy_id or resume_id"),
    _c("observed_at", "TIMESTAMP", "when it was seen (--observed-at, or the record's own time)"),
    _c("source_file", "VARCHAR", "input file it came from"),
    _c("area_id_raw", "VARCHAR", "area id at this sighting"),
    _c("region_raw", "VARCHAR", "place at this sighting"),
    _c("archived", "BOOLEAN", "the source marked it archived / closed at this sighting"),
    _c("updated_at", "TIMESTAMP", "record's update time at this sighting (resumes)"),
    _c("salary_amount", "DOUBLE", "salary at this sighting (desired, for resumes)"),
    _c("relocation_type", "VARCHAR", "relocation readiness at this sighting (resumes)"),
    _c("country_code", "VARCHAR", "normalized country at this sighting", "norm"),
    _c("region_code", "VARCHAR", "normalized federal subject at this sighting", "norm"),
]

QUARANTINE: list[Column] = [
    _c("source_file", "VARCHAR", "input file"),
    _c("position", "BIGINT", "record position in the file (0-based; line for CSV/JSONL)"),
    _c("kind", "VARCHAR", "vacancy or resume"),
    _c("reason", "VARCHAR", "why it was not stored"),
    _c("excerpt", "VARCHAR", "first 200 characters of the input (never for resumes)"),
]

INGEST_LOG: list[Column] = [
    _c("source_file", "VARCHAR", "input file"),
    _c("format", "VARCHAR", "reader used"),
    _c("read", "BIGINT", "records read"),
    _c("stored", "BIGINT", "new records stored"),
    _c("merged", "BIGINT", "repeat sightings or exact duplicates"),
    _c("quarantined", "BIGINT", "records quarantined"),
    _c("finished_at", "TIMESTAMP", "when the file was fully ingested (or failed)"),
    _c(
        "status",
        "VARCHAR",
        "ok; failed (nothing of the file is stored, or only its parts before `resume`); partial (stopped between parts)",
    ),
    _c("detail", "VARCHAR", "why it failed; for ok files what decoding changed (NUL bytes removed)"),
    _c("names_hidden", "BIGINT", "person names replaced by a placeholder in employer or title"),
    _c("fields_quarantined", "BIGINT", "optional fields dropped (record kept), see quarantine_fields"),
    _c("resume", "VARCHAR", "a file stored in parts that stopped: where a rerun continues (JSON); NULL once whole"),
]

QUARANTINE_FIELDS: list[Column] = [
    _c("source_file", "VARCHAR", "input file"),
    _c("position", "BIGINT", "record position in the file"),
    _c("kind", "VARCHAR", "vacancy or resume"),
    _c("field", "VARCHAR", "the canonical field left empty"),
    _c("reason", "VARCHAR", "why the value was dropped (never the value itself for resumes)"),
]

# --- snapshot sources (trudvsem dumps): what each full snapshot showed, kept as runs -----------
SNAPSHOT: list[Column] = [
    _c("dataset", "VARCHAR", "vacancy, cv, response, invitation, professions, regions, industries"),
    _c("snapshot_at", "TIMESTAMP", "the dump's date and time, from its file name"),
    _c("file_name", "VARCHAR", "dump file name"),
    _c("records", "BIGINT", "records read"),
    _c("new", "BIGINT", "records never seen before"),
    _c("changed", "BIGINT", "records whose content changed since the previous snapshot"),
    _c("quarantined", "BIGINT", "records quarantined"),
    _c("finished_at", "TIMESTAMP", "when the snapshot was fully applied"),
]
PRESENCE: list[Column] = [
    _c("kind", "VARCHAR", "vacancy or resume"),
    _c("record_id", "VARCHAR", "vacancy_id or resume_id"),
    _c("first_at", "TIMESTAMP", "first snapshot of a run of consecutive snapshots showing the record"),
    _c("last_at", "TIMESTAMP", "last snapshot of the run"),
]
VERSION: list[Column] = [
    _c("kind", "VARCHAR", "vacancy or resume"),
    _c("record_id", "VARCHAR", "vacancy_id or resume_id"),
    _c("content_hash", "VARCHAR", "hash of the stored fields of this version"),
    _c("first_at", "TIMESTAMP", "first snapshot of a run showing this version"),
    _c("last_at", "TIMESTAMP", "last snapshot of the run"),
    _c("region_raw", "VARCHAR", "place in this version"),
    _c("profession_code_raw", "VARCHAR", "occupation code in this version"),
    _c("title", "VARCHAR", "title / desired position in this version"),
    _c("salary_amount", "DOUBLE", "salary in this version"),
]
CAREER: list[Column] = [
    _c("resume_id", "VARCHAR", "resume (salted hash id) of the newest snapshot showing it"),
    _c("position", "INTEGER", "order in the CV's work-experience list"),
    _c("job_title", "VARCHAR", "job title held (no employer name)"),
    _c("profession_code", "VARCHAR", "occupation code of the job, if given"),
    _c("date_from", "DATE", "start"),
    _c("date_to", "DATE", "end (null: current)"),
]
LINK: list[Column] = [
    _c("kind", "VARCHAR", "response (a job seeker applied) or invitation (an employer invited)"),
    _c("link_id", "VARCHAR", "the source's id of the response / invitation"),
    _c("resume_id", "VARCHAR", "resume_id (salted hash of the cv id)"),
    _c("vacancy_id", "VARCHAR", "vacancy_id"),
    _c("created_at", "TIMESTAMP", "when it was made"),
    _c("source_file", "VARCHAR", "dump it came from"),
]
DICTIONARY: list[Column] = [
    _c("dictionary", "VARCHAR", "professions, regions, industries"),
    _c("code", "VARCHAR", "code"),
    _c("name", "VARCHAR", "name"),
    _c("parent", "VARCHAR", "category / group where given"),
    _c("active", "BOOLEAN", "active flag where given"),
]

#: table -> (columns, logical key: unique, kept so by the ingest)
TABLES: dict[str, tuple[list[Column], tuple[str, ...]]] = {
    "vacancies": (VACANCY, ("vacancy_id",)),
    "resumes": (RESUME, ("resume_id",)),
    "observations": (OBSERVATION, ("kind", "record_id", "observed_at")),
    "quarantine": (QUARANTINE, ("source_file", "position")),
    "ingest_log": (INGEST_LOG, ("source_file",)),
    "quarantine_fields": (QUARANTINE_FIELDS, ("source_file", "position", "field")),
    "snapshots": (SNAPSHOT, ("dataset", "snapshot_at")),
    "presence": (PRESENCE, ("kind", "record_id", "first_at")),
    "versions": (VERSION, ("kind", "record_id", "content_hash", "first_at")),
    "career_history": (CAREER, ("resume_id", "position")),
    "links": (LINK, ("kind", "link_id")),
    "dictionaries": (DICTIONARY, ("dictionary", "code")),
}

RAW_VACANCY_FIELDS = [c.name for c in VACANCY if c.stage == "raw"]
RAW_RESUME_FIELDS = [c.name for c in RESUME if c.stage == "raw"]
RAW_OBSERVATION_FIELDS = [c.name for c in OBSERVATION if c.stage == "raw"]


def arrow_schema(columns: list[Column], stages: tuple[str, ...] = ("raw", "life", "norm")) -> pa.Schema:
    return pa.schema([pa.field(c.name, _ARROW[c.type]) for c in columns if c.stage in stages])


def ddl(table: str) -> str:
    columns, key = TABLES[table]
    # The key is logical: the ingest keeps it unique with anti-joins. A DuckDB PRIMARY KEY
    # would turn every lifecycle UPDATE of a list column into a delete+insert that trips it.
    body = ",\n  ".join(f"{c.name} {c.type}" for c in columns)
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  {body}\n)"


EXPERIENCE_BANDS = list(_experience.KEYS)
AGE_BANDS = ["<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]


def age_band(age: int | float | None) -> str | None:
    """An exact age becomes a band; ages outside 14..100 are not credible and become null."""
    if age is None or age != age or age < 14 or age > 100:
        return None
    for upper, band in ((18, "<18"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64")):
        if age < upper:
            return band
    return "65+"


def experience_band(months: int | float | None) -> str | None:
    """hh's experience ids from a number of months (kadry.rules.experience)."""
    return _experience.band_of(months)


_INTRO = """# Canonical records

Generated from `src/kadry/schema.py` by `python -m kadry.schema > docs/schema.md`; a test keeps
the two equal. Stages: **raw** columns are set by a reader exactly as the source said (so
normalization can be rerun without re-reading sources), **life** columns are kept by the store
from the observations, **norm** columns are filled by `kadry normalize` and record the
version of the rules that produced them.

- A vacancy or resume is one row, keyed by `<source>:<id>`; every sighting of it is a row
  of `observations` keyed by (kind, record, time). A later sighting updates the record's
  values (the newest sighting wins) and its lifecycle; it never adds a second record.
- Times are the source's local wall-clock time (hh and trudvsem give Moscow time), offset dropped.
- Resumes carry no names, contacts, photos, URLs or free text; their ids are salted hashes,
  ages are bands. Readers drop such fields, and the ingest keeps only the columns below.
- Every input record ends as a stored record, a merged sighting, or a `quarantine` row
  with its file, position and reason; `ingest_log` keeps the four counts of each file.
- Two more tables belong to matching (`kadry.match.keys`): `api_keys` (key id, name, scope,
  SHA-256 of the key, never the key) and `match_audit` (time, key id, direction, k, result
  count: no person-level payload).
"""


def markdown() -> str:
    parts = [_INTRO]
    for table, (columns, key) in TABLES.items():
        parts.append(
            f"\n## {table}\n\nKey: ({', '.join(key)})\n\n| column | type | stage | meaning |\n|---|---|---|---|"
        )
        parts.extend(f"| {c.name} | {c.type} | {c.stage} | {c.doc} |" for c in columns)
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
