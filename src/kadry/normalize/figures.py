"""The figures normalization is judged by: coverage, classifier accuracy, skill-extraction
precision and duplicate rates, computed from a normalized store and the shipped checks."""

from __future__ import annotations

import json

from kadry.config import RESOURCES
from kadry.normalize.classifier import shipped_metrics

__all__ = ["report", "extraction_precision", "coverage", "duplicate_rates", "DATASET_SQL"]

#: the data set a file belongs to: the folder under .../vacancies/ (or resumes/), else its parent folder
DATASET_SQL = """coalesce(nullif(regexp_extract(source_file, '/(?:vacancies|resumes)/([^/]+)', 1), ''),
                          regexp_extract(source_file, '([^/]+)/[^/]+$', 1), source_file)"""


def _datasets(con, kind: str) -> str:
    """SQL for a (record_id, dataset) relation: the data set of each record's first sighting."""
    return f"""(SELECT record_id, arg_min({DATASET_SQL}, coalesce(observed_at, TIMESTAMP '9999-12-31')) AS dataset
               FROM observations WHERE kind = '{kind}' GROUP BY record_id)"""


def coverage(con) -> dict:
    """Share of records with a country and, in Russia, a federal subject, overall and by data set."""
    covered = "(country_code IS NOT NULL AND (country_code <> 'RU' OR region_code IS NOT NULL))"
    rows = con.execute(
        f"""SELECT coalesce(d.dataset, v.source) AS dataset, count(*) AS n,
                   count(*) FILTER (WHERE {covered}) AS covered,
                   count(*) FILTER (WHERE region_status = 'country_only') AS country_only,
                   count(*) FILTER (WHERE region_status = 'unmapped' OR region_status IS NULL) AS unmapped
            FROM vacancies v LEFT JOIN {_datasets(con, "vacancy")} d ON d.record_id = v.vacancy_id
            GROUP BY ALL ORDER BY dataset"""
    ).fetchall()
    by = {
        r[0]: {
            "records": r[1],
            "covered": r[2],
            "country_only": r[3],
            "unmapped": r[4],
            "coverage": round(r[2] / r[1], 4) if r[1] else None,
        }
        for r in rows
    }
    n = sum(r[1] for r in rows)
    c = sum(r[2] for r in rows)
    resumes = con.execute(f"SELECT count(*), count(*) FILTER (WHERE {covered}) FROM resumes").fetchone()
    return {
        "vacancies": n,
        "covered": c,
        "coverage": round(c / n, 4) if n else None,
        "by_dataset": by,
        "resumes": {
            "records": resumes[0],
            "covered": resumes[1],
            "coverage": round(resumes[1] / resumes[0], 4) if resumes[0] else None,
        },
    }


def duplicate_rates(con) -> dict:
    """Linked duplicates by kind per data set, and the exact repeats the ingest merged."""
    rows = con.execute(
        f"""SELECT coalesce(d.dataset, v.source) AS dataset, v.source, count(*) AS n,
                   count(*) FILTER (WHERE dup_kind = 'exact') AS exact,
                   count(*) FILTER (WHERE dup_kind = 'repost') AS repost,
                   count(*) FILTER (WHERE dup_kind = 'near') AS near
            FROM vacancies v LEFT JOIN {_datasets(con, "vacancy")} d ON d.record_id = v.vacancy_id
            GROUP BY ALL ORDER BY dataset"""
    ).fetchall()
    merged = dict(
        con.execute(f"""SELECT {DATASET_SQL} AS dataset, sum(merged) FROM ingest_log GROUP BY ALL""").fetchall()
    )
    out = {}
    for dataset, source, n, exact, repost, near in rows:
        read = n + int(merged.get(dataset) or 0)
        out[dataset] = {
            "source": source,
            "records": n,
            "ingest_merged_rows": int(merged.get(dataset) or 0),
            "ingest_merged_rate": round((read - n) / read, 4) if read else None,
            "exact": exact,
            "repost": repost,
            "near": near,
            "exact_rate": round(exact / n, 4) if n else None,
            "repost_rate": round(repost / n, 4) if n else None,
            "near_rate": round(near / n, 4) if n else None,
        }
    return out


def extraction_precision(vocab=None) -> dict:
    """Precision of description skill extraction on the shipped hand-checked sample.

    Skills the current extractor finds that were never judged (after a vocabulary edit)
    are counted apart, so the figure never silently covers unjudged output.
    """
    from kadry.normalize.skills import skill_vocabulary

    vocab = vocab or skill_vocabulary()
    path = RESOURCES / "normalize" / "skills_extraction_check.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    found = correct = unjudged = 0
    for v in data["vacancies"]:
        for skill in vocab.extract(v["description"]):
            judged = v["judged"].get(skill)
            if judged is None:
                unjudged += 1
                continue
            found += 1
            correct += bool(judged["correct"])
    return {
        "sample_vacancies": len(data["vacancies"]),
        "judged_extractions": found,
        "correct": correct,
        "precision": round(correct / found, 4) if found else None,
        "unjudged_extractions": unjudged,
    }


def report(store) -> dict:
    """Every figure `kadry normalize report` prints, as a dict."""
    con = store.con
    roles = dict(
        con.execute("SELECT coalesce(role_source, 'not normalized'), count(*) FROM vacancies GROUP BY ALL").fetchall()
    )
    flags = dict(
        con.execute("SELECT coalesce(salary_flag, 'not normalized'), count(*) FROM vacancies GROUP BY ALL").fetchall()
    )
    skills = dict(
        con.execute("SELECT coalesce(skills_source, 'not normalized'), count(*) FROM vacancies GROUP BY ALL").fetchall()
    )
    versions = [
        r[0] for r in con.execute("SELECT DISTINCT norm_version FROM vacancies ORDER BY 1 NULLS FIRST").fetchall()
    ]
    it = con.execute(
        "SELECT count(*) FILTER (WHERE is_it), count(*) FILTER (WHERE role_id IS NOT NULL) FROM vacancies"
    ).fetchone()
    return {
        "norm_version": versions,
        "coverage": coverage(con),
        "roles": {"by_source": roles, "it_share_of_known": round(it[0] / it[1], 4) if it[1] else None},
        "classifier": shipped_metrics(),
        "salary_flags": flags,
        "skills": {"by_source": skills, "extraction": extraction_precision()},
        "duplicates": duplicate_rates(con),
    }
