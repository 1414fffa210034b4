"""``kadry collect hh`` against a loopback hh.ru built from real API objects (2025 fields), with faults."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta

import pytest

from kadry.collect.hh import MAX_RESULTS, collect_hh
from kadry.errors import CollectError
from kadry.store import Store
from tests.collect.loopback import Loopback

TOKEN = "app-token-123"
UA = "kadry-test/1.0 (test@example.org)"
DAY1, DAY2 = date(2025, 10, 1), date(2025, 10, 2)


def _objects(shared) -> list[dict]:
    """2,150 vacancies on day one (more than one query reaches) and 100 on day two, cloned from real ones."""
    real = json.loads((shared / "vacancies" / "hh-api-2025-moscow" / "vacancies_raw.json").read_text(encoding="utf-8"))
    out = []
    for i in range(2250):
        obj = copy.deepcopy(real[i % len(real)])
        day = DAY1 if i < 2150 else DAY2
        at = datetime.combine(day, datetime.min.time()) + timedelta(seconds=(i * 86_399 // 2150) % 86_400)
        obj["id"] = str(90_000_000 + i)
        obj["published_at"] = obj["created_at"] = at.strftime("%Y-%m-%dT%H:%M:%S+0300")
        obj["archived"] = False
        out.append(obj)
    return out


class FakeHH:
    def __init__(self, objects: list[dict]) -> None:
        self.objects = {o["id"]: o for o in objects}
        self.hidden: set[str] = set()
        self.archived: set[str] = set()
        self.removed: set[str] = set()
        self.searches: list[tuple[str, str, int, int]] = []
        self.server = Loopback()
        self.server.routes["/vacancies"] = self.search
        self.server.routes["/vacancies/"] = self.detail

    def _auth(self, headers: dict) -> tuple[int, object] | None:
        if not (headers.get("HH-User-Agent") or headers.get("User-Agent", "").startswith("kadry")):
            return 400, {"errors": [{"type": "bad_user_agent"}]}
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return 403, {"errors": [{"type": "forbidden"}]}
        return None

    def search(self, q: dict, headers: dict):
        refused = self._auth(headers)
        if refused:
            return refused
        lo, hi = q["date_from"][0], q["date_to"][0]
        page, per = int(q.get("page", ["0"])[0]), int(q.get("per_page", ["20"])[0])
        hits = sorted(
            (
                o
                for o in self.objects.values()
                if o["id"] not in self.hidden | self.removed and lo <= o["published_at"][:19] < hi
            ),
            key=lambda o: o["id"],
        )
        self.searches.append((lo, hi, page, len(hits)))
        if (page + 1) * per > MAX_RESULTS:
            return 400, {"errors": [{"type": "bad_argument", "value": "page"}]}
        items = []
        for o in hits[page * per : (page + 1) * per]:
            item = {k: v for k, v in o.items() if k not in ("key_skills", "description", "branded_description")}
            items.append(item)
        pages = (len(hits) + per - 1) // per
        return 200, {"found": len(hits), "pages": pages, "page": page, "per_page": per, "items": items}

    def detail(self, q: dict, headers: dict):
        refused = self._auth(headers)
        if refused:
            return refused
        vid = q["_path"][0].rsplit("/", 1)[1]
        if vid not in self.objects or vid in self.removed:
            return 404, {"errors": [{"type": "not_found"}]}
        obj = dict(self.objects[vid])
        obj["archived"] = vid in self.archived
        return 200, obj


@pytest.fixture
def hh(shared):
    fake = FakeHH(_objects(shared))
    fake.server.start()
    yield fake
    fake.server.stop()


def _run(store, hh, **kw):
    return collect_hh(
        store,
        DAY1,
        DAY2,
        token=TOKEN,
        user_agent=UA,
        base_url=hh.server.url,
        rate=10_000,
        sleep=lambda s: None,
        backoff=0.0,
        **kw,
    )


def test_windows_details_faults(hh, store):
    hh.server.faults["/vacancies"] = ["429", "captcha", "500"]
    hh.server.faults["/vacancies/90000005"] = ["captcha"]
    report = _run(store, hh)
    ids = {r[0] for r in store.con.execute("SELECT source_id FROM vacancies WHERE source = 'hh'").fetchall()}
    assert ids == set(hh.objects)
    # no query was paged beyond what hh answers; an overflowing window was split, never paged
    assert all(page * 100 < MAX_RESULTS for _, _, page, _ in hh.searches)
    assert all(found <= MAX_RESULTS for _, _, page, found in hh.searches if page > 0)
    assert any(found > MAX_RESULTS for *_, found in hh.searches)
    assert report.details == len(hh.objects) and report.overflow == 0
    # key skills (detail only) and the 2024-2025 fields arrived
    with_skills = store.con.execute("SELECT count(*) FROM vacancies WHERE len(skills_raw) > 0").fetchall()[0][0]
    want = sum(1 for o in hh.objects.values() if o.get("key_skills"))
    assert with_skills == want > 0
    assert store.con.execute("SELECT count(*) FROM vacancies WHERE len(work_format_raw) > 0").fetchall()[0][0] > 0
    again = _run(store, hh)
    assert again.fetched == 0 and again.skipped == report.windows


def test_interrupted_run_resumes_without_gaps_or_duplicates(hh, store):
    said = []

    def say(message: str) -> None:
        said.append(message)
        if len(said) == 1:
            raise KeyboardInterrupt  # Ctrl+C after the first window

    with pytest.raises(KeyboardInterrupt):
        _run(store, hh, say=say)
    partial = store.count("vacancies")
    assert 0 < partial < len(hh.objects)
    _run(store, hh)
    assert store.count("vacancies") == len(hh.objects)
    per_record = store.con.execute(
        "SELECT max(n) FROM (SELECT count(*) n FROM observations GROUP BY record_id)"
    ).fetchall()
    assert per_record == [(1,)]  # the resumed run is the same sighting


def test_recheck_confirms_closes_through_the_detail(hh, store):
    _run(store, hh)
    gone = sorted(hh.objects)[:6]
    hh.hidden.update(gone[:3])
    hh.archived.update(gone[:3])
    hh.removed.update(gone[3:])
    report = _run(store, hh, recheck=True)
    assert report.closed == 6
    closed = {r[0] for r in store.con.execute("SELECT source_id FROM vacancies WHERE closed_at IS NOT NULL").fetchall()}
    assert closed == set(gone)


def test_without_token_the_error_says_why(hh):
    with Store(":memory:") as store, pytest.raises(CollectError, match="application token"):
        collect_hh(store, DAY1, DAY1, token=None, user_agent=UA, base_url=hh.server.url, sleep=lambda s: None)
