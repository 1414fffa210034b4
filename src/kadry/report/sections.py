"""The report's sections: one function each, ``(ctx) -> HTML string`` (empty to leave it out).

A section reads only ``ctx.data`` (suppressed tables, see ``kadry.report.figures``) and
``ctx.L`` (the words of the report's language). To add a section, write a function here
(or anywhere) and put it in ``SECTIONS`` or pass ``sections=`` to ``build_report``.
Cells carry ``data-col`` / ``data-value`` attributes so tests and scripts can read the
exact published figures back from the page.
"""

from __future__ import annotations

import html
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from kadry.errors import KadryError
from kadry.indicators import ALL
from kadry.report.charts import BAND_COLOURS, Bar, Point, bars_svg, index_trend_svg, paired_bars_svg, salary_svg
from kadry.report.figures import ReportData
from kadry.report.labels import BAND_LABELS, Labels, is_missing
from kadry.report.options import country_names, subject_names

__all__ = [
    "Context",
    "Section",
    "SECTIONS",
    "summary_section",
    "trend_section",
    "series_section",
    "regions_section",
    "salary_section",
    "skills_section",
    "mobility_section",
    "by_source_section",
    "sources_section",
]


@dataclass
class Context:
    data: ReportData
    L: Labels

    @property
    def opts(self):
        return self.data.opts

    def period(self, value: Any, *, short: bool = False) -> str:
        return self.L.period(value, self.opts.period, short=short)


Section = Callable[[Context], str]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _cell(ctx: Context, value: Any, col: str, digits: int = 0, pct: bool = False) -> str:
    """A table cell: the published figure, or a dash for a hidden one; the exact value in ``data-value``."""
    if is_missing(value):
        return f'<td class="num hidden" data-col="{col}" data-value="">{ctx.L["hidden"]}</td>'
    text = f"{float(value):.0%}" if pct else ctx.L.num(value, digits)
    if pct and ctx.L.lang == "ru":
        text = text.replace("%", "\u00a0%")
    return f'<td class="num" data-col="{col}" data-value="{float(value)!r}">{text}</td>'


def _sim(ctx: Context, flag: Any) -> str:
    return f'<span class="sim-mark">{ctx.L["sim_mark"]}</span>' if bool(flag) else ""


def _band_chip(ctx: Context, name: str | None) -> str:
    if is_missing(name):
        return ctx.L["hidden"]
    colour = next((c for _, n, c in BAND_COLOURS if n == name), "#eee")
    return f'<span class="band" style="background:{colour}" data-band="{_e(name)}">{_e(ctx.L.band(name))}</span>'


def _sim_note(ctx: Context, frame: pd.DataFrame) -> str:
    if len(frame) and "simulated" in frame and bool(frame["simulated"].any()):
        return f'<p class="sim-inline"><strong>{ctx.L["simulated_banner"]}</strong> · {ctx.L["sim_note"]}</p>'
    return ""


def _segment_text(ctx: Context) -> str:
    seg = ctx.opts.seg
    if seg.kind == "all":
        return ctx.L["seg_all"]
    if seg.kind == "it":
        return ctx.L["seg_it"]
    word = ctx.L["seg_role"] if seg.kind == "role" else ctx.L["seg_category"]
    return f"{word}: {seg.name(ctx.L.lang)}"


def _place_text(ctx: Context) -> str:
    place = ctx.opts.place
    if place.kind == "all":
        return ctx.L["reg_all"]
    if place.kind == "region":
        return f"{subject_names(ctx.L.lang).get(place.value, place.value)} ({place.value})"
    if place.kind == "fd":
        from kadry.normalize.regions import FEDERAL_DISTRICTS

        return f"{ctx.L['reg_fd']}: {FEDERAL_DISTRICTS[place.value]} ({place.value})"
    return f"{ctx.L['reg_country']}: {country_names().get(place.value, place.value)} ({place.value})"


def _region_name(ctx: Context, code: str) -> str:
    if code == ALL:
        return ctx.L["total"]
    if code == "unknown":
        return ctx.L["unknown_region"]
    return subject_names(ctx.L.lang).get(code, code)


# --- sections ------------------------------------------------------------------------------------


