"""The outcome pipeline, run once a week: published posts -> scored outcomes -> observations.

``outcomes_of`` turns the agent's published posts (with their latest metrics) into scored
:class:`PostOutcome` rows, topics labelled by cluster; the resulting :class:`WeekOutcomes`
travels from analyzing to adapting in the graph state (as JSON) and is all adapting learns
from and reports on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from agent.strategy import priors
from agent.strategy.dimensions import WEEKDAYS, hour_bucket, length_bucket
from agent.strategy.observation import Observation
from agent.strategy.topics import TopicClusters
from db.repo.analytics import PublishedPost
from tools.publish.base import interactions


class PostOutcome(BaseModel):
    """One published post: what it earned, what it was made of, and its score."""

    post_id: str
    platform: str
    title: str
    url: str | None = None
    published_at: datetime
    metrics: dict[str, Any] = Field(default_factory=dict)
    features: dict[str, str] = Field(default_factory=dict)
    """Learner dimension -> option; ``topic`` is the cluster label, ``topic_raw`` the topic."""
    matured: bool
    length_sec: float | None = None
    score: float = 1.0
    """Interactions relative to the platform's matured average (1.0 = average)."""
    reach: float | None = None
    """Views relative to the platform's matured average (None without views)."""
    campaign: str = ""
    """The campaign its week belonged to ("" for none)."""

    @property
    def interactions(self) -> float:
        return interactions(self.metrics)

    @property
    def retention(self) -> float | None:
        """The average share of the reel a view watched: watch time / (views x length).

        None when the platform reports no watch time (or the length is unknown). Looping
        reels can exceed 1.
        """
        watched = float(self.metrics.get("watch_time_sec") or 0.0)
        views = float(self.metrics.get("views") or 0.0)
        if watched <= 0 or views <= 0 or not self.length_sec:
            return None
        return watched / (views * self.length_sec)


class WeekOutcomes(BaseModel):
    """Every published post of the agent up to ``now``, scored, and the week being reported."""

    week: str
    """The ISO week the report covers (the latest week whose metrics have matured)."""
    start: datetime
    end: datetime
    now: datetime
    outcomes: list[PostOutcome] = Field(default_factory=list)

    def in_week(self) -> list[PostOutcome]:
        return [o for o in self.outcomes if self.start <= o.published_at < self.end]

    def matured(self) -> list[PostOutcome]:
        return [o for o in self.outcomes if o.matured]

    def observations(self) -> list[Observation]:
        """Matured outcomes as the learner's observations, older weeks weighing less."""
        return [
            Observation(
                dict(o.features),
                o.score,
                priors.DECAY_PER_WEEK
                ** int(max(0.0, (self.now - o.published_at) / timedelta(days=7))),
                o.reach,
                o.retention,
                o.published_at.date(),
            )
            for o in self.matured()
        ]


def features_of(post: PublishedPost, tz: ZoneInfo) -> dict[str, str]:
    """The decisions behind a post, as the learner's dimensions name them."""
    when = post.published_at.astimezone(tz)
    return {
        "platform": post.platform,
        "pillar": post.pillar,
        "topic": post.topic,
        "hook_category": post.hook_category,
        "tone": post.tone,
        "length_bucket": length_bucket(post.length_sec) if post.length_sec else "",
        "twin": post.twin,
        "weekday": WEEKDAYS[when.weekday()],
        "hour": hour_bucket(when.hour),
    }


def outcomes_of(
    posts: Sequence[PublishedPost],
    *,
    tz: ZoneInfo,
    now: datetime,
    maturity: timedelta,
    clusters: TopicClusters,
) -> list[PostOutcome]:
    """Scored outcomes of published posts (posts never measured keep empty metrics)."""
    outcomes = [
        PostOutcome(
            post_id=str(p.post_id),
            platform=p.platform,
            title=p.title,
            url=p.url,
            published_at=p.published_at,
            metrics=p.metrics or {},
            features=features_of(p, tz),
            matured=p.metrics is not None and now - p.published_at >= maturity,
            length_sec=p.length_sec,
            campaign=p.campaign,
        )
        for p in posts
    ]
    _score(outcomes)
    _label_topics(outcomes, clusters)
    return outcomes


def _score(outcomes: list[PostOutcome]) -> None:
    """Each outcome's interactions, and views, relative to its platform's matured average."""
    engagement: dict[str, list[float]] = defaultdict(list)
    views: dict[str, list[float]] = defaultdict(list)
    for o in outcomes:
        if o.matured:
            engagement[o.platform].append(o.interactions)
            if o.metrics.get("views"):
                views[o.platform].append(float(o.metrics["views"]))
    for o in outcomes:
        seen = engagement.get(o.platform)
        mean = sum(seen) / len(seen) if seen else 0.0
        o.score = o.interactions / mean if mean > 0 else 1.0
        reach = views.get(o.platform)
        own = float(o.metrics.get("views") or 0.0)
        o.reach = own / (sum(reach) / len(reach)) if reach and own > 0 else None


def _label_topics(outcomes: list[PostOutcome], clusters: TopicClusters) -> None:
    """Replace each outcome's topic by its cluster label (the raw topic stays in ``topic_raw``)."""
    ordered = sorted(outcomes, key=lambda o: o.published_at)
    raw = [o.features.get("topic_raw") or o.features.get("topic", "") for o in ordered]
    mapping = clusters.labels([t for t in raw if t])
    for outcome, topic in zip(ordered, raw, strict=True):
        outcome.features["topic_raw"] = topic
        outcome.features["topic"] = mapping.get(topic, topic)


__all__ = ["PostOutcome", "WeekOutcomes", "features_of", "outcomes_of"]
