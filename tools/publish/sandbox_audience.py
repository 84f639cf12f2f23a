"""The sandbox's built-in audience: hidden preferences plus noise, learned only through metrics.

Nothing in the agent reads these numbers; it sees only the metrics they produce.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from tools.publish.audience import EngagementMetrics, PostFeatures


@dataclass(frozen=True)
class Preferences:
    """Multipliers an audience applies; 1.0 is neutral."""

    pillar: dict[str, float] = field(default_factory=dict)
    topic_keywords: dict[str, float] = field(default_factory=dict)
    hook: dict[str, float] = field(default_factory=dict)
    tone: dict[str, float] = field(default_factory=dict)
    twin_style: dict[str, float] = field(default_factory=dict)
    best_hours: tuple[int, int] = (18, 21)
    weekend: float = 0.85
    best_length_sec: float = 20.0
    base_views: float = 2000.0
    base_engagement: float = 0.05
    noise: float = 0.3


BUILTIN = Preferences(
    pillar={
        "education": 1.35,
        "trend_reaction": 1.15,
        "inspiration": 0.95,
        "announcement": 0.7,
        "promotion": 0.55,
    },
    topic_keywords={
        "security": 1.45,
        "phishing": 1.3,
        "passkey": 1.2,
        "ai": 1.2,
        "agent": 1.15,
        "crypto price": 0.45,
        "newsletter": 0.8,
        "deep work": 0.85,
    },
    hook={
        "contrarian": 1.3,
        "question": 1.2,
        "statistic": 1.1,
        "how_to": 1.05,
        "story": 1.0,
        "listicle": 0.85,
    },
    tone={"educational": 1.15, "thought_leadership": 1.05, "trending": 1.0, "inspirational": 0.85},
    twin_style={"hyperreal": 1.1, "space": 1.0, "goddess": 0.95, "corporate": 0.9},
    best_hours=(17, 21),
)


class PreferenceAudience:
    """An audience defined by :class:`Preferences` (the sandbox default uses ``BUILTIN``)."""

    def __init__(self, preferences: Preferences | None = None) -> None:
        self.preferences = preferences or BUILTIN

    def _topic(self, topic: str) -> float:
        low = topic.lower()
        mult = 1.0
        for keyword, value in self.preferences.topic_keywords.items():
            if (f" {keyword} " in f" {low} ") if len(keyword) <= 3 else keyword in low:
                mult *= value
        return mult

    def _timing(self, post: PostFeatures) -> float:
        lo, hi = self.preferences.best_hours
        hour = post.posted_at.hour + post.posted_at.minute / 60
        distance = (
            0.0
            if lo <= hour <= hi
            else min(abs(hour - lo), abs(hour - hi), 24 - abs(hour - lo), 24 - abs(hour - hi))
        )
        weekend = self.preferences.weekend if post.posted_at.weekday() >= 5 else 1.0
        return weekend * (1.25 if distance == 0 else max(0.55, 1.1 - 0.07 * distance))

    def engagement(self, post: PostFeatures, rng: random.Random) -> EngagementMetrics:
        p = self.preferences
        reach = (
            p.base_views
            * self._timing(post)
            * p.hook.get(post.hook_category, 1.0)
            * self._topic(post.topic)
        )
        reach *= math.exp(rng.gauss(0, p.noise))
        length_fit = math.exp(-(((post.length_sec - p.best_length_sec) / 9.0) ** 2))
        rate = p.base_engagement * p.pillar.get(post.pillar, 1.0) * p.tone.get(post.tone, 1.0)
        rate *= (
            p.twin_style.get(post.twin_style, 1.0)
            * (0.6 + 0.4 * length_fit)
            * self._topic(post.topic) ** 0.5
        )
        rate *= math.exp(rng.gauss(0, p.noise / 2))
        views = max(1, int(reach))
        likes = int(views * rate * 0.7)
        comments = int(views * rate * 0.06)
        shares = int(views * rate * 0.12)
        saves = int(views * rate * 0.12)
        retention = 0.35 + 0.45 * length_fit
        return EngagementMetrics(
            views=views,
            impressions=int(views * rng.uniform(1.2, 1.6)),
            likes=likes,
            comments=comments,
            shares=shares,
            saves=saves,
            watch_time_sec=round(views * post.length_sec * retention, 1),
            followers_delta=int(views * rate * 0.04),
        )


BuiltinAudience = PreferenceAudience
