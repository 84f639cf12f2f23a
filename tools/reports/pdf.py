"""The weekly report as a PDF with charts, written with matplotlib's PdfPages (no system packages)."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg
import matplotlib.pyplot as plt
from matplotlib.backends.backend_pdf import PdfPages

from tools.reports.markdown import ReportData, describe, number

A4 = (8.27, 11.69)
INK = "#212529"
MUTED = "#868E96"


def _text_page(pdf: PdfPages, data: ReportData) -> None:
    fig = plt.figure(figsize=A4)
    y = 0.95

    def line(
        text: str,
        size: float = 10,
        weight: str = "normal",
        colour: str = INK,
        gap: float = 0.022,
        wrap: int = 95,
    ) -> None:
        nonlocal y
        for chunk in textwrap.wrap(text, wrap) or [""]:
            fig.text(0.07, y, chunk, fontsize=size, fontweight=weight, color=colour, va="top")
            y -= gap

    line(f"Weekly report — {data.agent}", 20, "bold", gap=0.035)
    line(f"{data.week} · {data.period}", 10, colour=MUTED, gap=0.04)
    line(data.headline, 14, "bold", gap=0.03, wrap=70)
    prev = data.previous_totals or {}
    for key in ("views", "interactions", "followers_delta"):
        before = prev.get(key)
        change = (
            f"  ({(data.totals.get(key, 0) / before - 1) * 100:+.0f}% vs last week)"
            if before
            else ""
        )
        line(f"{key.replace('_', ' ')}: {number(data.totals.get(key, 0))}{change}", 11)
    line(f"engagement rate: {data.totals.get('engagement_rate', 0):.2%}", 11, gap=0.035)
    line("Insights", 13, "bold", gap=0.028)
    for insight in data.insights:
        line(f"• {insight}", 10)
    y -= 0.01
    line(f"Next experiment: {data.next_experiment}", 10, "bold", gap=0.035)
    if data.top_posts:
        line("Top posts", 13, "bold", gap=0.028)
        for rank, post in enumerate(data.top_posts, 1):
            line(
                f"{rank}. {post['title'][:60]} — {post['platform']}, {post['views']:,} views, score {post['score']:.2f}",
                10,
            )
        y -= 0.01
    if data.strategy_summary or data.strategy_changes:
        line("What the strategy changed, and why", 13, "bold", gap=0.028)
        line(data.strategy_summary, 10)
        for key, value in data.strategy_changes.items():
            line(f"• {key.replace('_', ' ')}: {describe(value)}", 9)
    if data.pending_posts:
        line(
            f"{data.pending_posts} posts are younger than the maturity window and not counted yet.",
            9,
            colour=MUTED,
        )
    pdf.savefig(fig)
    plt.close(fig)


def _trends_page(pdf: PdfPages, data: ReportData) -> None:
    fig = plt.figure(figsize=A4)
    fig.text(
        0.07,
        0.95,
        "Trends and news we watched",
        fontsize=16,
        fontweight="bold",
        color=INK,
        va="top",
    )
    y = 0.9
    for rank, trend in enumerate(data.trends[:20], 1):
        flag = " (spike)" if trend.spike else ""
        head = f"{rank}. {trend.topic[:80]}{flag} — {trend.source[:40]}, score {trend.score:.2f}"
        fig.text(0.07, y, head, fontsize=10, color=INK, va="top")
        y -= 0.02
        if trend.link:
            fig.text(0.09, y, trend.link[:110], fontsize=8, color=MUTED, va="top")
            y -= 0.02
        y -= 0.005
    pdf.savefig(fig)
    plt.close(fig)


def _chart_page(pdf: PdfPages, pngs: list[bytes], title: str) -> None:
    fig = plt.figure(figsize=A4)
    fig.text(0.07, 0.96, title, fontsize=14, fontweight="bold", color=INK, va="top")
    top = 0.92
    height = (top - 0.04) / max(1, len(pngs))
    for png in pngs:
        image = mpimg.imread(io.BytesIO(png), format="png")
        aspect = image.shape[0] / image.shape[1]
        h = min(height - 0.01, 0.86 * A4[0] * aspect / A4[1])
        ax = fig.add_axes((0.07, top - h, 0.86, h))
        ax.imshow(image)
        ax.set_axis_off()
        top -= h + 0.015
    pdf.savefig(fig)
    plt.close(fig)


def render_pdf(data: ReportData, charts: dict[str, bytes], path: Path) -> Path:
    """Write the report to ``path``: a text page, then pages of charts.

    Args:
        data: The report's numbers and texts.
        charts: PNG bytes by chart name (from :func:`tools.reports.charts.render_charts`).
        path: Where the PDF goes (parent folders are created).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with PdfPages(path) as pdf:
        _text_page(pdf, data)
        if data.trends:
            _trends_page(pdf, data)
        first = [
            charts[n]
            for n in ("views_by_day", "engagement_by_platform", "week_over_week")
            if n in charts
        ]
        second = [charts[n] for n in ("top_posts", "lifts") if n in charts]
        if first:
            _chart_page(pdf, first, "Views and engagement")
        if second:
            _chart_page(pdf, second, "Top posts and what moved engagement")
        info = pdf.infodict()
        info["Title"] = f"Weekly report {data.week}"
        info["Author"] = data.agent
    return path
