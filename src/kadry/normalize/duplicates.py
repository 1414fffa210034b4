"""Duplicates: the same advert under different ids, linked to one canonical record, never deleted.

Three kinds, checked in this order (a record gets the first that applies):

- ``exact``: same source, normalized title, employer, place, salary, publication time (to
  the second; records without one are never "exact") and description (e.g. the same CSV row written ``60000`` in one download and ``60000.0`` in
  another, so the content hash of the reader differed);
- ``repost``: same employer, normalized title and place, published again within
  ``window_days`` of the previous posting (a chain of reposts links to its first posting);
- ``near``: near-identical text (MinHash LSH, Jaccard >= ``threshold``) and nearly the same
  title (character 3-gram Jaccard >= 0.8) in the same place within the window: title + description where there is a description, else title +
  employer + place. Flat records with neither a description nor an employer (the hh CSV
  dumps) are not compared: two "Программист 1С" adverts in Moscow the same week may well
  be two employers, and nothing in such a row tells them apart.

Simulated records are never linked: the simulator makes each advert once by construction
(linking its repeated employer/title pairs as reposts would silently shrink simulated
demand), and a per-record MinHash over ten million rows would dominate the run. Same-id repeat sightings never reach this step: the ingest merges them into one record and
records each sighting in ``observations``.
"""

from __future__ import annotations

import re

import pyarrow as pa

from kadry.rules import activity

__all__ = ["link_duplicates", "normalized_title_sql", "shingles", "WINDOW_DAYS", "NEAR_THRESHOLD", "TITLE_THRESHOLD"]

WINDOW_DAYS = 30
NEAR_THRESHOLD = 0.85
#: near duplicates also need nearly the same title (character 3-gram Jaccard)
TITLE_THRESHOLD = 0.8
_NUM_PERM = 64


def normalized_title_sql(col: str = "title") -> str:
    """Lower case, ё->е, punctuation to spaces: 'Программист 1С!' = 'программист 1с'."""
    return f"trim(regexp_replace(lower(replace(coalesce({col}, ''), 'ё', 'е')), '[^0-9a-zа-я+#]+', ' ', 'g'))"


# the resolved area where the place is fully mapped, else the folded raw value (two of hh's
# 2007 macro-regions both resolve to "Russia" but are different places)
_PLACE = (
    "coalesce(CASE WHEN region_status = 'mapped' THEN area_id END, "
    "lower(replace(coalesce(region_raw, area_id_raw, ''), 'ё', 'е')))"
)
_EMPLOYER = "coalesce(employer_id, lower(trim(employer_name)))"
_WHEN = activity.start_sql("vacancy")


def shingles(text: str, k: int, words: bool) -> set[str]:
    """Word k-shingles (descriptions) or character k-grams (short flat records)."""
    text = re.sub(r"\s+", " ", text.lower().replace("ё", "е")).strip()
    if words:
        toks = re.findall(r"\w+", text)
        if len(toks) < k:
            return {" ".join(toks)} if toks else set()
        return {" ".join(toks[i : i + k]) for i in range(len(toks) - k + 1)}
    if len(text) < k:
        return {text} if text else set()
    return {text[i : i + k] for i in range(len(text) - k + 1)}


