"""Small-cell suppression: the one step every published number passes through.

A cell resting on fewer than ``k`` records is hidden (primary suppression). Because roll-ups
are published too (a region's total, a category's total, the country), a lone hidden cell
could be recomputed as total minus its published siblings; so more cells are hidden
(secondary suppression) until an attacker who knows every published number, every roll-up
equation and that counts are non-negative can pin down no small cell (docs/privacy.md):

1. in every roll-up equation (parent = sum of children) with exactly one hidden member, or
   whose published total leaves its hidden children summing to less than ``k`` (group
   protection), the smallest published child that closes the gap is hidden too (the total
   only when no child is left); repeated to a fixed point over every hierarchy;
2. an LP audit (``audit``, HiGHS): for every small hidden count, the smallest and largest value
   the published equations allow; unless that interval holds both 0 and ``k`` one more cell
   beside it is hidden;
3. then an exact check: no hidden cell, small or not, may be recoverable (its unit vector in
   the row space of the equations restricted to hidden cells); all steps repeat until none is.

The cube must be suppressed as a whole (every grouping a client may ask for), and every
answer cut from the same suppressed cube, so answers to different queries cannot be
combined to undo it. Counts of a hidden cell and values derived from it (index, salary
quantiles, shares) are nulled, with ``suppressed`` and ``suppression`` columns saying why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kadry.errors import ConfigError
from kadry.settings import DEFAULT_MIN_CELL, settings

__all__ = [
    "DEFAULT_MIN_CELL",
    "Hierarchy",
    "Exposure",
    "SuppressionResult",
    "audit",
    "min_cell",
    "suppress",
    "recoverable_cells",
]

#: components larger than this are checked with an iterative solver instead of a dense SVD
_DENSE_LIMIT = 1500


def min_cell(value: int | str | None = None) -> int:
    """The minimum count ``k`` a published cell must rest on: argument, ``KADRY_MIN_CELL``, else 10."""
    if value is None:
        return settings().min_cell
    try:
        k = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"the minimum cell size must be a whole number, got {value!r}") from None
    if k < 1:
        raise ConfigError(f"the minimum cell size must be at least 1, got {k}")
    return k


@dataclass(frozen=True)
class Hierarchy:
    """Roll-up groups of one dimension: a cell with ``parent`` equals the sum of its ``children``.

    A value may sit in several groups (a role under its category and under the IT segment),
    and a parent may itself be a child (region -> federal district -> country).
    """

    dimension: str
    groups: Mapping[str, Sequence[str]]

    @classmethod
    def flat(cls, dimension: str, values: Sequence[str], total: str = "all") -> Hierarchy:
        """One level: ``total`` is the sum of all other values."""
        return cls(dimension, {total: [v for v in values if v != total]})


@dataclass
class SuppressionResult:
    """The suppressed table and what happened, for logs and tests."""

    table: pd.DataFrame
    k: int
    primary: int
    secondary: int
    #: the roll-up equations used, as (parent row, child rows) positions in ``table``
    equations: list[tuple[int, list[int]]] = field(repr=False, default_factory=list)


def suppress(
    frame: pd.DataFrame,
    *,
    dimensions: Sequence[str],
    counts: Sequence[str],
    values: Mapping[str, str | None] | Sequence[str] = (),
    hierarchies: Sequence[Hierarchy] = (),
    k: int | None = None,
    hidden: Sequence[bool] | np.ndarray | None = None,
) -> SuppressionResult:
    """Hide small cells and enough others that none can be recomputed from the rest.

    ``dimensions`` key a cell (one row each); ``counts`` are additive record counts (a cell is
    small when any is below ``k``); ``values`` are derived numbers nulled with their cell,
    given as a mapping ``value -> count it rests on`` (nulled also when that count is below
    ``k``, e.g. a median salary over fewer than k salaries) or a plain list. ``hidden`` marks
    cells hidden already (the pattern of the table a detail table belongs to): they stay hidden
    and count as primary.
    """
    k = min_cell(k)
    missing = [c for c in [*dimensions, *counts] if c not in frame.columns]
    if missing:
        raise ConfigError(f"suppress: columns missing from the table: {', '.join(missing)}")
    table = frame.reset_index(drop=True).copy()
    if table.duplicated(list(dimensions)).any():
        raise ConfigError("suppress: the table has more than one row for a cell")
    value_map: dict[str, str | None] = dict(values) if isinstance(values, Mapping) else {v: None for v in values}
    size = _cell_size(table, counts)
    given = np.zeros(len(table), dtype=bool) if hidden is None else np.asarray(hidden, dtype=bool)
    if len(given) != len(table):
        raise ConfigError("suppress: `hidden` must have one flag per row")
    small = (size < k) | given
    primary = small.copy()
    equations = _equations(table, list(dimensions), hierarchies)
    amounts = table[list(counts)].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(dtype=float)
    hidden = _protect(small, size, equations, k, amounts, primary)
    table["suppressed"] = hidden
    # numpy's stubs do not take None as a choice, though where() makes an object array of it
    table["suppression"] = np.where(primary, "small_cell", np.where(hidden, "complementary", None))  # type: ignore[call-overload]
    table["suppression"] = table["suppression"].astype(object).where(hidden, None)
    for column in counts:
        table[column] = table[column].astype("Float64").mask(hidden)
    for column, rests_on in value_map.items():
        if column not in table.columns:
            continue
        drop = hidden.copy()
        if rests_on is not None and rests_on in frame.columns:
            base = frame.reset_index(drop=True)[rests_on]
            drop |= base.fillna(0).to_numpy() < k
        table[column] = table[column].astype("Float64").mask(drop)
    return SuppressionResult(table, k, int(primary.sum()), int(hidden.sum() - primary.sum()), equations)


def recoverable_cells(hidden: np.ndarray, equations: list[tuple[int, list[int]]]) -> set[int]:
    """Hidden rows whose value is a linear combination of published numbers (the attacker's view)."""
    hidden = np.asarray(hidden, dtype=bool)
    found: set[int] = set()
    for component, rows in _components(hidden, equations):
        found |= _determined(component, rows)
    return found


# --- internals ------------------------------------------------------------------------------


def _cell_size(table: pd.DataFrame, counts: Sequence[str]) -> np.ndarray:
    values = table[list(counts)].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(dtype=float)
    return values.min(axis=1) if values.size else np.zeros(len(table))


def _equations(table: pd.DataFrame, dims: list[str], hierarchies: Sequence[Hierarchy]) -> list[tuple[int, list[int]]]:
    """Every published roll-up relation as (parent row, child rows)."""
    keys = [tuple(row) for row in table[dims].astype(str).itertuples(index=False, name=None)]
    index = {key: i for i, key in enumerate(keys)}
    equations: list[tuple[int, list[int]]] = []
    for hierarchy in hierarchies:
        if hierarchy.dimension not in dims:
            continue
        d = dims.index(hierarchy.dimension)
        groups = {str(p): [str(c) for c in cs] for p, cs in hierarchy.groups.items()}
        for i, key in enumerate(keys):
            children = groups.get(key[d])
            if not children:
                continue
            members = []
            for child in children:
                j = index.get(key[:d] + (child,) + key[d + 1 :])
                if j is not None:
                    members.append(j)
            if members:
                equations.append((i, members))
    return equations


def _protect(
    hidden: np.ndarray,
    size: np.ndarray,
    equations: list[tuple[int, list[int]]],
    k: int,
    amounts: np.ndarray | None = None,
    primary: np.ndarray | None = None,
) -> np.ndarray:
    """Grow the hidden set until no hidden cell is recoverable and every small cell keeps its protection.

    ``amounts`` (rows x counts) are the true counts the attacker's linear programme works on;
    without them only exact recovery is checked.
    """
    hidden = hidden.copy()
    if not hidden.any() or not equations:
        return hidden
    by_row: dict[int, list[int]] = {}
    for e, (parent, children) in enumerate(equations):
        for r in (parent, *children):
            by_row.setdefault(r, []).append(e)
    given_up: set[int] = set()
    for _ in range(10_000):
        _fixed_point(hidden, size, equations, by_row, k)
        leaks: set[int] = set()
        if amounts is not None and primary is not None:
            leaks = {v.row for v in audit(hidden, equations, amounts, primary, k)} - given_up
        if not leaks:  # then no cell at all may be recomputed exactly (an SVD per component)
            leaks = recoverable_cells(hidden, equations) - given_up
        if not leaks:
            return hidden
        progress = False
        for row in sorted(leaks):
            if _hide_one_more(row, hidden, size, equations, by_row):
                progress = True
            else:
                # fixed by the structure alone (e.g. a roll-up with one child): nothing to hide
                given_up.add(row)
        if not progress and not (leaks - given_up):
            return hidden
    return hidden


@dataclass(frozen=True)
class Exposure:
    """A small cell whose attacker interval is narrower than its protection requires."""

    row: int
    count: int
    low: float
    high: float


def audit(
    hidden: np.ndarray,
    equations: list[tuple[int, list[int]]],
    amounts: np.ndarray,
    primary: np.ndarray,
    k: int,
) -> list[Exposure]:
    """The attacker's intervals of the small hidden cells, by linear programming (HiGHS).

    For every count column, the unknowns are the hidden cells; every roll-up equation touching
    them, with the published members moved to the right-hand side, is a constraint; every
    unknown is non-negative (integrality relaxed). A small cell (below ``k``) is protected when
    its interval still holds both 0 and ``k`` for every count below ``k``: the attacker can rule
    out neither an empty cell nor one at the threshold. Returns the cells that are not.
    """
    from scipy.sparse import csc_matrix

    hidden = np.asarray(hidden, dtype=bool)
    amounts = np.asarray(amounts, dtype=float).reshape(len(hidden), -1)
    out: list[Exposure] = []
    for cells, eqs in _components(hidden, equations):
        targets = [c for c in cells if primary[c] and (amounts[c] < k).any()]
        if not targets:
            continue
        pos = {c: i for i, c in enumerate(cells)}
        rows, cols, vals = [], [], []
        published: list[list[tuple[int, float]]] = []
        for r, (parent, children) in enumerate(eqs):
            pub = []
            for m, sign in ((parent, -1.0), *((c, 1.0) for c in children)):
                if m in pos:
                    rows.append(r)
                    cols.append(pos[m])
                    vals.append(sign)
                else:
                    pub.append((m, -sign))
            published.append(pub)
        a = csc_matrix((vals, (rows, cols)), shape=(len(eqs), len(cells)))
        for j in range(amounts.shape[1]):
            b = np.array([sum(sign * amounts[m, j] for m, sign in pub) for pub in published], dtype=float)
            # only counts below k are protected; a cell whose count is 0 reaches 0 already
            need_hi = {pos[c] for c in targets if amounts[c, j] < k}
            need_lo = {pos[c] for c in targets if 0 < amounts[c, j] < k}
            if not need_hi:
                continue
            lp = _Bounds(a, b)
            low: dict[int, float] = {}
            high: dict[int, float] = {}
            # one solution often settles many cells: first all of them at once, then one by one
            for maximize, need, done in ((True, need_hi, high), (False, need_lo, low)):
                group = True
                while need:
                    cols = sorted(need) if group else [min(need)]
                    x = lp.solve(cols, maximize)
                    if x is None:  # unbounded above: every cell asked can exceed k
                        for col in cols:
                            done[col] = float("inf")
                        need.difference_update(cols)
                    else:
                        settled = {c for c in need if (x[c] >= k - 1e-6 if maximize else x[c] <= 1e-6)}
                        if not group:
                            done[cols[0]] = float(x[cols[0]])
                            settled.add(cols[0])
                        for col in settled:
                            done.setdefault(col, float(x[col]))
                        need.difference_update(settled)
                    group = False
            for c in targets:
                col = pos[c]
                if amounts[c, j] >= k:
                    continue
                lo, hi = low.get(col, 0.0), high.get(col, float("inf"))
                if lo > 1e-6 or hi < k - 1e-6:
                    out.append(Exposure(c, j, lo, hi))
    return out


def _fixed_point(
    hidden: np.ndarray,
    size: np.ndarray,
    equations: list[tuple[int, list[int]]],
    by_row: dict[int, list[int]],
    k: int,
) -> None:
    """Hide more until every equation protects its hidden cells.

    An equation with exactly one hidden member gives it away; one whose total is published and
    whose hidden children sum to less than ``k`` tells the attacker that small group's sum (and
    caps each member below k). In both cases a published member is hidden too: the smallest
    child that closes the gap (a detail cell before its roll-up total), until neither holds.
    ``size`` is a cell's smallest count, so a group's summed size never exceeds any count's sum.
    """
    queue = list(range(len(equations)))
    queued = set(queue)
    while queue:
        e = queue.pop()
        queued.discard(e)
        parent, children = equations[e]
        members = [parent, *children]
        n_hidden = sum(1 for m in members if hidden[m])
        if n_hidden == 0:
            continue
        group = sum(size[c] for c in children if hidden[c])
        if n_hidden > 1 and (hidden[parent] or group >= k):
            continue
        candidates = [m for m in members if not hidden[m]]
        if not candidates:
            continue
        gap = k - group
        detail = [m for m in candidates if m != parent]
        enough = [m for m in detail if size[m] >= gap]
        if enough:
            pick = min(enough, key=lambda m: (size[m], m))
        elif detail:
            pick = max(detail, key=lambda m: (size[m], -m))
        else:
            pick = parent
        hidden[pick] = True
        for other in by_row.get(pick, ()):
            if other not in queued:
                queue.append(other)
                queued.add(other)
        if e not in queued:
            queue.append(e)
            queued.add(e)


def _hide_one_more(
    row: int, hidden: np.ndarray, size: np.ndarray, equations: list[tuple[int, list[int]]], by_row: dict[int, list[int]]
) -> bool:
    """Hide the smallest published cell sharing an equation with ``row``, else with its component."""
    seen_rows, frontier, seen_eqs = {row}, [row], set()
    while frontier:
        candidates: dict[int, bool] = {}
        next_frontier = []
        for r in frontier:
            for e in by_row.get(r, ()):
                if e in seen_eqs:
                    continue
                seen_eqs.add(e)
                parent, children = equations[e]
                for m in (parent, *children):
                    if not hidden[m]:
                        # prefer hiding a detail cell over a roll-up total
                        candidates[m] = candidates.get(m, True) and m == parent
                    elif m not in seen_rows:
                        seen_rows.add(m)
                        next_frontier.append(m)
        if candidates:
            pick = min(candidates, key=lambda m: (candidates[m], size[m], m))
            hidden[pick] = True
            return True
        frontier = next_frontier
    return False


class _Bounds:
    """One HiGHS model of ``a x = b, x >= 0``, re-solved with only the objective changed (warm starts)."""

    def __init__(self, a: Any, b: np.ndarray) -> None:  # a: scipy.sparse csc_matrix
        import highspy

        self._h = h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        lp = highspy.HighsLp()
        self.n = a.shape[1]
        lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
        lp.col_cost_ = np.zeros(a.shape[1])
        lp.col_lower_ = np.zeros(a.shape[1])
        lp.col_upper_ = np.full(a.shape[1], highspy.kHighsInf)
        lp.row_lower_ = lp.row_upper_ = b
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
        h.passModel(lp)
        self._cols = np.arange(a.shape[1], dtype=np.int32)
        self._optimal = highspy.HighsModelStatus.kOptimal
        self._sense = highspy.ObjSense

    def solve(self, cols: list[int], maximize: bool) -> np.ndarray | None:
        """A solution minimizing (or maximizing) the sum of ``cols``; None when unbounded."""
        cost = np.zeros(self.n)
        cost[cols] = 1.0
        h = self._h
        h.changeColsCost(self.n, self._cols, cost)
        h.changeObjectiveSense(self._sense.kMaximize if maximize else self._sense.kMinimize)
        h.run()
        if h.getModelStatus() != self._optimal:
            return None
        return np.asarray(h.getSolution().col_value)


def _components(hidden: np.ndarray, equations: list[tuple[int, list[int]]]):
    """Connected groups of hidden cells linked by equations, each with its equations."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    live = []
    for eq in equations:
        members = [m for m in (eq[0], *eq[1]) if hidden[m]]
        if not members:
            continue
        live.append((eq, members))
        for m in members[1:]:
            parent[find(m)] = find(members[0])
    groups: dict[int, list] = {}
    cells: dict[int, set[int]] = {}
    for eq, members in live:
        root = find(members[0])
        groups.setdefault(root, []).append(eq)
        cells.setdefault(root, set()).update(members)
    for root, eqs in groups.items():
        yield sorted(cells[root]), eqs


def _determined(cells: list[int], equations: list[tuple[int, list[int]]]) -> set[int]:
    """Cells of one component fixed by the equations (unit vector in the row space)."""
    position = {c: i for i, c in enumerate(cells)}
    n = len(cells)
    rows = []
    for parent, children in equations:
        row = np.zeros(n)
        if parent in position:
            row[position[parent]] -= 1.0
        for c in children:
            if c in position:
                row[position[c]] += 1.0
        rows.append(row)
    a = np.vstack(rows)
    if n <= _DENSE_LIMIT:
        from scipy.linalg import null_space

        basis = null_space(a)
        if basis.shape[1] == 0:
            return set(cells)
        weight = np.abs(basis).max(axis=1)
        return {cells[i] for i in np.flatnonzero(weight < 1e-9)}
    return _determined_iterative(cells, a)


def _determined_iterative(cells: list[int], a: np.ndarray) -> set[int]:
    """Large components: project random vectors onto the null space (lsqr); zeros are fixed cells."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.linalg import lsqr

    sparse = csr_matrix(a)
    rng = np.random.default_rng(0)
    weight = np.zeros(len(cells))
    for _ in range(3):
        z = rng.standard_normal(len(cells))
        y = lsqr(sparse.T, z, atol=1e-12, btol=1e-12, iter_lim=20 * len(cells))[0]
        weight = np.maximum(weight, np.abs(z - sparse.T @ y))
    return {cells[i] for i in np.flatnonzero(weight < 1e-6)}
