"""Vectorised generation of one chunk of vacancies or resumes (numpy in, Arrow tables out).

Each chunk draws from its own random stream (seed, side, chunk number), so output does not
depend on the chunk size's effect on memory, only on the seed and the chunk layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kadry.rules import experience
from kadry.schema import OBSERVATION, RESUME, VACANCY, arrow_schema
from kadry.simulate.model import DAY, Calibration, Plan, n_updates, update_gaps
from kadry.simulate.scenario import Scenario, month_index

__all__ = ["VacancyChunk", "ResumeChunk", "make_vacancies", "make_resumes", "Areas", "take_strings"]

_US = 1_000_000
VACANCY_SCHEMA = arrow_schema(VACANCY, ("raw",))
RESUME_SCHEMA = arrow_schema(RESUME, ("raw",))
OBSERVATION_SCHEMA = arrow_schema(OBSERVATION, ("raw",))
_EXPERIENCE = list(experience.KEYS)
_RELOCATION = ["no_relocation", "relocation_possible", "relocation_desirable"]


def take_strings(values: list[str], idx: np.ndarray) -> pa.Array:
    """values[idx] as a plain string array (an Arrow take: no Python string per row)."""
    return pa.array(values, type=pa.string()).take(pa.array(np.asarray(idx, dtype=np.int32)))


def _const(value: str, n: int) -> pa.Array:
    return take_strings([value], np.zeros(n, dtype=np.int32))


def _nullable_strings(values: list[str], idx: np.ndarray, valid: np.ndarray) -> pa.Array:
    return pa.array(values, type=pa.string()).take(pa.array(np.asarray(idx, dtype=np.int32), mask=~valid))


def _list_of_strings(values: list[str], offsets: np.ndarray, flat_idx: np.ndarray) -> pa.Array:
    flat = take_strings(values, flat_idx) if len(values) else pa.array([], type=pa.string())
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), flat)


def _ts(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    us = (np.asarray(seconds, dtype=np.float64) * _US).astype(np.int64)
    return pa.array(us, type=pa.timestamp("us"), mask=None if valid is None else ~valid)


def _choice(rng: np.random.Generator, cdf: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)


def _cdf(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    c = np.cumsum(w)
    return c / c[-1]


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _fixed_strings(codes: np.ndarray) -> pa.Array:
    """An (n, w) uint8 array of ASCII codes -> a string array of n strings of width w."""
    n, w = codes.shape
    offsets = np.arange(0, n * w + 1, w, dtype=np.int32)
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(np.ascontiguousarray(codes).tobytes())
    )


def _hex_ids(seed: int, start: int, n: int, tag: int, prefix: str = "") -> pa.Array:
    """Opaque, unique 16-hex ids: a bijective mix (splitmix64) of (seed, tag, position)."""
    x = np.arange(start, start + n, dtype=np.uint64) + np.uint64((seed * 0x9E37 + tag) & 0xFFFFFFFF) * np.uint64(
        1 << 32
    )
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    shifts = np.arange(60, -1, -4, dtype=np.uint64)
    nib = ((x[:, None] >> shifts[None, :]) & np.uint64(15)).astype(np.uint8)
    codes = _HEX[nib]
    if prefix:
        pre = np.broadcast_to(np.frombuffer(prefix.encode(), dtype=np.uint8), (n, len(prefix)))
        codes = np.hstack([pre, codes])
    return _fixed_strings(codes)


def _seq_ids(prefix: str, start: int, n: int) -> pa.Array:
    """'<prefix><position>' for positions start..start+n-1."""
    import pyarrow.compute as pc

    nums = pa.array(np.arange(start, start + n, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(pa.scalar(prefix), nums, "")


class Areas:
    """Area lookups as arrays: subject / country position of each area, region-mix sampling."""

    def __init__(self, cal: Calibration, plan: Plan, scenario: Scenario):
        self.cal = cal
        n = len(cal.area_ids)
        self.country = np.array(cal.area_country)
        self.subject = np.array(cal.area_subject)
        self.is_ru = self.country == "113"
        base = cal.area_share
        # per grid month: cumulative resume region mix, tilted by the scenario's region factors
        self.res_cdf = []
        for m in plan.calendar.months:
            f = np.ones(n)
            for key, mult in scenario.region_factors(m).items():
                hit = (np.array(cal.area_ids) == key) | (self.subject == key) | (self.country == key)
                f[hit] *= mult
            self.res_cdf.append(_cdf(base * f))
        self.vac_cdf = _cdf(base)
        # one representative area per federal subject of Russia (for internal moves)
        self.ru_subject_cdf = _cdf(np.where(self.is_ru, base, 0.0))

    def pos(self, area_id: str) -> int:
        return self.cal.area_pos[area_id]


@dataclass
class VacancyChunk:
    records: pa.Table
    observations: pa.Table
    role: np.ndarray
    area: np.ndarray
    pub_s: np.ndarray
    close_s: np.ndarray
    jsonl: list[dict] | None = None


def _salary(rng, cal: Calibration, role: np.ndarray, area: np.ndarray):
    vac = cal.data["vacancy"]
    n = len(role)
    roles = cal.data["roles"]
    role_eff = np.array([r["salary_effect"] for r in roles])[role]
    has = rng.random(n) < np.array([r["has_salary"] for r in roles])[role]
    mid = np.exp(vac["salary_mu"] + cal.area_salary[area] + role_eff + vac["salary_sigma"] * rng.standard_normal(n))
    kind = rng.random(n)
    both = kind < vac["salary_both"]
    from_only = (~both) & (kind < vac["salary_both"] + vac["salary_from_only"])
    ratio = np.interp(
        rng.random(n), np.linspace(0, 1, len(vac["salary_ratio_quantiles"])), vac["salary_ratio_quantiles"]
    )
    lo = np.where(both, 2 * mid / (1 + ratio), mid)
    hi = np.where(both, lo * ratio, mid)

    def rnd(x):
        step = np.where(x < 20000, 500.0, np.where(x < 200000, 1000.0, 5000.0))
        return np.maximum(np.round(x / step) * step, step)

    lo, hi = rnd(lo), rnd(hi)
    hi = np.maximum(hi, lo)
    from_valid = has & (both | from_only)
    to_valid = has & ~from_only
    gross = rng.random(n) < vac["salary_gross_share"]
    return lo, hi, from_valid, to_valid, has, gross


_POOL = 256


def _skills(rng, cal: Calibration, role: np.ndarray, counts_pmf) -> pa.Array:
    """Key skills per record: distinct, weighted by role (Gumbel top-k), k from the calibrated count.

    Each role gets a pool of 256 sets per chunk and each record takes one of its role's sets:
    the same law as drawing per record, at a fraction of the cost.
    """
    roles = cal.data["roles"]
    present = np.unique(role)
    vocab: dict[str, int] = {}
    lists_off = [0]
    flat_parts = []
    for r in present:
        names = roles[r]["skills"]
        k = _choice(rng, _cdf(counts_pmf), _POOL)
        if not names:
            lists_off.extend([lists_off[-1]] * _POOL)
            continue
        ids = np.array([vocab.setdefault(s_, len(vocab)) for s_ in names])
        w = np.log(np.asarray(roles[r]["skill_weights"], dtype=float))
        order = np.argsort(-(w[None, :] + rng.gumbel(size=(_POOL, len(names)))), axis=1)
        kk = np.minimum(k, len(names))
        take = np.arange(len(names))[None, :] < kk[:, None]
        flat_parts.append(ids[order][take])
        lists_off.extend((lists_off[-1] + np.cumsum(kk)).tolist())
    values: list[str] = [""] * len(vocab)  # every slot is filled below: vocab numbers 0..n-1
    for s_, i in vocab.items():
        values[i] = s_
    flat = np.concatenate(flat_parts) if flat_parts else np.zeros(0, dtype=np.int64)
    pool = _list_of_strings(values, np.asarray(lists_off), flat)
    slot = np.searchsorted(present, role) * _POOL + rng.integers(0, _POOL, len(role))
    return pool.take(pa.array(slot))


def _titles(rng, cal: Calibration, role: np.ndarray) -> tuple[list[str], np.ndarray]:
    roles = cal.data["roles"]
    values: list[str] = []
    out = np.zeros(len(role), dtype=np.int64)
    for r in np.unique(role):
        sel = np.flatnonzero(role == r)
        base = len(values)
        values.extend(roles[r]["titles"])
        out[sel] = base + _choice(rng, _cdf(roles[r]["title_weights"]), len(sel))
    return values, out


def _by_group(rng, role_is_it: np.ndarray, table: dict) -> tuple[list[str], np.ndarray]:
    keys = sorted(set(table["it"]) | set(table["other"]))
    out = np.zeros(len(role_is_it), dtype=np.int64)
    for group, mask in (("it", role_is_it), ("other", ~role_is_it)):
        sel = np.flatnonzero(mask)
        w = [table[group].get(k, 0.0) for k in keys]
        out[sel] = _choice(rng, _cdf(w), len(sel))
    return keys, out


_EMPLOYERS = 100_000
_EMPLOYER_CDF = None


def _employers(rng, n: int) -> np.ndarray:
    """Employer ranks from a finite Zipf law (100,000 employers, exponent 0.9: the largest posts
    about 4.5% of vacancies; no real employer-size data is shared, so this is an assumption)."""
    global _EMPLOYER_CDF
    if _EMPLOYER_CDF is None:
        _EMPLOYER_CDF = _cdf(np.arange(1, _EMPLOYERS + 1, dtype=float) ** -0.9)
    return 1 + _choice(rng, _EMPLOYER_CDF, n)


def _sample_cells(rng, prob: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(category, grid month) of n records from the plan's joint shares."""
    C, G = prob.shape
    counts = rng.multinomial(n, prob.ravel())
    cell = np.repeat(np.arange(C * G), counts)
    rng.shuffle(cell)
    return cell // G, cell % G


