"""Reports: one self-contained HTML file summarizing a segment, for editors, offline and on paper.

    from kadry.report import build_report
    build_report(segment="it", region="RU-MOW", start="2022-01", end="2022-12", lang="en", out="report.html")

The page is composed of section functions (``SECTIONS``: summary, trend, regions, salaries,
skills, mobility, sources) over ``ReportData``, whose tables come from
``kadry.indicators.compute`` and pass through ``kadry.privacy.suppress`` before any section
sees them. Charts are inline SVG, CSS is inline, nothing is fetched. See docs/report.md.
"""

from kadry.report.build import build_report, render_report, write_report
from kadry.report.figures import ReportData
from kadry.report.labels import LANGS, Labels
from kadry.report.options import ReportOptions, parse_place, parse_segment
from kadry.report.page import external_references
from kadry.report.sections import SECTIONS, Context, Section

__all__ = [
    "build_report",
    "render_report",
    "write_report",
    "ReportOptions",
    "ReportData",
    "Context",
    "Section",
    "SECTIONS",
    "LANGS",
    "Labels",
    "parse_segment",
    "parse_place",
    "external_references",
]
