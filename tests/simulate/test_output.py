"""The written records have the store's canonical raw shape and are internally consistent."""

from __future__ import annotations

import glob
import json

import duckdb
import pyarrow.parquet as pq

from kadry.schema import OBSERVATION, RESUME, VACANCY, arrow_schema
from kadry.simulate.model import load_calibration


def test_parts_have_exactly_the_raw_schema(sim2022):
    out, summary = sim2022
    for folder, cols in (("vacancies", VACANCY), ("resumes", RESUME), ("observations", OBSERVATION)):
        files = sorted(glob.glob(f"{out}/{folder}/part-*.parquet"))
        assert len(files) >= 2, folder  # streamed in several chunks
        for f in files:
            assert pq.read_schema(f).remove_metadata().equals(arrow_schema(cols, ("raw",))), f


def test_counts_keys_and_labels(sim2022):
    out, summary = sim2022
    con = duckdb.connect()
    v = con.execute(
        f"SELECT count(*), count(DISTINCT vacancy_id), bool_and(simulated), bool_and(source = 'sim'), "
        f"bool_and(vacancy_id = 'sim:' || source_id) FROM '{out}/vacancies/*.parquet'"
    ).fetchone()
    assert v == (summary["vacancies"], summary["vacancies"], True, True, True)
    r = con.execute(
        f"SELECT count(*), count(DISTINCT resume_id), count(DISTINCT source_key), bool_and(simulated), "
        f"bool_and(resume_id = 'sim:' || source_key) FROM '{out}/resumes/*.parquet'"
    ).fetchone()
    assert r == (summary["resumes"], summary["resumes"], summary["resumes"], True, True)
    o = con.execute(
        f"SELECT count(*), count(DISTINCT (kind, record_id, observed_at)) FROM '{out}/observations/*.parquet'"
    ).fetchone()
    assert o[0] == o[1] == sum(summary["observations"].values())


def test_vacancy_observations_follow_the_life(sim2022):
    out, summary = sim2022
    con = duckdb.connect()
    bad = con.execute(
        f"""
        SELECT count(*) FROM '{out}/vacancies/*.parquet' v
        LEFT JOIN (SELECT record_id, min(observed_at) AS first, max(observed_at) AS last,
                          bool_or(archived) AS closed, count(*) FILTER (WHERE archived) AS n_closed
                   FROM '{out}/observations/*.parquet' WHERE kind = 'vacancy' GROUP BY 1) o
          ON o.record_id = v.vacancy_id
        WHERE o.first IS DISTINCT FROM v.published_at
           OR v.archived_at <= v.published_at
           OR (v.archived_at < TIMESTAMP '2023-01-01' AND (NOT o.closed OR o.last <> v.archived_at OR o.n_closed <> 1))
           OR (v.archived_at >= TIMESTAMP '2023-01-01' AND o.closed)
        """
    ).fetchone()[0]
    assert bad == 0


def test_resume_observations_match_the_record(sim2022):
    out, summary = sim2022
    con = duckdb.connect()
    bad = con.execute(
        f"""
        SELECT count(*) FROM '{out}/resumes/*.parquet' r
        JOIN (SELECT record_id, min(observed_at) AS first, max(observed_at) AS last,
                     arg_max(area_id_raw, observed_at) AS area, arg_max(relocation_type, observed_at) AS rel,
                     bool_and(updated_at = observed_at) AS same
              FROM '{out}/observations/*.parquet' WHERE kind = 'resume' GROUP BY 1) o ON o.record_id = r.resume_id
        WHERE o.first <> r.created_at OR o.last <> r.updated_at OR o.area <> r.area_id_raw
           OR o.rel <> r.relocation_type OR NOT o.same
        """
    ).fetchone()[0]
    assert bad == 0
    n_with_obs = con.execute(
        f"SELECT count(DISTINCT record_id) FROM '{out}/observations/*.parquet' WHERE kind = 'resume'"
    ).fetchone()[0]
    assert n_with_obs == summary["resumes"]


def test_ids_are_hh_ids_and_names_match(sim2022):
    out, summary = sim2022
    cal = load_calibration()
    names = dict(zip(cal.area_ids, cal.area_names))
    con = duckdb.connect()
    for table in ("vacancies", "resumes"):
        rows = con.execute(
            f"SELECT DISTINCT area_id_raw, region_raw, role_ids_raw[1] FROM '{out}/{table}/*.parquet'"
        ).fetchall()
        for area, region, role in rows:
            assert names[area] == region
            assert role in cal.role_ids


def test_jsonl_is_hh_api_shaped(sim2022):
    out, summary = sim2022
    files = sorted(glob.glob(f"{out}/jsonl/*.jsonl"))
    objs = [json.loads(line) for f in files for line in open(f, encoding="utf-8")]
    assert len(objs) == summary["vacancies"]
    o = objs[0]
    assert set(o) >= {
        "id",
        "name",
        "area",
        "salary",
        "experience",
        "schedule",
        "professional_roles",
        "key_skills",
        "published_at",
        "archived",
    }
    assert set(o["area"]) == {"id", "name"} and o["published_at"].endswith("+0300")
    salaried = [x for x in objs if x["salary"]]
    assert salaried and set(salaried[0]["salary"]) == {"from", "to", "currency", "gross"}
    assert all(x["simulated"] for x in objs)
