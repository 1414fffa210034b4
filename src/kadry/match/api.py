"""What an HTTP endpoint calls: key check, matching, audit, and a response without extra personal data.

``match_for_resume(store, resume_id, key=...)`` and ``match_for_vacancy(store, vacancy_id, key=...)``
check that the key carries the ``match`` scope (``kadry.errors.Forbidden`` otherwise), rank,
log the call in ``match_audit`` and return a JSON-ready dict. A resume appears in a response
only as its hashed id (``resume_id``, '<source>:<salted hash>') and the fields the match used
(``records.RESUME_FIELDS``): never its age band, gender, contacts or text.
"""

from __future__ import annotations

import threading
from pathlib import Path

from kadry.errors import StaleStore
from kadry.match.config import MatchConfig
from kadry.match.engine import Matcher, MatchResult
from kadry.match.index import MatchIndex, index_folder
from kadry.match.keys import check_key, log_call
from kadry.match.records import RESUME_FIELDS, VACANCY_FIELDS

__all__ = ["check_key", "match_for_resume", "match_for_vacancy", "matcher_for", "public_result", "SCOPE"]

SCOPE = "match"
_CACHE: dict[str, tuple[float, Matcher]] = {}
#: one match at a time per process: the matcher's title cache and hnswlib's ef are shared state
_LOCK = threading.RLock()


def _state_mtime(store) -> float:
    folder = index_folder(store.path)
    f = folder / "state.json" if folder else None
    return f.stat().st_mtime if f is not None and f.exists() else 0.0


def matcher_for(store, config: MatchConfig | None = None) -> Matcher:
    """A Matcher over ``store`` whose index is loaded once per store file and kept in memory.

    The index is reloaded when another process rewrote it (``kadry match build``) and brought up
    to date when the store holds records it lacks.
    """
    config = config or MatchConfig()
    if str(store.path) == ":memory:":  # nothing to share between calls: no cache
        return Matcher(store, config)
    key = str(Path(store.path).resolve())
    with _LOCK:
        mtime = _state_mtime(store)
        cached = _CACHE.get(key)
        if cached is None or cached[0] != mtime or cached[1].config != config:
            matcher = Matcher(store, config, index=MatchIndex(store, config), update=False)
        else:
            matcher = cached[1]
            matcher.store = matcher.index.store = store
        if store.read_only and matcher.index.model is None:
            # a first build can take long (minutes at a million records): not inside a request
            raise StaleStore("no match index beside this store: run `kadry match build` first")
        matcher.index.update()  # new records only; reads the store, writes <db>.match/
        _CACHE[key] = (_state_mtime(store), matcher)
        return matcher


def _only(record: dict, fields: list[str]) -> dict:
    return {f: record.get(f) for f in fields}


def public_result(result: MatchResult, k: int) -> dict:
    """The response shape: ids, scores, parts and only the fields used for the match."""
    if result.direction == "resume":
        query, other_fields, other_key = _only(result.query, RESUME_FIELDS), VACANCY_FIELDS, "vacancy"
    else:
        query, other_fields, other_key = _only(result.query, VACANCY_FIELDS), RESUME_FIELDS, "resume"
    matches = []
    for m in result.matches:
        d = m.detail
        matches.append(
            {
                "rank": m.rank,
                f"{other_key}_id": m.id,
                "score": m.score,
                "parts": d.to_dict()["parts"],
                "known": d.known,
                "title_similarity": d.title_similarity,
                "role_affinity": d.role_affinity,
                "matched_skills": d.matched_skills,
                "missing_skills": d.missing_skills,
                other_key: _only(m.record, other_fields),
            }
        )
    return {
        "direction": result.direction,
        "k": k,
        "count": len(matches),
        "candidates": result.candidates,
        "excluded": result.excluded,
        "query": query,
        "matches": matches,
    }


def match_for_resume(store, resume_id: str, k: int = 20, *, key: str | None, config: MatchConfig | None = None) -> dict:
    """Vacancies for a stored resume, for a caller holding a key with the ``match`` scope."""
    key_id = check_key(store, key, SCOPE)
    with _LOCK:
        result = matcher_for(store, config).for_resume(resume_id, k)
    log_call(store, key_id, "resume", k, len(result.matches))
    return public_result(result, k)


def match_for_vacancy(
    store, vacancy_id: str, k: int = 20, *, key: str | None, config: MatchConfig | None = None
) -> dict:
    """Job seekers for a stored vacancy, for a caller holding a key with the ``match`` scope."""
    key_id = check_key(store, key, SCOPE)
    with _LOCK:
        result = matcher_for(store, config).for_vacancy(vacancy_id, k)
    log_call(store, key_id, "vacancy", k, len(result.matches))
    return public_result(result, k)
