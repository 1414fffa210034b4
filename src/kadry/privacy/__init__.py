"""Privacy: what every published aggregate passes through before it leaves kadry."""

from kadry.privacy.suppression import (
    DEFAULT_MIN_CELL,
    HIDDEN,
    Exposure,
    Hierarchy,
    SuppressionResult,
    audit,
    min_cell,
    recoverable_cells,
    suppress,
)

__all__ = [
    "DEFAULT_MIN_CELL",
    "Exposure",
    "HIDDEN",
    "Hierarchy",
    "SuppressionResult",
    "audit",
    "min_cell",
    "recoverable_cells",
    "suppress",
]
