"""The one publisher: releases of suppressed cubes, the only caller of ``kadry.privacy.suppress``."""

from kadry.publish.release import PERIODS, RULES, Release, StaleRelease, current, ensure, make

__all__ = ["PERIODS", "RULES", "Release", "StaleRelease", "current", "ensure", "make"]
