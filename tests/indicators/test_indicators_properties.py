"""Property tests (DuckDB): stocks equal a day-by-day count made independently from the
definitions; disjoint segments add up to their roll-up; record order, duplicates and repeat
sightings never change a count. The two-engine suite shows Spark gives the same answers."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kadry.indicators import Engine, compute
from kadry.store import Store

BASE = date(2022, 1, 1)
LIFETIME, WINDOW = 30, 30
START, END = date(2022, 2, 1), date(2022, 3, 31)

_vacancy = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["A", "B", None]),
        "region": st.sampled_from(["RU-MOW", "RU-SPE"]),
        "pub": st.integers(-60, 100),
        "close": st.one_of(st.none(), st.integers(-3, 70)),
        "sim": st.booleans(),
    }
)
_resume = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["A", "B", None]),
        "region": st.sampled_from(["RU-MOW", "RU-SPE"]),
        "created": st.integers(-90, 90),
        # (observed, days between update and sighting)
        "obs": st.lists(st.tuples(st.integers(-90, 100), st.integers(0, 40)), max_size=4),
    }
)
_world = st.fixed_dictionaries({"vacancies": st.lists(_vacancy, max_size=8), "resumes": st.lists(_resume, max_size=8)})

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _ts(offset: int, hour: int = 10) -> datetime:
    return datetime.combine(BASE + timedelta(days=offset), datetime.min.time()) + timedelta(hours=hour)


def _rows(world: dict) -> list[tuple[str, dict]]:
    """The world as store rows (table, values)."""
    out = []
    for i, v in enumerate(world["vacancies"]):
        close = None if v["close"] is None else _ts(v["pub"] + v["close"], 18)
        out.append(
            (
                "vacancies",
                {
                    "vacancy_id": f"v{i}",
                    "source": "hh",
                    "source_id": str(i),
                    "simulated": v["sim"],
                    "published_at": _ts(v["pub"]),
                    "closed_at": close,
                    "role_id": v["role"],
                    "region_code": v["region"],
                },
            )
        )
    for i, r in enumerate(world["resumes"]):
        out.append(
            (
                "resumes",
                {
                    "resume_id": f"r{i}",
                    "source": "hh",
                    "source_key": str(i),
                    "simulated": False,
                    "created_at": _ts(r["created"], 8),
                    "role_id": r["role"],
                    "region_code": r["region"],
                },
            )
        )
        for seen, lag in r["obs"]:
            out.append(
                (
                    "observations",
                    {
                        "kind": "resume",
                        "record_id": f"r{i}",
                        "observed_at": _ts(seen, 12),
                        "updated_at": _ts(seen - lag, 9),
                    },
                )
            )
    return out


def _store(rows: list[tuple[str, dict]]) -> Store:
    store = Store(":memory:")
    for table, values in rows:
        store.con.execute(
            f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})", list(values.values())
        )
    return store


def _stock(store: Store, by=("role", "region"), **kw):
    return compute("stock", by=list(by), period="month", start=START, end=END, engine=Engine.from_store(store), **kw)


def _key(v):
    return "unknown" if v is None else v


def _oracle(world: dict) -> dict:
    """(role, region, month) -> (vacancies, resumes), counted day by day from the definitions."""
    active: dict = {}
    day = START
    while day <= END:
        d = (day - BASE).days
        month = day.replace(day=1)
        for i, v in enumerate(world["vacancies"]):
            end = v["pub"] + (v["close"] if v["close"] is not None else LIFETIME - 1)
            if v["pub"] <= d <= end:
                active.setdefault((_key(v["role"]), v["region"], month), (set(), set()))[0].add(i)
        for i, r in enumerate(world["resumes"]):
            c = r["created"]
            updates = [c] + [seen - lag for seen, lag in r["obs"]]
            sightings = [seen for seen, _ in r["obs"]]
            if d >= c and (any(u <= d <= u + WINDOW - 1 for u in updates) or d in sightings):
                active.setdefault((_key(r["role"]), r["region"], month), (set(), set()))[1].add(i)
        day += timedelta(days=1)
    return {k: (len(v), len(r)) for k, (v, r) in active.items()}


def _full_cells(table) -> dict:
    return {
        (r["role"], r["region"], r["period"]): (r["n_vacancies"], r["n_resumes"])
        for r in table.to_pylist()
        if r["role"] != "all" and r["region"] != "all"
    }


@SETTINGS
@given(_world)
def test_stock_equals_day_by_day_count(world):
    with _store(_rows(world)) as store:
        table = _stock(store)
    assert _full_cells(table) == _oracle(world)


@SETTINGS
@given(_world)
def test_disjoint_segments_add_up_to_rollup(world):
    with _store(_rows(world)) as store:
        table = _stock(store)
    rows = table.to_pylist()
    for period in {r["period"] for r in rows}:
        total = [r for r in rows if r["period"] == period and r["role"] == "all" and r["region"] == "all"]
        assert len(total) == 1
        for dim, other in (("role", "region"), ("region", "role")):
            parts = [r for r in rows if r["period"] == period and r[dim] != "all" and r[other] == "all"]
            assert sum(r["n_vacancies"] for r in parts) == total[0]["n_vacancies"]
            assert sum(r["n_resumes"] for r in parts) == total[0]["n_resumes"]


@SETTINGS
@given(_world, st.randoms(use_true_random=False))
def test_record_order_does_not_matter(world, rnd: random.Random):
    rows = _rows(world)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    with _store(rows) as a, _store(shuffled) as b:
        for indicator in ("index", "flow"):
            ta = compute(indicator, by=["role"], period="week", start=START, end=END, engine=Engine.from_store(a))
            tb = compute(indicator, by=["role"], period="week", start=START, end=END, engine=Engine.from_store(b))
            assert ta.equals(tb)


@SETTINGS
@given(_world, st.data())
def test_duplicates_and_repeat_sightings_never_change_a_count(world, data):
    rows = _rows(world)
    more = rows[:]
    vacancies = [v for t, v in rows if t == "vacancies"]
    observations = [v for t, v in rows if t == "observations"]
    if vacancies:
        original = data.draw(st.sampled_from(vacancies))
        copy = dict(
            original, vacancy_id=original["vacancy_id"] + "-dup", source_id="dup", dup_of=original["vacancy_id"]
        )
        more.append(("vacancies", copy))
        more.append(
            (
                "observations",
                {
                    "kind": "vacancy",
                    "record_id": original["vacancy_id"],
                    "observed_at": original["published_at"] + timedelta(hours=1),
                },
            )
        )
    if observations:
        seen = data.draw(st.sampled_from(observations))
        more.append(("observations", dict(seen, observed_at=seen["observed_at"] + timedelta(hours=3))))
    with _store(rows) as a, _store(more) as b:
        for indicator in ("stock", "flow"):
            ta = compute(
                indicator, by=["role", "region"], period="month", start=START, end=END, engine=Engine.from_store(a)
            )
            tb = compute(
                indicator, by=["role", "region"], period="month", start=START, end=END, engine=Engine.from_store(b)
            )
            assert ta.equals(tb)
