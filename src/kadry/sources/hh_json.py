"""api.hh.ru vacancy objects: the 2023 full format, the 2025 format, and search-result items.

Fields that are missing, null, renamed (salary -> salary_range, employment -> employment_form)
or added never break the reader: every lookup is defensive.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from kadry.sources.base import NO, BadValue, BaseReader, Head, Item, Score, clean_str, parse_ts, strip_html, to_float
from kadry.sources.jsonstream import JsonBad, canon_keys, iter_json_objects

__all__ = ["HHVacancyJSON", "vacancy_from_hh", "READERS"]

_PERIOD = {"MONTH": "month", "HOUR": "hour", "DAY": "day", "SHIFT": "shift", "FLY_IN_FLY_OUT": "month", "YEAR": "year"}
_EMPLOYMENT_FORM = {"FULL": "full", "PART": "part", "PROJECT": "project", "FLY_IN_FLY_OUT": "full", "SIDE_JOB": "part"}


def _get(obj: object, *path: str) -> object:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _ids(values: object, key: str = "id") -> list[str]:
    if not isinstance(values, list):
        return []
    out = []
    for v in values:
        value = v.get(key) if isinstance(v, dict) else v
        text = clean_str(value)
        if text is not None:
            out.append(text)
    return out


_NESTED = (
    "salary_range",
    "salary",
    "area",
    "employer",
    "experience",
    "schedule",
    "employment_form",
    "employment",
    "address",
    "snippet",
)
#: keys of an hh vacancy object (canonical spelling); flat exports spell nested ones area_name, salary_from
_HH_KEYS = {
    "id",
    "name",
    "area",
    "salary",
    "salary_range",
    "employer",
    "published_at",
    "created_at",
    "experience",
    "schedule",
    "employment",
    "employment_form",
    "key_skills",
    "professional_roles",
    "description",
    "snippet",
    "alternate_url",
    "url",
    "archived",
    "address",
    "type",
    "work_format",
    "working_hours",
    "premium",
    "has_test",
    "response_url",
    "apply_alternate_url",
    "department",
    "contacts",
    "billing_type",
    "accept_handicapped",
    "accept_kids",
    "specializations",
    "initial_created_at",
    "relations",
    "insider_interview",
    "allow_messages",
    "languages",
    "driver_license_types",
    "accept_incomplete_resumes",
    "accept_temporary",
    "test",
    "code",
    "hidden",
    "quick_responses_allowed",
    "negotiations_url",
    "suitable_resumes_url",
    "branded_description",
    "vacancy_constructor_template",
    "response_letter_required",
    "show_logo_in_search",
    "sort_point_distance",
    "counters",
    "is_adv_vacancy",
    "adv_response_url",
    "schedule_by_days",
    "working_days",
    "working_time_intervals",
    "working_time_modes",
    "fly_in_fly_out_duration",
    "internship",
    "night_shifts",
    "archived_at",
    "simulated",
    "employer_name",
    "area_name",
    "salary_from",
    "salary_to",
    "salary_currency",
    "salary_gross",
    "area_id",
    "employer_id",
    "experience_id",
    "schedule_id",
    "employment_id",
    "brand_snippet",
    "show_contacts",
    "adv_context",
    "branding",
    "experimental_modes",
}


def unflatten(obj: dict) -> dict:
    """A flat export's ``area_name``/``salary_from``/... folded back into hh's nested objects.

    Keys must be canonical already (``canon_keys``); a nested object present wins.
    """
    out = dict(obj)
    for key, value in obj.items():
        split = _nested_key(key)
        if split is None:
            continue
        prefix, inner = split
        nested = out.get(prefix)
        if nested is None:
            nested = out[prefix] = {}
        if isinstance(nested, dict) and inner not in nested:
            nested[inner] = value
        del out[key]
    return out


@lru_cache(maxsize=65_536)
def _nested_key(key: str) -> tuple[str, str] | None:
    """``area_name`` -> (``area``, ``name``); None for a key that is not a flattened nested one."""
    if key in _NESTED:
        return None
    for prefix in _NESTED:
        if key.startswith(prefix + "_") and key != prefix:
            inner = key[len(prefix) + 1 :]
            if prefix == "salary" and inner == "range":
                return None
            return prefix, inner
    return None


def vacancy_from_hh(obj: dict) -> dict:
    """The canonical raw record of one hh vacancy object (raises BadValue if impossible)."""
    salary = obj.get("salary_range") if isinstance(obj.get("salary_range"), dict) else obj.get("salary")
    salary = salary if isinstance(salary, dict) else {}
    period = _PERIOD.get(str(_get(salary, "mode", "id") or "").upper(), "month")
    employment = clean_str(_get(obj, "employment", "id"))
    if employment is None:
        form = clean_str(_get(obj, "employment_form", "id"))
        employment = _EMPLOYMENT_FORM.get(form.upper(), form.lower()) if form else None
    description = strip_html(obj.get("description"))
    if description is None and isinstance(obj.get("snippet"), dict):
        parts = [strip_html(obj["snippet"].get(k)) for k in ("requirement", "responsibility")]
        description = "\n".join(p for p in parts if p) or None
    archived = obj.get("archived")
    published = parse_ts(obj.get("published_at"), field="published_at")
    created = parse_ts(obj.get("created_at") or obj.get("initial_created_at"), field="created_at")
    simulated = obj.get("simulated") is True  # kadry simulate --jsonl marks its objects
    return {
        "source": "sim" if simulated else "hh",
        "simulated": simulated,
        "source_id": clean_str(obj.get("id")),
        "title": clean_str(obj.get("name")),
        "description": description,
        "employer_id": clean_str(_get(obj, "employer", "id")),
        "employer_name": clean_str(_get(obj, "employer", "name")),
        "role_ids_raw": _ids(obj.get("professional_roles")),
        "area_id_raw": clean_str(_get(obj, "area", "id")),
        "region_raw": clean_str(_get(obj, "area", "name")) or clean_str(_get(obj, "address", "city")),
        "salary_from": to_float(salary.get("from"), field="salary.from"),
        "salary_to": to_float(salary.get("to"), field="salary.to"),
        "salary_currency": clean_str(salary.get("currency")),
        "salary_gross": salary.get("gross") if isinstance(salary.get("gross"), bool) else None,
        "salary_period": period if salary else None,
        "experience_raw": clean_str(_get(obj, "experience", "id")),
        "employment": employment,
        "schedule": clean_str(_get(obj, "schedule", "id")),
        "work_format_raw": _ids(obj.get("work_format")),
        "skills_raw": _ids(obj.get("key_skills"), "name"),
        "published_at": published,
        "created_at": created,
        "archived_at": parse_ts(obj.get("archived_at"), field="archived_at"),
        "archived": bool(archived) if isinstance(archived, bool) else None,
    }


class HHVacancyJSON(BaseReader):
    """api.hh.ru vacancies: one object per file, arrays, JSON lines, ``{"items": [...]}`` pages."""

    name = "hh-json"
    kind = "vacancy"

    def score(self, head: Head) -> Score:
        objs = [o for o in head.objects if isinstance(o, dict)]
        if not head.is_json or not objs:
            return NO
        keys = {k for o in objs for k in o}
        if {"total_experience", "last_name", "skill_set", "first_name"} & keys:
            return Score(0.0, "resume", "resume keys")
        if "results" in keys or "vacancies" in keys or {"categories"} <= keys:
            return NO

        def fits(o: dict) -> bool:
            names = set(o)
            return "name" in names and "id" in names and len(names & _HH_KEYS) >= 3

        good = sum(fits(o) for o in objs) / len(objs)
        share = len(keys & _HH_KEYS) / len(keys)
        value = round(good * (0.5 + 0.5 * share), 2)
        return Score(
            value, "vacancy", f"{good:.0%} of the first objects are hh vacancies, {share:.0%} of their keys are hh's"
        )

    def read(self, path: Path) -> Iterator[Item]:
        for position, obj in iter_json_objects(path):
            if isinstance(obj, JsonBad):
                yield Item.bad(position, self.kind, obj.reason, obj.text)
                continue
            if not isinstance(obj, dict):
                yield Item.bad(position, self.kind, f"not a JSON object but {type(obj).__name__}", obj)
                continue
            yield self.item(position, obj)

    def item(self, position: int, obj: dict) -> Item:
        """One object as the record code reads it."""
        try:
            record = vacancy_from_hh(unflatten(canon_keys(obj)))  # type: ignore[arg-type]
        except BadValue as exc:
            return Item.bad(position, self.kind, str(exc), obj.get("id"))
        return Item(position, self.kind, record)

    def stage(self, con, path: Path, table: str, source: str | None, observed_at):
        """The columnar path (kadry.sources.columnar) for JSON lines: DuckDB parses each line once."""
        return _stage(self, con, path, table, source, observed_at)


READERS = [HHVacancyJSON()]


_PATHS = (
    "$.id",
    "$.name",
    "$.description",
    "$.snippet",
    "$.salary_range",
    "$.salary",
    "$.area",
    "$.address",
    "$.employer",
    "$.experience",
    "$.schedule",
    "$.employment",
    "$.employment_form",
    "$.professional_roles",
    "$.work_format",
    "$.key_skills",
    "$.published_at",
    "$.created_at",
    "$.initial_created_at",
    "$.archived_at",
    "$.archived",
    "$.simulated",
)
_E = {p[2:]: f"e{i}" for i, p in enumerate(_PATHS)}
#: the nested objects whose keys the SQL reads (their keys must be canonical already)
_READ_NESTED = (
    "salary_range",
    "salary",
    "area",
    "address",
    "employer",
    "experience",
    "schedule",
    "employment",
    "employment_form",
    "snippet",
)


def _stage(reader: HHVacancyJSON, con, path: Path, table: str, source: str | None, observed_at):
    """JSON lines as a stage table: the record code's values exactly, built in SQL.

    Files with keys in another spelling (camelCase, hyphens, flattened ``area_name``) go record
    by record (NotColumnar); lines whose values have types the SQL does not read (a float id, a
    list where a name should be, an entity SQL does not know) are handed back as items for the
    record code. Each value is pulled out of the JSON once (``_j``, straight from the file) and
    cleaned in a view (``_k``).
    """
    import orjson

    from kadry.sources.columnar import (
        Lookups,
        NotColumnar,
        Staging,
        clean_sql,
        json_scalar_sql,
        load_json_lines,
        sql_text,
    )
    from kadry.sources.jsonstream import canon_key

    e = _E

    def at(obj: str, name: str) -> str:
        return f"json_extract({obj}, {sql_text('$.' + name)})"

    salary = (
        f"CASE WHEN json_type({e['salary_range']}) = 'OBJECT' THEN {e['salary_range']} "
        f"WHEN json_type({e['salary']}) = 'OBJECT' THEN {e['salary']} END"
    )
    # layer 1: every value out of the JSON once, as text where the record code takes str(value)
    scalars = {
        "id": e["id"],
        "name": e["name"],
        "description": e["description"],
        "requirement": at(e["snippet"], "requirement"),
        "responsibility": at(e["snippet"], "responsibility"),
        "area_id": at(e["area"], "id"),
        "area_name": at(e["area"], "name"),
        "city": at(e["address"], "city"),
        "employer_id": at(e["employer"], "id"),
        "employer_name": at(e["employer"], "name"),
        "experience": at(e["experience"], "id"),
        "schedule": at(e["schedule"], "id"),
        "employment": at(e["employment"], "id"),
        "employment_form": at(e["employment_form"], "id"),
        "currency": "json_extract(_sal, '$.currency')",
        "mode": "json_extract(json_extract(_sal, '$.mode'), '$.id')",
    }
    # created_at falls back to initial_created_at when empty, as ``a or b`` does
    created = (
        f"CASE WHEN coalesce(json_type({e['created_at']}), 'NULL') = 'NULL' OR {e['created_at']} = '\"\"' "
        f"THEN {e['initial_created_at']} ELSE {e['created_at']} END"
    )
    stamps = {"published": e["published_at"], "created": created, "archived_at": e["archived_at"]}
    numbers = {"from": "json_extract(_sal, '$.from')", "to": "json_extract(_sal, '$.to')"}
    cols, odd = [], ["_type IS DISTINCT FROM 'OBJECT'"]
    # a key written twice: DuckDB reads the first value, the record code (orjson) the last
    twice = ["_keys", *(f"json_keys({e[n]})" for n in _READ_NESTED), "json_keys(_sal, '$.mode')"]
    odd += [f"coalesce(len({k}) <> len(list_distinct({k})), false)" for k in twice]
    for name, expr in scalars.items():
        text, weird = json_scalar_sql(expr)
        cols.append(f"{text} AS t_{name}")
        odd.append(weird)
    for name, expr in stamps.items():
        # a number is epoch seconds to parse_ts: left to the record code
        cols.append(f"CASE WHEN json_type({expr}) = 'VARCHAR' THEN json_extract_string({expr}, '$') END AS t_{name}")
        odd.append(f"coalesce(json_type({expr}) NOT IN ('VARCHAR', 'NULL'), false)")
    for name, expr in numbers.items():
        kind = f"json_type({expr})"
        cols.append(f"CASE WHEN {kind} IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN {expr}::DOUBLE END AS n_{name}")
        cols.append(f"CASE WHEN {kind} = 'VARCHAR' THEN json_extract_string({expr}, '$') END AS t_{name}")
        odd.append(f"coalesce({kind} IN ('OBJECT', 'ARRAY'), false)")
    gross, archived, simulated = "json_extract(_sal, '$.gross')", e["archived"], e["simulated"]
    cols += [
        f"CASE WHEN json_type({gross}) = 'BOOLEAN' THEN {gross}::BOOLEAN END AS gross",
        f"CASE WHEN json_type({archived}) = 'BOOLEAN' THEN {archived}::BOOLEAN END AS archived",
        f"coalesce(json_type({simulated}) = 'BOOLEAN' AND {simulated}::BOOLEAN, false) AS simulated",
        "_sal IS NOT NULL AND len(json_keys(_sal)) > 0 AS has_salary",
        f"json_type({e['snippet']}) = 'OBJECT' AS has_snippet",
        f"{e['professional_roles']}::VARCHAR AS roles",
        f"{e['work_format']}::VARCHAR AS formats",
        f"{e['key_skills']}::VARCHAR AS skills",
    ]
    # the keys read, for the spelling check below (nested ones of the objects the SQL reads)
    nested = [f"CASE WHEN json_type({e[n]}) = 'OBJECT' THEN json_keys({e[n]}) END" for n in _READ_NESTED]
    nested.append("CASE WHEN json_type(_sal, '$.mode') = 'OBJECT' THEN json_keys(_sal, '$.mode') END")
    cols += [
        "CASE WHEN _type = 'OBJECT' THEN _keys END AS _top",
        f"flatten([{', '.join(f'coalesce({k}, [])' for k in nested)}]) AS _inner",
    ]
    load_json_lines(con, path, _PATHS, "_j", [*cols, f"{' OR '.join(odd)} AS _odd"], [f"{salary} AS _sal"])
    keys = {
        k
        for (k,) in con.execute(
            "SELECT DISTINCT unnest(_top) FROM _j UNION SELECT DISTINCT unnest(_inner) FROM _j"
        ).fetchall()
    }
    odd_keys = sorted(k for k in keys if canon_key(k) != k or _nested_key(k) is not None)
    if odd_keys:
        raise NotColumnar(f"keys to respell or unflatten: {', '.join(odd_keys[:5])}")
    # layer 2: texts cleaned once each (HTML is made plain by Python's strip_html below)
    html = ("description", "requirement", "responsibility")
    shaped = [f"{clean_sql('t_' + n)} AS c_{n}" for n in scalars if n not in html]
    # a view: copying _j's long description texts once more cost more than cleaning on each read
    con.execute(f"CREATE OR REPLACE TEMP VIEW _k AS SELECT *, {', '.join(shaped)}, _odd AS _left FROM _j")
    maps = Lookups(con, "_k")

    def mapped(column: str, fn, typ: str, by: str | None = None) -> tuple[str, str]:
        """Python's rule once per distinct value of a column (or per row, ``by`` its key)."""
        return maps.add(column, fn, typ, "NOT _left", by=by)

    def canon_json(text: str) -> object:
        return canon_keys(orjson.loads(text)) if text else None

    salary_from, err_from = mapped("t_from", lambda v: to_float(v, field="salary.from"), "DOUBLE")
    salary_to, err_to = mapped("t_to", lambda v: to_float(v, field="salary.to"), "DOUBLE")
    published, err_pub = mapped("t_published", lambda v: parse_ts(v, field="published_at"), "TIMESTAMP")
    created_at, err_created = mapped("t_created", lambda v: parse_ts(v, field="created_at"), "TIMESTAMP")
    archived_at, err_arch = mapped("t_archived_at", lambda v: parse_ts(v, field="archived_at"), "TIMESTAMP")
    form, _ = mapped(
        "c_employment_form", lambda f: _EMPLOYMENT_FORM.get(f.upper(), f.lower()) if f else None, "VARCHAR"
    )
    period, _ = mapped("t_mode", lambda m: _PERIOD.get(str(m or "").upper(), "month"), "VARCHAR")
    roles, _ = mapped("roles", lambda v: _ids(canon_json(v)), "VARCHAR[]")
    formats, _ = mapped("formats", lambda v: _ids(canon_json(v)), "VARCHAR[]")
    skills, _ = mapped("skills", lambda v: _ids(canon_json(v), "name"), "VARCHAR[]")
    description, _ = mapped("t_description", strip_html, "VARCHAR", by="_ord")
    requirement, _ = mapped("t_requirement", strip_html, "VARCHAR")
    responsibility, _ = mapped("t_responsibility", strip_html, "VARCHAR")
    src = sql_text(source) if source else "CASE WHEN simulated THEN 'sim' ELSE 'hh' END"
    # the order vacancy_from_hh meets them in: the first is the reason
    bad = f"coalesce({err_pub}, {err_created}, CASE WHEN n_from IS NULL THEN {err_from} END, CASE WHEN n_to IS NULL THEN {err_to} END, {err_arch})"
    salary_from = f"coalesce(n_from, {salary_from})"
    salary_to = f"coalesce(n_to, {salary_to})"
    columns = {
        "vacancy_id": f"{src} || ':' || c_id",
        "source": src,
        "source_id": "c_id",
        "simulated": "simulated",
        "title": "c_name",
        "description": f"coalesce({description}, CASE WHEN has_snippet THEN nullif(concat_ws(chr(10), {requirement}, {responsibility}), '') END)",
        "employer_id": "c_employer_id",
        "employer_name": "c_employer_name",
        "role_ids_raw": f"coalesce({roles}, []::VARCHAR[])",
        "area_id_raw": "c_area_id",
        "region_raw": "coalesce(c_area_name, c_city)",
        "salary_from": salary_from,
        "salary_to": salary_to,
        "salary_currency": "c_currency",
        "salary_gross": "gross",
        "salary_period": f"CASE WHEN has_salary THEN {period} END",
        "experience_raw": "c_experience",
        "employment": f"coalesce(c_employment, {form})",
        "schedule": "c_schedule",
        "work_format_raw": f"coalesce({formats}, []::VARCHAR[])",
        "skills_raw": f"coalesce({skills}, []::VARCHAR[])",
        "profession_code_raw": "NULL::VARCHAR",
        "published_at": published,
        "created_at": created_at,
        "archived_at": archived_at,
        "observed_at": "?::TIMESTAMP" if observed_at is not None else "NULL::TIMESTAMP",
        "archived": "archived",
        "salary_amount": f"coalesce({salary_from}, {salary_to})",
        "_ord": "_ord",
        "_bad": bad,
        "_excerpt": f"CASE WHEN ({bad}) IS NOT NULL THEN left(t_id, 200) END",
    }
    select = ", ".join(f"{sql} AS {name}" for name, sql in columns.items())
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {select} FROM _k {maps.sql()} WHERE NOT _left",
        [observed_at] if observed_at is not None else [],
    )
    left = [o for (o,) in con.execute("SELECT _ord FROM _k WHERE _left ORDER BY _ord").fetchall()]
    con.execute("DROP VIEW _k")
    maps.drop()
    con.execute("DROP TABLE _j")
    return Staging(items=_leftovers(reader, path, left) if left else [])


def _leftovers(reader: HHVacancyJSON, path: Path, ords: list[int]) -> list[Item]:
    """The lines the SQL left, read by the record code (the same position: the line's order)."""
    wanted = set(ords)
    out = []
    for position, obj in iter_json_objects(path):
        if position in wanted:
            if isinstance(obj, JsonBad):
                out.append(Item.bad(position, reader.kind, obj.reason, obj.text))
            elif not isinstance(obj, dict):
                out.append(Item.bad(position, reader.kind, f"not a JSON object but {type(obj).__name__}", obj))
            else:
                out.append(reader.item(position, obj))
    return out
