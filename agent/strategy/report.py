"""What the weekly report shows, from the week's outcomes and what was learned from them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from agent.strategy.evidence import StrategyEvidence
from agent.strategy.outcomes import PostOutcome, WeekOutcomes
from tools.publish.base import METRIC_KEYS, interactions
from tools.reports import ReportData

TOTALS = tuple(k for k in METRIC_KEYS if k != "ctr")
"""The metrics the report adds up (a rate such as ctr does not add)."""
TOP_POSTS = 5


def report_data(
    *,
    agent: str,
    outcomes: WeekOutcomes,
    evidence: StrategyEvidence,
    adjustments: dict[str, Any],
    previous_totals: dict[str, float] | None,
) -> ReportData:
    """The report's figures; headline, insights and the strategy's narration are added later
    (they are the model's words)."""
    week = outcomes.in_week()
    matured = [o for o in week if o.matured]
    totals = {k: float(sum(o.metrics.get(k, 0) or 0 for o in matured)) for k in TOTALS}
    totals["interactions"] = float(sum(o.interactions for o in matured))
    totals["engagement_rate"] = totals["interactions"] / totals["views"] if totals["views"] else 0.0
    return ReportData(
        agent=agent,
        week=outcomes.week,
        period=(
            f"{outcomes.start:%a %d %b %Y} – {outcomes.end - timedelta(days=1):%a %d %b %Y} (UTC)"
        ),
        headline="",
        insights=[],
        next_experiment="",
        totals=totals,
        per_platform=_per_platform(matured),
        per_day=_per_day(matured),
        per_campaign=_per_campaign(matured),
        top_posts=[
            {
                "post_id": o.post_id,
                "score": round(o.score, 3),
                "title": o.title,
                "link": o.url,
                "platform": o.platform,
                "views": int(o.metrics.get("views", 0) or 0),
            }
            for o in sorted(matured, key=lambda o: -o.score)[:TOP_POSTS]
        ],
        lifts={
            dim: {
                option: {"n": e.n, "lift": e.estimate, "low": e.low, "high": e.high}
                for option, e in sorted(options.items(), key=lambda kv: -kv[1].estimate)
            }
            for dim, options in evidence.estimates.items()
            if options
        },
        pending_posts=len(week) - len(matured),
        previous_totals=previous_totals,
        strategy_changes=adjustments,
    )


NO_CAMPAIGN = "no campaign"


def _per_campaign(matured: list[PostOutcome]) -> dict[str, dict[str, float]]:
    """Posts grouped by campaign; empty when none of them belonged to one."""
    if not any(o.campaign for o in matured):
        return {}
    return _grouped(matured, lambda o: o.campaign or NO_CAMPAIGN)


def _per_platform(matured: list[PostOutcome]) -> dict[str, dict[str, float]]:
    return _grouped(matured, lambda o: o.platform)


def _grouped(
    matured: list[PostOutcome], key: Callable[[PostOutcome], str]
) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    for o in matured:
        row = rows.setdefault(
            key(o), {"posts": 0, "views": 0, "interactions": 0, "engagement_rate": 0}
        )
        row["posts"] += 1
        row["views"] += o.metrics.get("views", 0) or 0
        row["interactions"] += interactions(o.metrics)
    for row in rows.values():
        row["engagement_rate"] = row["interactions"] / row["views"] if row["views"] else 0.0
    return rows


def _per_day(matured: list[PostOutcome]) -> dict[str, dict[str, float]]:
    days: dict[str, dict[str, float]] = {}
    for o in matured:
        day = days.setdefault(o.published_at.date().isoformat(), {})
        day[o.platform] = day.get(o.platform, 0) + (o.metrics.get("views", 0) or 0)
    return dict(sorted(days.items()))


def best_and_worst(
    lifts: dict[str, dict[str, dict[str, float]]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per dimension with two or more options, its best and worst estimated option."""
    best: dict[str, Any] = {}
    worst: dict[str, Any] = {}
    for dim, options in lifts.items():
        if dim == "platform" or len(options) < 2:
            continue
        ranked = sorted(options.items(), key=lambda kv: -kv[1]["lift"])
        best[dim] = {"option": ranked[0][0], **ranked[0][1]}
        worst[dim] = {"option": ranked[-1][0], **ranked[-1][1]}
    return best, worst


__all__ = ["TOTALS", "best_and_worst", "report_data"]
