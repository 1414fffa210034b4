"""Normalization over the store: fills the norm-stage columns in place, set-based.

Python only ever sees *distinct* raw values (place names, titles without a role, skill
strings); their mappings are registered as Arrow tables and joined in DuckDB, so ten
million simulated rows with a handful of distinct areas cost one join each. Rerunning is
safe: every norm column is recomputed from the raw ones and stamped with ``norm_version``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from kadry.config import RESOURCES
from kadry.normalize import duplicates as _dups
from kadry.normalize.occupations import IT_ROLES, crosswalk_version, roles
from kadry.normalize.regions import region_mapper
from kadry.normalize.salary import LOW_WAGE_EMPLOYMENT, PERIOD_FACTORS, TOO_HIGH_RUB, mrot_frame, net_sql, rate_table
from kadry.normalize.skills import SkillVocabulary, skill_vocabulary
from kadry.rules import activity
from kadry.rules import experience as experience_rule

__all__ = ["RULES_VERSION", "norm_version", "normalize_store", "unmapped_regions", "normalize_regions"]

#: bump when a rule in code changes; resource changes are caught by the hash
RULES_VERSION = "1.0"
RULES_DIR = Path(experience_rule.__file__).parent

Progress = Callable[[str], None] | None


def norm_version(rates_file: str | None = None) -> str:
    """Rules version plus a short hash of every shipped resource file (so an edit shows),
    and of the user's rate file when one is given."""
    digest = hashlib.sha256()
    base = RESOURCES / "normalize"
    # the shared rules normalization applies (experience wordings and bands, the start date)
    for path in (RULES_DIR / "experience.py", RULES_DIR / "activity.py"):
        digest.update(path.read_bytes())
    for path in sorted(base.rglob("*")):
        if path.is_file() and path.suffix in (".csv", ".yaml", ".npz", ".json") and "heldout" not in path.name:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    version = f"{RULES_VERSION}+{digest.hexdigest()[:10]}"
    if rates_file:
        try:
            user = hashlib.sha256(open(rates_file, "rb").read()).hexdigest()[:8]
        except OSError:
            user = "unreadable"  # rate_table() raises the clear error
        version += f"+rates.{user}"
    return version


def _say(progress: Progress, message: str) -> None:
    if progress is not None:
        progress(message)


def _register(con, name: str, table) -> None:
    con.register(name, table)  # replaces an earlier registration of the same name


# --- regions ---------------------------------------------------------------------------------
def normalize_regions(con, scope: str = "TRUE") -> dict:
    """Country, subject, district, area and status for vacancies, resumes and observations."""
    mapper = region_mapper()
    keys = con.execute(
        """SELECT DISTINCT a, r FROM (
             SELECT area_id_raw a, region_raw r FROM vacancies UNION ALL
             SELECT area_id_raw, region_raw FROM resumes UNION ALL
             SELECT area_id_raw, region_raw FROM observations)"""
    ).fetchall()
    cols: dict[str, list] = {
        k: [] for k in ("ka", "kr", "country_code", "region_code", "federal_district", "area_id", "region_status")
    }
    for a, r in keys:
        p = mapper.resolve(a, r)
        cols["ka"].append(a if a is not None else "\x00")
        cols["kr"].append(r if r is not None else "\x00")
        cols["country_code"].append(p.country_code)
        cols["region_code"].append(p.region_code)
        cols["federal_district"].append(p.federal_district)
        cols["area_id"].append(p.area_id)
        cols["region_status"].append(p.region_status)
    _register(con, "_kadry_places", pa.table(cols))
    join = "coalesce(t.area_id_raw, chr(0)) = p.ka AND coalesce(t.region_raw, chr(0)) = p.kr"
    for table in ("vacancies", "resumes"):
        con.execute(
            f"""UPDATE {table} t SET country_code = p.country_code, region_code = p.region_code,
                 federal_district = p.federal_district, area_id = p.area_id, region_status = p.region_status
               FROM _kadry_places p WHERE {join} AND ({scope})"""
        )
    con.execute(
        f"UPDATE observations t SET country_code = p.country_code, region_code = p.region_code FROM _kadry_places p WHERE {join}"
    )
    con.unregister("_kadry_places")
    return {"distinct_places": len(keys)}


# --- occupations -----------------------------------------------------------------------------
def _roles_sql_list() -> str:
    return "[" + ", ".join(f"'{r}'" for r in sorted(roles(), key=int)) + "]"