def _role_in_category(rng, cal: Calibration, cat: np.ndarray, cdfs: list | None = None) -> np.ndarray:
    """A role for each record of a category: calibrated shares, or ``cdfs`` (a plan's given role mix)."""
    cdfs = cal.role_cdf_by_cat if cdfs is None else cdfs
    role = np.zeros(len(cat), dtype=np.int64)
    for ci in np.unique(cat):
        sel = np.flatnonzero(cat == ci)
        idx, cdf = cdfs[ci]
        role[sel] = idx[_choice(rng, cdf, len(sel))]
    return role


def make_vacancies(
    cal: Calibration,
    plan: Plan,
    scenario: Scenario,
    areas: Areas,
    seed: int,
    chunk: int,
    start: int,
    n: int,
    source_file: str,
    jsonl: bool = False,
) -> VacancyChunk:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1, chunk]))
    calendar = plan.calendar
    cat, month = _sample_cells(rng, plan.vac_prob, n)
    role = _role_in_category(rng, cal, cat)
    area = _choice(rng, areas.vac_cdf, n)
    length = np.diff(calendar.starts)[month]
    pub_s = np.floor((calendar.starts[month] + rng.random(n) * length) * DAY)
    pmf = np.asarray(cal.data["vacancy"]["lifetime"]["pmf"], dtype=float)
    life_days = np.maximum(np.searchsorted(_cdf(pmf), rng.random(n), side="right") - 1 + rng.random(n), 0.1)
    close_s = np.floor(pub_s + life_days * DAY)
    end_s = calendar.end_seconds

    ids = _seq_ids(f"{seed}-", start, n)
    emp_u, emp_inv = np.unique(_employers(rng, n), return_inverse=True)
    title_values, title_idx = _titles(rng, cal, role)
    lo, hi, from_valid, to_valid, has, gross = _salary(rng, cal, role, area)
    roles = cal.data["roles"]
    exp_idx = np.zeros(n, dtype=np.int64)
    for r in np.unique(role):
        sel = np.flatnonzero(role == r)
        shares = roles[r]["experience"]
        exp_idx[sel] = _choice(rng, _cdf([shares.get(e, 0.0) for e in _EXPERIENCE]), len(sel))
    is_it = cal.role_is_it[role]
    sched_keys, sched_idx = _by_group(rng, is_it, cal.data["vacancy"]["schedule"])
    empl_keys, empl_idx = _by_group(rng, is_it, cal.data["vacancy"]["employment"])
    skills = _skills(rng, cal, role, cal.data["vacancy"]["skills_count"])
    role_ids = [r["id"] for r in roles]
    valid = np.ones(n, dtype=bool)

    records = pa.Table.from_arrays(
        [
            _seq_ids(f"sim:{seed}-", start, n),
            _const("sim", n),
            ids,
            pa.array(np.ones(n, dtype=bool)),
            take_strings(title_values, title_idx),
            pa.nulls(n, pa.string()),
            take_strings([f"sim-e{e}" for e in emp_u.tolist()], emp_inv),
            take_strings([f"Simulated employer {e}" for e in emp_u.tolist()], emp_inv),
            _list_of_strings(role_ids, np.arange(n + 1), role),
            take_strings(cal.area_ids, area),
            take_strings(cal.area_names, area),
            pa.array(lo, mask=~from_valid),
            pa.array(hi, mask=~to_valid),
            _nullable_strings(["RUR"], np.zeros(n, dtype=np.int64), has),
            pa.array(gross, mask=~has),
            _nullable_strings(["month"], np.zeros(n, dtype=np.int64), has),
            take_strings(_EXPERIENCE, exp_idx),
            take_strings(empl_keys, empl_idx),
            take_strings(sched_keys, sched_idx),
            pa.nulls(n, pa.list_(pa.string())),
            skills,
            pa.nulls(n, pa.string()),  # profession_code_raw: hh-shaped records carry roles, not codes
            _ts(pub_s),
            _ts(pub_s),
            _ts(close_s, valid),
        ],
        schema=VACANCY_SCHEMA,
    )

    # observations: publication, an optional middle sighting, close (or a last sighting at the end)
    mid_share = float((scenario.raw.get("vacancy") or {}).get("middle_sighting_share", 0.3))
    has_mid = (rng.random(n) < mid_share) & (close_s - pub_s > 2 * DAY)
    mid_s = np.floor(pub_s + (close_s - pub_s) * (0.2 + 0.6 * rng.random(n)))
    closed_in = close_s < end_s
    last_s = np.where(closed_in, close_s, end_s - 1)
    rec = np.arange(n)
    obs_rec = np.concatenate([rec, rec[has_mid & (mid_s < end_s)], rec])
    obs_t = np.concatenate([pub_s, mid_s[has_mid & (mid_s < end_s)], last_s])
    obs_arch = np.concatenate([np.zeros(n, bool), np.zeros(int((has_mid & (mid_s < end_s)).sum()), bool), closed_in])
    keep = obs_t < end_s
    obs_rec, obs_t, obs_arch = obs_rec[keep], obs_t[keep], obs_arch[keep]
    order = np.lexsort((obs_t, obs_rec))
    obs_rec, obs_t, obs_arch = obs_rec[order], obs_t[order], obs_arch[order]
    m = len(obs_rec)
    vid = records.column("vacancy_id").combine_chunks()
    sal_mid = np.where(from_valid & to_valid, (lo + hi) / 2, np.where(from_valid, lo, hi))
    observations = pa.Table.from_arrays(
        [
            _const("vacancy", m),
            vid.take(pa.array(obs_rec)),
            _ts(obs_t),
            _const(source_file, m),
            take_strings(cal.area_ids, area[obs_rec]),
            take_strings(cal.area_names, area[obs_rec]),
            pa.array(obs_arch),
            pa.nulls(m, pa.timestamp("us")),
            pa.array(sal_mid[obs_rec], mask=~has[obs_rec]),
            pa.nulls(m, pa.string()),
        ],
        schema=OBSERVATION_SCHEMA,
    )
    js = None
    if jsonl:
        js = _api_objects(records, cal, area, role)
    return VacancyChunk(records, observations, role, area, pub_s, close_s, js)


