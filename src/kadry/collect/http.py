"""HTTP for the collectors: retries with backoff, and resumable downloads checked before use.

A download goes to ``<name>.part`` beside a ``<name>.part.json`` holding the validator
(ETag / Last-Modified) and the announced size; a rerun asks for the rest with ``Range`` and
``If-Range``, so a file replaced on the server meanwhile comes back whole (200) and the
stale part is dropped. Only a file whose size matches and whose gzip stream decompresses to
its end with a good CRC is renamed to its final name: a partial or broken file is never
handed to the ingest.
"""

from __future__ import annotations

import gzip
import json
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from kadry.errors import CollectError

__all__ = ["RETRY_STATUSES", "Retry", "check_gzip", "download", "get_with_retry"]

RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Retry:
    attempts: int = 6
    backoff: float = 0.5  # seconds, doubled each attempt
    max_wait: float = 30.0

    def wait(self, attempt: int, response: httpx.Response | None = None) -> float:
        if response is not None:
            after = response.headers.get("Retry-After")
            if after and after.strip().isdigit():
                return min(float(after), self.max_wait)
        return min(self.backoff * (2**attempt), self.max_wait)


def get_with_retry(
    client: httpx.Client, url: str, *, retry: Retry | None = None, sleep: Callable[[float], None] = time.sleep, **kwargs
) -> httpx.Response:
    """GET with retries on 429, 5xx and connection errors; other statuses are returned as they are."""
    retry = retry or Retry()
    last: str = ""
    for attempt in range(retry.attempts):
        try:
            response = client.get(url, **kwargs)
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}"
            sleep(retry.wait(attempt))
            continue
        if response.status_code in RETRY_STATUSES:
            last = f"HTTP {response.status_code}"
            sleep(retry.wait(attempt, response))
            continue
        return response
    raise CollectError(f"{url}: gave up after {retry.attempts} attempts ({last})")


def check_gzip(path: Path) -> str | None:
    """None if ``path`` is a whole gzip stream (read to the end, CRC checked), else what is wrong."""
    try:
        with gzip.open(path, "rb") as f:
            while f.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        return f"broken gzip: {exc}"
    return None


def _meta(part: Path) -> dict:
    meta = part.with_name(part.name + ".json")
    try:
        return json.loads(meta.read_text())
    except (OSError, ValueError):
        return {}


def _drop(part: Path) -> None:
    part.unlink(missing_ok=True)
    part.with_name(part.name + ".json").unlink(missing_ok=True)


def download(
    client: httpx.Client,
    url: str,
    target: Path,
    *,
    retry: Retry | None = None,
    sleep: Callable[[float], None] = time.sleep,
    expect_gzip: bool = True,
    on_bytes: Callable[[int], None] | None = None,
) -> Path:
    """Fetch ``url`` to ``target`` (resuming a previous part); raise CollectError if it cannot be had whole."""
    retry = retry or Retry()
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    meta_path = part.with_name(part.name + ".json")
    last = ""
    for attempt in range(retry.attempts):
        meta = _meta(part)
        have = part.stat().st_size if part.exists() else 0
        headers = {"Accept-Encoding": "identity"}
        validator = meta.get("etag") or meta.get("last_modified")
        if have and validator:
            headers["Range"] = f"bytes={have}-"
            headers["If-Range"] = validator
        elif have:
            _drop(part)  # no validator: a part of an unknown version is not resumed
            have = 0
        try:
            with client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in RETRY_STATUSES:
                    last = f"HTTP {status}"
                    sleep(retry.wait(attempt, response))
                    continue
                if status == 416:  # asked past the end: the part is whole or stale; verify below
                    pass
                elif status not in (200, 206):
                    raise CollectError(f"{url}: HTTP {status}")
                else:
                    if status == 200:
                        have = 0  # the whole file (first request, or it changed on the server)
                        total = response.headers.get("Content-Length")
                    else:
                        total = (response.headers.get("Content-Range") or "").rpartition("/")[2]
                    meta = {
                        "etag": response.headers.get("ETag"),
                        "last_modified": response.headers.get("Last-Modified"),
                        "size": int(total) if total and total.isdigit() else None,
                        "url": url,
                    }
                    meta_path.write_text(json.dumps(meta))
                    with open(part, "r+b" if status == 206 and part.exists() else "wb") as f:
                        f.seek(have)
                        f.truncate()
                        for chunk in response.iter_bytes(1 << 16):
                            f.write(chunk)
                            if on_bytes:
                                on_bytes(len(chunk))
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}"  # a cut connection: resume from what arrived
            sleep(retry.wait(attempt))
            continue
        size = part.stat().st_size if part.exists() else 0
        want = _meta(part).get("size")
        if want is not None and size < want:
            last = f"short body: {size} of {want} bytes"
            sleep(retry.wait(attempt))
            continue
        if want is not None and size > want:
            _drop(part)
            last = f"long body: {size} of {want} bytes"
            continue
        problem = check_gzip(part) if expect_gzip else None
        if problem:
            _drop(part)
            raise CollectError(f"{url}: {problem}; not ingested (it is fetched again next run)")
        part.replace(target)
        meta_path.unlink(missing_ok=True)
        return target
    raise CollectError(f"{url}: gave up after {retry.attempts} attempts ({last})")
