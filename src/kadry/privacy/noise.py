"""Differential privacy for count tables (mobility flows, small-area counts), as an option beside suppression.

Suppression hides small cells and must then hide others so that the hidden ones cannot be
recomputed; where counts are small by nature (moves between two regions in a month) it hides
most of a table. Noise publishes every cell instead, each off by a random amount whose size
is set by a privacy loss ``epsilon``: whatever else an attacker knows, one person's presence
changes the probability of any published table by a factor of at most ``exp(epsilon)``.

Contract for the publisher (the only caller in production):

    noisy, spend = noisy_counts(frame, ["n_moves"], epsilon=1.0, sensitivity=1, table="flows:od:month")
    record_spend(store, spend, release="2026-12-04T19:00")    # the ledger, persisted in the store
    ledger(store)                                              # every spend, to show beside the numbers

- ``frame``: the *unsuppressed* table, one row per cell; ``counts``: its count columns
  (non-negative integers, no nulls). Other columns are copied unchanged.
- ``sensitivity``: how much, in total over all rows and all ``counts`` columns, the table can
  change when one person is added or removed (L1). A partition of moves where one resume makes
  at most one move in the range has sensitivity 1 per count column; a cube with roll-ups
  counts each move once per roll-up level, so noise its finest cells and sum them instead
  (sums of noisy cells are post-processing and cost no further budget).
- The noise is OpenDP's discrete Laplace (``make_laplace`` on integers; the two-sided
  geometric), scale ``sensitivity / epsilon`` as OpenDP's privacy map certifies it; results
  are post-processed to non-negative integers (post-processing keeps the guarantee).
- ``seed``: reproducible noise from NumPy for benchmarks and tests only: the ``Spend`` says
  ``secure=False`` and ``record_spend`` refuses it, since noise anyone can replay protects nobody.
- Epsilons add up over releases (sequential composition): ``ledger`` lists each spend and
  ``spent`` sums them, per release or in total.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kadry.errors import InputError

__all__ = ["MECHANISM", "Spend", "noisy_counts", "record_spend", "ledger", "spent", "accuracy"]

MECHANISM = "discrete_laplace"


@dataclass(frozen=True)
class Spend:
    """What one noisy table cost: ``epsilon`` of privacy loss, at a noise ``scale``."""

    table: str
    epsilon: float
    scale: float
    sensitivity: int
    cells: int
    counts: tuple[str, ...]
    mechanism: str = MECHANISM
    secure: bool = True
    accuracy95: float = field(default=0.0, compare=False)  # |noise| stays below this in 95% of cells


def _opendp():
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def _measurement(size: int, scale: float):
    dp = _opendp()
    return dp.m.make_laplace(dp.vector_domain(dp.atom_domain(T=int), size=size), dp.l1_distance(T=int), scale=scale)


def _scale(size: int, sensitivity: int, epsilon: float) -> float:
    """The smallest scale whose privacy loss, by OpenDP's own map, is at most ``epsilon``."""
    dp = _opendp()
    return float(dp.binary_search_param(lambda s: _measurement(size, s), d_in=sensitivity, d_out=epsilon))


def accuracy(scale: float, alpha: float = 0.05) -> float:
    """The noise bound that holds in ``1 - alpha`` of cells, for a discrete Laplace of ``scale``."""
    return float(_opendp().discrete_laplacian_scale_to_accuracy(scale, alpha))


def _values(frame: pd.DataFrame, counts: list[str]) -> np.ndarray:
    missing = [c for c in counts if c not in frame.columns]
    if missing:
        raise InputError(f"no count column {', '.join(missing)} in the table to add noise to")
    block = frame[counts]
    if block.isna().any().any():
        raise InputError("noise goes on true counts: the table has nulls (suppressed cells?)")
    values = block.to_numpy(dtype="float64")
    if (values < 0).any() or (values != np.round(values)).any():
        raise InputError("noise goes on counts: the columns must hold non-negative integers")
    return values.astype(np.int64)


def noisy_counts(
    frame: pd.DataFrame,
    counts: list[str],
    epsilon: float,
    *,
    sensitivity: int = 1,
    table: str = "counts",
    seed: int | None = None,
    clamp: bool = True,
) -> tuple[pd.DataFrame, Spend]:
    """``frame`` with discrete-Laplace noise on ``counts`` for privacy loss ``epsilon`` (see the module).

    ``clamp=False`` keeps negative noisy counts, for a caller that sums cells into roll-ups
    first (unbiased sums) and clamps what it publishes."""
    if not (epsilon > 0 and np.isfinite(epsilon)):
        raise InputError(f"epsilon must be a positive number, not {epsilon!r}")
    if sensitivity < 1:
        raise InputError(f"sensitivity must be at least 1, not {sensitivity!r}")
    values = _values(frame, counts)
    size = values.size
    scale = _scale(max(size, 1), sensitivity, epsilon)
    if seed is None:
        noisy = np.asarray(_measurement(size, scale)(values.ravel().tolist()), dtype=np.int64).reshape(values.shape)
    else:  # the same distribution, replayable: benchmarks and tests only (Spend.secure is False)
        rng = np.random.default_rng(seed)
        p = 1.0 - np.exp(-1.0 / scale)
        noisy = values + rng.geometric(p, values.shape) - rng.geometric(p, values.shape)
    out = frame.copy()
    for i, column in enumerate(counts):
        column_values = np.maximum(noisy[:, i], 0) if clamp else noisy[:, i]
        out[column] = column_values.astype(np.int64)  # post-processing: still epsilon-DP
    spend = Spend(
        table=table,
        epsilon=float(epsilon),
        scale=scale,
        sensitivity=int(sensitivity),
        cells=len(frame),
        counts=tuple(counts),
        secure=seed is None,
        accuracy95=accuracy(scale),
    )
    return out, spend


def record_spend(store, spend: Spend, *, release: str) -> None:
    """Add ``spend`` to the ledger in ``store`` under ``release`` (refuses seeded, replayable noise)."""
    from kadry.store.ledger import append_spend

    if not spend.secure:
        raise InputError(f"{spend.table}: seeded noise can be replayed and protects nobody; not recorded")
    append_spend(
        store,
        release=release,
        table_name=spend.table,
        epsilon=spend.epsilon,
        mechanism=spend.mechanism,
        scale=spend.scale,
        sensitivity=spend.sensitivity,
        cells=spend.cells,
        counts=list(spend.counts),
    )


def ledger(store, release: str | None = None) -> pd.DataFrame:
    """Every recorded spend (of one ``release``), oldest first, with the running total ``epsilon_total``."""
    from kadry.store.ledger import read_ledger

    rows = read_ledger(store, release)
    rows["epsilon_total"] = rows["epsilon"].astype("float64").cumsum()
    return rows


def spent(store, release: str | None = None) -> float:
    """The privacy loss spent so far (sequential composition: the sum of the recorded epsilons)."""
    return float(ledger(store, release)["epsilon"].astype("float64").sum())