def summary_section(ctx: Context) -> str:
    """Title, what the report covers, the simulated-data banner, and the latest published index."""
    d, L = ctx.data, ctx.L
    level = f"{d.options.get('confidence', 0.95):.0%}"
    out = [
        '<header class="report-head">',
        f"<h1>{_e(L['title'])}</h1>",
        '<dl class="facts">',
        f'<dt>{L["segment"]}</dt><dd data-fact="segment">{_e(_segment_text(ctx))}</dd>',
        f'<dt>{L["region"]}</dt><dd data-fact="region">{_e(_place_text(ctx))}</dd>',
        f'<dt>{L["range"]}</dt><dd data-fact="range">{d.opts.first.isoformat()} — {d.opts.last.isoformat()} '
        f"({_e(L['period_kind'][d.opts.period])})</dd>",
        f"<dt>{L['generated']}</dt><dd>{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}</dd>",
        "</dl></header>",
    ]
    if d.simulated:
        out.append(
            f'<div class="sim-banner" role="note" data-simulated="true"><strong>{L["simulated_banner"]}</strong>'
            f"<p>{_e(L['simulated_text'])}</p></div>"
        )
    out.append(f'<section id="summary"><h2>{L["h_summary"]}</h2>')
    span = getattr(d, "span", None)
    if span is not None and span.start is not None:
        out.append(
            f'<p class="note" id="range-note">{_e(L("range_note", start=d.opts.first.isoformat(), end=d.opts.last.isoformat()))}</p>'
        )
    h = d.headline
    if h is None:
        why = _missing_why(ctx)
        out.append(
            f'<p class="empty" id="no-index" data-reason="{_e(why or "")}">{_e(L["no_index"])}'
            + (f" {_e(L[why])}" if why else "")
            + "</p>"
        )
    else:
        period = ctx.period(h["period"])
        out.append('<div class="headline" data-period="{}">'.format(_e(h["period"])))
        out.append(f'<div class="big" data-col="index" data-value="{float(h["index"])!r}">{L.num(h["index"], 2)}</div>')
        out.append(
            f'<div class="what"><div>{_e(L["index_long"])}</div><div>{_band_chip(ctx, h["band"])} {_sim(ctx, h["simulated"])}</div>'
            f'<div class="ci" data-col="ci" data-low="{_val(h["ci_low"])}" data-high="{_val(h["ci_high"])}">'
            f"{_e(L('ci', level=level))}: {L.num(h['ci_low'], 2)}–{L.num(h['ci_high'], 2)}</div>"
            f"<div>{_e(L['latest'])}: {_e(period)}</div></div></div>"
        )
        out.append(
            "<p>"
            + _e(
                L(
                    "summary_text",
                    period=period,
                    index=L.num(h["index"], 2),
                    band=L.band(h["band"]),
                    level=level,
                    low=L.num(h["ci_low"], 2),
                    high=L.num(h["ci_high"], 2),
                )
            )
            + " "
            + _e(L("counts_text", v=L.num(h["n_vacancies"]), r=L.num(h["n_resumes"])))
            + "</p>"
        )
    out.append(f'<p class="note"><strong>{_e(L["bands_title"])}:</strong> {_e(L["bands_text"])}</p>')
    out.append("</section>")
    return "\n".join(out)


def _missing_why(ctx: Context) -> str | None:
    """Why no index is published: the side missing in the range (a vocabulary REASONS key), else None."""
    trend = ctx.data.trend
    if trend.empty:
        return "no_data"
    span = getattr(ctx.data, "span", None)
    if span is not None and span.reason:
        return span.reason
    return None


def _val(v: Any) -> str:
    return "" if is_missing(v) else repr(float(v))


