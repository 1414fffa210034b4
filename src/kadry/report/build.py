"""``build_report``: options in, one self-contained HTML file out."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from kadry.errors import InputError, KadryError
from kadry.indicators import Engine
from kadry.report.figures import ReportData
from kadry.report.labels import Labels
from kadry.report.options import ReportOptions
from kadry.report.page import external_references, page
from kadry.report.sections import SECTIONS, Context, Section

__all__ = ["build_report", "render_report", "write_report"]


def render_report(
    opts: ReportOptions,
    engine: Engine,
    *,
    sections: Sequence[Section] = SECTIONS,
    say: Callable[[str], None] | None = None,
) -> tuple[str, ReportData]:
    """The page's HTML and the released figures it shows, on an open engine (``say`` hears that
    the store's release must be made first)."""
    from kadry import __version__

    labels = Labels(opts.lang)
    data = ReportData(opts, engine, say=say)
    ctx = Context(data, labels)
    parts = [s(ctx) for s in sections]
    # the summary's simulated banner depends on every section's tables: render it last, put it first
    if sections and sections[0] is SECTIONS[0]:
        parts[0] = sections[0](ctx)
    body = "\n".join(p for p in parts if p)
    text = page(labels["title"], body, lang=opts.lang, footer=labels("footer", version=__version__))
    leaks = external_references(text)
    if leaks:  # a bug in a section, never the user's fault: refuse to publish it
        raise KadryError(f"report would reference outside resources ({leaks[0]!r}); not written")
    return text, data


def _check_out(out: Path) -> None:
    if out.exists() and out.is_dir():
        raise InputError(f"--out {out} is a directory: give a file name such as report.html")
    if not out.parent.exists():
        raise InputError(f"--out {out}: folder {out.parent} does not exist")


def write_report(text: str, out: str | Path) -> Path:
    """Write atomically (temporary file, then rename), so a failure never leaves half a report."""
    out = Path(out)
    _check_out(out)
    fd, tmp = tempfile.mkstemp(prefix=".kadry-report-", suffix=".html", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def build_report(
    *,
    segment: str = "all",
    region: str | None = None,
    start: str | None = None,
    end: str | None = None,
    period: str = "month",
    db: str | Path | None = None,
    lang: str = "ru",
    min_cell: int | None = None,
    out: str | Path,
    sections: Sequence[Section] = SECTIONS,
    say: Callable[[str], None] | None = None,
) -> dict:
    """Check the options, cut the released figures, write ``out``; a summary of what was written."""
    if out is None or str(out).strip() == "":
        raise InputError("--out is required: the HTML file to write")
    opts = ReportOptions(
        segment=segment, region=region, start=start, end=end, period=period, db=db, lang=lang, min_cell=min_cell
    ).resolve()
    _check_out(Path(out))
    with Engine.duckdb(opts.db) as engine:
        text, data = render_report(opts, engine, sections=sections, say=say)
    path = write_report(text, out)
    h = data.headline
    span = data.span
    range_note = None
    if span is not None and span.start is not None:
        range_note = (
            f"range {opts.first.isoformat()}..{opts.last.isoformat()}: the default, up to the latest month with "
            "both vacancies and resumes (give --from/--to for another)"
        )
    from kadry.vocabulary import reason_word

    missing = reason_word(span.reason) if span is not None and span.reason else None
    return {
        "range_note": range_note,
        "missing": missing,
        "out": str(path),
        "bytes": path.stat().st_size,
        "segment": opts.seg.code,
        "region": opts.place.code,
        "start": opts.first.isoformat(),
        "end": opts.last.isoformat(),
        "period": opts.period,
        "min_cell": opts.k,
        "simulated": data.simulated,
        "headline": None if h is None else {"period": h["period"], "index": float(h["index"]), "band": h["band"]},
    }