def _register_roles(con) -> None:
    table = pa.table(
        {
            "rid": [r.role_id for r in roles().values()],
            "cat": [r.primary_category for r in roles().values()],
            "isco": [r.isco2 for r in roles().values()],
            "it": [r.role_id in IT_ROLES for r in roles().values()],
        }
    )
    _register(con, "_kadry_roles", table)


def normalize_roles(
    con, table: str, key: str, *, classifier=None, progress: Progress = None, scope: str = "TRUE"
) -> dict:
    """Source roles where given, else the title classifier over distinct titles."""
    known = _roles_sql_list()
    _register_roles(con)
    clean = "list_filter(t.role_ids_raw, lambda x: x IS NOT NULL AND trim(x) <> '')"
    con.execute(
        f"""UPDATE {table} t SET role_ids = {clean},
              role_id = coalesce(list_filter({clean}, lambda x: list_contains({known}, x))[1], {clean}[1]),
              role_source = 'source', role_confidence = 1.0
            WHERE len({clean}) > 0 AND ({scope})"""
    )
    stats = {
        f"{table}_roles_from_source": con.execute(
            f"SELECT count(*) FROM {table} WHERE role_source = 'source'"
        ).fetchone()[0]
    }
    has_skills = table == "vacancies" or table == "resumes"
    skills_expr = "array_to_string(skills_raw, ' ')" if has_skills else "''"
    titles = con.execute(
        f"""SELECT DISTINCT coalesce(title, ''), coalesce({skills_expr}, '') FROM {table}
            WHERE (role_ids_raw IS NULL OR len(list_filter(role_ids_raw, lambda x: x IS NOT NULL AND trim(x) <> '')) = 0)
              AND ({scope})"""
    ).fetchall()
    if titles:
        from kadry.normalize.classifier import TitleClassifier

        clf = classifier or TitleClassifier.load()
        _say(progress, f"{table}: classifying {len(titles)} distinct titles")
        preds = clf.predict([t for t, _ in titles], [s for _, s in titles])
        mapping = pa.table(
            {
                "t": [t for t, _ in titles],
                "s": [s for _, s in titles],
                "rid": [p.role for p in preds],
                "conf": [float(p.confidence) for p in preds],
            }
        )
        _register(con, "_kadry_titles", mapping)
        con.execute(
            f"""UPDATE {table} t SET role_id = m.rid,
                  role_ids = CASE WHEN m.rid IS NULL THEN [] ELSE [m.rid] END,
                  role_source = CASE WHEN m.rid IS NULL THEN 'unknown' ELSE 'classifier' END,
                  role_confidence = m.conf
                FROM _kadry_titles m
                WHERE coalesce(t.title, '') = m.t AND coalesce({skills_expr.replace("skills_raw", "t.skills_raw")}, '') = m.s
                  AND (t.role_ids_raw IS NULL OR len(list_filter(t.role_ids_raw, lambda x: x IS NOT NULL AND trim(x) <> '')) = 0)
                  AND ({scope})"""
        )
        con.unregister("_kadry_titles")
        stats[f"{table}_classified_titles"] = len(titles)
    con.execute(
        f"""UPDATE {table} t SET role_category = r.cat, isco2 = r.isco, is_it = r.it
            FROM _kadry_roles r WHERE t.role_id = r.rid AND ({scope})"""
    )
    con.execute(
        f"UPDATE {table} SET role_category = NULL, isco2 = NULL, is_it = NULL WHERE role_id IS NULL AND ({scope})"
    )
    con.execute(
        f"""UPDATE {table} SET role_category = NULL, isco2 = NULL, is_it = NULL
            WHERE role_id IS NOT NULL AND NOT list_contains({known}, role_id) AND ({scope})"""
    )
    con.execute(f"UPDATE {table} SET occupation_version = ?", [crosswalk_version()])
    con.unregister("_kadry_roles")
    return stats


# --- experience and remote -------------------------------------------------------------------
_EXPERIENCE_SQL = experience_rule.sql_text("experience_raw")


def _experience_and_remote(con, scope: str = "TRUE") -> None:
    con.execute(
        f"""UPDATE vacancies SET experience = {_EXPERIENCE_SQL},
              remote = coalesce(schedule = 'remote', false)
                       OR coalesce(list_contains(work_format_raw, 'REMOTE'), false)
                       OR coalesce(regexp_matches(lower(title), 'удал[её]нн?о|удал[её]нная работа|\\bremote\\b'), false)
            WHERE {scope}"""
    )
    con.execute(
        f"""UPDATE resumes SET experience = {experience_rule.sql_months("experience_months")},
            remote = coalesce(list_contains(schedule_raw, 'remote'), false)
            WHERE {scope}"""
    )


