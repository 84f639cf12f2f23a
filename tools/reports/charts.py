"""Report charts as PNG bytes (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from tools.reports.markdown import ReportData

PALETTE = ["#4C6EF5", "#F76707", "#12B886", "#E64980", "#7950F2", "#FAB005", "#15AABF"]
INK = "#212529"
MUTED = "#868E96"


def _style(ax: Any, title: str) -> None:
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold", color=INK, pad=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color("#CED4DA")
    ax.spines["bottom"].set_color("#CED4DA")
    ax.tick_params(colors=MUTED, labelsize=9)
    ax.grid(axis="y", color="#F1F3F5", linewidth=1)
    ax.set_axisbelow(True)


def to_png(fig: Figure, dpi: int = 130) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


def views_by_day(data: ReportData) -> Figure:
    """Stacked bars of views per day, one colour per platform."""
    fig, ax = plt.subplots(figsize=(7.2, 3.2))
    days = list(data.per_day)
    platforms = sorted({p for row in data.per_day.values() for p in row})
    bottom = [0.0] * len(days)
    labels = [d[5:] for d in days]
    for i, platform in enumerate(platforms):
        values = [float(data.per_day[d].get(platform, 0)) for d in days]
        ax.bar(
            labels,
            values,
            bottom=bottom,
            color=PALETTE[i % len(PALETTE)],
            label=platform,
            width=0.6,
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for x, total in enumerate(bottom):
        ax.text(x, total, f"{total:,.0f}", ha="center", va="bottom", fontsize=8, color=INK)
    _style(ax, "Views by day")
    if platforms:
        ax.legend(frameon=False, fontsize=8, loc="upper left")
    if not days:
        ax.text(
            0.5,
            0.5,
            "no matured posts yet",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color=MUTED,
        )
    return fig


def engagement_by_platform(data: ReportData) -> Figure:
    """Engagement rate per platform, with posts and views in the labels."""
    names = list(data.per_platform)
    fig, ax = plt.subplots(figsize=(7.2, 1.2 + 0.45 * max(1, len(names))))
    rates = [data.per_platform[p]["engagement_rate"] * 100 for p in names]
    bars = ax.barh(names, rates, color=PALETTE[: len(names)] or PALETTE[0], height=0.45)
    ax.set_ylim(-0.6, len(names) - 0.4)
    for bar, name in zip(bars, names, strict=True):
        row = data.per_platform[name]
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f"  {bar.get_width():.1f}%  ({row['posts']:.0f} posts, {row['views']:,.0f} views)",
            va="center",
            fontsize=8,
            color=INK,
        )
    ax.set_xlabel("engagement rate (%)", color=MUTED, fontsize=9)
    _style(ax, "Engagement by platform")
    ax.grid(axis="x", color="#F1F3F5")
    ax.set_xlim(0, max(rates or [1]) * 1.8)
    return fig


def top_posts(data: ReportData) -> Figure:
    """Horizontal bars of the top posts' scores (1.0 = the platform's average)."""
    fig, ax = plt.subplots(figsize=(7.2, 0.5 + 0.45 * max(1, len(data.top_posts))))
    posts = list(reversed(data.top_posts))
    labels = [(p["title"][:42] + "…") if len(p["title"]) > 43 else p["title"] for p in posts]
    scores = [p["score"] for p in posts]
    ax.barh(labels, scores, color=PALETTE[2], height=0.55)
    ax.axvline(1.0, color=MUTED, linestyle="--", linewidth=1)
    for y, post in enumerate(posts):
        ax.text(
            post["score"],
            y,
            f"  {post['score']:.2f}x · {post['views']:,} views",
            va="center",
            fontsize=8,
            color=INK,
        )
    ax.set_xlim(0, max(scores or [1]) * 1.6)
    _style(ax, "Top posts (score, 1.0 = average)")
    ax.grid(axis="x", color="#F1F3F5")
    return fig


def week_over_week(data: ReportData) -> Figure:
    """This week against the previous one, as % change per headline metric."""
    keys = ["views", "interactions", "likes", "shares", "saves", "followers_delta"]
    prev = data.previous_totals or {}
    fig, ax = plt.subplots(figsize=(7.2, 2.8))
    changes = []
    for key in keys:
        before, now = prev.get(key), data.totals.get(key, 0.0)
        changes.append(((now / before - 1) * 100) if before else 0.0)
    colours = [PALETTE[2] if c >= 0 else PALETTE[3] for c in changes]
    ax.bar(keys, changes, color=colours, width=0.55)
    ax.axhline(0, color="#CED4DA", linewidth=1)
    for x, c in enumerate(changes):
        ax.text(
            x, c, f"{c:+.0f}%", ha="center", va="bottom" if c >= 0 else "top", fontsize=8, color=INK
        )
    _style(ax, "Week over week" if prev else "Week over week (no previous week yet)")
    ax.set_ylabel("% change", color=MUTED, fontsize=9)
    return fig


def lifts(
    data: ReportData, dims: tuple[str, ...] = ("pillar", "hook_category", "tone", "hour")
) -> Figure:
    """Lift with its 90% interval for the main decisions, one panel per decision."""
    shown = [d for d in dims if data.lifts.get(d)]
    fig, axes = plt.subplots(1, max(1, len(shown)), figsize=(7.2, 2.8), squeeze=False)
    for ax, dim in zip(axes[0], shown, strict=False):
        options = list(data.lifts[dim].items())[:6]
        names = [o for o, _ in options]
        means = [v["lift"] for _, v in options]
        err = [
            [max(0.0, v["lift"] - v["low"]) for _, v in options],
            [max(0.0, v["high"] - v["lift"]) for _, v in options],
        ]
        ax.errorbar(
            means,
            range(len(names)),
            xerr=err,
            fmt="o",
            color=PALETTE[0],
            ecolor="#ADB5BD",
            capsize=2,
        )
        ax.set_yticks(range(len(names)), [n.replace("_", " ")[:14] for n in names], fontsize=7)
        ax.axvline(1.0, color=MUTED, linestyle="--", linewidth=0.8)
        _style(ax, dim.replace("_", " "))
        ax.title.set_fontsize(9)
    if not shown:
        axes[0][0].text(
            0.5,
            0.5,
            "not enough posts yet",
            ha="center",
            transform=axes[0][0].transAxes,
            color=MUTED,
        )
        axes[0][0].set_axis_off()
    fig.tight_layout()
    return fig


CHARTS: dict[str, tuple[str, Callable[[ReportData], Figure]]] = {
    "views_by_day": ("Views by day and platform", views_by_day),
    "engagement_by_platform": ("Engagement by platform", engagement_by_platform),
    "top_posts": ("Top posts", top_posts),
    "week_over_week": ("Week-over-week change", week_over_week),
    "lifts": ("What moved engagement", lifts),
}


def render_charts(data: ReportData) -> dict[str, bytes]:
    """Every chart of the report as PNG bytes, by name."""
    return {name: to_png(build(data)) for name, (_title, build) in CHARTS.items()}
