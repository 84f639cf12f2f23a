"""The decisions a week is made of, and the options of each (one source: ``db.enums``)."""

from __future__ import annotations

from db.enums import ContentPillar, HookCategory, Tone

DIMENSIONS = (
    "pillar",
    "topic",
    "hook_category",
    "tone",
    "length_bucket",
    "twin",
    "weekday",
    "hour",
)
"""Every decision the learner keeps evidence on (a post's features)."""
CONTENT_DIMENSIONS = ("pillar", "hook_category", "tone", "length_bucket", "twin", "topic")
"""The decisions of one slot besides its time."""
PILLARS = tuple(p.value for p in ContentPillar)
TONES = tuple(t.value for t in Tone)
HOOK_CATEGORIES = tuple(h.value for h in HookCategory)
HOURS = ("08:00", "10:00", "12:00", "14:00", "16:00", "18:00", "20:00", "22:00")
"""The posting times planning chooses between (local time of the agent)."""
LENGTH_BUCKETS = {"short": 15, "medium": 22, "long": 30}
"""Length bucket -> the seconds a script aims for."""
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_TOPIC_REPEATS = 2
"""Times one topic (cluster) may fill a slot in one week."""


def hour_bucket(hour: int) -> str:
    """The two-hour bucket a local hour falls in, named like ``HOURS`` ("18:00")."""
    return f"{hour // 2 * 2:02d}:00"


def length_bucket(seconds: float) -> str:
    """The bucket a reel's length falls in."""
    if seconds <= 17:
        return "short"
    if seconds <= 25:
        return "medium"
    return "long"


__all__ = [
    "CONTENT_DIMENSIONS",
    "DIMENSIONS",
    "HOOK_CATEGORIES",
    "HOURS",
    "LENGTH_BUCKETS",
    "MAX_TOPIC_REPEATS",
    "PILLARS",
    "TONES",
    "WEEKDAYS",
    "hour_bucket",
    "length_bucket",
]
