"""Turning metrics into evidence: per-post scores, lifts with uncertainty, cumulative stats."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.planning.learning import Evidence, accumulate, hour_bucket, length_bucket
from agent.planning.model import Observation
from agent.planning.slots import WEEKDAYS
from agent.planning.topics import TopicClusters
from db.enums import PublishStatus
from db.models import AITwin, AnalyticsSnapshot, CalendarItem, Post, VideoReel

DECAY_PER_WEEK = 0.93  # older weeks count less, so the agent follows an audience that changes


def interactions(metrics: dict[str, Any]) -> float:
    return float(sum(metrics.get(k, 0) or 0 for k in ("likes", "comments", "shares", "saves")))


@dataclass
class PostOutcome:
    post_id: uuid.UUID
    platform: str
    title: str
    url: str | None
    published_at: datetime
    metrics: dict[str, Any]
    features: dict[str, str]
    matured: bool
    score: float = 0.0
    """Interactions relative to the platform's average (1.0 = average)."""
    reach: float | None = None
    """Views relative to the platform's average (None without views)."""
    length_sec: float | None = None
    """The reel's length (None when unknown)."""

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


@dataclass
class WeekAnalysis:
    outcomes: list[PostOutcome] = field(default_factory=list)
    lifts: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)

    @property
    def matured(self) -> list[PostOutcome]:
        return [o for o in self.outcomes if o.matured]


def post_features(
    session: Session, post: Post, tz: ZoneInfo
) -> tuple[dict[str, str], VideoReel | None]:
    """The decisions behind a post (as the learner's dimensions name them), and its reel."""
    reel = session.get(VideoReel, post.reel_id)
    item = (
        session.get(CalendarItem, reel.calendar_item_id) if reel and reel.calendar_item_id else None
    )
    twin = session.get(AITwin, item.ai_twin_id) if item and item.ai_twin_id else None
    when = (post.published_at or post.scheduled_time).astimezone(tz)
    features = {
        "platform": post.platform.value,
        "pillar": item.content_pillar.value if item else "",
        "topic": item.topic if item else "",
        "hook_category": item.hook_category if item else "",
        "tone": item.tone.value if item else "",
        "length_bucket": length_bucket(reel.length_sec) if reel else "",
        "twin": twin.name if twin else "",
        "weekday": WEEKDAYS[when.weekday()],
        "hour": hour_bucket(when.hour),
    }
    return features, reel


def label_topics(outcomes: list[PostOutcome], clusters: TopicClusters) -> None:
    """Replace each outcome's topic by its cluster label (the raw topic stays in ``topic_raw``)."""
    ordered = sorted(outcomes, key=lambda o: o.published_at)
    raw = [o.features.get("topic_raw") or o.features.get("topic", "") for o in ordered]
    mapping = clusters.labels([t for t in raw if t])
    for outcome, topic in zip(ordered, raw, strict=True):
        outcome.features["topic_raw"] = topic
        outcome.features["topic"] = mapping.get(topic, topic)


def latest_metrics(session: Session, post_id: uuid.UUID) -> dict[str, Any] | None:
    snap = session.scalar(
        select(AnalyticsSnapshot)
        .where(AnalyticsSnapshot.post_id == post_id)
        .order_by(AnalyticsSnapshot.captured_at.desc())
        .limit(1)
    )
    return dict(snap.metrics_json) if snap else None


def published_posts(
    session: Session,
    *,
    user_id: uuid.UUID,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Post]:
    stmt = select(Post).where(
        Post.user_id == user_id, Post.publish_status == PublishStatus.published
    )
    if start is not None:
        stmt = stmt.where(Post.published_at >= start)
    if end is not None:
        stmt = stmt.where(Post.published_at < end)
    return list(session.scalars(stmt.order_by(Post.published_at)))


def load_outcomes(
    session: Session,
    posts: list[Post],
    *,
    tz: ZoneInfo,
    now: datetime,
    maturity: timedelta,
    require_metrics: bool = True,
) -> list[PostOutcome]:
    """Each published post with its latest metrics and features; without metrics it is
    skipped (``require_metrics``) or kept with empty metrics."""
    outcomes: list[PostOutcome] = []
    for post in posts:
        metrics = latest_metrics(session, post.id)
        if post.published_at is None or (metrics is None and require_metrics):
            continue
        features, reel = post_features(session, post, tz)
        outcomes.append(
            PostOutcome(
                post.id,
                post.platform.value,
                reel.title if reel else "",
                post.url,
                post.published_at,
                metrics or {},
                features,
                matured=now - post.published_at >= maturity,
                length_sec=float(reel.length_sec) if reel and reel.length_sec else None,
            )
        )
    return outcomes


def score_outcomes(outcomes: list[PostOutcome], platform_means: dict[str, float]) -> None:
    """Each outcome's interactions, and views, relative to its platform's matured average."""
    views: dict[str, list[float]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.matured and outcome.metrics.get("views"):
            views[outcome.platform].append(float(outcome.metrics["views"]))
    for outcome in outcomes:
        mean = platform_means.get(outcome.platform) or 0.0
        outcome.score = interactions(outcome.metrics) / mean if mean > 0 else 1.0
        seen = views.get(outcome.platform)
        own = float(outcome.metrics.get("views") or 0.0)
        outcome.reach = own / (sum(seen) / len(seen)) if seen and own > 0 else None


def platform_means(outcomes: list[PostOutcome]) -> dict[str, float]:
    sums: dict[str, list[float]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.matured:
            sums[outcome.platform].append(interactions(outcome.metrics))
    return {p: sum(v) / len(v) for p, v in sums.items() if v}


def lifts(outcomes: list[PostOutcome]) -> dict[str, dict[str, dict[str, float]]]:
    """Per dimension and option: posts, mean score, and a 90% interval of that mean."""
    evidence = accumulate([(o.features, o.score, 1.0) for o in outcomes if o.matured])
    return {
        dim: {
            option: {
                "n": s.n,
                "lift": round(s.mean, 3),
                "low": round(s.interval()[0], 3),
                "high": round(s.interval()[1], 3),
            }
            for option, s in sorted(options.items(), key=lambda kv: -kv[1].mean)
        }
        for dim, options in evidence.items()
        if options
    }


def post_observations(outcomes: list[PostOutcome], now: datetime) -> list[Observation]:
    """Matured outcomes as the effect model's observations (score, relative views, decayed weight)."""
    return [
        Observation(
            o.features, o.score, DECAY_PER_WEEK ** int(_weeks_old(o, now)), o.reach, o.retention
        )
        for o in outcomes
        if o.matured
    ]


def _weeks_old(outcome: PostOutcome, now: datetime) -> float:
    return max(0.0, (now - outcome.published_at) / timedelta(days=7))


def cumulative_evidence(outcomes: list[PostOutcome], now: datetime) -> Evidence:
    """Per-option stats of all matured outcomes, older weeks discounted by DECAY_PER_WEEK."""
    return accumulate([(o.features, o.score, o.weight) for o in post_observations(outcomes, now)])


def best_and_worst(
    table: dict[str, dict[str, dict[str, float]]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    best: dict[str, Any] = {}
    worst: dict[str, Any] = {}
    for dim, options in table.items():
        if dim == "platform" or len(options) < 2:
            continue
        ranked = sorted(options.items(), key=lambda kv: -kv[1]["lift"])
        best[dim] = {"option": ranked[0][0], **ranked[0][1]}
        worst[dim] = {"option": ranked[-1][0], **ranked[-1][1]}
    return best, worst