def _api_objects(records: pa.Table, cal: Calibration, area: np.ndarray, role: np.ndarray) -> list[dict]:
    """hh-API-shaped vacancy objects (a subset of api.hh.ru's fields) for exercising the readers."""
    rows = records.to_pylist()
    roles = cal.data["roles"]
    out = []
    for row, a, r in zip(rows, area.tolist(), role.tolist()):
        salary = None
        if row["salary_from"] is not None or row["salary_to"] is not None:
            salary = {
                "from": None if row["salary_from"] is None else int(row["salary_from"]),
                "to": None if row["salary_to"] is None else int(row["salary_to"]),
                "currency": row["salary_currency"],
                "gross": row["salary_gross"],
            }
        out.append(
            {
                "id": row["source_id"],
                "name": row["title"],
                "area": {"id": cal.area_ids[a], "name": cal.area_names[a]},
                "salary": salary,
                "experience": {"id": row["experience_raw"]},
                "schedule": {"id": row["schedule"]},
                "employment": {"id": row["employment"]},
                "professional_roles": [{"id": roles[r]["id"], "name": roles[r]["name"]}],
                "key_skills": [{"name": s} for s in row["skills_raw"] or []],
                "employer": {"id": row["employer_id"], "name": row["employer_name"]},
                "published_at": row["published_at"].strftime("%Y-%m-%dT%H:%M:%S+0300"),
                "created_at": row["published_at"].strftime("%Y-%m-%dT%H:%M:%S+0300"),
                "archived": False,
                "simulated": True,
            }
        )
    return out


