"""The plan of a simulation: how many vacancies and resumes to create in each role category and
month so that the market reproduces the scenario's deficiency-index targets.

Vacancies follow the calibrated role mix and the scenario's publication volume. Resumes are
then allocated by solving, per role category, a small non-negative least-squares problem:
the expected stock of active resumes in month m is ``sum_t A[m, t] x[t]`` where ``x[t]`` is the
number created in month t and ``A[m, t]`` the probability that a resume created in t is
active in m (Monte Carlo over the update process, the same process the generator uses).
The pace of updates (a multiplier of the gaps between them) is the one free scale: it is chosen so that the
allocation totals ``--resumes M``.

With ``vacancy_stock`` the resume targets rest on a given (category x month) vacancy stock, e.g.
the real one measured in a store, instead of the simulator's own vacancies; cells with no stock
make no resume demand. ``n_resumes=None`` then lets the planner choose M (the pace that meets the
targets best, slowest among near-equals).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

from kadry.errors import ConfigError, InputError
from kadry.simulate.scenario import Scenario, month_index, month_label

__all__ = ["Calibration", "load_calibration", "Calendar", "Plan", "make_plan", "category_table", "DAY"]

DAY = 86400


class Calibration:
    """The shipped calibration file as arrays the generator can index."""

    def __init__(self, data: dict) -> None:
        self.data = data
        roles = data["roles"]
        self.role_ids = [r["id"] for r in roles]
        self.role_cat = [r["category"] for r in roles]
        self.role_is_it = np.array([r["is_it"] for r in roles])
        self.role_share = np.array([r["share"] for r in roles], dtype=float)
        self.role_share /= self.role_share.sum()
        self.categories = sorted({c for c in self.role_cat}, key=lambda x: int(x))
        self.cat_of_role = np.array([self.categories.index(c) for c in self.role_cat])
        areas = data["areas"]
        self.area_ids = [a["id"] for a in areas]
        self.area_pos = {a: i for i, a in enumerate(self.area_ids)}
        self.area_names = [a["name"] for a in areas]
        self.area_subject = [a["subject_id"] for a in areas]
        self.area_subject_name = [a["subject_name"] for a in areas]
        self.area_country = [a["country_id"] for a in areas]
        self.area_share = np.array([a["share"] for a in areas], dtype=float)
        self.area_share /= self.area_share.sum()
        self.area_salary = np.array([a["salary_effect"] for a in areas], dtype=float)

    @cached_property
    def role_cdf_by_cat(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per category: (role indexes, cumulative share within the category)."""
        out = []
        for ci in range(len(self.categories)):
            idx = np.flatnonzero(self.cat_of_role == ci)
            share = self.role_share[idx]
            out.append((idx, np.cumsum(share) / share.sum()))
        return out

    @property
    def category_share(self) -> np.ndarray:
        return np.bincount(self.cat_of_role, weights=self.role_share, minlength=len(self.categories))

    def role_cdf_with(self, weights: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """``role_cdf_by_cat`` with other role weights (per role, in ``role_ids`` order); a category
        whose roles all weigh 0 keeps the calibrated shares."""
        out = []
        for idx, cdf in self.role_cdf_by_cat:
            w = np.asarray(weights, dtype=float)[idx]
            out.append((idx, np.cumsum(w) / w.sum()) if w.sum() > 0 else (idx, cdf))
        return out


def load_calibration(path: str | Path | None = None) -> Calibration:
    from kadry.simulate.calibrate import CALIBRATION_PATH

    p = Path(path) if path else CALIBRATION_PATH
    try:
        return Calibration(json.loads(p.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise ConfigError(f"calibration file not found: {p} (run `kadry simulate calibrate`)") from exc
    except (json.JSONDecodeError, KeyError) as exc:
        raise ConfigError(
            f"calibration file {p} is damaged ({exc}); rebuild it with `kadry simulate calibrate`"
        ) from exc


@dataclass
class Calendar:
    """Months of the simulation as integers (y*12+m-1) and their first days (days since 1970)."""

    first: int  # first grid month (burn-in included)
    start: int  # --from
    last: int  # --to

    @cached_property
    def months(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    @cached_property
    def starts(self) -> np.ndarray:
        """First day of each grid month, plus the day after the last one (len G+1)."""
        out = []
        for m in range(self.first, self.last + 2):
            out.append(np.datetime64(f"{m // 12:04d}-{m % 12 + 1:02d}-01", "D").astype(np.int64))
        return np.array(out, dtype=np.int64)

    @property
    def n(self) -> int:
        return self.last - self.first + 1

    @property
    def window(self) -> np.ndarray:
        """Grid positions of the months in --from..--to."""
        return np.arange(self.start - self.first, self.n)

    def month_of_day(self, day: np.ndarray) -> np.ndarray:
        """Grid position of a day (may be -1 or >= n outside the grid)."""
        return np.searchsorted(self.starts, day, side="right") - 1

    @property
    def end_seconds(self) -> int:
        """First second after the simulated period."""
        return int(self.starts[-1]) * DAY

    @property
    def start_seconds(self) -> int:
        return int(self.starts[0]) * DAY

    def labels(self) -> list[str]:
        return [month_label(m) for m in self.months]


@dataclass
class Plan:
    calendar: Calendar
    vac_prob: np.ndarray  # (C, G): share of vacancies published in category c, month g
    res_prob: np.ndarray  # (C, G): share of resumes created in category c, month g
    pace: float  # multiplier of the update gaps, solved to meet the targets with --resumes M
    updates_mean: float
    expected_vacancy_stock: np.ndarray  # (C, G) for N vacancies
    expected_resume_stock: np.ndarray  # (C, G) for M resumes
    targets: np.ndarray  # (C, G) index targets (nan outside the window)
    warnings: list[str] = field(default_factory=list)
    #: multiplier of resume targets that compensates moves abroad (None: no such moves)
    outflow_factor: np.ndarray | None = None
    #: resumes the plan is for (the requested M, or the one chosen with ``n_resumes=None``)
    n_resumes: int = 0
    #: the vacancy stock was given (``vacancy_stock``), not simulated
    given_stock: bool = False
    #: per category (role indexes, cumulative weights) when the role mix is given; None: calibrated
    role_cdf: list[tuple[np.ndarray, np.ndarray]] | None = None
    #: expected relative error of the resume stock against the targets (weighted by the target stock)
    fit_error: float | None = None


def _lifetime_days(cal: Calibration, u_int: np.ndarray, u_frac: np.ndarray) -> np.ndarray:
    pmf = np.asarray(cal.data["vacancy"]["lifetime"]["pmf"], dtype=float)
    cdf = np.cumsum(pmf) / pmf.sum()
    d = np.searchsorted(cdf, u_int, side="right")
    # closes during day d after publication: d - 1 + fraction, at least a few hours
    return np.maximum(d - 1 + u_frac, 0.1)


def _vacancy_matrix(cal: Calibration, calendar: Calendar, rng: np.random.Generator, samples: int) -> np.ndarray:
    """B[m, t]: probability that a vacancy published in month t is active in month m."""
    G = calendar.n
    B = np.zeros((G, G))
    for t in range(G):
        length = calendar.starts[t + 1] - calendar.starts[t]
        pub = calendar.starts[t] + rng.random(samples) * length
        close = pub + _lifetime_days(cal, rng.random(samples), rng.random(samples))
        m1 = calendar.month_of_day(np.floor(pub).astype(np.int64))
        m2 = np.minimum(calendar.month_of_day(np.floor(close).astype(np.int64)), G - 1)
        diff = np.zeros(G + 1)
        np.add.at(diff, m1, 1.0)
        np.add.at(diff, m2 + 1, -1.0)
        B[:, t] = np.cumsum(diff)[:G] / samples
    return B


def update_gaps(rng: np.random.Generator, shape: tuple[int, ...], res: dict) -> np.ndarray:
    """Days between successive updates of a resume (the generator uses the same draw)."""
    mean = float(res.get("gap_mean_days", 10))
    long_share = float(res.get("long_gap_share", 0.08))
    lo, hi = (float(x) for x in res.get("long_gap_days", [45, 150]))
    u = rng.random(shape)
    v = rng.random(shape)
    short = 1.0 + (-np.log1p(-v)) * max(mean - 1.0, 0.01)
    long_ = lo + v * (hi - lo)
    return np.where(u < long_share, long_, short)


def n_updates(u: np.ndarray, mean: float) -> np.ndarray:
    """1 + geometric number of extra updates, mean ``mean`` (inverse CDF of a uniform)."""
    if mean <= 1.0:
        return np.ones(u.shape, dtype=np.int64)
    p = 1.0 / mean
    return 1 + np.floor(np.log1p(-u) / np.log1p(-p)).astype(np.int64)


class _ResumeMC:
    """Monte Carlo of the update process with common random numbers, for any pace of updates."""

    def __init__(self, calendar: Calendar, res: dict, window: int, rng: np.random.Generator, samples: int, kmax: int):
        G = calendar.n
        self.calendar, self.window, self.samples, self.kmax = calendar, window, samples, kmax
        self.k = n_updates(rng.random((G, samples)), float(res.get("updates_mean", 4)))
        length = np.diff(calendar.starts)[:, None]
        self.created = calendar.starts[:-1, None] + rng.random((G, samples)) * length
        self.gaps = update_gaps(rng, (G, samples, kmax), res)
        self.gaps[:, :, 0] = 0.0

    def matrix(self, pace: float) -> np.ndarray:
        """A[m, t]: share of resumes created in month t active in month m, gaps scaled by ``pace``."""
        cal, G, S, K = self.calendar, self.calendar.n, self.samples, self.kmax
        times = self.created[:, :, None] + np.cumsum(self.gaps * pace, axis=2)
        day = np.floor(times).astype(np.int64)
        ok = (day < cal.starts[-1]) & (np.arange(K)[None, None, :] < self.k[:, :, None])
        m1 = cal.month_of_day(day)
        m2 = np.minimum(cal.month_of_day(day + self.window - 1), G - 1)
        occ = np.zeros((G, S, G + 1), dtype=bool)
        t_idx = np.broadcast_to(np.arange(G)[:, None, None], day.shape)
        s_idx = np.broadcast_to(np.arange(S)[None, :, None], day.shape)
        for mm in (m1, np.minimum(m1 + 1, m2), m2):
            mm = np.where(ok, mm, G)
            occ[t_idx, s_idx, mm] = True
        return occ[:, :, :G].mean(axis=1).T


def _solve_category(A: np.ndarray, R: np.ndarray, rows: np.ndarray, ridge: float = 0.01) -> np.ndarray:
    """Non-negative creations x (G) with A[rows] @ x close to R[rows] in relative terms.

    Deconvolution alone oscillates (a month of many creations, a month of none), so x is also
    pulled (weight ``ridge``) toward the steady-state profile x_ref[t] = R[t] / (months a resume
    created in t stays active): smooth where the targets are smooth, spiking where they spike.
    """
    G = A.shape[1]
    R_ext = np.empty(G)
    R_ext[:] = R[rows[0]]
    R_ext[rows] = R[rows]
    if not (R[rows] > 0).all():
        return _solve_sparse(A, R, rows, R_ext, ridge)
    active_months = np.maximum(A.sum(axis=0), 1e-9)
    x_ref = R_ext / active_months
    scale = float(max(x_ref.mean(), 1e-12))
    Ar = A[rows] / R[rows, None] * scale
    M = np.vstack([Ar, np.sqrt(ridge) * np.diag(1.0 / np.maximum(x_ref / scale, 1e-9)) * 1.0])
    b = np.concatenate([np.ones(len(rows)), np.sqrt(ridge) * np.ones(G)])
    z, _ = nnls(M, b, maxiter=50 * G)
    return z * scale


def _solve_sparse(A: np.ndarray, R: np.ndarray, rows: np.ndarray, R_ext: np.ndarray, ridge: float) -> np.ndarray:
    """``_solve_category`` when some months have no demand (a given vacancy stock with empty cells).

    Months with no target stock are not fitted, and nothing is created in a month whose
    (extended) target is zero, so resumes only come from months with demand (or the burn-in
    before a first month with demand); those created earlier still age out naturally.
    """
    G = A.shape[1]
    x = np.zeros(G)
    fit = rows[R[rows] > 0]
    cols = np.flatnonzero(R_ext > 0)
    if not len(fit) or not len(cols):
        return x
    active_months = np.maximum(A.sum(axis=0), 1e-9)
    x_ref = R_ext[cols] / active_months[cols]
    scale = float(max(x_ref.mean(), 1e-12))
    Ar = A[np.ix_(fit, cols)] / R[fit, None] * scale
    M = np.vstack([Ar, np.sqrt(ridge) * np.diag(1.0 / np.maximum(x_ref / scale, 1e-9))])
    b = np.concatenate([np.ones(len(fit)), np.sqrt(ridge) * np.ones(len(cols))])
    z, _ = nnls(M, b, maxiter=50 * G)
    x[cols] = z * scale
    return x


def category_table(cal: Calibration, calendar: Calendar, table: object, name: str = "vacancy_stock") -> np.ndarray:
    """A (category x grid month) table as an array in ``cal.categories`` order.

    Accepts an array of shape (C, G) or a mapping ``{category id: G values}`` (absent
    categories are 0); values must be finite and >= 0.
    """
    C, G = len(cal.categories), calendar.n
    if isinstance(table, dict):
        out = np.zeros((C, G))
        for key, values in table.items():
            if str(key) not in cal.categories:
                raise InputError(
                    f"{name}: unknown role category {key!r} (use hh category ids: {', '.join(cal.categories)})"
                )
            row = np.asarray(values, dtype=float)
            if row.shape != (G,):
                raise InputError(
                    f"{name}: category {key} has {row.size} months, the grid has {G} ({calendar.labels()[0]}..{calendar.labels()[-1]})"
                )
            out[cal.categories.index(str(key))] = row
    else:
        out = np.asarray(table, dtype=float)
        if out.shape != (C, G):
            raise InputError(f"{name} must be (categories x months) = ({C}, {G}), got {out.shape}")
    if not np.isfinite(out).all() or (out < 0).any():
        raise InputError(f"{name} must be finite and >= 0")
    return out


def make_plan(
    cal: Calibration,
    scenario: Scenario,
    n_vacancies: int,
    n_resumes: int,
    start: str,
    end: str,
    seed: int,
    mc_samples: int = 1000,
    *,
    vacancy_stock: object = None,
    role_weights: np.ndarray | None = None,
    outflow: Callable[[Calibration, Scenario, Plan, int], np.ndarray | None] | None = None,
) -> Plan:
    """Allocate vacancies and resumes over categories and months to meet the scenario's targets.

    ``vacancy_stock`` (C x G on the grid, burn-in included; see ``category_table``) replaces the
    expected stock of the simulated vacancies in the resume targets; ``n_vacancies`` may then be
    0, and ``n_resumes=None`` lets the planner choose M. ``role_weights`` (per role, in
    ``cal.role_ids`` order) replaces the calibrated role mix of resumes within a category.
    ``outflow`` measures how much of each category's stock leaves the target country
    (``kadry.simulate.pilot.outflow_factor``, which runs the generator: passed in, so the model does
    not import the generator that imports it); ``kadry.simulate.pilot.make_plan`` passes it.
    """
    first_m, last_m = month_index(start), month_index(end)
    if last_m < first_m:
        raise InputError(f"--to {end} is before --from {start}")
    given = vacancy_stock is not None
    if (n_vacancies <= 0 and not given) or n_vacancies < 0 or (n_resumes is not None and n_resumes < 0):
        raise InputError("--vacancies must be > 0 and --resumes >= 0")
    if n_resumes is None and not given:
        raise InputError("the number of resumes can only be chosen by the planner against a given vacancy stock")
    calendar = Calendar(first_m - scenario.burn_in_months, first_m, last_m)
    G, C = calendar.n, len(cal.categories)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7001]))
    days = np.diff(calendar.starts).astype(float)

    share = cal.category_share
    vac_w = np.zeros((C, G))
    for ci, cat in enumerate(cal.categories):
        vac_w[ci] = share[ci] * np.asarray(scenario.vacancy_volume(cat, calendar.months)) * days
    vac_prob = vac_w / vac_w.sum()
    B = _vacancy_matrix(cal, calendar, rng, mc_samples * 4)
    V = n_vacancies * (vac_prob @ B.T)  # (C, G)
    if given:
        V = category_table(cal, calendar, vacancy_stock)

    targets = np.full((C, G), np.nan)
    win = calendar.window
    for ci, cat in enumerate(cal.categories):
        targets[ci, win] = np.asarray(scenario.index_target(cat, [calendar.months[g] for g in win]))
    R = np.nan_to_num(targets * V)

    res = scenario.resumes
    mc = _ResumeMC(calendar, res, scenario.window_days, rng, mc_samples, kmax=48)
    warnings: list[str] = []
    plan = Plan(
        calendar=calendar,
        vac_prob=vac_prob,
        res_prob=np.zeros((C, G)),
        pace=1.0,
        updates_mean=float(res.get("updates_mean", 4)),
        expected_vacancy_stock=V,
        expected_resume_stock=np.zeros((C, G)),
        targets=targets,
        warnings=warnings,
        given_stock=given,
    )
    if role_weights is not None:
        w = np.asarray(role_weights, dtype=float)
        if w.shape != (len(cal.role_ids),) or not np.isfinite(w).all() or (w < 0).any():
            raise InputError(f"role_weights must be {len(cal.role_ids)} finite values >= 0 (one per role)")
        plan.role_cdf = cal.role_cdf_with(w)
    if given and not (R > 0).any():
        raise InputError("the given vacancy stock is zero in every month of the window: no resumes to plan")
    ridge = float(res.get("ridge", 0.01))
    _solve(plan, mc, R, n_resumes, res.get("pace", "auto"), ridge)
    factor = outflow(cal, scenario, plan, seed) if outflow is not None else None
    if factor is not None:
        plan.warnings.clear()
        _solve(plan, mc, R * factor, n_resumes, res.get("pace", "auto"), ridge)
        plan.outflow_factor = factor
    return plan


def _fit_error(X: np.ndarray, A: np.ndarray, R: np.ndarray, win: np.ndarray) -> float:
    """Relative error of the expected resume stock against the targets, weighted by the targets."""
    E = X @ A.T
    Rw, Ew = R[:, win], E[:, win]
    live = Rw > 0
    if not live.any():
        return 0.0
    return float((np.abs(Ew[live] - Rw[live])).sum() / Rw[live].sum())


#: paces tried when the planner chooses M, and how much worse than the best fit it may be
_AUTO_PACES = np.geomspace(0.02, 20.0, 16)
_AUTO_SLACK = 0.01


def _solve(
    plan: Plan, mc: _ResumeMC, R: np.ndarray, n_resumes: int | None, fixed: float | str | None, ridge: float = 0.01
) -> None:
    """Choose the pace and the creations per category and month; fill the plan in place.

    ``n_resumes=None``: the pace (and so M) is the slowest whose fit error is within 1 point
    of the best one (slow paces give longer histories, fast ones follow abrupt stock changes).
    """
    win = plan.calendar.window
    C = R.shape[0]
    warnings = plan.warnings

    def allocate(pace: float) -> tuple[np.ndarray, np.ndarray]:
        A = mc.matrix(pace)
        X = np.vstack([_solve_category(A, R[ci], win, ridge) for ci in range(C)])
        return X, A

    if fixed not in (None, "auto"):
        pace = float(fixed)
    elif n_resumes is None:
        errors = [_fit_error(*allocate(p), R, win) for p in _AUTO_PACES]
        best = min(errors)
        pace = float(max(p for p, e in zip(_AUTO_PACES, errors) if e <= best + _AUTO_SLACK))
    else:
        lo, hi = 0.02, 20.0
        X_lo, _ = allocate(lo)
        X_hi, _ = allocate(hi)
        if n_resumes >= X_lo.sum():
            pace = lo
            warnings.append(
                f"--resumes {n_resumes} is more than the targets need even with the fastest updates "
                f"({X_lo.sum():.0f}); index levels will be about {n_resumes / X_lo.sum():.2f}x the targets"
            )
        elif n_resumes <= X_hi.sum():
            pace = hi
            warnings.append(
                f"--resumes {n_resumes} is too few for the targets ({X_hi.sum():.0f} needed at the slowest "
                f"updates); index levels will be about {n_resumes / max(X_hi.sum(), 1):.2f}x the targets"
            )
        else:
            for _ in range(30):
                mid = float(np.sqrt(lo * hi))
                Xm, _ = allocate(mid)
                if Xm.sum() > n_resumes:
                    lo = mid
                else:
                    hi = mid
                if hi / lo < 1.01:
                    break
            pace = float(np.sqrt(lo * hi))
    X, A = allocate(pace)
    total = X.sum()
    if n_resumes is None:
        n_resumes = max(int(round(total)), 1)
    plan.pace = pace
    plan.n_resumes = int(n_resumes)
    plan.res_prob = X / total if total > 0 else np.full(X.shape, 1.0 / X.size)
    plan.expected_resume_stock = n_resumes * (plan.res_prob @ A.T)
    if plan.given_stock:
        plan.fit_error = round(_fit_error(n_resumes * plan.res_prob, A, R, win), 4)
