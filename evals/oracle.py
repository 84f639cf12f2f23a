"""The oracle: a planner that reads the audience (the only code allowed to) — an upper bound for the agent.

It plugs into the same cycle where the learner does, as the week policy (``Context.decide``):
each day at the audience's best hour, each slot the options with the highest expected
engagement under that audience. It obeys the same product rules as the agent (at most
``MAX_TOPIC_REPEATS`` uses of a topic a week); the chat model writes the words as for the agent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from agent.app.bootstrap import TWINS
from agent.strategy.decide import Decide, SlotDecision, WeekInputs, WeekSkeleton
from agent.strategy.dimensions import (
    HOURS,
    LENGTH_BUCKETS,
    MAX_TOPIC_REPEATS,
    PILLARS,
    TONES,
    WEEKDAYS,
)
from agent.strategy.slots import plan_slots
from agent.strategy.weeks import parse_week
from tools.publish.audience import Audience, PostFeatures
from tools.publish.base import interactions as metric_interactions

SAMPLES = 12
"""Draws per candidate (common random numbers, so comparisons are not noise)."""


TIMING_BASE: dict[str, Any] = {
    "pillar": "education",
    "topic": "creator tips",
    "tone": "educational",
    "hook_category": "question",
    "length_sec": 20.0,
    "twin_style": "space",
}
"""The post the oracle times: its best hour for this post is its posting time for the day."""


def interactions(metrics: Any) -> float:
    """Interactions of an audience's ``EngagementMetrics``."""
    return metric_interactions(vars(metrics))


@dataclass
class Oracle:
    """Expected engagement of any post under ``audience``, and the best choices it implies."""

    audience: Audience
    platform: str = "sandbox"

    def expected(self, features: dict[str, Any]) -> float:
        post = PostFeatures(platform=self.platform, **features)
        return (
            sum(
                interactions(self.audience.engagement(post, random.Random(i)))
                for i in range(SAMPLES)
            )
            / SAMPLES
        )

    def best_hour(self, day: datetime, base: dict[str, Any]) -> str:
        def value(hour: str) -> float:
            hh, mm = map(int, hour.split(":"))
            return self.expected(
                {**base, "posted_at": datetime.combine(day.date(), time(hh, mm), tzinfo=UTC)}
            )

        return max(HOURS, key=value)

    def best_item(
        self,
        when: datetime,
        options: dict[str, list[str]],
        styles: dict[str, str],
        used: dict[str, int],
    ) -> dict[str, Any]:
        """Coordinate ascent over the decisions, starting from the first option of each."""
        choice = {dim: values[0] for dim, values in options.items()}
        topics = [t for t in options["topic"] if used.get(t, 0) < MAX_TOPIC_REPEATS] or options[
            "topic"
        ]
        choice["topic"] = topics[0]

        def features(c: dict[str, str]) -> dict[str, Any]:
            return {
                "posted_at": when,
                "pillar": c["pillar"],
                "topic": c["topic"],
                "tone": c["tone"],
                "hook_category": c["hook_category"],
                "length_sec": float(LENGTH_BUCKETS[c["length_bucket"]]),
                "twin_style": styles.get(c["twin"], "space"),
            }

        for _ in range(2):
            for dim, values in options.items():
                pool = topics if dim == "topic" else values

                def value(option: str, dim: str = dim) -> float:
                    return self.expected(features({**choice, dim: option}))

                choice[dim] = max(pool, key=value)
        return choice


def oracle_decide(audience: Audience) -> Decide:
    """A week policy that reads the audience: each day at its best hour, each slot its best item."""
    oracle = Oracle(audience)
    styles = {name: preset.value for name, preset, *_ in TWINS}

    def decide(inputs: WeekInputs) -> WeekSkeleton:
        monday = parse_week(inputs.week)
        days = [d for d in range(7) if d not in inputs.directives.avoid_weekdays]
        timing = [
            f"{WEEKDAYS[d]} {oracle.best_hour(datetime.combine(monday + timedelta(days=d), time(0, 0), tzinfo=UTC), TIMING_BASE)}"
            for d in days
        ]
        slots = plan_slots(
            monday=monday,
            policy=inputs.policy,
            platforms=inputs.platforms,
            timing={p: timing for p in inputs.platforms[:1]},
            avoid_weekdays=inputs.directives.avoid_weekdays,
            not_before=inputs.not_before,
        )
        options = {
            "pillar": list(PILLARS),
            "topic": [t.topic for t in inputs.trends],
            "hook_category": list(dict.fromkeys(h.category for h in inputs.hooks)),
            "tone": list(TONES),
            "twin": list(inputs.twins),
            "length_bucket": list(LENGTH_BUCKETS),
        }
        templates = {h.category: h.template for h in inputs.hooks}
        used: dict[str, int] = {}
        decisions = []
        for slot in slots:
            best = oracle.best_item(slot.at_utc, options, styles, used)
            used[best["topic"]] = used.get(best["topic"], 0) + 1
            decisions.append(
                SlotDecision(
                    slot=slot.index,
                    day=slot.day,
                    at=slot.at_utc,
                    local=slot.label,
                    platforms=list(slot.platforms),
                    topic=best["topic"],
                    twin=best["twin"],
                    pillar=best["pillar"],
                    tone=best["tone"],
                    hook_category=best["hook_category"],
                    hook_template=templates.get(best["hook_category"], "{topic}"),
                    target_length_sec=LENGTH_BUCKETS[best["length_bucket"]],
                    reason="oracle: highest expected engagement for this audience",
                    trend=next((t for t in inputs.trends if t.topic == best["topic"]), None),
                )
            )
        return WeekSkeleton(week=inputs.week, slots=decisions, mode=inputs.mode)

    return decide


__all__ = ["SAMPLES", "TIMING_BASE", "Oracle", "interactions", "oracle_decide"]
