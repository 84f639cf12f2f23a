"""Deduplicate items across sources and score each signal in [0, 1] for a niche.

score = 0.45 relevance + 0.20 recency + 0.15 repetition + 0.20 popularity, where

- relevance: cosine similarity of the item's text to the niche's keywords (best match among
  the keywords and all of them together), with the injected embedding; 0.5 when the niche
  has no keywords;
- recency: 0.5 ** (age in hours / 24); 0.5 when the source gives no date;
- repetition: how many of the sources that answered carried the item, (k - 1) / (n - 1);
- popularity: the item's rank within its own source by the source's figure (views,
  approximate searches, sample score), 1.0 for the first, 0.5 when the source has none.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from urllib.parse import parse_qsl, urlencode, urlsplit

from tools.trends.models import ScoredSignal, TrendItem

__all__ = [
    "WEIGHTS",
    "Embed",
    "Group",
    "dedupe",
    "link_key",
    "same_title",
    "score_groups",
]

Embed = Callable[[list[str]], Sequence[Sequence[float]]]
"""Texts -> one vector per text (e.g. the local MiniLM embedding function)."""

WEIGHTS = {"relevance": 0.45, "recency": 0.20, "repetition": 0.15, "popularity": 0.20}
HALF_LIFE_HOURS = 24.0
TITLE_RATIO = 0.9
TOKEN_OVERLAP = 0.8

_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|igshid)$", re.IGNORECASE)


def link_key(link: str | None) -> str | None:
    """A link reduced to what identifies the page: no scheme, ``www.``, fragment or tracking."""
    if not link:
        return None
    parts = urlsplit(link)
    host = (parts.hostname or "").removeprefix("www.")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)))
    return f"{host}{parts.path.rstrip('/')}" + (f"?{query}" if query else "")


def _tokens(title: str) -> list[str]:
    text = unicodedata.normalize("NFKD", title.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.findall(r"\w+", text)


def same_title(a: str, b: str) -> bool:
    """True when two titles say the same thing (case, punctuation and small edits aside)."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return False
    ja, jb = " ".join(ta), " ".join(tb)
    if ja == jb:
        return True
    sa, sb = set(ta), set(tb)
    if min(len(sa), len(sb)) >= 3 and len(sa & sb) / len(sa | sb) >= TOKEN_OVERLAP:
        return True
    matcher = SequenceMatcher(None, ja, jb, autojunk=False)
    return matcher.real_quick_ratio() >= TITLE_RATIO and matcher.ratio() >= TITLE_RATIO


@dataclass
class Group:
    """Items from one or more sources that are the same signal; the first one represents it."""

    items: list[TrendItem] = field(default_factory=list)
    popularity: list[float] = field(default_factory=list)

    @property
    def lead(self) -> TrendItem:
        return self.items[0]

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(item.source for item in self.items))


def _popularity(items: list[TrendItem]) -> list[float]:
    """Rank within one source's answer: 1.0 for its most popular item down to 0.0."""
    if not any(item.traffic is not None for item in items):
        return [0.5] * len(items)
    if len(items) == 1:
        return [1.0]
    order = sorted(range(len(items)), key=lambda i: -(items[i].traffic or 0.0))
    ranks = [0.0] * len(items)
    for position, index in enumerate(order):
        ranks[index] = 1.0 - position / (len(items) - 1)
    return ranks


def dedupe(answers: list[list[TrendItem]]) -> list[Group]:
    """Merge items that share a link or a near-same title, across and within sources.

    Args:
        answers: One list per source, in the sources' order (earlier sources lead a group).
    """
    groups: list[Group] = []
    by_link: dict[str, Group] = {}
    for items in answers:
        for item, pop in zip(items, _popularity(items), strict=True):
            key = link_key(item.link)
            group = by_link.get(key) if key else None
            if group is None:
                group = next((g for g in groups if same_title(g.lead.title, item.title)), None)
            if group is None:
                group = Group()
                groups.append(group)
            group.items.append(item)
            group.popularity.append(pop)
            if key:
                by_link.setdefault(key, group)
    return groups


def _unit(vector: Sequence[float]) -> list[float]:
    values = [float(v) for v in vector]
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values] if norm > 0 else values


def _relevance(texts: list[str], keywords: list[str], embed: Embed) -> list[float]:
    if not keywords or not texts:
        return [0.5] * len(texts)
    anchors = [", ".join(keywords), *keywords]
    vectors = [_unit(v) for v in embed(anchors + texts)]
    niche, items = vectors[: len(anchors)], vectors[len(anchors) :]
    out = []
    for vec in items:
        best = max(sum(a * b for a, b in zip(vec, anchor, strict=False)) for anchor in niche)
        out.append(min(1.0, max(0.0, best)))
    return out


def _recency(item: TrendItem, now: datetime) -> float:
    if item.published_at is None:
        return 0.5
    hours = max(0.0, (now - item.published_at).total_seconds() / 3600)
    return 0.5 ** (hours / HALF_LIFE_HOURS)


def score_groups(
    groups: list[Group],
    *,
    keywords: list[str],
    embed: Embed | None,
    now: datetime,
    answered: int,
) -> list[ScoredSignal]:
    """Score every group; best first (ties by topic).

    Args:
        groups: From :func:`dedupe`.
        keywords: The niche's keywords.
        embed: Embedding function; None means relevance is neutral (0.5) for all.
        now: The current time (recency).
        answered: How many sources returned at least one item (repetition).
    """
    texts = [f"{g.lead.title}. {g.lead.summary[:200]}".strip(". ") for g in groups]
    relevance = _relevance(texts, keywords, embed) if embed else [0.5] * len(groups)
    signals = []
    for group, rel in zip(groups, relevance, strict=True):
        lead = group.lead
        parts = {
            "relevance": rel,
            "recency": max(_recency(item, now) for item in group.items),
            "repetition": (len(group.sources) - 1) / (answered - 1) if answered > 1 else 0.0,
            "popularity": max(group.popularity),
        }
        parts["repetition"] = min(1.0, parts["repetition"])
        score = sum(WEIGHTS[name] * value for name, value in parts.items())
        link = lead.link or next((i.link for i in group.items if i.link), None)
        tags = list(dict.fromkeys(tag for item in group.items for tag in item.tags))[:12]
        signals.append(
            ScoredSignal(
                topic=lead.title,
                score=round(min(1.0, max(0.0, score)), 4),
                kind=lead.kind,
                source=lead.source,
                source_title=lead.source_title,
                link=link,
                summary=lead.summary,
                published_at=lead.published_at,
                tags=tags,
                region=lead.region,
                platform_hint=lead.platform_hint,
                traffic=lead.traffic,
                also_in=group.sources[1:],
                extra=lead.extra,
                **parts,
            )
        )
    signals.sort(key=lambda s: (-s.score, s.topic.lower()))
    return signals
