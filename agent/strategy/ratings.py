"""The creator's ratings (seed 003 6.5) as evidence: a rating counts like one more observed post."""

from __future__ import annotations

from collections.abc import Sequence

from agent.strategy.dimensions import length_bucket
from agent.strategy.observation import Observation
from agent.strategy.topics import TopicClusters
from db.repo.analytics import Rating

NEUTRAL_RATING = 3.0
FEEDBACK_WEIGHT = 1.0
"""How many posts' worth of evidence one rating is."""


def rating_observations(
    ratings: Sequence[Rating], clusters: TopicClusters, anchors: Sequence[str] = ()
) -> list[Observation]:
    """Each rating on the engagement score's scale (3 stars = 1.0, 5 = 1.67, 1 = 0.33), its
    topic labelled like the posts' (``anchors``: the labels the posts already use)."""
    labels = clusters.labels([r.topic for r in ratings], anchors=list(anchors))
    return [
        Observation(
            {
                "pillar": r.pillar,
                "topic": labels.get(r.topic, r.topic),
                "hook_category": r.hook_category,
                "tone": r.tone,
                "twin": r.twin,
                "length_bucket": length_bucket(r.length_sec),
            },
            r.rating / NEUTRAL_RATING,
            FEEDBACK_WEIGHT,
        )
        for r in ratings
    ]


__all__ = ["FEEDBACK_WEIGHT", "NEUTRAL_RATING", "rating_observations"]
