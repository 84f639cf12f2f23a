"""Writing a weekly report's files: Markdown, HTML and PDF side by side."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tools.reports.charts import render_charts
from tools.reports.html import render_html
from tools.reports.markdown import ReportData, render_markdown
from tools.reports.pdf import render_pdf

FORMATS = ("md", "html", "pdf")


def write_report_files(
    data: ReportData, folder: Path, formats: Iterable[str] = FORMATS
) -> dict[str, Path]:
    """Write ``<folder>/<week>.<format>`` for each format; charts are drawn once for HTML and PDF.

    Args:
        data: The report.
        folder: Where the files go (created if missing).
        formats: Any of ``md``, ``html``, ``pdf``.

    Returns:
        The written paths by format.
    """
    wanted = [f for f in formats]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report format {unknown[0]!r}: use one of {', '.join(FORMATS)}")
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if "md" in wanted:
        written["md"] = folder / f"{data.week}.md"
        written["md"].write_text(render_markdown(data), encoding="utf-8")
    charts = render_charts(data) if {"html", "pdf"} & set(wanted) else {}
    if "html" in wanted:
        written["html"] = folder / f"{data.week}.html"
        written["html"].write_text(render_html(data, charts), encoding="utf-8")
    if "pdf" in wanted:
        written["pdf"] = render_pdf(data, charts, folder / f"{data.week}.pdf")
    return written
