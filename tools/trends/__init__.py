"""Trend signals: news feeds, platform charts and search trends, scored for a niche.

Offline, the bundled sample is the only source. Configure feeds, YouTube or Google Trends
(see ``TrendsConfig``) and :func:`collect_trends` reads them with timeouts, caches each
answer for the day, deduplicates and scores; :func:`detect_spikes` finds the outliers.
Third parties add sources under entry-point group ``twin_agent.trends``.
"""

from tools.trends.base import Clock, SourceError, TrendSource
from tools.trends.collect import collect_trends, local_embed
from tools.trends.config import NicheSources, TrendsConfig, load_niche_sources, sources_for
from tools.trends.feeds import RssSource, parse_feed
from tools.trends.google_trends import GoogleTrendsSource, parse_google_trends
from tools.trends.local import (
    MAX_TAG_CHARS,
    MAX_TOPIC_CHARS,
    FileSource,
    SampleSource,
    TrendInput,
    TrendsError,
    load_trends,
)
from tools.trends.models import CollectedTrends, ScoredSignal, SourceFailure, TrendItem
from tools.trends.registry import ENTRY_POINT_GROUP, available_sources, get_source
from tools.trends.scoring import WEIGHTS, Embed
from tools.trends.spikes import DEFAULT_SPIKE_Z, Spike, detect_spikes
from tools.trends.youtube import YouTubeSource

__all__ = [
    "DEFAULT_SPIKE_Z",
    "ENTRY_POINT_GROUP",
    "MAX_TAG_CHARS",
    "MAX_TOPIC_CHARS",
    "WEIGHTS",
    "Clock",
    "CollectedTrends",
    "Embed",
    "FileSource",
    "GoogleTrendsSource",
    "NicheSources",
    "RssSource",
    "SampleSource",
    "ScoredSignal",
    "SourceError",
    "SourceFailure",
    "Spike",
    "TrendInput",
    "TrendItem",
    "TrendSource",
    "TrendsConfig",
    "TrendsError",
    "YouTubeSource",
    "available_sources",
    "collect_trends",
    "detect_spikes",
    "get_source",
    "load_niche_sources",
    "load_trends",
    "local_embed",
    "parse_feed",
    "parse_google_trends",
    "sources_for",
]
