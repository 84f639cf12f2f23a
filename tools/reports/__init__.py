"""Weekly report rendering: Markdown, self-contained HTML with charts, and PDF with charts."""

from tools.reports.charts import render_charts
from tools.reports.files import FORMATS, write_report_files
from tools.reports.html import render_html
from tools.reports.markdown import ReportData, render_markdown
from tools.reports.pdf import render_pdf

__all__ = [
    "FORMATS",
    "ReportData",
    "render_charts",
    "render_html",
    "render_markdown",
    "render_pdf",
    "write_report_files",
]