def trend_section(ctx: Context) -> str:
    """The index by period as a line over the bands, and the table of its figures."""
    d, L = ctx.data, ctx.L
    trend = d.trend
    if trend.empty:
        return ""
    band_names = {name: L.band(name) for name in BAND_LABELS}
    points = [
        Point(ctx.period(r.period, short=True), r.index, r.ci_low, r.ci_high, bool(r.simulated))
        for r in trend.itertuples()
    ]
    rows = []
    for r in trend.itertuples():
        rows.append(
            f'<tr data-period="{_e(r.period)}"><th scope="row">{_e(ctx.period(r.period))}</th>'
            f"{_cell(ctx, r.index, 'index', 2)}<td>{_band_chip(ctx, r.band)}</td>"
            f"{_cell(ctx, r.ci_low, 'ci_low', 2)}{_cell(ctx, r.ci_high, 'ci_high', 2)}"
            f"{_cell(ctx, r.n_vacancies, 'n_vacancies')}{_cell(ctx, r.n_resumes, 'n_resumes')}"
            f"<td>{_sim(ctx, r.simulated)}</td></tr>"
        )
    level = f"{d.options.get('confidence', 0.95):.0%}"
    head = (
        f'<tr><th>{L["period"]}</th><th>{L["index"]}</th><th>{L["band"]}</th><th colspan="2">{_e(L("ci", level=level))}</th>'
        f"<th>{L['n_vacancies']}</th><th>{L['n_resumes']}</th><th></th></tr>"
    )
    return "\n".join(
        [
            f'<section id="trend"><h2>{L["h_trend"]}</h2>',
            _sim_note(ctx, trend),
            f"<figure>{index_trend_svg(points, band_names=band_names, title=L['h_trend'])}"
            f"<figcaption>{_e(L['trend_caption'])}</figcaption></figure>",
            f'<table class="figures" id="trend-table"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>',
            f'<p class="note">{_e(L("hidden_note", k=d.k))}</p>',
            "</section>",
        ]
    )


