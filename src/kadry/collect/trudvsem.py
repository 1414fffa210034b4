"""``kadry collect trudvsem``: the portal's open-data catalogue -> dumps not yet ingested -> the store.

The catalogue is one HTML directory listing per dataset (``<base>/7710538364-<dataset>/``);
its dated dumps are the ``data-YYYYMMDDTHHMMSS-...gz`` links (as tha-rc/rostrud_pipeline
``retreive_filelist`` reads them), and of several dumps of one day the last wins. Dumps
are fetched (resumable, checked) into a work folder and ingested in date order, dataset by
dataset, dictionaries first; each is one transaction, so a run killed at any point and run
again ends with exactly the served snapshots.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urljoin

import httpx

from kadry.collect.http import Retry, download, get_with_retry
from kadry.errors import CollectError, InputError
from kadry.ingest.snapshots import ingest_snapshot, snapshot_done
from kadry.sources.trudvsem_xml import DATASETS, snapshot_of
from kadry.store import Store

__all__ = ["BASE_URL", "ORDER", "CollectReport", "Remote", "collect_trudvsem", "list_dataset"]

BASE_URL = "https://opendata.trudvsem.ru/oda2Hialoephidohyie1oR6chaem1oN0quiephooleiWei1aiD/"
PREFIX = "7710538364-"
#: dictionaries first (records refer to them), then the records, then the links between them
ORDER = ("professions", "regions", "industries", "vacancy", "cv", "response", "invitation")
_HREF = re.compile(r"""href\s*=\s*["']?([^"' >]*data-\d{8}T\d{6}[^"' >]*\.gz)""", re.IGNORECASE)


@dataclass(frozen=True)
class Remote:
    dataset: str
    name: str
    url: str
    snapshot_at: datetime


@dataclass
class CollectReport:
    listed: int = 0
    fetched: int = 0
    skipped: int = 0
    failed: int = 0
    ingested: int = 0
    records: int = 0
    failures: list[str] = field(default_factory=list)


def list_dataset(
    client: httpx.Client,
    base_url: str,
    dataset: str,
    *,
    retry: Retry | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Remote]:
    """The dated dumps of one dataset, one per day (the day's last), oldest first."""
    retry = retry or Retry()
    url = urljoin(base_url if base_url.endswith("/") else base_url + "/", f"{PREFIX}{dataset}/")
    response = get_with_retry(client, url, retry=retry, sleep=sleep)
    if response.status_code == 404:
        return []
    if response.status_code != 200:
        raise CollectError(f"{url}: HTTP {response.status_code} for the catalogue listing")
    by_day: dict[date, Remote] = {}
    for href in _HREF.findall(response.text):
        name = href.rsplit("/", 1)[-1]
        at = snapshot_of(name)
        if at is None:
            continue
        remote = Remote(dataset, name, urljoin(url, href), at)
        seen = by_day.get(at.date())
        if seen is None or at > seen.snapshot_at:
            by_day[at.date()] = remote
    return sorted(by_day.values(), key=lambda r: r.snapshot_at)


def collect_trudvsem(
    store: Store,
    workdir: str | Path,
    *,
    base_url: str = BASE_URL,
    datasets: tuple[str, ...] | list[str] | None = None,
    since: date | None = None,
    client: httpx.Client | None = None,
    retry: Retry | None = None,
    keep: bool = False,
    say: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> CollectReport:
    """List, fetch and ingest every served dump newer than ``since`` that the store lacks."""
    retry = retry or Retry()
    chosen = (
        list(datasets)
        if datasets
        else [
            d for d in ORDER if d in ("vacancy", "cv", "response", "invitation", "professions", "regions", "industries")
        ]
    )
    unknown = [d for d in chosen if d not in DATASETS]
    if unknown:
        raise InputError(f"unknown dataset(s) {', '.join(unknown)}: use {', '.join(ORDER)}")
    chosen = [d for d in ORDER if d in chosen]
    workdir = Path(workdir)
    report = CollectReport()
    own = client is None
    client = client or httpx.Client(
        timeout=httpx.Timeout(60.0, connect=15.0),
        follow_redirects=True,
        headers={"User-Agent": "kadry-collect (open-data loader)"},
    )
    try:
        for dataset in chosen:
            remotes = list_dataset(client, base_url, dataset, retry=retry, sleep=sleep)
            if since is not None:
                remotes = [r for r in remotes if r.snapshot_at.date() >= since]
            report.listed += len(remotes)
            for remote in remotes:
                if snapshot_done(store, dataset, remote.snapshot_at):
                    report.skipped += 1
                    continue
                target = workdir / f"{PREFIX}{dataset}" / remote.name
                try:
                    existed = target.exists()
                    download(client, remote.url, target, retry=retry, sleep=sleep)
                    if not existed:
                        report.fetched += 1
                except CollectError as exc:
                    report.failed += 1
                    report.failures.append(str(exc))
                    if say:
                        say(f"failed: {exc}")
                    continue
                result = ingest_snapshot(store, target, dataset, snapshot_at=remote.snapshot_at)
                report.ingested += 1
                report.records += result.read
                if say:
                    say(
                        f"{dataset} {remote.snapshot_at:%Y-%m-%d}: {result.read:,} read, {result.new:,} new, "
                        f"{result.changed:,} changed, {result.closed:,} closed, {result.quarantined:,} quarantined"
                    )
                if not keep:
                    target.unlink(missing_ok=True)
    finally:
        if own:
            client.close()
    return report
