"""The weekly report as Markdown."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class TrendLine(BaseModel):
    """A trend or news item the week's planning saw, with where it came from."""

    topic: str
    source: str
    """The outlet or source name (feed title, channel, ``google_trends:US``)."""
    link: str | None = None
    score: float = Field(default=0.0, ge=0, le=1)
    spike: bool = False
    """Far above the niche's usual score that day."""


def safe_link(link: str | None) -> str | None:
    """The link if it is plain http(s), else None (links come from untrusted feeds)."""
    if (
        not link
        or not link.startswith(("http://", "https://"))
        or any(c in link for c in " <>\"'`|")
    ):
        return None
    return link


class ReportData(BaseModel):
    """Everything a weekly report shows."""

    agent: str
    week: str
    period: str
    headline: str
    insights: list[str]
    next_experiment: str
    totals: dict[str, float]
    per_platform: dict[str, dict[str, float]]
    per_day: dict[str, dict[str, float]] = Field(default_factory=dict)
    per_campaign: dict[str, dict[str, float]] = Field(default_factory=dict)
    """Optional: the week's posts grouped by campaign (``no campaign`` for the others)."""
    top_posts: list[dict[str, Any]]
    lifts: dict[str, dict[str, dict[str, float]]]
    pending_posts: int = 0
    previous_totals: dict[str, float] | None = None
    strategy_summary: str = ""
    strategy_changes: dict[str, Any] = Field(default_factory=dict)
    trends: list[TrendLine] = Field(default_factory=list)
    """Optional: the trend and news signals of the period, best first."""


def describe(value: Any) -> str:
    """A strategy entry in words: lists joined, mappings as ``key: value``; ``—`` when empty."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {describe(v)}" for k, v in value.items()) or "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(describe(v) for v in value) or "—"
    return str(value).replace("_", " ")


def number(value: float) -> str:
    """A figure for people: thousands separators, three decimals only for small fractions."""
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.3f}"


def _cell(text: str) -> str:
    """Feed text inside a Markdown table cell: no pipes, brackets or markup survive."""
    for ch in "|[]<>*_`\\":
        text = text.replace(ch, " ")
    return " ".join(text.split())


def render_markdown(data: ReportData) -> str:
    lines = [
        f"# Weekly report — {data.agent}, {data.week}",
        "",
        f"*{data.period}*",
        "",
        f"## {data.headline}",
        "",
    ]
    lines += [f"- {i}" for i in data.insights]
    lines += [
        "",
        f"**Next experiment:** {data.next_experiment}",
        "",
        "## Totals",
        "",
        "| metric | this week | previous week |",
        "|---|---:|---:|",
    ]
    for key, value in data.totals.items():
        prev = (data.previous_totals or {}).get(key)
        lines.append(f"| {key} | {number(value)} | {number(prev) if prev is not None else '—'} |")
    if data.pending_posts:
        lines += [
            "",
            f"{data.pending_posts} posts are younger than the maturity window and not counted yet.",
        ]
    lines += [
        "",
        "## By platform",
        "",
        "| platform | posts | views | interactions | engagement rate |",
        "|---|---:|---:|---:|---:|",
    ]
    for platform, row in data.per_platform.items():
        lines.append(
            f"| {platform} | {row['posts']:.0f} | {row['views']:,.0f} | {row['interactions']:,.0f} | {row['engagement_rate']:.2%} |"
        )
    if data.per_campaign:
        lines += [
            "",
            "## By campaign",
            "",
            "| campaign | posts | views | interactions | engagement rate |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, row in data.per_campaign.items():
            lines.append(
                f"| {_cell(name)} | {row['posts']:.0f} | {row['views']:,.0f} | {row['interactions']:,.0f} | {row['engagement_rate']:.2%} |"
            )
    lines += [
        "",
        "## Top posts",
        "",
        "| # | title | platform | views | score | link |",
        "|---:|---|---|---:|---:|---|",
    ]
    for rank, post in enumerate(data.top_posts, 1):
        lines.append(
            f"| {rank} | {post['title']} | {post['platform']} | {post['views']:,} | {post['score']:.2f} | {post.get('link') or ''} |"
        )
    lines += ["", "## What moved engagement (score 1.0 = average, 90% interval)", ""]
    for dim, options in data.lifts.items():
        if dim == "platform":
            continue
        cells = ", ".join(
            f"{opt} {v['lift']:.2f} [{v['low']:.2f}–{v['high']:.2f}] n={v['n']:.0f}"
            for opt, v in options.items()
        )
        lines.append(f"- **{dim.replace('_', ' ')}**: {cells}")
    if data.trends:
        lines += [
            "",
            "## Trends and news we watched",
            "",
            "| # | topic | source | score | link |",
            "|---:|---|---|---:|---|",
        ]
        for rank, trend in enumerate(data.trends, 1):
            link = safe_link(trend.link)
            flag = " (spike)" if trend.spike else ""
            lines.append(
                f"| {rank} | {_cell(trend.topic)}{flag} | {_cell(trend.source)} | {trend.score:.2f} | "
                f"{f'<{link}>' if link else ''} |"
            )
    if data.strategy_summary or data.strategy_changes:
        lines += ["", "## Strategy for next week", "", data.strategy_summary, ""]
        for key, value in data.strategy_changes.items():
            lines.append(f"- {key.replace('_', ' ')}: {describe(value)}")
    return "\n".join(lines) + "\n"
