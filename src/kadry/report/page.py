"""The HTML page around the sections: one file, inline CSS, a print stylesheet for A4.

Nothing here (or in any section) may point outside the file: no scripts, no web fonts
(system font stacks only), no images by address. ``external_references`` finds any that
slip in; ``build_report`` refuses to write a page that has one.
"""

from __future__ import annotations

import html
import re

__all__ = ["CSS", "page", "external_references"]

CSS = """
:root { --ink:#1b1f24; --muted:#5b636d; --rule:#d9dde2; --accent:#1f3b5a; --sim:#b00020; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif;
       color: var(--ink); background: #fff; max-width: 940px; margin: 0 auto; padding: 28px 28px 48px; }
h1 { font-size: 26px; line-height: 1.2; margin: 0 0 10px; color: var(--accent); }
h2 { font-size: 20px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--accent); color: var(--accent); }
h3 { font-size: 16px; margin: 18px 0 6px; }
p { margin: 6px 0 10px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; color: var(--muted); }
.facts dt { font-weight: 600; } .facts dd { margin: 0; color: var(--ink); }
.sim-banner { border: 3px solid var(--sim); color: var(--sim); background: #fff3f4; padding: 10px 14px; margin: 16px 0;
              border-radius: 4px; }
.sim-banner strong { font-size: 20px; letter-spacing: .06em; }
.sim-banner p { margin: 4px 0 0; color: #5a0010; }
.sim-inline { color: var(--sim); font-size: 13px; }
.sim-inline strong, .sim-mark { letter-spacing: .04em; }
.sim-mark { display: inline-block; font-size: 10px; font-weight: 700; color: #fff; background: var(--sim); padding: 0 4px;
            border-radius: 2px; vertical-align: middle; }
.headline { display: flex; gap: 20px; align-items: center; border: 1px solid var(--rule); border-radius: 6px;
            padding: 14px 18px; margin: 8px 0 12px; }
.headline .big { font-size: 54px; font-weight: 700; color: var(--accent); line-height: 1; min-width: 130px; text-align: center; }
.headline .what div { margin: 2px 0; }
.band { display: inline-block; padding: 1px 8px; border-radius: 10px; border: 1px solid rgba(0,0,0,.15); font-size: 13px;
        white-space: nowrap; }
figure { margin: 8px 0 14px; }
figcaption { font-size: 13px; color: var(--muted); }
svg.chart { display: block; max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--rule); padding: 3px 6px; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--accent); font-weight: 600; background: #f5f7f9; }
td.num, td[data-col] { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.hidden { color: #8a929b; }
tr.total td, tr.total th { font-weight: 600; }
tr.focus th, tr.focus td { background: #eef4fb; font-weight: 600; }
.code { color: var(--muted); font-size: 11px; white-space: nowrap; }
#trend-table th[scope=row], #salary-table th[scope=row] { white-space: nowrap; }
#regions-table .band, #trend-table .band { font-size: 12px; padding: 0 6px; }
.note, .citations { font-size: 13px; color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.rules { font-size: 13px; padding-left: 18px; }
details summary { cursor: pointer; color: var(--muted); font-size: 13px; }
footer { margin-top: 32px; border-top: 1px solid var(--rule); padding-top: 8px; font-size: 12px; color: var(--muted); }
@media screen and (max-width: 600px) {
  body { padding: 16px 12px 32px; }
  .headline { flex-wrap: wrap; gap: 10px; padding: 10px 12px; }
  .headline .what { min-width: 0; flex: 1 1 12rem; }
  .band { white-space: normal; }
  table.figures { display: block; overflow-x: auto; }
}
@page { size: A4; margin: 14mm 13mm 16mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h1 { font-size: 18pt; } h2 { font-size: 13pt; margin-top: 14pt; } h3 { font-size: 11pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  figure, .headline, .sim-banner, tr, svg.chart { break-inside: avoid; page-break-inside: avoid; }
  table { font-size: 8.5pt; }
  thead { display: table-header-group; }
  details > summary { display: none; }
  .sim-banner, .sim-mark, .band, thead th, tr.focus th, tr.focus td, svg.chart {
    -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  #regions-table tbody tr:nth-child(n+41) { display: none; }
}
"""


def page(title: str, body: str, *, lang: str, footer: str) -> str:
    """A complete HTML5 document holding ``body``, the CSS, and nothing from elsewhere."""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="kadry report">\n<title>{html.escape(title)}</title>\n'
        f"<style>{CSS}</style>\n</head>\n<body>\n{body}\n<footer>{html.escape(footer)}</footer>\n</body>\n</html>\n"
    )


_EXTERNAL = re.compile(
    r"""(?:https?:|ftp:)?//[\w.-]+\.[a-z]{2,}[^\s"'<>)]*"""  # any address with a host
    r"""|\b(?:src|href|xlink:href|action|poster|srcset)\s*=\s*["'](?!#)[^"']+["']"""  # any attribute that loads something
    r"""|@import|url\(\s*["']?(?!#)""",  # CSS loading something
    re.IGNORECASE,
)


def external_references(text: str) -> list[str]:
    """Everything in ``text`` that could make a browser fetch something (empty for a clean page)."""
    return [m.group(0) for m in _EXTERNAL.finditer(text)]
