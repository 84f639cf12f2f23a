"""The offline writer's words for the report: insights from its figures, and the strategy's
narration (the adjustments themselves are computed in code)."""

from __future__ import annotations

import random
from typing import Any

from langchain_core.messages import BaseMessage

from agent.llm.offline.phrasing import read_inputs


def insights(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
    inputs = read_inputs(messages)
    totals = inputs.get("totals", {})
    posts = int(inputs.get("posts", 0))
    if not posts:
        return {
            "headline": "No matured posts to analyse yet",
            "insights": [
                "Metrics count once posts are old enough; next week's report will have numbers."
            ],
            "next_experiment": "Keep the schedule and try two different hook styles.",
        }
    lines = [
        f"{posts} posts reached {int(totals.get('views', 0)):,} views with an engagement rate of {inputs.get('engagement_rate', 0):.1%}."
    ]
    for dim, best in (inputs.get("best", {}) or {}).items():
        lines.append(
            f"Best {dim.replace('_', ' ')}: {best['option']} at {best['lift']:.2f}x the average over {best['n']:.0f} posts."
        )
    for dim, worst in list((inputs.get("worst", {}) or {}).items())[:2]:
        lines.append(
            f"Weakest {dim.replace('_', ' ')}: {worst['option']} at {worst['lift']:.2f}x over {worst['n']:.0f} posts."
        )
    change = inputs.get("week_over_week")
    if change is not None:
        lines.append(f"Views changed {change:+.0%} week over week.")
    best_topic = (inputs.get("best", {}) or {}).get("topic", {}).get("option")
    headline = f"{int(totals.get('views', 0)):,} views" + (
        f", led by {best_topic}" if best_topic else ""
    )
    worst_hook = (inputs.get("worst", {}) or {}).get("hook_category", {}).get("option")
    experiment = (
        f"Give the {worst_hook.replace('_', ' ')} hook one more try on the best topic, or drop it."
        if worst_hook
        else "Test a new hook category on the best topic."
    )
    return {"headline": headline[:200], "insights": lines[:8], "next_experiment": experiment[:300]}


def narrative(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
    inputs = read_inputs(messages)
    adj = inputs.get("adjustments", {})
    parts = []
    if adj.get("topics_to_increase"):
        parts.append(f"More {', '.join(adj['topics_to_increase'])} because they beat the average")
    if adj.get("topics_to_reduce"):
        parts.append(f"less {', '.join(adj['topics_to_reduce'])} because they trailed it")
    if adj.get("platform_timing_updates"):
        times = "; ".join(f"{p}: {', '.join(t)}" for p, t in adj["platform_timing_updates"].items())
        parts.append(f"posting times {times}")
    if adj.get("twin_rotation"):
        parts.append(f"twin order {', '.join(adj['twin_rotation'])}")
    change = inputs.get("change_of_taste")
    if change:
        parts.append(
            f"the audience's taste in {str(change['dimension']).replace('_', ' ')} changed this week, "
            "so the agent relearns it from the new posts"
        )
    text = (
        ("; ".join(parts) + ".")
        if parts
        else "No change: not enough evidence yet, so the agent keeps exploring."
    )
    return {"summary": text[:800]}


__all__ = ["insights", "narrative"]
