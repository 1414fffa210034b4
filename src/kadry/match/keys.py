"""API keys with scopes, stored hashed, and the audit log of match calls.

A key is shown once, when created; the store keeps only its SHA-256 (``api_keys.key_hash``),
so a copy of the store does not give anyone access. Every match call made with a key is
logged in ``match_audit`` with its time, key id, direction, k and result count: never the
resume, the vacancy or the matches (no person-level payload).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kadry.errors import BadRequest, Forbidden, NotFound, StoreError, Unauthorized

__all__ = [
    "SCOPES",
    "KeyInfo",
    "ensure_tables",
    "create_key",
    "list_keys",
    "revoke_key",
    "check_key",
    "log_call",
    "audit_log",
]

#: scopes a key can carry; "match" allows person-level matching
SCOPES = ("match", "admin")
_PREFIX = "kadry_"

_DDL = [
    """CREATE TABLE IF NOT EXISTS api_keys (
  key_id VARCHAR PRIMARY KEY,
  name VARCHAR,
  key_hash VARCHAR NOT NULL UNIQUE,
  scopes VARCHAR[] NOT NULL,
  created_at TIMESTAMP NOT NULL,
  revoked_at TIMESTAMP
)""",
    """CREATE TABLE IF NOT EXISTS match_audit (
  called_at TIMESTAMP NOT NULL,
  key_id VARCHAR NOT NULL,
  direction VARCHAR NOT NULL,
  k INTEGER NOT NULL,
  result_count INTEGER NOT NULL
)""",
]


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    name: str | None
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _has_table(store, name: str) -> bool:
    return bool(
        store.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()[0]
    )


def ensure_tables(store) -> None:
    """Create ``api_keys`` and ``match_audit`` if absent (a read-only store must already have them)."""
    if store.read_only:
        return
    for sql in _DDL:
        store.con.execute(sql)


def create_key(store, scopes: list[str] | tuple[str, ...] = ("match",), name: str | None = None) -> tuple[str, str]:
    """A new key: returns ``(key_id, key)``; the key itself is not stored and cannot be shown again."""
    scopes = list(dict.fromkeys(scopes))
    bad = [s for s in scopes if s not in SCOPES]
    if not scopes or bad:
        raise BadRequest(f"unknown scope(s) {bad or scopes}; choose from {', '.join(SCOPES)}")
    if store.read_only:
        raise StoreError("cannot create a key in a store opened read-only")
    ensure_tables(store)
    key_id = secrets.token_hex(4)
    key = _PREFIX + secrets.token_urlsafe(32)
    store.con.execute("INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, NULL)", [key_id, name, _hash(key), scopes, _now()])
    return key_id, key


def list_keys(store) -> list[KeyInfo]:
    if not _has_table(store, "api_keys"):
        return []
    rows = store.con.execute(
        "SELECT key_id, name, scopes, created_at, revoked_at FROM api_keys ORDER BY created_at, key_id"
    ).fetchall()
    return [KeyInfo(r[0], r[1], list(r[2]), r[3], r[4]) for r in rows]


def revoke_key(store, key_id: str) -> None:
    if store.read_only:
        raise StoreError("cannot revoke a key in a store opened read-only")
    if (
        not _has_table(store, "api_keys")
        or not store.con.execute("SELECT count(*) FROM api_keys WHERE key_id = ?", [key_id]).fetchone()[0]
    ):
        raise NotFound(f"no API key with id {key_id!r}", key_id=key_id)
    store.con.execute("UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE key_id = ?", [_now(), key_id])


def check_key(store, key: str | None, scope: str) -> str:
    """The key's id when ``key`` is valid, not revoked and carries ``scope``; else Unauthorized (no key) or
    Forbidden."""
    if not key:
        raise Unauthorized("an API key is required for this operation (header X-API-Key)")
    if not _has_table(store, "api_keys"):
        raise Forbidden("invalid API key")
    digest = _hash(key)
    row = store.con.execute(
        "SELECT key_id, key_hash, scopes, revoked_at FROM api_keys WHERE key_hash = ?", [digest]
    ).fetchone()
    if row is None or not hmac.compare_digest(row[1], digest) or row[3] is not None:
        raise Forbidden("invalid or revoked API key")
    if scope not in row[2]:
        raise Forbidden(f"this API key lacks the {scope!r} scope", key_id=row[0])
    return row[0]


def log_call(store, key_id: str, direction: str, k: int, result_count: int) -> None:
    """Append one audit row; a read-only store logs to ``<store>.match/audit.jsonl`` instead."""
    at = _now()
    if not store.read_only:
        ensure_tables(store)
        store.con.execute("INSERT INTO match_audit VALUES (?, ?, ?, ?, ?)", [at, key_id, direction, k, result_count])
        return
    if str(store.path) == ":memory:":
        raise StoreError("cannot write the match audit log: in-memory store opened read-only")
    folder = Path(str(store.path) + ".match")
    folder.mkdir(parents=True, exist_ok=True)
    line = {"called_at": at.isoformat(), "key_id": key_id, "direction": direction, "k": k, "result_count": result_count}
    with open(folder / "audit.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\n")


def audit_log(store, limit: int = 100) -> list[dict]:
    """The latest audit rows, newest first."""
    if not _has_table(store, "match_audit"):
        return []
    cols = ["called_at", "key_id", "direction", "k", "result_count"]
    rows = store.con.execute(
        f"SELECT {', '.join(cols)} FROM match_audit ORDER BY called_at DESC LIMIT ?", [limit]
    ).fetchall()
    return [dict(zip(cols, r)) for r in rows]