# --- salaries --------------------------------------------------------------------------------
def _register_salary_tables(con, rates_file: str | None) -> None:
    _register(con, "_kadry_rates", pa.Table.from_pandas(rate_table(rates_file).frame(), preserve_index=False))
    _register(con, "_kadry_mrot", pa.Table.from_pandas(mrot_frame(), preserve_index=False))
    _register(
        con,
        "_kadry_periods",
        pa.table({"period": list(PERIOD_FACTORS), "factor": list(PERIOD_FACTORS.values())}),
    )


def _salary_select(
    table: str, key: str, lo: str, hi: str, currency: str, gross: str, period: str, when: str, employment: str
) -> str:
    low_wage = ", ".join(f"'{e}'" for e in LOW_WAGE_EMPLOYMENT)
    lo_m = "(b.lo * rate * factor)"
    hi_m = "(b.hi * rate * factor)"
    return f"""
    WITH b AS (
      SELECT {key} AS k,
             CASE WHEN {lo} > 0 THEN {lo} END AS lo,
             CASE WHEN {hi} > 0 THEN {hi} END AS hi,
             upper(coalesce({currency}, 'RUR')) AS cur,
             coalesce({gross}, false) AS g,
             replace(replace(lower(coalesce({period}, 'month')), '_', ''), '-', '') AS per,
             {when} AS d, {employment} AS emp, country_code AS cc
      FROM {table}),
    c AS (
      SELECT b.*, CASE WHEN b.cur IN ('RUR', 'RUB') THEN 1.0 ELSE r.rub_per_unit END AS rate,
             p.factor, m.mrot_rub, coalesce(year(b.d), 2001) AS y
      FROM b
      LEFT JOIN _kadry_rates r ON r.currency = b.cur AND r.month = strftime(b.d, '%Y-%m')
      LEFT JOIN _kadry_periods p ON p.period = b.per
      LEFT JOIN _kadry_mrot m ON m.month = strftime(b.d, '%Y-%m')),
    n AS (
      SELECT k, lo, hi, rate, factor, mrot_rub, y, emp, cc,
             CASE WHEN g THEN {net_sql(lo_m.replace("b.", ""), "y")} ELSE {lo_m.replace("b.", "")} END AS rlo,
             CASE WHEN g THEN {net_sql(hi_m.replace("b.", ""), "y")} ELSE {hi_m.replace("b.", "")} END AS rhi
      FROM c),
    p AS (
      SELECT *, CASE WHEN rlo IS NOT NULL AND rhi IS NOT NULL THEN (rlo + rhi) / 2 ELSE coalesce(rlo, rhi) END AS pt FROM n)
    SELECT k,
      CASE WHEN lo IS NULL AND hi IS NULL OR rate IS NULL OR factor IS NULL THEN NULL ELSE pt END AS salary_rub,
      CASE WHEN rate IS NULL OR factor IS NULL THEN NULL ELSE rlo END AS salary_rub_from,
      CASE WHEN rate IS NULL OR factor IS NULL THEN NULL ELSE rhi END AS salary_rub_to,
      CASE WHEN lo IS NULL AND hi IS NULL THEN 'missing'
           WHEN rate IS NULL OR factor IS NULL THEN 'no_rate'
           WHEN pt > {TOO_HIGH_RUB!r} THEN 'too_high'
           WHEN mrot_rub IS NOT NULL AND coalesce(cc, 'RU') = 'RU' AND coalesce(emp, '') NOT IN ({low_wage})
                AND pt < {net_sql("mrot_rub", "y")} THEN 'below_minimum'
           ELSE 'ok' END AS salary_flag
    FROM p"""


