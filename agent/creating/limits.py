"""Per-platform caption and hashtag limits, and fitting text inside them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CaptionLimits:
    max_chars: int
    """Caption plus hashtags, as the platform counts them."""
    max_hashtags: int


LIMITS: dict[str, CaptionLimits] = {
    "instagram": CaptionLimits(2200, 30),
    "facebook": CaptionLimits(2200, 30),
    "threads": CaptionLimits(500, 1),
    "linkedin": CaptionLimits(3000, 5),
    "tiktok": CaptionLimits(2200, 10),
    "youtube_shorts": CaptionLimits(5000, 15),
    "sandbox": CaptionLimits(2200, 30),
}
DEFAULT_LIMITS = CaptionLimits(2200, 30)


def limits_for(platform: str) -> CaptionLimits:
    return LIMITS.get(platform, DEFAULT_LIMITS)


def compose(caption: str, hashtags: list[str]) -> str:
    return caption if not hashtags else f"{caption}\n\n{' '.join(hashtags)}"


def fit_caption(caption: str, hashtags: list[str], platform: str) -> tuple[str, list[str]]:
    """Trim hashtags to the platform's count, then the caption at a word boundary to fit."""
    limits = limits_for(platform)
    tags: list[str] = []
    for tag in hashtags:
        clean = "#" + "".join(ch for ch in tag.lstrip("#") if ch.isalnum() or ch == "_")
        if len(clean) > 1 and clean.lower() not in {t.lower() for t in tags}:
            tags.append(clean)
    tags = tags[: limits.max_hashtags]
    text = caption.strip()
    budget = limits.max_chars - (len(compose("", tags)) if tags else 0)
    if len(text) > budget:
        cut = text[: max(budget - 1, 0)].rsplit(" ", 1)[0].rstrip(",;:")
        text = cut + "…"
    return text, tags
