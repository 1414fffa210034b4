"""The one publisher: releases of suppressed cubes, the only caller of ``kadry.privacy.suppress``."""

from kadry.publish.release import (
    PERIODS,
    RULES,
    Publishing,
    Release,
    StaleRelease,
    current,
    ensure,
    make,
    making,
    start_making,
)

__all__ = [
    "PERIODS",
    "RULES",
    "Publishing",
    "Release",
    "StaleRelease",
    "current",
    "ensure",
    "make",
    "making",
    "start_making",
]
