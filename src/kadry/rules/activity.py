"""When records start and how long they stay active (../shared/DESIGN.md, docs/indicators.md).

A vacancy starts on its publication (else its creation, else its first sighting); a resume on
its creation (else its first sighting, else its first update). A vacancy without a close date
stays active ``LIFETIME_DAYS``; an update keeps a resume active ``RESUME_WINDOW_DAYS``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "VACANCY_START",
    "RESUME_START",
    "LIFETIME_DAYS",
    "RESUME_WINDOW_DAYS",
    "VACANCY_RULES",
    "start_sql",
    "start_ibis",
    "as_json",
]

#: the columns whose first non-null value is the record's start, in order
VACANCY_START: tuple[str, ...] = ("published_at", "created_at", "first_seen")
RESUME_START: tuple[str, ...] = ("created_at", "first_seen", "updated_at")
_START = {"vacancy": VACANCY_START, "resume": RESUME_START}

#: days a vacancy without a close date stays active after its start (the lifetime rule)
LIFETIME_DAYS = 30
#: days an update keeps a resume active (the update day and the days after it)
RESUME_WINDOW_DAYS = 30
#: what ends a vacancy without a close date: the lifetime, or its last sighting
VACANCY_RULES: tuple[str, ...] = ("lifetime", "last_seen")


def start_sql(kind: str = "vacancy", prefix: str = "") -> str:
    """The start as SQL, e.g. ``coalesce(published_at, created_at, first_seen)`` (``prefix`` like ``"v."``)."""
    return "coalesce(" + ", ".join(prefix + c for c in _START[kind]) + ")"


def start_ibis(t: Any, kind: str = "vacancy") -> Any:
    """The start as an Ibis expression on a vacancies or resumes table."""
    import ibis

    return ibis.coalesce(*(t[c] for c in _START[kind]))


def as_json() -> dict:
    return {
        "vacancy_start": list(VACANCY_START),
        "resume_start": list(RESUME_START),
        "lifetime_days": LIFETIME_DAYS,
        "resume_window_days": RESUME_WINDOW_DAYS,
        "vacancy_rules": list(VACANCY_RULES),
    }
