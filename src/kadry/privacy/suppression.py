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
   the published equations allow; unless that interval holds both 0 and ``k``, the smallest
   published cell of the equations that bind the bound (the LP's non-zero duals) is hidden;
3. then an exact check: no hidden cell, small or not, may be recoverable (its unit vector in
   the row space of the equations restricted to hidden cells); all steps repeat until none is.

The cube must be suppressed as a whole (every grouping a client may ask for), and every
answer cut from the same suppressed cube, so answers to different queries cannot be
combined to undo it. Counts of a hidden cell and values derived from it (index, salary
quantiles, shares) are nulled, with ``suppressed`` set and ``suppression`` = ``HIDDEN`` for
every hidden cell, small or complementary alike: a label that told them apart would tell an
attacker which hidden cells are below ``k``.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from kadry.errors import ConfigError
from kadry.settings import DEFAULT_MIN_CELL, settings

__all__ = [
    "DEFAULT_MIN_CELL",
    "HIDDEN",
    "Hierarchy",
    "Exposure",
    "SuppressionResult",
    "audit",
    "min_cell",
    "suppress",
    "recoverable_cells",
]

#: the one reason a hidden cell is published with (primary and secondary are not told apart)
HIDDEN = "confidential"
#: components larger than this are checked with an iterative solver instead of a dense SVD
_DENSE_LIMIT = 1500
#: a cell is fixed when its leverage is 1 within this (its null-space component below 1e-5)
_FIXED_TOLERANCE = 1e-10
#: components up to this many hidden cells are always audited exactly (no suspects): relieving
#: a crowded total hides a published number, which small tables can rarely spare
_PATIENT_UP_TO = 2500
#: passes over the classes of cells sharing no equation in a larger component: on the demo
#: store's stock cube, 3 passes (with complements chosen by duals) publish 2.3x the cells the
#: audit before them did, in 0.85x its time; passes until none settles many, 4.9x in 1.9x
_IMPATIENT_PASSES = 3
#: primary cells per worker task: a block this large is a task alone, smaller ones are grouped;
#: a table with less than twice this stays in the caller's process
_PARALLEL_FROM = 1000


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
    and a parent may itself be a child (region -> federal district -> country). ``partial``:
    the table may leave members out (a segment's top skills), so a parent is at least the sum
    of the children it lists; the audit then knows an inequality, not an equation.
    """

    dimension: str
    groups: Mapping[str, Sequence[str]]
    partial: bool = False

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
    workers: int | None = None,
) -> SuppressionResult:
    """Hide small cells and enough others that none can be recomputed from the rest.

    ``dimensions`` key a cell (one row each); ``counts`` are additive record counts (a cell is
    small when any is below ``k``, zero included: an attacker must not learn that a group is
    empty); ``values`` are derived numbers nulled with their cell,
    given as a mapping ``value -> count it rests on`` (nulled also when that count is below
    ``k``, e.g. a median salary over fewer than k salaries) or a plain list. ``hidden`` marks
    cells hidden already (the pattern of the table a detail table belongs to): they stay hidden
    and count as primary. ``workers``: processes for independent blocks (``KADRY_WORKERS``).
    """
    k = min_cell(k)
    missing = [c for c in [*dimensions, *counts] if c not in frame.columns]
    if missing:
        raise ConfigError(f"suppress: columns missing from the table: {', '.join(missing)}")
    table = frame.reset_index(drop=True).copy()
    if table.duplicated(list(dimensions)).any():
        raise ConfigError("suppress: the table has more than one row for a cell")
    value_map: dict[str, str | None] = dict(values) if isinstance(values, Mapping) else {v: None for v in values}
    given = np.zeros(len(table), dtype=bool) if hidden is None else np.asarray(hidden, dtype=bool)
    if len(given) != len(table):
        raise ConfigError("suppress: `hidden` must have one flag per row")
    amounts = table[list(counts)].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(dtype=float)
    primary = _small(amounts, k) | given
    keys = [tuple(row) for row in table[list(dimensions)].astype(str).itertuples(index=False, name=None)]
    equations = _equations(keys, list(dimensions), hierarchies)
    hidden = _protect_blocks(primary, amounts, equations, k, settings().workers if workers is None else workers)
    table["suppressed"] = hidden
    table["suppression"] = pd.Series(HIDDEN, index=table.index, dtype=object).where(hidden, None)
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


def _small(amounts: np.ndarray, k: int) -> np.ndarray:
    """Cells with a count below ``k``."""
    if not amounts.size:
        return np.zeros(len(amounts), dtype=bool)
    return np.asarray((amounts < k).any(axis=1))


def _equations(
    keys: list[tuple[str, ...]], dims: list[str], hierarchies: Sequence[Hierarchy]
) -> list[tuple[int, list[int]]]:
    """Every published roll-up relation as (parent row, child rows), cells given by their keys."""
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
                equations.append((i, _Partial(members) if hierarchy.partial else members))
    return equations


class _Partial(list):
    """The children of an equation whose table may omit members: parent >= their sum."""


def _blocks(n: int, equations: list[tuple[int, list[int]]]) -> list[tuple[np.ndarray, list[int]]]:
    """Rows split into blocks that share no equation (a period of a cube without time
    equations, a skill), each with its equations' positions; rows in no equation are left out."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if not equations:
        return []
    heads = np.fromiter((p for p, cs in equations for _ in cs), dtype=np.int64)
    tails = np.fromiter((c for _, cs in equations for c in cs), dtype=np.int64)
    graph = coo_matrix((np.ones(len(heads), dtype=np.int8), (heads, tails)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    linked = np.zeros(n, dtype=bool)
    linked[heads] = linked[tails] = True
    by_label: dict[int, list[int]] = {}
    for e, (parent, _) in enumerate(equations):
        by_label.setdefault(int(label[parent]), []).append(e)
    rows = np.flatnonzero(linked)
    order = np.argsort(label[rows], kind="stable")
    rows = rows[order]
    cuts = np.flatnonzero(np.diff(label[rows])) + 1
    return [(part, by_label[int(label[part[0]])]) for part in np.split(rows, cuts)]


def _protect_blocks(
    primary: np.ndarray, amounts: np.ndarray, equations: list[tuple[int, list[int]]], k: int, workers: int
) -> np.ndarray:
    """``_protect`` on each block of rows that shares no equation with another, in ``workers``
    processes when the table is large enough (``_chunks``): a block's suppression and audit never
    depend on another's, so a cube of many periods costs the sum of its periods."""
    hidden = primary.copy()
    jobs = []
    blocks = _blocks(len(primary), equations)
    local = np.zeros(len(primary), dtype=np.int64)
    for rows, _ in blocks:
        local[rows] = np.arange(len(rows))
    at = local.tolist()
    for rows, eqs in blocks:
        if not primary[rows].any() or primary[rows].all():
            continue  # nothing to protect, or nothing published (every equation reads 0 = 0)
        sub = [
            (at[p], (_Partial if isinstance(cs, _Partial) else list)([at[c] for c in cs]))
            for p, cs in (equations[e] for e in eqs)
        ]
        jobs.append((rows, (primary[rows], amounts[rows], sub, k, primary[rows])))
    chunks = _chunks(jobs) if workers > 1 else []
    if len(chunks) < 2:
        for (rows, _), found in zip(jobs, _protect_all([args for _, args in jobs]), strict=True):
            hidden[rows] = found
        return hidden
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # forked: a spawned worker would re-run a caller's script that lacks a main guard; the
    # workers only compute on the arrays handed to them (no connection, no lock of the caller)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(min(workers, len(chunks)), mp_context=multiprocessing.get_context(method))
    # a forked worker's garbage collector would walk (and so copy) every object of the
    # caller, gigabytes when a release holds a million-cell cube: frozen, they are skipped
    # (and left frozen if the caller had frozen objects already, like a loaded matcher)
    thaw = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        futures = [(chunk, pool.submit(_protect_all, [args for _, args in chunk])) for chunk in chunks]
        for chunk, future in futures:
            for (rows, _), found in zip(chunk, future.result(), strict=True):
                hidden[rows] = found
    finally:
        pool.shutdown(cancel_futures=True)
        if thaw:
            gc.unfreeze()
    return hidden


def _chunks(jobs: list) -> list[list]:
    """Blocks grouped for the workers, largest first: a large block alone, small ones together
    until a chunk holds ``_PARALLEL_FROM`` primary cells (a skills cube has thousands of tiny
    blocks). None when the work is too small to be worth a process."""
    sized = sorted(((int(args[0].sum()), (rows, args)) for rows, args in jobs), key=lambda x: -x[0])
    if sum(n for n, _ in sized) < 2 * _PARALLEL_FROM:
        return []
    chunks: list[list] = []
    current: list = []
    size = 0
    for n, job in sized:
        current.append(job)
        size += n
        if size >= _PARALLEL_FROM:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


def _protect_all(jobs: list[tuple]) -> list[np.ndarray]:
    """``_protect`` over a chunk of blocks (one call per worker task), on one BLAS thread: the
    workers already fill the cores, and OpenBLAS threads on busy cores spin (an audit's SVD of
    217 x 803 took 1.7 s on two threads beside the other worker, 0.06 s on one)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return [_protect(*args) for args in jobs]


def _protect(
    hidden: np.ndarray,
    amounts: np.ndarray,
    equations: list[tuple[int, list[int]]],
    k: int,
    primary: np.ndarray,
) -> np.ndarray:
    """Grow the hidden set until no hidden cell is recoverable and every small cell keeps its protection.

    ``amounts`` (rows x counts) are the true counts the attacker's linear programme works on.
    Hiding one more cell only adds an unknown, so every interval an audit proved wide enough
    stays so (a witness solution extends with the new cell's true value) and every cell proved
    not recomputable stays so: each repair re-examines only the cells not yet proved, in the
    components it changed.
    """
    hidden = hidden.copy()
    if not hidden.any() or not equations:
        return hidden
    by_row: dict[int, list[int]] = {}
    for e, (parent, children) in enumerate(equations):
        for r in (parent, *children):
            by_row.setdefault(r, []).append(e)
    given_up: set[int] = set()
    size = amounts.min(axis=1) if amounts.size else np.zeros(len(hidden))  # a cell's smallest count
    proofs = _Proofs(amounts.shape[1])
    exposed: dict[tuple[int, ...], set[int]] = {}
    suspects: set[int] = set()
    spares: dict[int, set[int]] = {}  # an exposed cell -> published cells in the equations binding it
    fixed: dict[tuple[int, ...], set[int]] = {}
    seeds: list[int] | None = None  # equations to revisit: all of them at first
    # impatient audits leave the cells they cannot settle quickly as suspects, repaired like
    # exposures (hiding more only widens intervals); what cannot be repaired is then proved
    patient = False
    for _ in range(100_000):
        _fixed_point(hidden, amounts, size, equations, by_row, k, seeds)
        components = list(_components(hidden, equations))
        leaks: set[int] = set()
        for cells, eqs in components:
            key = tuple(cells)
            if key not in exposed:
                found = _audit_component(
                    cells, eqs, amounts, primary, k, proofs, patient=patient or len(cells) <= _PATIENT_UP_TO
                )
                exposed[key] = {v.row for v in found}
                for v in found:
                    if v.spare:
                        spares.setdefault(v.row, set()).update(v.spare)
                suspects.update(v.row for v in found if math.isnan(v.low))
            leaks |= exposed[key]
        leaks -= given_up
        if not leaks:  # then no cell at all may be recomputed exactly (a null space per component)
            for cells, eqs in components:
                key = tuple(cells)
                if key not in fixed and not proofs.free.issuperset(cells):
                    fixed[key] = _determined(cells, eqs)
                    proofs.free.update(set(cells) - fixed[key])
                leaks |= fixed.get(key, set())
            leaks -= given_up
        if not leaks:
            return hidden
        seeds = []
        fresh: set[int] = set()
        for row in sorted(leaks):
            if row in suspects:
                suspects.discard(row)
                pick = _relieve(row, hidden, equations, by_row, fresh)
                if pick == -1:  # relieved already by another suspect's pick
                    continue
            else:
                spare = spares.pop(row, set())
                pick = _loosen(spare, hidden, size, fresh)
                if pick == -1:  # loosened already by another exposure's pick: audited again
                    continue
            if pick is None:
                pick = _hide_one_more(row, hidden, size, equations, by_row)
            if pick is None:
                # fixed by the structure alone (e.g. a roll-up with one child): nothing to hide
                given_up.add(row)
            else:
                seeds.extend(by_row.get(pick, ()))
        if not seeds:
            if not patient:
                patient = True  # settle exactly what no repair could reach
                exposed.clear()
                given_up.clear()
                continue
            return hidden
    return hidden


class _Proofs:
    """What audits have proved so far, per count column: cells that can reach ``k``, and 0."""

    def __init__(self, columns: int) -> None:
        self.high: list[set[int]] = [set() for _ in range(columns)]
        self.low: list[set[int]] = [set() for _ in range(columns)]
        #: hidden cells proved not recomputable
        self.free: set[int] = set()


@dataclass(frozen=True)
class Exposure:
    """A small cell whose attacker interval is narrower than its protection requires."""

    row: int
    count: int
    low: float
    high: float
    #: published cells in the equations that bind the attacker's bound: hiding one loosens it
    spare: tuple[int, ...] = ()


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
    hidden = np.asarray(hidden, dtype=bool)
    amounts = np.asarray(amounts, dtype=float).reshape(len(hidden), -1)
    out: list[Exposure] = []
    proofs = _Proofs(amounts.shape[1])
    for cells, eqs in _components(hidden, equations):
        out.extend(_audit_component(cells, eqs, amounts, primary, k, proofs))
    return out


def _audit_component(
    cells: list[int],
    eqs: list[tuple[int, list[int]]],
    amounts: np.ndarray,
    primary: np.ndarray,
    k: int,
    proofs: _Proofs,
    *,
    patient: bool = True,
) -> list[Exposure]:
    """``audit`` for one connected group of hidden cells, skipping what ``proofs`` hold (and adding to them).

    Impatient, cells not settled once solutions stop settling many at a time are returned as
    suspects (bounds NaN) instead of being solved for one by one.
    """
    targets = [c for c in cells if primary[c] and (amounts[c] < k).any()]
    if not targets:
        return []
    out: list[Exposure] = []
    pos = {c: i for i, c in enumerate(cells)}
    a, published = _system(cells, eqs)
    for j in range(amounts.shape[1]):
        b = np.array([sum(sign * amounts[m, j] for m, sign in pub) for pub in published], dtype=float)
        # only counts below k are protected; a count of 0 reaches 0 already
        small = [c for c in targets if amounts[c, j] < k]
        need_hi = {pos[c] for c in small if c not in proofs.high[j]}
        need_lo = {pos[c] for c in small if c not in proofs.low[j] and amounts[c, j] > 0}
        high: dict[int, float] = {}
        low: dict[int, float] = {}
        binding: dict[bool, dict[int, np.ndarray]] = {True: {}, False: {}}
        if need_hi or need_lo:
            open_below = np.array([isinstance(children, _Partial) for _, children in eqs], dtype=bool)
            lp = _Bounds(a, b, k, open_below)
            high = lp.settle(need_hi, maximize=True, patient=patient)
            binding[True], lp.binding = lp.binding, {}
            low = lp.settle(need_lo, maximize=False, patient=patient)
            binding[False] = lp.binding
        for c in small:
            col = pos[c]
            # proved before (or a zero) when not asked; NaN when asked and not settled (a suspect)
            hi = high.get(col, float("nan")) if col in need_hi else float(k)
            lo = low.get(col, float("nan")) if col in need_lo else 0.0
            if hi >= k - 1e-6:  # each bound proved stays proved, whatever the other does
                proofs.high[j].add(c)
            if lo <= 1e-6:
                proofs.low[j].add(c)
            if lo > 1e-6 or hi < k - 1e-6:
                rows_ = [*binding[True].get(col, ()), *binding[False].get(col, ())]
                out.append(Exposure(c, j, lo, hi, tuple(sorted({m for r in rows_ for m, _ in published[r]}))))
            elif math.isnan(lo) or math.isnan(hi):
                out.append(Exposure(c, j, float("nan"), float("nan")))  # a suspect: not settled yet
            else:
                proofs.free.add(c)
    return out


def _fixed_point(
    hidden: np.ndarray,
    amounts: np.ndarray,
    size: np.ndarray,
    equations: list[tuple[int, list[int]]],
    by_row: dict[int, list[int]],
    k: int,
    seeds: list[int] | None = None,
) -> None:
    """Hide more until every equation protects its hidden cells (starting from ``seeds``, else all).

    An equation with exactly one hidden member gives it away; one whose total is published and
    whose hidden children sum, on some count, to less than ``k`` tells the attacker
    that small group's sum (and caps each member below k). In both cases a published member is
    hidden too: the smallest child that closes every gap (a detail cell before its roll-up
    total), until neither holds.
    """
    queue = list(range(len(equations))) if seeds is None else list(dict.fromkeys(seeds))
    queued = set(queue)
    while queue:
        e = queue.pop()
        queued.discard(e)
        parent, children = equations[e]
        members = [parent, *children]
        n_hidden = sum(1 for m in members if hidden[m])
        if n_hidden == 0:
            continue
        inside = [c for c in children if hidden[c]]
        group = amounts[inside].sum(axis=0) if inside else np.zeros(amounts.shape[1])
        gap = np.maximum(k - group, 0.0)
        if n_hidden > 1 and (hidden[parent] or not gap.any()):
            continue
        candidates = [m for m in members if not hidden[m]]
        if not candidates:
            continue
        detail = [m for m in candidates if m != parent]
        enough = [m for m in detail if (amounts[m] >= gap).all()]
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


def _loosen(spare: set[int], hidden: np.ndarray, size: np.ndarray, fresh: set[int]) -> int | None:
    """For an exposed cell: hide the smallest published cell of the equations binding its bound
    (the LP's non-zero duals), a cheap cell that widens exactly the interval found too narrow.

    Returns the cell hidden, -1 if all are hidden and one of them this round (``fresh``), None
    if the bound is bound by no published cell.
    """
    open_ = [m for m in spare if not hidden[m]]
    if not open_:
        return -1 if spare & fresh else None
    pick = min(open_, key=lambda m: (size[m], m))
    hidden[pick] = True
    fresh.add(pick)
    return pick


def _relieve(
    row: int,
    hidden: np.ndarray,
    equations: list[tuple[int, list[int]]],
    by_row: dict[int, list[int]],
    fresh: set[int],
) -> int | None:
    """For a cell competing with many hidden siblings for one published total: hide that total.

    Returns the total hidden now, -1 if one hidden this round (``fresh``) already relieves the
    cell, None if the cell is under no published total.
    """
    crowded = None
    for e in by_row.get(row, ()):
        parent, children = equations[e]
        if parent == row or (hidden[parent] and parent not in fresh):
            continue
        n = sum(1 for c in children if hidden[c])
        if crowded is None or n > crowded[0]:
            crowded = (n, parent)
    if crowded is None:
        return None
    if hidden[crowded[1]]:
        return -1
    hidden[crowded[1]] = True
    fresh.add(crowded[1])
    return crowded[1]


def _hide_one_more(
    row: int,
    hidden: np.ndarray,
    size: np.ndarray,
    equations: list[tuple[int, list[int]]],
    by_row: dict[int, list[int]],
) -> int | None:
    """Hide the smallest published cell sharing an equation with ``row``, else with its component; which."""
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
            return pick
        frontier = next_frontier
    return None


class _Bounds:
    """One HiGHS model of ``a x = b, x >= 0``, re-solved with only the objective changed (warm starts).

    Each unknown ``x_i`` has a capped copy ``0 <= y_i <= min(x_i, k)``: maximizing the sum of
    copies is always bounded, and a copy at ``k`` proves its cell can reach ``k``, so one
    solution settles many cells at once without one unbounded cell hiding the others.
    """

    def __init__(self, a: Any, b: np.ndarray, k: float, open_below: np.ndarray | None = None) -> None:
        # a: scipy.sparse csc_matrix; a row of ``open_below`` is "children - parent <= b" (partial lists)
        import highspy
        from scipy.sparse import bmat, csc_matrix, identity

        self._h = h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        m, n = a.shape
        self.n, self.m, self.k = n, m, float(k)
        self._a = csc_matrix(a)
        #: cells found short of their bound alone -> the equations (rows of ``a``) binding them
        self.binding: dict[int, np.ndarray] = {}
        eye = identity(n, format="csc")
        # rows: a x = b; y - x <= 0
        full = csc_matrix(bmat([[a, None], [-eye, eye]], format="csc"))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = 2 * n, m + n
        lp.col_cost_ = np.zeros(2 * n)
        lp.col_lower_ = np.zeros(2 * n)
        lp.col_upper_ = np.concatenate([np.full(n, highspy.kHighsInf), np.full(n, self.k)])
        lower = b if open_below is None else np.where(open_below, -highspy.kHighsInf, b)
        lp.row_lower_ = np.concatenate([lower, np.full(n, -highspy.kHighsInf)])
        lp.row_upper_ = np.concatenate([b, np.zeros(n)])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = full.indptr, full.indices, full.data
        h.passModel(lp)
        self._cols = np.arange(2 * n, dtype=np.int32)
        self._optimal = highspy.HighsModelStatus.kOptimal
        self._sense = highspy.ObjSense

    def solve(self, cols: list[int], maximize: bool) -> np.ndarray:
        """Values of ``x`` at a solution maximizing the capped copies of ``cols`` (or minimizing ``cols``)."""
        cost = np.zeros(2 * self.n)
        cost[np.asarray(cols) + (self.n if maximize else 0)] = 1.0
        h = self._h
        h.changeColsCost(2 * self.n, self._cols, cost)
        h.changeObjectiveSense(self._sense.kMaximize if maximize else self._sense.kMinimize)
        h.run()
        if h.getModelStatus() != self._optimal:  # feasible by construction (the true counts)
            raise RuntimeError(f"suppression audit: HiGHS ended with {h.modelStatusToString(h.getModelStatus())}")
        value = np.asarray(h.getSolution().col_value)
        return value[self.n :] if maximize else value[: self.n]

    def settle(self, need: set[int], *, maximize: bool, patient: bool = True) -> dict[int, float]:
        """For each cell in ``need``: a value it can reach, ``k`` (max) or 0 (min) when it can.

        Cells are solved for all together while that settles many (1 in 50 of those left);
        then in classes of cells that share no equation (cells competing for one small total
        are never in one solve), while a pass over the classes settles many (impatient: for
        at most ``_IMPATIENT_PASSES`` passes); then, patient, each cell left alone: its exact
        bound, and when short of it the equations binding it (non-zero duals) in ``binding``.
        Impatient, the cells left are not in the answer (suspects).
        """
        need = set(need)
        done: dict[int, float] = {}

        def take(x: np.ndarray) -> int:
            reached = {c for c in need if (x[c] >= self.k - 1e-6 if maximize else x[c] <= 1e-6)}
            for c in reached:
                done.setdefault(c, float(x[c]))
            need.difference_update(reached)
            return len(reached)

        while need and take(self.solve(sorted(need), maximize)) * 50 >= len(need):
            pass
        for passes in range(1, 1_000_000):
            left = len(need)
            for group in self._classes(need):
                cols = [c for c in group if c in need]
                if cols:
                    take(self.solve(cols, maximize))
            if not need or (left - len(need)) * 50 < left or (not patient and passes >= _IMPATIENT_PASSES):
                break
        if not patient:
            return done
        while need:
            c = min(need)
            x = self.solve([c], maximize)
            take(x)
            if c in need:  # short of its bound: an exposure
                done[c] = float(x[c])
                need.discard(c)
                dual = np.asarray(self._h.getSolution().row_dual)[: self.m]
                self.binding[c] = np.flatnonzero(np.abs(dual) > 1e-9)
        return done

    @cached_property
    def _by_row(self) -> list[list[int]]:
        """The cells of each equation; built only when joint solutions leave cells to class."""
        rows = self._a.tocsr()
        return [rows.indices[rows.indptr[r] : rows.indptr[r + 1]].tolist() for r in range(self.m)]

    def _classes(self, need: set[int]) -> list[list[int]]:
        """``need`` split greedily (most equations first) into classes of cells sharing no equation."""
        a, by_row = self._a, self._by_row
        colour: dict[int, int] = {}
        classes: list[list[int]] = []
        for c in sorted(need, key=lambda c: (a.indptr[c] - a.indptr[c + 1], c)):
            used = {colour[d] for r in a.indices[a.indptr[c] : a.indptr[c + 1]] for d in by_row[r] if d in colour}
            i = next(i for i in range(len(used) + 1) if i not in used)
            colour[c] = i
            if i == len(classes):
                classes.append([])
            classes[i].append(c)
        return classes


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


def _system(cells: list[int], equations: list[tuple[int, list[int]]]) -> tuple[Any, list[list[tuple[int, float]]]]:
    """A component's equations as the attacker sees them: the coefficients of its hidden
    ``cells`` (scipy.sparse, equations x cells, built sparse: a component can hold thousands of
    cells) and, per equation, its published members with their sign on the right-hand side."""
    from scipy.sparse import csc_matrix

    pos = {c: i for i, c in enumerate(cells)}
    rows, cols, vals = [], [], []
    published: list[list[tuple[int, float]]] = []
    for r, (parent, children) in enumerate(equations):
        pub = []
        for m, sign in ((parent, -1.0), *((c, 1.0) for c in children)):
            if m in pos:
                rows.append(r)
                cols.append(pos[m])
                vals.append(sign)
            else:
                pub.append((m, -sign))
        published.append(pub)
    return csc_matrix((vals, (rows, cols)), shape=(len(equations), len(cells))), published


def _determined(cells: list[int], equations: list[tuple[int, list[int]]]) -> set[int]:
    """Cells of one component fixed by the equations (unit vector in the row space)."""
    a = _system(cells, equations)[0].tocsr()
    if len(cells) <= _DENSE_LIMIT:
        fixed = _determined_dense(a.toarray())
        if fixed is not None:
            return {cells[i] for i in np.flatnonzero(fixed)}
    return _determined_iterative(cells, a)


def _determined_dense(a: np.ndarray) -> np.ndarray | None:
    """Which columns of ``a`` (equations x cells) the equations fix: those whose unit vector lies
    in the row space, i.e. whose leverage (squared norm in an orthonormal basis of the row space)
    is 1. The economy SVD costs m·n·min(m, n) for m equations over n cells, where the null space's
    full SVD cost n³: that was 96% of a 1M release's skills audit. None when LAPACK does not
    converge with either driver (the divide-and-conquer gesdd failed once on a skills block of
    the 1M release; the QR-iteration gesvd is slower and more robust)."""
    from scipy.linalg import svd

    if a.size == 0:
        return np.zeros(a.shape[1], dtype=bool)
    for driver in ("gesdd", "gesvd"):
        try:
            _, s, vt = svd(a, full_matrices=False, lapack_driver=driver, check_finite=False)
            break
        except np.linalg.LinAlgError:
            continue
    else:
        return None
    rank = int((s > s.max() * max(a.shape) * np.finfo(float).eps).sum())
    leverage = np.einsum("ij,ij->j", vt[:rank], vt[:rank])
    return leverage > 1 - _FIXED_TOLERANCE


def _determined_iterative(cells: list[int], sparse: Any) -> set[int]:
    """Large components: project random vectors onto the null space (lsqr); zeros are fixed cells.

    ``sparse``: the equations restricted to the component (scipy.sparse, equations x cells).
    """
    from scipy.sparse.linalg import lsqr

    rng = np.random.default_rng(0)
    weight = np.zeros(len(cells))
    for _ in range(3):
        z = rng.standard_normal(len(cells))
        y = lsqr(sparse.T, z, atol=1e-12, btol=1e-12, iter_lim=20 * len(cells))[0]
        weight = np.maximum(weight, np.abs(z - sparse.T @ y))
    return {cells[i] for i in np.flatnonzero(weight < 1e-6)}