def normalize_salaries(con, rates_file: str | None = None, scope: str = "TRUE") -> dict:
    _register_salary_tables(con, rates_file)
    sql = _salary_select(
        "vacancies",
        "vacancy_id",
        "salary_from",
        "salary_to",
        "salary_currency",
        "salary_gross",
        "salary_period",
        activity.start_sql("vacancy"),
        "employment",
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _kadry_sal AS {sql}")
    con.execute(
        f"""UPDATE vacancies v SET salary_rub = s.salary_rub, salary_rub_from = s.salary_rub_from,
             salary_rub_to = s.salary_rub_to, salary_flag = s.salary_flag
           FROM _kadry_sal s WHERE v.vacancy_id = s.k AND ({scope})"""
    )
    sql = _salary_select(
        "resumes",
        "resume_id",
        "salary_amount",
        "NULL::DOUBLE",
        "salary_currency",
        "salary_gross",
        "NULL::VARCHAR",
        "coalesce(updated_at, created_at, last_seen)",
        "NULL::VARCHAR",
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _kadry_sal AS {sql}")
    con.execute(
        "UPDATE resumes r SET salary_rub = s.salary_rub, salary_flag = s.salary_flag FROM _kadry_sal s "
        f"WHERE r.resume_id = s.k AND ({scope})"
    )
    con.execute("DROP TABLE _kadry_sal")
    for name in ("_kadry_rates", "_kadry_mrot", "_kadry_periods"):
        con.unregister(name)
    rows = con.execute("SELECT salary_flag, count(*) FROM vacancies GROUP BY ALL ORDER BY ALL").fetchall()
    return {"vacancy_salary_flags": {k: v for k, v in rows}}


# --- skills ----------------------------------------------------------------------------------
def normalize_skills(con, vocab: SkillVocabulary | None = None, scope: str = "TRUE") -> dict:
    """Canonical key skills; skills extracted from the description where none were given."""
    vocab = vocab or skill_vocabulary()
    raw = [
        r[0]
        for r in con.execute(
            """SELECT DISTINCT s FROM (SELECT unnest(skills_raw) s FROM vacancies UNION ALL
                                   SELECT unnest(skills_raw) FROM resumes) WHERE s IS NOT NULL"""
        ).fetchall()
    ]
    canon = [vocab.canonical(s) for s in raw]
    _register(con, "_kadry_skillmap", pa.table({"raw": raw, "canon": canon}))
    for table, key in (("vacancies", "vacancy_id"), ("resumes", "resume_id")):
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _kadry_sk AS
                SELECT u.k, list_sort(list_distinct(list(m.canon))) AS skills FROM
                  (SELECT {key} AS k, unnest(skills_raw) AS s FROM {table} WHERE len(skills_raw) > 0) u
                JOIN _kadry_skillmap m ON m.raw = u.s WHERE m.canon IS NOT NULL GROUP BY u.k"""
        )
        source = ", skills_source = 'key_skills'" if table == "vacancies" else ""
        con.execute(
            f"UPDATE {table} SET skills = []{', skills_source = ' + repr('none') if table == 'vacancies' else ''} "
            f"WHERE {scope}"
        )
        con.execute(
            f"UPDATE {table} t SET skills = s.skills{source} FROM _kadry_sk s WHERE t.{key} = s.k AND ({scope})"
        )
    con.execute("DROP TABLE _kadry_sk")
    con.unregister("_kadry_skillmap")
    # description extraction: real rows with a description and no key skills (per row, but few;
    # simulated descriptions are skipped so ten million rows stay on the set-based path)
    rows = con.execute(
        f"""SELECT vacancy_id, description FROM vacancies
           WHERE len(skills) = 0 AND description IS NOT NULL AND description <> '' AND NOT coalesce(simulated, false)
             AND ({scope})"""
    ).fetchall()
    ids, lists = [], []
    for vid, text in rows:
        found = vocab.extract(text)
        if found:
            ids.append(vid)
            lists.append(found)
    if ids:
        _register(con, "_kadry_ext", pa.table({"k": ids, "skills": pa.array(lists, pa.list_(pa.string()))}))
        con.execute(
            "UPDATE vacancies t SET skills = e.skills, skills_source = 'description' FROM _kadry_ext e WHERE t.vacancy_id = e.k"
        )
        con.unregister("_kadry_ext")
    return {"distinct_skills": len(raw), "extracted_from_description": len(ids)}


# --- resumes: relocation -----------------------------------------------------------------------
def normalize_relocation(con, scope: str = "TRUE") -> None:
    mapper = region_mapper()
    values = con.execute(
        """SELECT DISTINCT v FROM (SELECT unnest(relocation_area_ids) v FROM resumes UNION ALL
                                   SELECT unnest(relocation_areas_raw) FROM resumes) WHERE v IS NOT NULL"""
    ).fetchall()
    keys = [v[0] for v in values]
    countries = [(mapper.by_area_id(k) or mapper.by_name(k)).country_code for k in keys]
    _register(con, "_kadry_reloc", pa.table({"v": keys, "cc": countries}))
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _kadry_rc AS
           SELECT u.k, list_sort(list_distinct(list(m.cc))) AS cc FROM
             (SELECT resume_id AS k, unnest(list_concat(coalesce(relocation_area_ids, []), coalesce(relocation_areas_raw, []))) AS v
              FROM resumes) u
           JOIN _kadry_reloc m ON m.v = u.v WHERE m.cc IS NOT NULL GROUP BY u.k"""
    )
    con.execute(f"UPDATE resumes SET relocation_countries = [] WHERE {scope}")
    con.execute(
        f"UPDATE resumes r SET relocation_countries = c.cc FROM _kadry_rc c WHERE r.resume_id = c.k AND ({scope})"
    )
    con.execute(
        f"""UPDATE resumes SET
             ready_to_relocate = relocation_type IN ('relocation_possible', 'relocation_desirable'),
             ready_abroad = relocation_type IN ('relocation_possible', 'relocation_desirable')
                AND len(list_filter(relocation_countries, lambda x: x <> coalesce(country_code, 'RU'))) > 0
           WHERE {scope}"""
    )
    con.execute("DROP TABLE _kadry_rc")
    con.unregister("_kadry_reloc")


# --- the whole pass --------------------------------------------------------------------------
def normalize_store(
    store,
    *,
    progress: Progress = None,
    rates_file: str | None = None,
    classifier=None,
    duplicates: bool = True,
    incremental: bool = False,
) -> dict:
    """Recompute the norm columns of vacancies, resumes and observations; returns counts and timings.

    ``incremental`` touches only records whose normalization is missing or older than the rules
    (``norm_version``); duplicates are always linked over the whole store, since a new record may
    repeat an old one. Either way the ``normalize`` stage is recorded as current.
    """
    con = store.con
    version = norm_version(rates_file)
    timings: dict[str, float] = {}
    out: dict = {"norm_version": version}
    scope = f"norm_version IS DISTINCT FROM '{version}'" if incremental else "TRUE"
    out["pending"] = {
        t: con.execute(f"SELECT count(*) FROM {t} WHERE {scope}").fetchall()[0][0] for t in ("vacancies", "resumes")
    }

    cpu: dict[str, float] = {}

    def step(name: str, fn, *args, **kwargs):
        _say(progress, name)
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn(*args, **kwargs)
        timings[name] = round(time.perf_counter() - t0, 3)
        cpu[name] = round(time.process_time() - c0, 3)
        if isinstance(result, dict):
            out.update(result)

    con.execute("BEGIN TRANSACTION")
    try:
        step("regions", normalize_regions, con, scope)
        step(
            "roles (vacancies)",
            normalize_roles,
            con,
            "vacancies",
            "vacancy_id",
            classifier=classifier,
            progress=progress,
            scope=scope,
        )
        step(
            "roles (resumes)",
            normalize_roles,
            con,
            "resumes",
            "resume_id",
            classifier=classifier,
            progress=progress,
            scope=scope,
        )
        step("experience and remote", _experience_and_remote, con, scope)
        step("salaries", normalize_salaries, con, rates_file, scope)
        step("skills", normalize_skills, con, None, scope)
        step("relocation", normalize_relocation, con, scope)
        if duplicates:
            step("duplicates", _dups.link_duplicates, con)
        con.execute(f"UPDATE vacancies SET norm_version = ? WHERE {scope}", [version])
        con.execute(f"UPDATE resumes SET norm_version = ? WHERE {scope}", [version])
        store.set_meta("norm_version", version)
        store.record_stage("normalize", version, incremental=incremental, records=out["pending"])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    out["vacancies"] = store.count("vacancies")
    out["resumes"] = store.count("resumes")
    out["timings"] = timings
    out["cpu_seconds"] = cpu
    store.set_meta(
        "norm_last_run", json.dumps({k: v for k, v in out.items() if k != "vacancy_salary_flags"}, default=str)
    )
    return out


def unmapped_regions(con, limit: int = 20) -> list[tuple[str | None, str | None, int]]:
    """Raw places that did not resolve to a country (or, in Russia, to a subject), most frequent first."""
    return con.execute(
        """SELECT area_id_raw, region_raw, count(*) AS n FROM (
             SELECT area_id_raw, region_raw, region_status FROM vacancies UNION ALL
             SELECT area_id_raw, region_raw, region_status FROM resumes)
           WHERE region_status IS DISTINCT FROM 'mapped'
           GROUP BY ALL ORDER BY n DESC, region_raw NULLS LAST LIMIT ?""",
        [limit],
    ).fetchall()
