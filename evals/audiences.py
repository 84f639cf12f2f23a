"""Audience profiles for the adaptation evaluation, each rewarding different choices than the built-in one.

The agent never reads these; it only sees the metrics they produce on the sandbox platform.
Pass one to a simulation with ``--audience evals.audiences:MORNING_LEARNERS``.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, time, timedelta

from agent.simulation.runner import DEFAULT_START_WEEK
from agent.strategy.weeks import parse_week
from tools.publish.audience import EngagementMetrics, PostFeatures
from tools.publish.sandbox_audience import BUILTIN, PreferenceAudience, Preferences

MORNING_LEARNERS = PreferenceAudience(
    Preferences(
        pillar={
            "inspiration": 1.4,
            "education": 1.1,
            "trend_reaction": 0.8,
            "announcement": 0.85,
            "promotion": 0.6,
        },
        topic_keywords={
            "deep work": 1.5,
            "newsletter": 1.3,
            "hooks": 1.2,
            "creator": 1.1,
            "crypto": 0.5,
            "security": 0.8,
        },
        hook={
            "story": 1.35,
            "how_to": 1.15,
            "question": 1.0,
            "statistic": 0.95,
            "listicle": 0.9,
            "contrarian": 0.7,
        },
        tone={
            "inspirational": 1.3,
            "educational": 1.05,
            "thought_leadership": 0.95,
            "trending": 0.75,
        },
        twin_style={"goddess": 1.2, "space": 1.0, "hyperreal": 0.85},
        best_hours=(7, 10),
        weekend=1.1,
        best_length_sec=28.0,
    )
)
"""Early risers who want calm, inspiring, longer stories about focus and writing."""

NIGHT_HYPE = PreferenceAudience(
    Preferences(
        pillar={
            "trend_reaction": 1.45,
            "promotion": 1.1,
            "announcement": 1.05,
            "education": 0.85,
            "inspiration": 0.7,
        },
        topic_keywords={
            "crypto": 1.5,
            "ai": 1.25,
            "tools": 1.15,
            "deep work": 0.6,
            "newsletter": 0.7,
            "passkey": 0.8,
        },
        hook={
            "listicle": 1.35,
            "statistic": 1.2,
            "contrarian": 1.05,
            "question": 0.95,
            "how_to": 0.9,
            "story": 0.75,
        },
        tone={
            "trending": 1.35,
            "thought_leadership": 0.95,
            "educational": 0.85,
            "inspirational": 0.8,
        },
        twin_style={"space": 1.2, "hyperreal": 1.0, "goddess": 0.85},
        best_hours=(21, 23),
        weekend=1.2,
        best_length_sec=14.0,
    )
)
"""Late-night scrollers who reward fast, short, trend-chasing takes on crypto and AI."""


class DriftingAudience:
    """An audience whose taste changes at ``switch_at``: ``before`` until then, ``after`` from then on."""

    def __init__(self, before: Preferences, after: Preferences, switch_at: datetime) -> None:
        self.before = PreferenceAudience(before)
        self.after = PreferenceAudience(after)
        self.switch_at = switch_at

    def engagement(self, post: PostFeatures, rng: random.Random) -> EngagementMetrics:
        side = self.after if post.posted_at >= self.switch_at else self.before
        return side.engagement(post, rng)


DRIFT_WEEK = 5
"""The simulated week (1-based, from ``DEFAULT_START_WEEK``) from which the drifting audience's taste changes."""

DRIFTING = DriftingAudience(
    BUILTIN,
    dataclasses.replace(
        BUILTIN,
        topic_keywords={
            # the security family tires ...
            "security": 0.7,
            "phishing": 0.7,
            "passkey": 0.75,
            # ... while money and focus topics rise
            "crypto price": 1.5,
            "newsletter": 1.45,
            "deep work": 1.4,
            "ai": 1.2,
            "agent": 1.15,
        },
    ),
    datetime.combine(parse_week(DEFAULT_START_WEEK), time(0, 0), tzinfo=UTC)
    + timedelta(weeks=DRIFT_WEEK - 1),
)
"""The built-in audience until week 5, then tired of security and keen on crypto, newsletters
and deep work (the rewarded topic family swaps)."""

PROFILES = {
    "builtin": "tools.publish.sandbox_audience:BuiltinAudience",
    "morning_learners": "evals.audiences:MORNING_LEARNERS",
    "night_hype": "evals.audiences:NIGHT_HYPE",
    "drifting": "evals.audiences:DRIFTING",
}
"""Profile name -> the ``module:attr`` a simulation loads."""