def regions_section(ctx: Context, top: int = 10) -> str:
    """Federal subjects ranked by the index (top and bottom), the report's own region marked."""
    d, L = ctx.data, ctx.L
    ranking = d.ranking
    if ranking.empty:
        return ""
    period = ctx.period(ranking["period"].iloc[0])
    shown = ranking.dropna(subset=["index"])
    focus = d.opts.place.value if d.opts.place.kind == "region" else None
    out = [
        f'<section id="regions"><h2>{L["h_regions"]}</h2>',
        _sim_note(ctx, ranking),
        f"<p>{_e(L('regions_caption', period=period))}</p>",
    ]
    if shown.empty:
        out.append(f'<p class="empty">{_e(L("regions_none", k=d.k))}</p></section>')
        return "\n".join(out)
    colours = {n: c for _, n, c in BAND_COLOURS}

    def bars(rows: pd.DataFrame) -> list[Bar]:
        return [
            Bar(
                _region_name(ctx, r.region),
                float(r.index),
                colours.get(r.band, "#ccc"),
                r.ci_low,
                r.ci_high,
                strong=r.region == focus,
            )
            for r in rows.itertuples()
        ]

    if focus is not None and focus in set(shown["region"]):
        rank = list(shown["region"]).index(focus) + 1
        row = shown[shown["region"] == focus].iloc[0]
        out.append(
            f'<p class="focus-rank"><strong>{_e(L("regions_focus", name=_region_name(ctx, focus), rank=rank, n=len(shown), index=L.num(row["index"], 2)))}</strong></p>'
        )
    highest = shown.head(top)
    lowest = shown.iloc[::-1].head(top) if len(shown) > top else shown.iloc[0:0]
    out.append(f"<h3>{_e(L['regions_top'])}</h3><figure>{bars_svg(bars(highest), title=L['regions_top'])}</figure>")
    if len(lowest):
        out.append(
            f"<h3>{_e(L['regions_bottom'])}</h3><figure>{bars_svg(bars(lowest), title=L['regions_bottom'])}</figure>"
        )
    rows = []
    for rank, r in enumerate(shown.itertuples(), start=1):
        mark = ' class="focus"' if r.region == focus else ""
        rows.append(
            f'<tr data-region="{_e(r.region)}"{mark}><td>{rank}</td>'
            f'<th scope="row">{_e(_region_name(ctx, r.region))} <span class="code">{_e(r.region)}</span></th>'
            f"{_cell(ctx, r.index, 'index', 2)}{_cell(ctx, r.ci_low, 'ci_low', 2)}{_cell(ctx, r.ci_high, 'ci_high', 2)}"
            f"<td>{_band_chip(ctx, r.band)}</td>"
            f"{_cell(ctx, r.n_vacancies, 'n_vacancies')}{_cell(ctx, r.n_resumes, 'n_resumes')}<td>{_sim(ctx, r.simulated)}</td></tr>"
        )
    level = f"{d.options.get('confidence', 0.95):.0%}"
    out.append(
        f'<table class="figures" id="regions-table"><thead><tr><th>{L["rank"]}</th><th>{L["region_col"]}</th>'
        f'<th>{L["index"]}</th><th colspan="2">{_e(L("ci", level=level))}</th><th>{L["band"]}</th><th>{L["n_vacancies"]}</th>'
        f"<th>{L['n_resumes']}</th><th></th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    hidden = ranking[ranking["index"].isna()]
    if len(hidden):
        names = ", ".join(_region_name(ctx, c) for c in hidden["region"])
        out.append(
            f'<p class="note" id="regions-hidden">{_e(L("regions_hidden", n=len(hidden), total=len(ranking)))} {_e(names)}.</p>'
        )
    out.append("</section>")
    return "\n".join(out)


def salary_section(ctx: Context) -> str:
    """Offered (vacancies) and expected (resumes) salaries: medians and quartiles by period."""
    d, L = ctx.data, ctx.L
    sal = d.salary
    if sal.empty:
        return ""
    out = [f'<section id="salary"><h2>{L["h_salary"]}</h2>', _sim_note(ctx, sal)]
    cols = ["offered_q1", "offered_median", "offered_q3", "expected_q1", "expected_median", "expected_q3"]
    if sal[cols].isna().all().all():
        out.append(f'<p class="empty">{_e(L["salary_none"])}</p></section>')
        return "\n".join(out)
    chart_rows = [
        {**{c: getattr(r, c) for c in cols}, "label": ctx.period(r.period, short=True)} for r in sal.itertuples()
    ]
    out.append(
        f"<figure>{salary_svg(chart_rows, title=L['h_salary'], legend=(L['offered'], L['expected']))}"
        f"<figcaption>{_e(L['salary_caption'])}</figcaption></figure>"
    )
    rows = []
    for r in sal.itertuples():
        rows.append(
            f'<tr data-period="{_e(r.period)}"><th scope="row">{_e(ctx.period(r.period))}</th>'
            + "".join(
                _cell(ctx, getattr(r, c), c) for c in ("offered_q1", "offered_median", "offered_q3", "n_vacancies")
            )
            + "".join(
                _cell(ctx, getattr(r, c), c) for c in ("expected_q1", "expected_median", "expected_q3", "n_resumes")
            )
            + _cell(ctx, r.salary_gap, "salary_gap")
            + f"<td>{_sim(ctx, r.simulated)}</td></tr>"
        )
    quart = f"<th>{L['q1']}</th><th>{L['median']}</th><th>{L['q3']}</th>"
    out.append(
        f'<table class="figures" id="salary-table"><thead><tr><th rowspan="2">{L["period"]}</th>'
        f'<th colspan="4">{_e(L["offered"])}</th><th colspan="4">{_e(L["expected"])}</th><th rowspan="2">{_e(L["gap"])}</th>'
        f'<th rowspan="2"></th></tr><tr>{quart}<th>{L["n_vacancies"]}</th>{quart}<th>{L["n_resumes"]}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )
    out.append("</section>")
    return "\n".join(out)


def skills_section(ctx: Context, top: int = 15) -> str:
    """The skills vacancies of the segment name most, with the share of resumes naming them."""
    from kadry.publish.cubes import SKILLS_PERIODS

    d, L = ctx.data, ctx.L
    sk = d.skills
    if d.skills_period is None:
        return ""
    out = [
        f'<section id="skills"><h2>{L["h_skills"]}</h2>',
        _sim_note(ctx, sk),
        f"<p>{_e(L('skills_caption', period=L.period(d.skills_period, SKILLS_PERIODS[0])))}</p>",
    ]
    if sk.empty:
        out.append(f'<p class="empty">{_e(L["skills_none"])}</p></section>')
        return "\n".join(out)
    sk = sk.head(top)
    pairs = [(r.skill, r.demand_share, r.supply_share) for r in sk.itertuples()]
    out.append(
        f"<figure>{paired_bars_svg(pairs, title=L['h_skills'], legend=(L['demand_share'], L['supply_share']))}</figure>"
    )
    rows = []
    for r in sk.itertuples():
        rows.append(
            f'<tr data-skill="{_e(r.skill)}"><th scope="row">{_e(r.skill)}</th>'
            f"{_cell(ctx, r.n_vacancies_skill, 'n_vacancies_skill')}{_cell(ctx, r.demand_share, 'demand_share', pct=True)}"
            f"{_cell(ctx, r.n_resumes_skill, 'n_resumes_skill')}{_cell(ctx, r.supply_share, 'supply_share', pct=True)}"
            f"{_cell(ctx, r.demand_supply_ratio, 'demand_supply_ratio', 2)}<td>{_sim(ctx, r.simulated)}</td></tr>"
        )
    out.append(
        f'<table class="figures" id="skills-table"><thead><tr><th>{L["skill"]}</th><th>{L["demand"]}</th>'
        f"<th>{L['demand_share']}</th><th>{L['supply']}</th><th>{L['supply_share']}</th><th>{L['ratio']}</th><th></th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )
    out.append("</section>")
    return "\n".join(out)


def _csv_block(ctx: Context, rows: list[dict], name: str) -> str:
    """The chart's figures as CSV inside the page (the report fetches nothing, so no download link)."""
    import csv
    import io

    if not rows:
        return ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: ("" if is_missing(v) else v) for k, v in r.items()} for r in rows)
    return f'<details class="csv" data-csv="{_e(name)}"><summary>CSV</summary><pre>{_e(buf.getvalue())}</pre></details>'


def series_section(ctx: Context) -> str:
    """The index and the flows seasonally adjusted (or why not), year on year, and a trend line with its interval."""
    from kadry.report.charts import series_svg

    d, L = ctx.data, ctx.L
    if d.opts.first is None:
        return ""
    out = [f'<section id="series"><h2>{_e(L["series"])}</h2>']
    names = {"index": L["index"], "new_vacancies": L["new_vacancies"], "new_resumes": L["new_resumes"]}
    for s in d.series:
        rows = s["rows"]
        if not any(not is_missing(r["value"]) for r in rows):
            continue
        labels = [ctx.period(r["period"], short=True) for r in rows]
        out.append(f"<h3>{_e(names[s['measure']])}</h3>")
        out.append(
            f'<figure data-measure="{s["measure"]}" data-adjusted="{str(s["adjusted"]).lower()}">'
            f"{series_svg(labels, rows, title=names[s['measure']], legend=(L['raw'], L['adjusted'], L['trend']))}"
        )
        if s["adjusted"]:
            note = L("method", method=s["method"], span=s["span"])
        else:
            why = s["why"] or {"code": "no_data"}
            note = L("not_adjusted", why=L(why["code"], **{k: v for k, v in why.items() if k != "code"}))
        t = s["trend"]
        if t.get("fitted"):
            note += " " + L(
                "slope",
                slope=L.num(t["slope_per_year"], 2),
                low=L.num(t["slope_low"], 2),
                high=L.num(t["slope_high"], 2),
            )
        out.append(f'<figcaption class="series-note">{_e(note)}</figcaption></figure>')
        yoy = [r for r in rows if not is_missing(r["yoy"])]
        if yoy:
            out.append(
                f'<p class="note">{_e(L["yoy"])}: '
                + ", ".join(f"{_e(ctx.period(r['period'], short=True))} {float(r['yoy']):+.1%}" for r in yoy[-6:])
                + "</p>"
            )
        out.append(
            _csv_block(
                ctx,
                [
                    {
                        "period": r["period"],
                        "value": r["value"],
                        "adjusted": r["adjusted"],
                        "trend": r["trend"],
                        "trend_low": r["trend_low"],
                        "trend_high": r["trend_high"],
                        "yoy": r["yoy"],
                    }
                    for r in rows
                ],
                s["measure"],
            )
        )
    out.append("</section>")
    return "\n".join(out)


_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


def mobility_section(ctx: Context) -> str:
    """Flows from ``kadry.mobility.report.flows_report_section`` over the release's moves (the API's cells).

    The module is imported, not probed: a missing mobility package is an error at build time, never
    a silently blank section.
    """
    d, L = ctx.data, ctx.L
    from kadry.mobility.report import flows_report_section  # a missing mobility package is an error, not a blank

    wanted = dict(
        start=d.opts.first,
        end=d.opts.last,
        filters=d.opts.seg.filters or None,
        k=d.k,
        title=L["h_mobility"],
        lang=L.lang,
    )
    accepted = inspect.signature(flows_report_section).parameters
    kwargs = {k: v for k, v in wanted.items() if k in accepted}
    try:
        from kadry.publish import whole_table

        text = flows_report_section(whole_table(str(d.opts.db), "moves", d.k), **kwargs)
    except KadryError as exc:
        return f'<section id="mobility"><h2>{L["h_mobility"]}</h2><p class="empty">{_e(exc)}</p></section>'
    # inline SVG in HTML needs no namespace; dropping it keeps the page free of any address
    text = _XMLNS.sub("", text)
    if "kadry-simulated" in text and "</h2>" in text:  # the report's own label, as in every other section
        d.also_simulated = True
        label = f'<p class="sim-inline"><strong>{L["simulated_banner"]}</strong> · {_e(L["simulated_text"])}</p>'
        text = text.replace("</h2>", "</h2>" + label, 1)
    return text


def by_source_section(ctx: Context) -> str:
    """The index of each source beside the others and their total: sources are never mixed silently.

    Left out when the store holds one source only (its line would be the total's).
    """
    d, L = ctx.data, ctx.L
    table = d.by_source
    sources = sorted(set(table["source"]) - {ALL}) if len(table) else []
    if len(sources) < 2:
        return ""
    rows = "".join(
        f'<tr data-source="{_e(r["source"])}" data-period="{_e(str(r["period"])[:10])}"'
        f"{' class=total' if r['source'] == ALL else ''}>"
        f"<td>{_e(L['total'] if r['source'] == ALL else r['source'])}{_sim(ctx, r.get('simulated'))}</td>"
        f"<td>{_e(ctx.period(str(r['period'])[:10]))}</td>"
        f"{_cell(ctx, r['n_vacancies'], 'n_vacancies')}{_cell(ctx, r['n_resumes'], 'n_resumes')}"
        f"{_cell(ctx, r['index'], 'index', 1)}</tr>"
        for r in table.to_dict(orient="records")
    )
    return (
        f'<section id="by-source"><h2>{_e(L["h_by_source"])}</h2>'
        f'<table class="figures" id="by-source-table"><thead><tr><th>{L["source"]}</th><th>{L["period"]}</th>'
        f"<th>{L['n_vacancies']}</th><th>{L['n_resumes']}</th><th>{L['index']}</th></tr></thead>"
        f'<tbody>{rows}</tbody></table><p class="note">{_e(L["by_source_note"])}</p></section>'
    )


#: source -> (ru, en) citation, as plain text (never a link: the page makes no request)
_CITATIONS = {
    "hh": ("hh.ru (HeadHunter: api.hh.ru и открытые выгрузки)", "hh.ru (HeadHunter: api.hh.ru and public data dumps)"),
    "trudvsem": ("«Работа России» (trudvsem.ru, открытые данные)", "Rabota Rossii (trudvsem.ru, open data)"),
    "sim": ("симулятор kadry (смоделированные записи)", "kadry simulator (simulated records)"),
}


def sources_section(ctx: Context) -> str:
    """Counts by source, normalization coverage, quarantine, the rules used and the sources cited."""
    d, L = ctx.data, ctx.L
    out = [f'<section id="sources"><h2>{L["h_sources"]}</h2>', f"<h3>{L['src_records']}</h3>"]
    rec = d.records
    kind_word = {"vacancy": L["vacancy"], "resume": L["resume"]}
    rows = "".join(
        f'<tr data-kind="{_e(r.kind)}" data-source="{_e(r.source)}"{" class=total" if r.source == ALL else ""}>'
        f"<td>{_e(kind_word.get(r.kind, r.kind))}</td><td>{_e(L['total'] if r.source == ALL else r.source)}"
        f"{_sim(ctx, r.simulated and r.source != 'sim')}</td>{_cell(ctx, r.records, 'records')}</tr>"
        for r in rec.itertuples()
    )
    out.append(
        f'<table class="figures" id="records-table"><thead><tr><th>{L["kind"]}</th><th>{L["source"]}</th>'
        f"<th>{L['records']}</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    out.append(f"<h3>{L['src_quality']}</h3>")
    q_rows = "".join(
        f'<tr data-kind="{q["kind"]}"><td>{_e(kind_word[q["kind"]])}</td>{_cell(ctx, q["records"], "records")}'
        f"{_cell(ctx, q['dated'], 'dated', pct=True)}{_cell(ctx, q['region_known'], 'region_known', pct=True)}"
        f"{_cell(ctx, q['role_known'], 'role_known', pct=True)}</tr>"
        for q in d.quality
    )
    out.append(
        f'<table class="figures" id="quality-table"><thead><tr><th>{L["kind"]}</th><th>{L["records"]}</th>'
        f"<th>{L['dated']}</th><th>{_e(L['region_known_long'])}</th><th>{_e(L['role_known'])}</th></tr></thead>"
        f"<tbody>{q_rows}</tbody></table>"
    )
    cov = d.coverage
    if len(cov):
        share_cols = ["region_known_share", "role_known_share", "salary_known_share", "skills_known_share"]
        c_rows = "".join(
            f'<tr data-kind="{_e(r["kind"])}" data-source="{_e(r["source"])}"><td>{_e(kind_word.get(r["kind"], r["kind"]))}</td>'
            f"<td>{_e(r['source'])}</td>{_cell(ctx, r['records'], 'records')}"
            + "".join(_cell(ctx, r[c], c, pct=True) for c in share_cols)
            + "</tr>"
            for r in cov.to_dict(orient="records")
        )
        out.append(
            f'<h3>{_e(L["coverage"])}</h3><table class="figures" id="coverage-table"><thead><tr><th>{L["kind"]}</th>'
            f"<th>{L['source']}</th><th>{L['records']}</th>"
            + "".join(f"<th>{_e(L[c.replace('_share', '')])}</th>" for c in share_cols)
            + f'</tr></thead><tbody>{c_rows}</tbody></table><p class="note">{_e(L["unknown_excluded"])}</p>'
        )
    versions = sorted({q["norm_version"] for q in d.quality if q["norm_version"]})
    if versions:
        out.append(f'<p class="note">{_e(L("norm_version", v=", ".join(versions)))}</p>')
    out.append(f"<h3>{L['src_quarantine']}</h3>")
    qu = d.quarantine
    if qu.empty:
        out.append(f"<p>{_e(L['quarantine_none'])}</p>")
    else:
        rows = "".join(
            f'<tr data-kind="{_e(r.kind)}"{" class=total" if r.reason == ALL else ""}><td>{_e(kind_word.get(r.kind, r.kind))}</td>'
            f"<td>{_e(L['total'] if r.reason == ALL else r.reason)}</td>{_cell(ctx, r.records, 'records')}</tr>"
            for r in qu.itertuples()
        )
        out.append(
            f'<table class="figures" id="quarantine-table"><thead><tr><th>{L["kind"]}</th><th>{L["reason"]}</th>'
            f"<th>{L['records']}</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    window = d.options.get("window", 30)
    out.append(
        f'<h3>{L["src_rules"]}</h3><ul class="rules">'
        f'<li data-fact="vacancy_rule">{_e(L["vacancy_rule"])}: <code>{_e(d.vacancy_rule)}</code></li>'
        f"<li>{_e(L('resume_rule', window=window))}</li><li>{_e(L['ci_rule'])}</li>"
        f"<li>{_e(L('suppression_rule', k=d.k))}</li></ul>"
    )
    lang = 0 if L.lang == "ru" else 1
    names = [_CITATIONS[s][lang] if s in _CITATIONS else s.replace("csv:", "CSV ") for s in sorted(d.sources)]
    out.append(f'<p class="citations">{_e(L("citations", names="; ".join(names)))}</p>')
    out.append("</section>")
    return "\n".join(out)


#: the report, in order; each entry may return "" to leave itself out
SECTIONS: list[Section] = [
    summary_section,
    trend_section,
    series_section,
    regions_section,
    salary_section,
    skills_section,
    mobility_section,
    by_source_section,
    sources_section,
]
