"""The numbers a report shows, cut from the store's release (``kadry.publish``): the cells the
API serves, so the report and ``/api/v1/indicators`` can never be subtracted from each other.

Sections never call ``compute``, ``suppress`` or read cells themselves; they read
``ReportData``, whose tables are slices of the release:

- the index: the segment's row of the ``index`` cube at the report's place (the trend and the
  headline) and at every federal subject of it (the ranking), all from one suppression family;
- salaries and skills: the same segment and place in the ``salary`` and ``skills`` cubes;
- the flows of the series: the ``flow`` cube (released by month only);
- store-wide record and quarantine counts: the release's ``coverage`` and ``quarantine`` tables.

A report by country is refused: the release is cut by federal subject and district only, and a
free filter would be a new, unaudited cut.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from kadry.errors import InputError
from kadry.indicators import ALL, Engine
from kadry.report.options import ReportOptions

if TYPE_CHECKING:
    from kadry.indicators.coverage import Span
    from kadry.publish import Release

__all__ = ["ReportData", "INDEX_VALUES", "place_key"]

#: index columns hidden with their cell
INDEX_VALUES = ("index", "ci_low", "ci_high")


def place_key(opts: ReportOptions) -> str:
    """The release's region key of the report's place (a subject code, ``district:<fd>`` or ``all``)."""
    place = opts.place
    if place.kind == "region":
        assert place.value is not None  # parse_place gives every region its subject code
        return place.value
    if place.kind == "fd":
        return f"district:{place.value}"
    if place.kind == "country":
        raise InputError(
            f"reports by country are not published (releases are cut by federal subject and district): "
            f"use RU-XXX or fd:<district> instead of {place.code}"
        )
    return ALL


class ReportData:
    """The released tables of one report, cut once, on first use."""

    def __init__(self, opts: ReportOptions, engine: Engine, *, say: Callable[[str], None] | None = None) -> None:
        self.opts = opts
        self.say = say
        self.engine = engine
        self.k = opts.k
        self.place = place_key(opts)  # a place the release has no cut for fails here, at once
        self.span: Span | None = None
        #: set by sections with tables of their own (mobility) when simulated records fed them
        self.also_simulated = False
        if opts.first is None or opts.last is None:
            self._default_range()

    # --- range ------------------------------------------------------------------------------
    def _default_range(self) -> None:
        """Missing ``--from``/``--to``: the store's default span (kadry.indicators.coverage.data_span):
        up to the latest month with both vacancies and resumes, at most 24 months."""
        from datetime import date

        from kadry.indicators.coverage import data_span
        from kadry.vocabulary import reason_word

        span = data_span(self.engine, filters=self.opts.filters or None)
        self.span = span
        if span.start is None:
            undated = sum(span.undated.values())
            hint = f"; {reason_word('undated', n=f'{undated:,}')}" if undated else ""
            raise InputError(
                "the store holds no dated record to choose a range from" + hint + " (or give --from and --to)"
            )
        if self.opts.last is None:
            self.opts.last = span.end
        if self.opts.first is None:
            self.opts.first = (
                span.start if span.start <= self.opts.last else date(self.opts.last.year, self.opts.last.month, 1)
            )
        if self.opts.first > self.opts.last:
            raise InputError(f"empty date range: {self.opts.first} is after --to {self.opts.last}")

    def sql(self, query: str) -> list[tuple]:
        """Plain SQL on the store (coverage figures); DuckDB engines only."""
        con = getattr(self.engine.con, "con", None)
        if con is None:
            return []
        return con.execute(query).fetchall()

    # --- the release ----------------------------------------------------------------------------
    @cached_property
    def release(self) -> Release:
        """The store's current release at the report's k, made now if there is none."""
        from kadry.publish import ensure

        assert self.opts.db is not None  # ReportOptions.resolve() requires the store
        return ensure(self.opts.db, self.k, say=self.say)

    def _cells(self, indicator: str, period: str | None = None) -> pd.DataFrame:
        """The released cells of the segment over the report's range (every region)."""
        assert self.opts.first is not None and self.opts.last is not None
        cube = self.release.cube(indicator, period or self.opts.period)
        first, last = self.opts.first.isoformat(), self.opts.last.isoformat()
        keep = (cube["occupation"] == self.opts.seg.code) & (cube["period_end"].astype(str) >= first)
        keep &= cube["period"].astype(str) <= last
        out = cube[keep].copy()
        out.attrs = dict(cube.attrs)
        return out

    def _here(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of the report's place, one per period (and skill)."""
        return frame[frame["region"] == self.place].drop(columns=["occupation"]).reset_index(drop=True)

    # --- the index cube -----------------------------------------------------------------------
    @cached_property
    def index_cube(self) -> pd.DataFrame:
        """Released index of the segment by period at the place (region ``all`` when the place is
        everywhere or a district) and at each federal subject of the place."""
        cells = self._cells("index")
        parents = cells.attrs.get("parents:region", {})
        kind = self.opts.place.kind
        subjects = {s for s, d in parents.items() if kind != "fd" or d == self.place}
        rows = cells[cells["region"].isin(subjects) | (cells["region"] == self.place)].copy()
        if kind != "region":
            rows["region"] = rows["region"].where(rows["region"] != self.place, ALL)
        return rows.drop(columns=["occupation"]).reset_index(drop=True)

    @property
    def focus(self) -> str:
        """The cube's row key of the report's place: a subject code, else the roll-up."""
        return self.place if self.opts.place.kind == "region" else ALL

    @cached_property
    def trend(self) -> pd.DataFrame:
        cube = self.index_cube
        return cube[cube["region"] == self.focus].sort_values("period").reset_index(drop=True)

    @cached_property
    def headline(self) -> dict | None:
        """The last period of the trend whose index is published, else None."""
        shown = self.trend.dropna(subset=["index"])
        return None if shown.empty else shown.iloc[-1].to_dict()

    @cached_property
    def ranking(self) -> pd.DataFrame:
        """Federal subjects at the headline period (else the last period), published ones first."""
        cube = self.index_cube
        if self.headline is not None:
            period = self.headline["period"]
        elif len(self.trend):
            period = self.trend["period"].iloc[-1]
        else:
            return cube.iloc[0:0]
        rows = cube[(cube["period"] == period) & cube["region"].str.startswith("RU-")]
        return rows.sort_values(["index", "region"], ascending=[False, True], na_position="last").reset_index(drop=True)

    # --- salaries and skills ---------------------------------------------------------------------
    @cached_property
    def salary(self) -> pd.DataFrame:
        return self._here(self._cells("salary")).sort_values("period").reset_index(drop=True)

    @cached_property
    def skills_period(self) -> str | None:
        """The quarter skills are shown for (skills are released by quarter): the headline's, else
        the last of the range."""
        from kadry.indicators.periods import EPOCH, calendar, parse_day
        from kadry.publish.cubes import SKILLS_PERIODS

        if self.headline is not None:
            day = parse_day(self.headline["period"])
        elif len(self.trend):
            day = parse_day(self.trend["period"].iloc[-1])
        else:
            return None
        start = calendar(SKILLS_PERIODS[0], day, day)["ps"][0].as_py()  # the calendar's own periods
        return (EPOCH + pd.Timedelta(days=start).to_pytimedelta()).isoformat()

    @cached_property
    def skills(self) -> pd.DataFrame:
        """Skills of the segment in ``skills_period``, ranked by published demand then supply."""
        if self.skills_period is None:
            return pd.DataFrame()
        from kadry.publish.cubes import SKILLS_PERIODS

        out = self._here(self._cells("skills", SKILLS_PERIODS[0]))
        out = out[(out["period"] == self.skills_period)]
        out = out[out["n_vacancies_skill"].notna() | out["n_resumes_skill"].notna()]
        return out.sort_values(
            ["n_vacancies_skill", "n_resumes_skill", "skill"], ascending=[False, False, True], na_position="last"
        ).reset_index(drop=True)

    # --- flags --------------------------------------------------------------------------------
    @property
    def vacancy_rule(self) -> str:
        cube = self.index_cube
        return str(cube["vacancy_activity_rule"].iloc[0]) if len(cube) else ""

    @property
    def options(self) -> dict:
        """The interval's confidence and the activity window: the indicators' defaults, which the
        release is computed with."""
        from kadry.indicators import Options

        defaults = Options()
        return {"confidence": defaults.confidence, "window": defaults.window}

    @property
    def simulated(self) -> bool:
        """Whether any simulated record contributed to any figure shown."""
        used = [self.trend, self.ranking]
        if "salary" in self.__dict__:
            used.append(self.salary)
        if "skills" in self.__dict__:
            used.append(self.skills)
        return self.also_simulated or any(bool(t["simulated"].any()) for t in used if len(t) and "simulated" in t)

    # --- coverage -------------------------------------------------------------------------------
    @cached_property
    def released_coverage(self) -> pd.DataFrame:
        """The publisher's coverage table (whole store): the cells the API's /coverage serves."""
        from kadry.publish import coverage_cells

        assert self.opts.db is not None  # ReportOptions.resolve() requires the store
        return coverage_cells(self.opts.db, self.k)

    @property
    def records(self) -> pd.DataFrame:
        """Records by kind and source with the kind's total (``all``), as released."""
        return self.released_coverage[["kind", "source", "records", "simulated", "suppressed"]]

    @cached_property
    def quarantine(self) -> pd.DataFrame:
        """Quarantined records by kind and reason, with the kind's total, as released."""
        from kadry.publish import whole_table
        from kadry.publish.cubes import QUARANTINE

        assert self.opts.db is not None
        return whole_table(self.opts.db, QUARANTINE, self.k)

    @cached_property
    def quality(self) -> list[dict]:
        """Per kind over the whole store: records and the shares dated, with a known region and
        with a known role, as released (the coverage table's total row; a share the release
        hides stays hidden); the normalization version is read from the store (not a count)."""
        frame = self.released_coverage
        out = []
        for kind, table in (("vacancy", "vacancies"), ("resume", "resumes")):
            row = frame[(frame["kind"] == kind) & (frame["source"] == ALL)]
            if row.empty:
                continue
            cell = row.iloc[0]
            out.append(
                {
                    "kind": kind,
                    **{
                        key: None if pd.isna(cell[col]) else float(cell[col])
                        for key, col in (
                            ("records", "records"),
                            ("dated", "dated_share"),
                            ("region_known", "region_known_share"),
                            ("role_known", "role_known_share"),
                        )
                    },
                    "norm_version": self.sql(f"SELECT max(norm_version) FROM {table}")[0][0],
                }
            )
        return out

    @property
    def coverage(self) -> pd.DataFrame:
        """Per kind and source: shares with a known region, role, salary, skills (the released table)."""
        frame = self.released_coverage
        frame = frame[frame["source"] != ALL]
        return frame[
            [c for c in frame.columns if c.endswith("_share") or c in ("kind", "source", "records", "simulated")]
        ]

    @cached_property
    def series(self) -> list[dict]:
        """The index and the flows of the segment as published series, with kadry.indicators.series
        applied; flows only where they are released (by month)."""
        from kadry.indicators.periods import EPOCH, calendar
        from kadry.indicators.series import analyse
        from kadry.publish.cubes import FLOW_PERIODS

        cal = calendar(self.opts.period, self.opts.first, self.opts.last)
        periods = [(EPOCH + pd.Timedelta(days=int(d)).to_pytimedelta()).isoformat() for d in cal["ps"].to_pylist()]
        out = []
        trend = self.trend
        index = dict(zip(trend["period"], trend["index"]))
        out.append(
            {"measure": "index", **analyse(periods, [index.get(p) for p in periods], period=self.opts.period).as_dict()}
        )
        if self.opts.period not in FLOW_PERIODS:
            return out
        flows = self._here(self._cells("flow"))
        for side in ("new_vacancies", "new_resumes"):
            values = dict(zip(flows["period"], flows[side]))
            out.append(
                {
                    "measure": side,
                    **analyse(periods, [values.get(p) for p in periods], period=self.opts.period).as_dict(),
                }
            )
        return out

    @cached_property
    def by_source(self) -> pd.DataFrame:
        """The index by source (all occupations and regions) over the report's range.

        Cut from the release's by-source family, so the report shows the cells that
        ``/api/v1/indicators?source=`` serves, never a suppression of its own (its total is the
        index cube's all/all cell, shown or hidden as there).
        """
        from kadry.publish.cubes import BY_SOURCE

        cube = self.release.cube(f"index{BY_SOURCE}", self.opts.period)
        first, last = self.opts.first.isoformat(), self.opts.last.isoformat()
        rows = cube[(cube["period_end"].astype(str) >= first) & (cube["period"].astype(str) <= last)]
        cols = ["source", "period", "n_vacancies", "n_resumes", "index", "band", "suppressed", "simulated"]
        out = rows[[c for c in cols if c in rows.columns]].copy()
        out["_total"] = out["source"] == ALL
        out = out.sort_values(["_total", "source", "period"]).drop(columns="_total").reset_index(drop=True)
        return out

    @cached_property
    def sources(self) -> list[str]:
        return [
            r[0] for r in self.sql("SELECT DISTINCT source FROM vacancies UNION SELECT DISTINCT source FROM resumes")
        ]
