"""kadry.simulate: realistic, clearly labelled vacancies and resumes at any scale, with ground truth.

Distributions are calibrated on the real data in ../shared/data (kadry/resources/simulate/
calibration.json); a scenario sets the deficiency-index targets, shocks and moves; the output
is Parquet in the store's canonical raw shape plus ``truth/`` (docs/simulator.md).
"""

from kadry.simulate.calibrate import calibrate
from kadry.simulate.check import compare_with_truth, recompute
from kadry.simulate.run import simulate
from kadry.simulate.scenario import Scenario, load_scenario
from kadry.simulate.supply import supply_for_store
from kadry.simulate.validate import validate

__all__ = [
    "simulate",
    "supply_for_store",
    "calibrate",
    "validate",
    "load_scenario",
    "Scenario",
    "recompute",
    "compare_with_truth",
]
