"""Normalization: regions, occupations, salaries, skills and duplicates, with versioned rules.

``normalize_store(store)`` fills the norm-stage columns of the store in place from the raw
ones; the modules hold the rules (``regions``, ``occupations``, ``classifier``, ``salary``,
``skills``, ``duplicates``) and the figures they are judged by (``report``).
"""

from kadry.normalize.regions import FEDERAL_DISTRICTS, Place, RegionMapper, region_mapper
from kadry.normalize.run import RULES_VERSION, norm_version, normalize_store, unmapped_regions

__all__ = [
    "FEDERAL_DISTRICTS",
    "Place",
    "RegionMapper",
    "RULES_VERSION",
    "norm_version",
    "normalize_store",
    "region_mapper",
    "report",
    "unmapped_regions",
]


def report(store) -> dict:
    """Coverage, classifier accuracy, skill-extraction precision and duplicate rates of a store."""
    from kadry.normalize.figures import report as _report

    return _report(store)
