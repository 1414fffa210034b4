"""The one publisher: releases of suppressed cubes, the only caller of ``kadry.privacy.suppress``."""

from kadry.publish.release import (
    PERIODS,
    RULES,
    Publishing,
    Release,
    StaleRelease,
    coverage_cells,
    current,
    ensure,
    make,
    making,
    start_making,
    whole_table,
)

__all__ = [
    "PERIODS",
    "RULES",
    "Publishing",
    "Release",
    "StaleRelease",
    "coverage_cells",
    "current",
    "ensure",
    "make",
    "making",
    "start_making",
    "whole_table",
]
