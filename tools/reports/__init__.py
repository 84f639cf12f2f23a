"""Weekly report rendering."""

from tools.reports.markdown import ReportData, render_markdown

__all__ = ["ReportData", "render_markdown"]
