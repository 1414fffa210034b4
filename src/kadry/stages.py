"""The stages and their order: read -> ingest -> normalize -> (index, flows, report, serve, match).

Every ingest write changes the store's data version (``Store.data_version``: the ingest log
and ``Store.bump``); each stage records the data version and rule version it processed
(``Store.record_stage``). A command that computes on the store calls ``ensure_current``
first: a store whose normalization is behind its data or its rules is brought up to date
when it can be opened for writing, and otherwise refused in one line saying what to run.
``kadry normalize`` reruns everything under new rules.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kadry.errors import StaleStore, StoreError
from kadry.store import Store, require

__all__ = ["STAGES", "normalize_behind", "normalize_pending", "ensure_current"]

#: the stages in the order data flows through them, and the module that owns each
STAGES: dict[str, str] = {
    "read": "kadry.sources (a reader per format)",
    "ingest": "kadry.ingest (store, merge or quarantine every record; its log is the data version)",
    "normalize": "kadry.normalize (regions, roles, salaries, skills, duplicates; records its rules)",
    "publish": "kadry.publish (releases of suppressed cubes beside the store; `kadry publish`, stale after ingest)",
    "match index": "kadry.match.index (the ANN index beside the store; adds new records on every use)",
}

Say = Callable[[str], None]


def normalize_behind(store: Store) -> str | None:
    """Why normalization is behind the store (None when it is current).

    A store never written by ``kadry ingest`` (no data version, e.g. built by a fixture or the
    API sample) has nothing to be behind.
    """
    from kadry.normalize.run import norm_version

    data = store.data_version()
    if data is None:
        return None
    done = store.stage("normalize")
    if done is None:
        return "records were ingested but never normalized"
    if done.get("data_version") != data:
        return "records were ingested after the last normalization"
    if done.get("rules") != norm_version():
        return f"normalization rules changed ({done.get('rules')} -> {norm_version()})"
    return None


def normalize_pending(store: Store, *, say: Say | None = None) -> dict | None:
    """Normalize the records that need it (missing or older rules); None when nothing was behind."""
    from kadry.normalize import normalize_store

    why = normalize_behind(store)
    if why is None:
        return None
    if say is not None:
        say(f"normalizing: {why}")
    return normalize_store(store, incremental=True)


def ensure_current(db: str | Path | None, *, say: Say | None = None) -> Path:
    """The store path, with its normalization current: brought up to date, or refused with what to run."""
    path = require(db)
    with Store(path, read_only=True) as store:
        why = normalize_behind(store)
    if why is None:
        return path
    try:
        store = Store(path)
    except StoreError:
        raise StaleStore(
            f"store {path} is not normalized ({why}) and cannot be opened for writing here: "
            f"run `kadry normalize --db {path}`",
            path=str(path),
        ) from None
    with store:
        normalize_pending(store, say=say)
    return path
