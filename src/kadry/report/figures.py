"""The numbers a report shows: indicators from ``kadry.indicators.compute``, each table
passed through ``kadry.privacy.suppress`` before any section sees it.

Sections never call ``compute`` or read the store themselves; they read ``ReportData``,
whose tables are already suppressed, so a new section cannot publish a raw count by
accident. What is suppressed together:

- the index cube: ``region`` x ``period`` with the ``all`` roll-up (one cube for the trend,
  the headline and the regional ranking, so no answer of the report can be subtracted
  from another to reveal a hidden cell); a cell is small when either stock is below k;
- salaries and skills: the vacancy side and the resume side separately (offered figures
  rest on vacancies, expected ones on resumes; a thin resume side must not hide a well
  measured offer), quantiles and shares nulled when the values they rest on are below k;
- store-wide record and quarantine counts, by kind and source (or reason), with totals.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from kadry.indicators import ALL, Engine, band, compute
from kadry.privacy import Hierarchy, suppress
from kadry.report.options import ReportOptions

if TYPE_CHECKING:
    from kadry.indicators.coverage import Span

__all__ = ["ReportData", "suppress_index_cube", "INDEX_VALUES"]

#: index columns nulled with their cell
INDEX_VALUES = ("index", "ci_low", "ci_high")
_OFFERED = ("offered_q1", "offered_median", "offered_q3")
_EXPECTED = ("expected_q1", "expected_median", "expected_q3")


def _iso(values: pd.Series) -> pd.Series:
    return values.map(lambda d: d.isoformat() if isinstance(d, date) else str(d)[:10])


def suppress_index_cube(frame: pd.DataFrame, k: int) -> pd.DataFrame:
    """The deficiency index by ``region`` (with ``all``) and period, small cells hidden.

    ``frame`` is ``compute("index", by=["region"], ...)`` as pandas; the band is re-derived
    from the published index, so a hidden cell has no band either.
    """
    df = frame.copy()
    df["period"] = _iso(df["period"])
    regions = sorted(df["region"].astype(str).unique())
    res = suppress(
        df,
        dimensions=["region", "period"],
        counts=["n_vacancies", "n_resumes"],
        values=list(INDEX_VALUES),
        hierarchies=[Hierarchy.flat("region", regions, total=ALL)],
        k=k,
    )
    out = res.table
    out["band"] = [band(None if pd.isna(x) else float(x)) for x in out["index"]]
    return out


def _side(frame: pd.DataFrame, dims: list[str], count: str, values: dict[str, str], k: int) -> pd.DataFrame:
    """One side (vacancies or resumes) of a table suppressed on its own count."""
    cols = [*dims, count, *values]
    part = frame[[c for c in cols if c in frame.columns]].copy()
    return suppress(part, dimensions=dims, counts=[count], values=values, k=k).table


class ReportData:
    """The suppressed tables of one report; computed once, on first use, on one engine."""

    def __init__(self, opts: ReportOptions, engine: Engine) -> None:
        self.opts = opts
        self.engine = engine
        self.k = opts.k
        self.span: Span | None = None
        #: set by sections with tables of their own (mobility) when simulated records fed them
        self.also_simulated = False
        if opts.first is None or opts.last is None:
            self._default_range()

    # --- range ------------------------------------------------------------------------------
    def _default_range(self) -> None:
        """Missing ``--from``/``--to``: the store's default span (kadry.indicators.coverage.data_span):
        up to the latest month with both vacancies and resumes, at most 24 months."""
        from kadry.errors import InputError
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

    def _compute(
        self, indicator: str, *, by: list[str], filters: dict, start=None, end=None, **options: Any
    ) -> pd.DataFrame:
        t = compute(
            indicator,
            by=by,
            period=self.opts.period,
            start=start or self.opts.first,
            end=end or self.opts.last,
            filters=filters,
            engine=self.engine,
            **options,
        )
        self._meta = json.loads(t.schema.metadata[b"kadry"])
        return t.to_pandas()

    # --- the index cube -----------------------------------------------------------------------
    @cached_property
    def index_cube(self) -> pd.DataFrame:
        """Suppressed index by region (and ``all``) and period, for the segment (and district/country)."""
        place = self.opts.place
        filters = dict(self.opts.seg.filters)
        if place.kind in ("fd", "country"):
            filters.update(place.filters)
        raw = self._compute("index", by=["region"], filters=filters)
        self.index_meta = self._meta
        return suppress_index_cube(raw, self.k)

    @property
    def focus(self) -> str:
        """The cube's row key of the report's place: a subject code, else the roll-up."""
        place = self.opts.place
        if place.kind == "region":
            assert place.value is not None  # parse_place gives every region its subject code
            return place.value
        return ALL

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
        raw = self._compute("salary", by=[], filters=self.opts.filters)
        raw["period"] = _iso(raw["period"])
        if raw.empty:
            return raw
        offered = _side(
            raw,
            ["period"],
            "n_vacancies",
            {"n_salary_vacancies": "n_salary_vacancies", **{c: "n_salary_vacancies" for c in _OFFERED}},
            self.k,
        )
        expected = _side(
            raw,
            ["period"],
            "n_resumes",
            {"n_salary_resumes": "n_salary_resumes", **{c: "n_salary_resumes" for c in _EXPECTED}},
            self.k,
        )
        out = offered.drop(columns=["suppressed", "suppression"]).merge(
            expected.drop(columns=["suppressed", "suppression"]), on="period"
        )
        out["salary_gap"] = out["expected_median"] - out["offered_median"]
        out["simulated"] = raw["simulated"].to_numpy()
        return out.sort_values("period").reset_index(drop=True)

    @cached_property
    def skills_period(self) -> str | None:
        """The period skills are shown for: the headline's, else the last of the range."""
        if self.headline is not None:
            return self.headline["period"]
        return self.trend["period"].iloc[-1] if len(self.trend) else None

    @cached_property
    def skills(self) -> pd.DataFrame:
        """Skills of the segment in ``skills_period``, ranked by published demand then supply."""
        if self.skills_period is None:
            return pd.DataFrame()
        day = self.skills_period
        end = pd.Timestamp(day) + (pd.offsets.MonthEnd(0) if self.opts.period == "month" else pd.offsets.QuarterEnd(0))
        raw = self._compute("skills", by=[], filters=self.opts.filters, start=day, end=end.date().isoformat())
        if raw.empty:
            return raw
        raw["period"] = _iso(raw["period"])
        dims = ["period", "skill"]
        demand = _side(
            raw,
            dims,
            "n_vacancies",
            {"n_vacancies_skill": "n_vacancies_skill", "demand_share": "n_vacancies_skill"},
            self.k,
        )
        supply = _side(
            raw, dims, "n_resumes", {"n_resumes_skill": "n_resumes_skill", "supply_share": "n_resumes_skill"}, self.k
        )
        out = demand.drop(columns=["suppressed", "suppression"]).merge(
            supply.drop(columns=["suppressed", "suppression"]), on=dims
        )
        out["demand_supply_ratio"] = out["demand_share"] / out["supply_share"].where(out["supply_share"] > 0)
        out["simulated"] = raw["simulated"].to_numpy()
        out = out[out["n_vacancies_skill"].notna() | out["n_resumes_skill"].notna()]
        return out.sort_values(
            ["n_vacancies_skill", "n_resumes_skill", "skill"], ascending=[False, False, True], na_position="last"
        ).reset_index(drop=True)

    # --- flags --------------------------------------------------------------------------------
    @property
    def vacancy_rule(self) -> str:
        return getattr(self, "index_meta", {}).get("vacancy_activity_rule") or (
            self.index_cube["vacancy_activity_rule"].iloc[0] if len(self.index_cube) else ""
        )

    @property
    def options(self) -> dict:
        _ = self.index_cube
        return self.index_meta.get("options", {})

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
        rows = self.sql(
            r"""SELECT kind, regexp_replace(reason, '\d+', 'N', 'g'), count(*) FROM quarantine GROUP BY ALL"""
        )
        return self._counts(rows, "reason")

    def _counts(self, rows: list[tuple], what: str) -> pd.DataFrame:
        df = pd.DataFrame(rows, columns=["kind", what, "records"])
        if df.empty:
            return df
        totals = df.groupby("kind", as_index=False)["records"].sum()
        totals[what] = ALL
        df = pd.concat([df, totals], ignore_index=True)
        groups = {ALL: sorted(set(df[what]) - {ALL})}  # per kind: the rows of that kind that exist
        res = suppress(
            df, dimensions=["kind", what], counts=["records"], hierarchies=[Hierarchy(what, groups)], k=self.k
        )
        out = res.table
        order = out["kind"].map({"vacancy": 0, "resume": 1}).fillna(2)
        out = out.assign(_o=order, _t=out[what] == ALL).sort_values(["_o", "kind", "_t", what])
        return out.drop(columns=["_o", "_t"]).reset_index(drop=True)

    @cached_property
    def quality(self) -> list[dict]:
        """Shares normalized, region mapped and role known, by kind (shares of large totals)."""
        out = []
        for kind, table in (("vacancy", "vacancies"), ("resume", "resumes")):
            rows = self.sql(f"""SELECT count(*), count(*) FILTER (WHERE norm_version IS NOT NULL),
                                       count(*) FILTER (WHERE region_status IN ('mapped', 'country_only')),
                                       count(*) FILTER (WHERE role_id IS NOT NULL),
                                       max(norm_version)
                                FROM {table}""")
            n, normalized, mapped, role, version = rows[0]
            if not n:
                continue
            small = n < self.k
            out.append(
                {
                    "kind": kind,
                    "records": None if small else n,
                    "normalized": None if small else normalized / n,
                    "region_mapped": None if small else mapped / n,
                    "role_known": None if small else role / n,
                    "norm_version": version,
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
        """The index and the flows of the segment as published series, with kadry.indicators.series applied."""
        from kadry.indicators.periods import EPOCH, calendar
        from kadry.indicators.series import analyse

        cal = calendar(self.opts.period, self.opts.first, self.opts.last)
        periods = [(EPOCH + pd.Timedelta(days=int(d)).to_pytimedelta()).isoformat() for d in cal["ps"].to_pylist()]
        out = []
        trend = self.trend
        index = dict(zip(trend["period"], trend["index"]))
        out.append(
            {"measure": "index", **analyse(periods, [index.get(p) for p in periods], period=self.opts.period).as_dict()}
        )
        flows = self._compute("flow", by=[], filters=self.opts.filters)
        flows["period"] = _iso(flows["period"])
        for side, count in (("new_vacancies", "n_vacancies"), ("new_resumes", "n_resumes")):
            part = suppress(
                flows[["period", count, side]].copy(), dimensions=["period"], counts=[count], values=[side], k=self.k
            ).table
            values = dict(zip(part["period"], part[side]))
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

        Cut from the publisher's by-source family, so the report shows the cells that
        ``/api/v1/indicators?source=`` serves, never a suppression of its own.
        """
        from kadry.publish import source_cube

        assert self.opts.db is not None  # ReportOptions.resolve() requires the store
        cube = source_cube(self.opts.db, "index", self.opts.period, self.k)
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