def link_duplicates(con, *, window_days: int = WINDOW_DAYS, threshold: float = NEAR_THRESHOLD) -> dict:
    """Set vacancies.dup_of / dup_kind; returns counts by kind."""
    con.execute("UPDATE vacancies SET dup_of = NULL, dup_kind = NULL")
    title = normalized_title_sql()
    # exact content under different ids
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _kadry_exact AS
            SELECT vacancy_id, first_value(vacancy_id) OVER w AS canon
            FROM vacancies WHERE {_WHEN} IS NOT NULL AND NOT coalesce(simulated, false)
            WINDOW w AS (PARTITION BY source, {title}, {_EMPLOYER}, {_PLACE}, salary_from, salary_to,
                         salary_currency, {_WHEN}, md5(coalesce(description, ''))
                         ORDER BY first_seen NULLS LAST, vacancy_id)"""
    )
    con.execute(
        """UPDATE vacancies v SET dup_of = e.canon, dup_kind = 'exact' FROM _kadry_exact e
           WHERE v.vacancy_id = e.vacancy_id AND e.canon <> e.vacancy_id"""
    )
    con.execute("DROP TABLE _kadry_exact")
    # reposts: chains of the same employer/title/place with gaps <= window
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _kadry_repost AS
            WITH s AS (
              SELECT vacancy_id, {_EMPLOYER} AS emp, {title} AS t, {_PLACE} AS place, {_WHEN} AS d
              FROM vacancies WHERE dup_of IS NULL AND {_EMPLOYER} IS NOT NULL AND {_WHEN} IS NOT NULL
                AND NOT coalesce(simulated, false)),
            g AS (
              SELECT *, CASE WHEN lag(d) OVER w IS NULL OR d - lag(d) OVER w > INTERVAL {int(window_days)} DAY
                             THEN 1 ELSE 0 END AS new_chain
              FROM s WINDOW w AS (PARTITION BY emp, t, place ORDER BY d, vacancy_id)),
            c AS (
              SELECT *, sum(new_chain) OVER (PARTITION BY emp, t, place ORDER BY d, vacancy_id) AS chain FROM g)
            SELECT vacancy_id, first_value(vacancy_id) OVER (PARTITION BY emp, t, place, chain ORDER BY d, vacancy_id) AS canon
            FROM c"""
    )
    con.execute(
        """UPDATE vacancies v SET dup_of = r.canon, dup_kind = 'repost' FROM _kadry_repost r
           WHERE v.vacancy_id = r.vacancy_id AND r.canon <> r.vacancy_id"""
    )
    con.execute("DROP TABLE _kadry_repost")
    near = _near(con, window_days, threshold)
    rows = con.execute("SELECT coalesce(dup_kind, 'canonical'), count(*) FROM vacancies GROUP BY ALL").fetchall()
    out = {f"dup_{k}": v for k, v in rows}
    out["near_candidates_checked"] = near
    return out


def _near(con, window_days: int, threshold: float) -> int:
    from datasketch import MinHash, MinHashLSH

    rows = con.execute(
        f"""SELECT vacancy_id, coalesce(title, ''), description, coalesce({_EMPLOYER}, ''), {_PLACE}, {_WHEN} AS d
            FROM vacancies
            WHERE dup_of IS NULL AND NOT coalesce(simulated, false)
              AND (length(description) > 200 OR {_EMPLOYER} IS NOT NULL)
            ORDER BY d NULLS LAST, vacancy_id"""
    ).fetchall()
    if len(rows) < 2:
        return 0
    texts, kinds, titles = [], [], []
    for _vid, t, desc, emp, place, _d in rows:
        titles.append(shingles(t, 3, words=False))
        if desc and len(desc) > 200:
            texts.append(shingles(f"{t} {desc}", 3, words=True))
            kinds.append("d")
        else:
            texts.append(shingles(f"{t}|{emp}|{place}", 3, words=False))
            kinds.append("f")
    hashes = MinHash.bulk([[s.encode() for s in sh] for sh in texts], num_perm=_NUM_PERM, seed=1)
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    checked = 0
    for kind in ("d", "f"):
        # 16 bands of 4 rows: pairs at Jaccard 0.85 become candidates with p > 0.99 (every
        # candidate is then checked exactly); fixed params skip datasketch's slow optimisation
        lsh = MinHashLSH(num_perm=_NUM_PERM, params=(16, 4))
        for i, mh in enumerate(hashes):
            if kinds[i] != kind or not texts[i]:
                continue
            for j in lsh.query(mh):
                checked += 1
                a, b = texts[i], texts[j]
                jac = len(a & b) / len(a | b)
                di, dj = rows[i][5], rows[j][5]
                close = di is None or dj is None or abs((di - dj).days) <= window_days
                same_emp = rows[i][3] == rows[j][3] or not rows[i][3] or not rows[j][3]
                same_place = rows[i][4] == rows[j][4]
                # a shared boilerplate description under different titles ("Senior"/"Middle",
                # two specialities) is two openings, so the titles must nearly match too
                ti, tj = titles[i], titles[j]
                same_title = len(ti & tj) / len(ti | tj) >= TITLE_THRESHOLD if ti and tj else ti == tj
                if jac >= threshold and close and same_emp and same_place and same_title:
                    ri, rj = find(i), find(j)
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)  # rows are in time order: the earliest is canonical
            lsh.insert(i, mh)
    dup_ids, canon_ids = [], []
    for i in range(len(rows)):
        r = find(i)
        if r != i:
            dup_ids.append(rows[i][0])
            canon_ids.append(rows[r][0])
    if dup_ids:
        con.register("_kadry_near", pa.table({"k": dup_ids, "canon": canon_ids}))
        con.execute(
            "UPDATE vacancies v SET dup_of = n.canon, dup_kind = 'near' FROM _kadry_near n WHERE v.vacancy_id = n.k"
        )
        con.unregister("_kadry_near")
    return checked
