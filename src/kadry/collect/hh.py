"""``kadry collect hh``: vacancies from the hh.ru API, day by day, in windows no query overflows.

hh.ru answers at most 2,000 results per query (20 pages of 100), so each day is bisected
into windows (down to hh's 5-minute rounding) until every window's ``found`` fits; each
listed vacancy's detail is fetched for its key skills and description (search items carry
neither). Every request sends the application token and a User-Agent, keeps under the
rate limit, and backs off on 429 and on a captcha 403.

Resumable: a finished window is written to the store's ``meta`` as done (after its
vacancies were stored, in that order), so a run killed or interrupted anywhere and run
again skips what is done and fetches the rest; the run's observation time is kept with
the cursor, so a window fetched twice records one sighting, never two. With ``recheck``,
done days are listed again and a stored vacancy missing from its day's listing has its
detail fetched: archived or gone (404) confirms its close.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import httpx

from kadry.errors import CollectError, InputError
from kadry.ingest.pipeline import FileResult, ingest_items
from kadry.sources.base import BadValue, Item
from kadry.sources.hh_json import vacancy_from_hh
from kadry.store import Store

__all__ = ["MAX_RESULTS", "HhReport", "collect_hh"]

MAX_RESULTS = 2000
PER_PAGE = 100
MIN_WINDOW = timedelta(minutes=5)


@dataclass
class HhReport:
    windows: int = 0
    pages: int = 0
    fetched: int = 0
    details: int = 0
    skipped: int = 0
    failed: int = 0
    closed: int = 0
    stored: int = 0
    merged: int = 0
    overflow: int = 0


class _Api:
    """One client: auth, User-Agent, a minimum gap between requests, backoff on 429 and captcha."""

    def __init__(
        self,
        client: httpx.Client,
        base: str,
        rate: float,
        sleep: Callable[[float], None],
        attempts: int = 6,
        backoff: float = 1.0,
    ) -> None:
        self.client = client
        self.base = base.rstrip("/")
        self.gap = 1.0 / rate
        self.sleep = sleep
        self.attempts = attempts
        self.backoff = backoff
        self.last = 0.0
        self.requests = 0

    def get(self, path: str, params: list[tuple[str, str | int | float | bool | None]] | None = None) -> httpx.Response:
        last = ""
        for attempt in range(self.attempts):
            wait = self.last + self.gap - time.monotonic()
            if wait > 0:
                self.sleep(wait)
            self.last = time.monotonic()
            self.requests += 1
            try:
                response = self.client.get(self.base + path, params=params)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}"
                self.sleep(self.backoff * 2**attempt)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                last = f"HTTP {response.status_code}"
                after = response.headers.get("Retry-After", "")
                self.sleep(float(after) if after.isdigit() else self.backoff * 2**attempt)
                continue
            if response.status_code == 403 and "captcha" in response.text:
                last = "captcha (403)"
                self.sleep(self.backoff * 4 * 2**attempt)  # a captcha asks for a longer pause
                continue
            if response.status_code == 400 and "bad_user_agent" in response.text:
                raise CollectError(
                    "hh.ru refused the User-Agent (400 bad_user_agent): name your application and a contact"
                )
            if response.status_code in (401, 403):
                raise CollectError(
                    f"hh.ru refused access (HTTP {response.status_code}): vacancy search needs an "
                    "application token since December 2025 (--token or KADRY_HH_TOKEN)"
                )
            return response
        raise CollectError(f"{path}: gave up after {self.attempts} attempts ({last})")


def _fmt(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S")


def _round5(ts: datetime) -> datetime:
    return ts - timedelta(minutes=ts.minute % 5, seconds=ts.second, microseconds=ts.microsecond)


def collect_hh(
    store: Store,
    first: date,
    last: date,
    *,
    token: str | None,
    user_agent: str,
    base_url: str = "https://api.hh.ru",
    areas: list[str] | None = None,
    roles: list[str] | None = None,
    details: bool = True,
    rate: float = 5.0,
    recheck: bool = False,
    client: httpx.Client | None = None,
    say: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    backoff: float = 1.0,
) -> HhReport:
    """Collect vacancies published ``first``..``last`` (inclusive) into the store."""
    if last < first:
        raise InputError("--to is before --from")
    areas = areas or ["113"]
    roles = roles or []
    query = hashlib.sha1(json.dumps([sorted(areas), sorted(roles)]).encode()).hexdigest()[:12]
    headers = {"User-Agent": user_agent, "HH-User-Agent": user_agent}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    own = client is None
    client = client or httpx.Client(timeout=30.0, headers=headers)
    if not own:
        client.headers.update(headers)
    api = _Api(client, base_url, rate, sleep, backoff=backoff)
    report = HhReport()
    run_key = f"collect.hh.{query}.run"
    observed = store.meta(run_key)
    seen_at = datetime.fromisoformat(observed) if observed else datetime.now().replace(microsecond=0)
    store.set_meta(run_key, seen_at.isoformat())
    base_params = [("area", a) for a in areas] + [("professional_role", r) for r in roles]
    try:
        day = first
        while day <= last:
            listed = _day(store, api, report, query, day, base_params, details, seen_at, recheck, say)
            if recheck and listed is not None:
                _confirm_closes(store, api, report, day, listed, seen_at)
            day += timedelta(days=1)
        store.con.execute("DELETE FROM meta WHERE key = ?", [run_key])  # the next run is a new sighting
    finally:
        if own:
            client.close()
    return report


def _day(store, api, report, query, day, base_params, details, seen_at, recheck, say) -> set[str] | None:
    """All windows of one day; returns the ids listed (None if some window failed)."""
    listed: set[str] = set()
    stack = [
        (datetime.combine(day, datetime.min.time()), datetime.combine(day + timedelta(days=1), datetime.min.time()))
    ]
    ok = True
    while stack:
        lo, hi = stack.pop()
        key = f"collect.hh.{query}.{_fmt(lo)}.{_fmt(hi)}"
        if store.meta(key) is not None and not recheck:
            report.skipped += 1
            continue
        params = base_params + [("date_from", _fmt(lo)), ("date_to", _fmt(hi)), ("per_page", str(PER_PAGE))]
        first_page = api.get("/vacancies", params + [("page", "0")])
        report.pages += 1
        if first_page.status_code != 200:
            report.failed += 1
            ok = False
            continue
        body = first_page.json()
        found = int(body.get("found") or 0)
        if found > MAX_RESULTS and hi - lo > MIN_WINDOW:
            mid = _round5(lo + (hi - lo) / 2)
            if mid <= lo:
                mid = lo + MIN_WINDOW
            stack.extend([(mid, hi), (lo, mid)])
            continue
        if found > MAX_RESULTS:
            report.overflow += found - MAX_RESULTS  # a 5-minute window beyond hh's depth: said, not hidden
            if say:
                say(f"warning: {found:,} vacancies in {lo:%Y-%m-%d %H:%M}+5min, only {MAX_RESULTS:,} reachable")
        items = list(body.get("items") or [])
        pages = min(int(body.get("pages") or 1), MAX_RESULTS // PER_PAGE)
        for page in range(1, pages):
            response = api.get("/vacancies", params + [("page", str(page))])
            report.pages += 1
            if response.status_code != 200:
                raise CollectError(f"hh page {page} of {lo:%Y-%m-%d %H:%M}: HTTP {response.status_code}")
            items.extend(response.json().get("items") or [])
        objects = []
        for item in items:
            vid = str(item.get("id"))
            listed.add(vid)
            if details:
                response = api.get(f"/vacancies/{vid}")
                if response.status_code == 200:
                    item = response.json()
                    report.details += 1
            objects.append(item)
        _store(store, objects, f"hh-api:{_fmt(lo)}..{_fmt(hi)}", seen_at, report)
        store.set_meta(key, str(len(objects)))
        report.windows += 1
        report.fetched += len(objects)
        if say:
            say(f"hh {lo:%Y-%m-%d %H:%M}..{hi:%H:%M}: {found:,} found, {len(objects):,} fetched")
    return listed if ok else None


def _store(store: Store, objects: list[dict], label: str, seen_at: datetime, report: HhReport) -> None:
    def items():
        for i, obj in enumerate(objects):
            try:
                yield Item(i, "vacancy", vacancy_from_hh(obj))
            except BadValue as exc:
                yield Item.bad(i, "vacancy", str(exc), obj.get("id"))

    result = ingest_items(store, items(), FileResult(label, "hh-api"), observed_at=seen_at)
    report.stored += result.counts.stored
    report.merged += result.counts.merged


def _confirm_closes(store: Store, api: _Api, report: HhReport, day: date, listed: set[str], seen_at: datetime) -> None:
    """Stored hh vacancies of ``day`` missing from its listing: their detail says whether they closed."""
    rows = store.con.execute(
        "SELECT source_id FROM vacancies WHERE source = 'hh' AND closed_at IS NULL AND published_at >= ? "
        "AND published_at < ?",
        [datetime.combine(day, datetime.min.time()), datetime.combine(day + timedelta(days=1), datetime.min.time())],
    ).fetchall()
    gone = []
    for (vid,) in rows:
        if vid in listed:
            continue
        response = api.get(f"/vacancies/{vid}")
        if response.status_code == 404:
            gone.append(vid)
        elif response.status_code == 200 and response.json().get("archived") is True:
            _store(store, [response.json()], f"hh-api:detail:{vid}", seen_at, report)
            report.closed += 1
    if gone:
        # removed from hh: closed at this sighting (no archived object to store)
        con = store.con
        con.begin()
        for vid in gone:
            con.execute(
                "INSERT INTO observations (kind, record_id, observed_at, source_file, archived) "
                "SELECT 'vacancy', ?, ?, 'hh-api:404', true WHERE NOT EXISTS (SELECT 1 FROM observations "
                "WHERE kind = 'vacancy' AND record_id = ? AND observed_at = ?)",
                [f"hh:{vid}", seen_at, f"hh:{vid}", seen_at],
            )
            con.execute(
                "UPDATE vacancies SET closed_at = ? WHERE vacancy_id = ? AND closed_at IS NULL", [seen_at, f"hh:{vid}"]
            )
        con.commit()
        report.closed += len(gone)
