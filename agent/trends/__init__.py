"""The world in: the niche's trend and news signals, collected, stored and judged for a week."""

from agent.trends.feed import (
    NicheTrends,
    candidate_of,
    collect_niche_trends,
    niche_keywords,
    report_trend_lines,
)

__all__ = [
    "NicheTrends",
    "candidate_of",
    "collect_niche_trends",
    "niche_keywords",
    "report_trend_lines",
]
