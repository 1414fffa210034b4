"""Rules with one owner: each is defined once here and rendered for Python, SQL, Ibis and the dashboard.

- ``bands``: HeadHunter's bands of the deficiency index (bounds, labels, colours).
- ``experience``: hh's experience bands (months and wordings).
- ``activity``: when a vacancy or resume starts, and how long records stay active.

A test keeps the thresholds and labels from reappearing elsewhere in the source.
"""

from kadry.rules import activity, bands, experience

__all__ = ["activity", "bands", "experience", "as_json"]


def as_json() -> dict:
    """Every rule a client needs (the dashboard fetches this from ``/api/v1/rules``)."""
    return {"bands": bands.as_json(), "experience": experience.as_json(), "activity": activity.as_json()}