@dataclass
class ResumeChunk:
    records: pa.Table
    observations: pa.Table
    role: np.ndarray  # per resume
    obs_rec: np.ndarray  # per observation: resume position in the chunk
    obs_t: np.ndarray  # seconds
    obs_area: np.ndarray
    created_area: np.ndarray
    created_s: np.ndarray
    moves: pa.Table


def _first_day(month):
    """First day (days since 1970-01-01) of month index y*12+m-1; works on arrays."""
    return (
        (np.asarray(month, dtype=np.int64) - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    )


def _move_rules(scenario: Scenario, cal: Calibration, areas: Areas):
    rules = []
    for rule in scenario.mobility:
        # eligible roles: "all", or category ids and/or "it" (the IT segment of the one role table)
        cats = rule.get("categories", "all")
        role_mask = np.ones(len(cal.role_ids), dtype=bool)
        if cats != "all":
            wanted = {str(c) for c in (cats if isinstance(cats, list) else [cats])}
            role_mask = np.array([c in wanted for c in cal.role_cat]) | (cal.role_is_it & ("it" in wanted))
        p0, p1 = rule.get("period", [None, None])
        months = list(range(month_index(p0), month_index(p1) + 1)) if p0 else []
        prof = rule.get("profile")
        weights = np.array(
            [float((prof or {}).get(f"{m // 12:04d}-{m % 12 + 1:02d}", 0.0 if prof else 1.0)) for m in months]
        )
        dest = rule.get("destinations", "internal")
        if dest == "internal":
            dest_pos, dest_cdf = None, None
        else:
            dest_pos = np.array([areas.pos(str(k)) for k in dest])
            dest_cdf = _cdf(list(dest.values()))
        rules.append(
            dict(
                name=rule.get("name", "move"),
                role_mask=role_mask,
                from_country=str(rule.get("from_country", "113")),
                share=float(rule.get("share", 0.0)),
                months=np.array(months),
                month_cdf=_cdf(weights) if len(months) else None,
                dest_pos=dest_pos,
                dest_cdf=dest_cdf,
                signal=float(rule.get("signal_share", 0.0)),
            )
        )
    return rules


def make_resumes(
    cal: Calibration,
    plan: Plan,
    scenario: Scenario,
    areas: Areas,
    seed: int,
    chunk: int,
    start: int,
    n: int,
    source_file: str,
) -> ResumeChunk:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2, chunk]))
    calendar = plan.calendar
    end_s = calendar.end_seconds
    res = scenario.resumes
    window_s = scenario.window_days * DAY
    cat, month = _sample_cells(rng, plan.res_prob, n)
    role = _role_in_category(rng, cal, cat, plan.role_cdf)
    area0 = np.zeros(n, dtype=np.int64)
    for g in np.unique(month):
        sel = np.flatnonzero(month == g)
        area0[sel] = _choice(rng, areas.res_cdf[g], len(sel))
    length = np.diff(calendar.starts)[month]
    created = np.floor((calendar.starts[month] + rng.random(n) * length) * DAY)

    # update times: 1 + geometric count, gaps scaled by the solved pace
    k = n_updates(rng.random(n), float(res.get("updates_mean", 4)))
    total = int(k.sum())
    rec = np.repeat(np.arange(n), k)
    gaps = update_gaps(rng, (total,), res) * plan.pace * DAY
    first = np.concatenate([[0], np.cumsum(k)[:-1]])
    gaps[first] = 0.0
    cs = np.cumsum(gaps)
    t = created[rec] + np.floor(cs - cs[first][rec])
    keep = t < end_s
    rec, t = rec[keep], t[keep]
    last_t = np.full(n, -np.inf)
    np.maximum.at(last_t, rec, t)

    # moves: a mover updates the resume at the move, in the new place; one move per resume
    rules = _move_rules(scenario, cal, areas)
    moved = np.zeros(n, dtype=bool)
    move_t = np.full(n, np.inf)
    dest = area0.copy()
    rule_of = np.full(n, -1)
    signal = np.zeros(n, dtype=bool)
    for ri, rule in enumerate(rules):
        if rule["share"] <= 0 or not len(rule["months"]):
            continue
        elig = rule["role_mask"][role] & (areas.country[area0] == rule["from_country"]) & ~moved
        lo_s = int(_first_day(rule["months"][0])) * DAY
        hi_s = int(_first_day(rule["months"][-1] + 1)) * DAY
        active_in = elig & (created < hi_s) & (last_t + window_s > lo_s)
        mi = rule["months"][_choice(rng, rule["month_cdf"], n)]
        d_start = _first_day(mi) * DAY
        d_len = (_first_day(mi + 1) - _first_day(mi)) * DAY
        d = np.floor(d_start + rng.random(n) * d_len)
        hit = active_in & (d > created + DAY) & (d < last_t + window_s) & (d < end_s)
        n_hit = int(hit.sum())
        if n_hit == 0:
            continue
        p = min(1.0, rule["share"] * int(active_in.sum()) / n_hit)
        go = hit & (rng.random(n) < p)
        idx = np.flatnonzero(go)
        if rule["dest_pos"] is None:
            new = _choice(rng, areas.ru_subject_cdf, len(idx))
            same = areas.subject[new] == areas.subject[area0[idx]]
            while same.any():  # another federal subject
                new[same] = _choice(rng, areas.ru_subject_cdf, int(same.sum()))
                same = areas.subject[new] == areas.subject[area0[idx]]
        else:
            new = rule["dest_pos"][_choice(rng, rule["dest_cdf"], len(idx))]
        moved[idx] = True
        move_t[idx] = d[idx]
        dest[idx] = new
        rule_of[idx] = ri
        signal[idx] = rng.random(len(idx)) < rule["signal"]
    mv = np.flatnonzero(moved)
    rec = np.concatenate([rec, mv])
    t = np.concatenate([t, move_t[mv]])
    order = np.lexsort((t, rec))
    rec, t = rec[order], t[order]
    # guard the observation key: two sightings of one resume never share a second
    dup = np.concatenate([[False], (rec[1:] == rec[:-1]) & (t[1:] <= t[:-1])])
    while dup.any():
        t[dup] = t[np.flatnonzero(dup) - 1] + 1
        dup = np.concatenate([[False], (rec[1:] == rec[:-1]) & (t[1:] <= t[:-1])])
    obs_area = np.where(t >= move_t[rec], dest[rec], area0[rec])
    m = len(rec)
    last_pos = np.flatnonzero(np.concatenate([rec[1:] != rec[:-1], [True]]))
    has_obs = np.zeros(n, dtype=bool)
    has_obs[rec[last_pos]] = True
    area_last = area0.copy()
    area_last[rec[last_pos]] = obs_area[last_pos]
    updated = np.full(n, np.nan)
    updated[rec[last_pos]] = t[last_pos]

    # readiness to relocate: fixed per resume, except movers who signal before moving
    rel = _choice(rng, _cdf([res.get("relocation", {}).get(k, 0.0) for k in _RELOCATION]), n)
    rel_obs = rel[rec].copy()
    sig_obs = signal[rec] & (t < move_t[rec])
    rel_obs[sig_obs] = 2
    rel_last = rel.copy()
    rel_last[rec[last_pos]] = rel_obs[last_pos]

    # person fields from the real 44k resumes (bootstrap of whole rows keeps their joint law)
    rs = cal.data["resume"]
    pick = rng.integers(0, len(rs["age"]), n)
    age = np.asarray(rs["age"])[pick]
    exp_m = np.asarray(rs["experience_months"])[pick]
    roles = cal.data["roles"]
    role_eff = np.array([r["salary_effect"] for r in roles])[role]
    ready = rel > 0
    share_ready = 1.0 - float(res.get("relocation", {}).get("no_relocation", 0.7))
    rel_mult = rs["relocation_salary_ratio"] ** (ready.astype(float) - share_ready)
    salary = np.asarray(rs["salary"], dtype=float)[pick] * np.exp(0.5 * role_eff) * rel_mult
    salary = np.maximum(np.round(salary / 1000.0) * 1000.0, 1000.0)
    bands = np.array(["<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"])
    band_idx = np.searchsorted(np.array([18, 25, 35, 45, 55, 65]), age, side="right")
    is_it = cal.role_is_it[role]
    male = rng.random(n) < np.where(is_it, rs["male_share"], 0.5)
    title_values, title_idx = _titles(rng, cal, role)
    skills = _skills(rng, cal, role, cal.data["vacancy"]["skills_count"])
    sched_keys, sched_idx = _by_group(rng, is_it, cal.data["vacancy"]["schedule"])
    empl_keys, empl_idx = _by_group(rng, is_it, cal.data["vacancy"]["employment"])
    # relocation areas: movers name their destination; others abroad at a rate, else a big city
    abroad_share = float(res.get("relocation_abroad_share", 0.1))
    ready_last = rel_last > 0
    abroad_pool = np.array([areas.pos(a) for a in ("160", "2758", "13", "146", "94", "16") if a in cal.area_pos])
    home_pool = np.array([areas.pos(a) for a in ("1", "2") if a in cal.area_pos])
    rel_area = np.where(
        rng.random(n) < abroad_share,
        abroad_pool[rng.integers(0, len(abroad_pool), n)],
        home_pool[rng.integers(0, len(home_pool), n)],
    )
    rel_area = np.where(signal, dest, rel_area)
    rel_off = np.concatenate([[0], np.cumsum(ready_last.astype(np.int64))])
    rel_flat = rel_area[ready_last]
    country_values = sorted(set(cal.area_country))
    cit_idx = np.array([country_values.index(c) for c in areas.country[area0]])
    keys = _hex_ids(seed, start, n, 2)
    rid = _hex_ids(seed, start, n, 2, prefix="sim:")
    role_ids = [r["id"] for r in roles]
    records = pa.Table.from_arrays(
        [
            rid,
            _const("sim", n),
            keys,
            pa.array(np.ones(n, dtype=bool)),
            take_strings(title_values, title_idx),
            _list_of_strings(role_ids, np.arange(n + 1), role),
            take_strings(cal.area_ids, area_last),
            take_strings(cal.area_names, area_last),
            pa.array(salary),
            _const("RUR", n),
            pa.nulls(n, pa.bool_()),
            pa.array(exp_m.astype(np.int32)),
            take_strings(list(bands), band_idx),
            take_strings(["female", "male"], male.astype(np.int64)),
            skills,
            _list_of_strings(empl_keys, np.arange(n + 1), empl_idx),
            _list_of_strings(sched_keys, np.arange(n + 1), sched_idx),
            take_strings(_RELOCATION, rel_last),
            _list_of_strings(cal.area_ids, rel_off, rel_flat),
            _list_of_strings(cal.area_names, rel_off, rel_flat),
            _list_of_strings(country_values, np.arange(n + 1), cit_idx),
            _ts(created),
            _ts(np.nan_to_num(updated, nan=0.0), has_obs),
            pa.nulls(n, pa.string()),  # profession_code_raw
        ],
        schema=RESUME_SCHEMA,
    )
    rid_arr = records.column("resume_id").combine_chunks()
    observations = pa.Table.from_arrays(
        [
            _const("resume", m),
            rid_arr.take(pa.array(rec)),
            _ts(t),
            _const(source_file, m),
            take_strings(cal.area_ids, obs_area),
            take_strings(cal.area_names, obs_area),
            pa.nulls(m, pa.bool_()),
            _ts(t),
            pa.array(salary[rec]),
            take_strings(_RELOCATION, rel_obs),
        ],
        schema=OBSERVATION_SCHEMA,
    )
    # true moves, dated at the sighting that first shows the new place (the inserted one)
    mv_rec = mv
    moves = pa.table(
        {
            "resume_id": rid_arr.take(pa.array(mv_rec)) if len(mv_rec) else pa.array([], pa.string()),
            "observed_at": _ts(move_t[mv_rec]),
            "month": pa.array(
                (move_t[mv_rec] // DAY).astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]"),
                type=pa.date32(),
            )
            if len(mv_rec)
            else pa.array([], pa.date32()),
            "rule": pa.array([rules[i]["name"] for i in rule_of[mv_rec]], type=pa.string()),
            "role_id": take_strings(role_ids, role[mv_rec]),
            "role_category": pa.array([cal.role_cat[r] for r in role[mv_rec]], type=pa.string()),
            "is_it": pa.array(is_it[mv_rec]),
            "origin_area_id": take_strings(cal.area_ids, area0[mv_rec]),
            "dest_area_id": take_strings(cal.area_ids, dest[mv_rec]),
            "origin_subject_id": pa.array(areas.subject[area0[mv_rec]].tolist(), type=pa.string()),
            "dest_subject_id": pa.array(areas.subject[dest[mv_rec]].tolist(), type=pa.string()),
            "origin_country_id": pa.array(areas.country[area0[mv_rec]].tolist(), type=pa.string()),
            "dest_country_id": pa.array(areas.country[dest[mv_rec]].tolist(), type=pa.string()),
            "signalled": pa.array(signal[mv_rec]),
        }
    )
    return ResumeChunk(records, observations, role, rec, t, obs_area, area0, created, moves)
