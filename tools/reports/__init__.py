"""Weekly report rendering: Markdown, self-contained HTML with charts, and PDF with charts.

Markdown and the report data load at once; charts, HTML and PDF (matplotlib) on first use.
"""

from typing import Any

from tools.reports.markdown import ReportData, TrendLine, render_markdown

_LAZY = {
    "FORMATS": "tools.reports.files",
    "write_report_files": "tools.reports.files",
    "render_charts": "tools.reports.charts",
    "render_html": "tools.reports.html",
    "render_pdf": "tools.reports.pdf",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FORMATS",
    "ReportData",
    "TrendLine",
    "render_charts",
    "render_html",
    "render_markdown",
    "render_pdf",
    "write_report_files",
]
