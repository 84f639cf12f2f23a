"""Plan a rolling compaction: keep the top-K relevant memories per group, summarise the rest.

Pure functions over plain entries; :class:`memory.store.AgentMemoryStore` reads the
entries, applies the plan and records the time.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from memory.metadata import CREATED_AT, ChromaMetadata, encode_metadata, parse_time
from memory.models import KIND_SUMMARY, RetentionPolicy

__all__ = [
    "FOLDED_IDS",
    "CompactionPlan",
    "Entry",
    "SummaryWrite",
    "plan_compaction",
    "relevance_scores",
    "summary_id",
]

FOLDED_IDS = "_folded_ids"
"""Summary field listing the ids folded in by the latest pass (makes a retry idempotent)."""
_EXAMPLES_KEPT = 2
_EXAMPLE_CHARS = 100


@dataclass(frozen=True, kw_only=True)
class Entry:
    """A stored memory as compaction sees it (metadata already decoded)."""

    id: str
    kind: str
    text: str
    metadata: Mapping[str, Any]

    @property
    def created_at(self) -> datetime:
        return parse_time(self.metadata[CREATED_AT])

    def engagement(self, key: str) -> float | None:
        value = self.metadata.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value) if math.isfinite(value) else None


@dataclass(frozen=True, kw_only=True)
class SummaryWrite:
    """A summary entry to upsert."""

    id: str
    text: str
    metadata: ChromaMetadata


@dataclass(kw_only=True)
class CompactionPlan:
    """Ids to delete and summaries to write; ``groups``/``kept`` are for reporting."""

    groups: int = 0
    kept: int = 0
    delete_ids: list[str] = field(default_factory=list)
    summaries: list[SummaryWrite] = field(default_factory=list)


def summary_id(kind: str, group_by: tuple[str, ...], values: tuple[str, ...]) -> str:
    """Deterministic id of the rolling summary of one group."""
    key = json.dumps([kind, list(group_by), list(values)])
    return f"{KIND_SUMMARY}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}"


def relevance_scores(
    entries: list[Entry], policy: RetentionPolicy, now: datetime
) -> dict[str, float]:
    """Relevance per entry id within one group (see :class:`RetentionPolicy`)."""
    values = {e.id: e.engagement(policy.engagement_key) for e in entries}
    ranked = sorted((v, i) for i, v in values.items() if v is not None)
    rank: dict[str, float] = {}
    for position, (_, entry_id) in enumerate(ranked):
        rank[entry_id] = 1.0 if len(ranked) == 1 else position / (len(ranked) - 1)
    scores: dict[str, float] = {}
    for entry in entries:
        age_days = max((now - entry.created_at).total_seconds(), 0.0) / 86400.0
        recency = 0.5 ** (age_days / policy.recency_half_life_days)
        scores[entry.id] = (
            policy.engagement_weight * rank.get(entry.id, 0.0) + policy.recency_weight * recency
        )
    return scores


def plan_compaction(
    entries: Iterable[Entry],
    policy: RetentionPolicy,
    *,
    now: datetime,
    existing_summaries: Mapping[str, Entry],
) -> CompactionPlan:
    """Decide what to keep, delete and summarise.

    Args:
        entries: Stored memories of the policy's kinds.
        policy: The retention policy.
        now: Current time (aware).
        existing_summaries: Summaries already stored, by id, to merge into.

    Returns:
        The plan. Entries listed in an existing summary's latest folded ids are
        deleted without being counted again (a retried pass).
    """
    groups: dict[tuple[str, tuple[str, ...]], list[Entry]] = {}
    for entry in entries:
        values = tuple(str(entry.metadata.get(f, "")) for f in policy.group_by)
        groups.setdefault((entry.kind, values), []).append(entry)

    plan = CompactionPlan(groups=len(groups))
    for (kind, values), members in sorted(groups.items()):
        scores = relevance_scores(members, policy, now)
        members.sort(key=lambda e: (-scores[e.id], -e.created_at.timestamp(), e.id))
        min_age = policy.min_age_days * 86400.0
        folded: list[Entry] = []
        for position, entry in enumerate(members):
            too_young = (now - entry.created_at).total_seconds() < min_age
            if position < policy.top_k or too_young:
                plan.kept += 1
            else:
                folded.append(entry)
        if not folded:
            continue
        sid = summary_id(kind, policy.group_by, values)
        previous = existing_summaries.get(sid)
        already = set(_folded_ids(previous)) if previous else set()
        fresh = [e for e in folded if e.id not in already]
        plan.delete_ids.extend(e.id for e in folded)
        if fresh:
            plan.summaries.append(
                _summarise(kind, values, fresh, previous, policy=policy, now=now, sid=sid)
            )
    return plan


def _folded_ids(summary: Entry) -> list[str]:
    raw = summary.metadata.get(FOLDED_IDS)
    return list(json.loads(raw)) if isinstance(raw, str) else []


def _summarise(
    kind: str,
    values: tuple[str, ...],
    fresh: list[Entry],
    previous: Entry | None,
    *,
    policy: RetentionPolicy,
    now: datetime,
    sid: str,
) -> SummaryWrite:
    prev = previous.metadata if previous else {}
    key = policy.engagement_key
    engagements = [v for v in (e.engagement(key) for e in fresh) if v is not None]
    prev_n = int(prev.get("engagement_count", 0))
    total_n = prev_n + len(engagements)
    prev_sum = float(prev.get("engagement_mean", 0.0)) * prev_n
    stats: dict[str, Any] = {}
    if total_n:
        extremes = engagements + [
            float(prev[k]) for k in ("engagement_min", "engagement_max") if k in prev
        ]
        stats = {
            "engagement_count": total_n,
            "engagement_mean": (prev_sum + sum(engagements)) / total_n,
            "engagement_min": min(extremes),
            "engagement_max": max(extremes),
        }
    times = [e.created_at for e in fresh]
    times += [parse_time(prev[k]) for k in ("period_start", "period_end") if k in prev]
    examples = [(e.engagement(key) or 0.0, e.text[:_EXAMPLE_CHARS]) for e in fresh]
    examples += [tuple(x) for x in prev.get("examples", [])]
    examples = sorted(examples, key=lambda x: (-x[0], x[1]))[:_EXAMPLES_KEPT]
    count = int(prev.get("summarized_count", 0)) + len(fresh)
    group = {f: v for f, v in zip(policy.group_by, values, strict=True) if v}

    metadata: dict[str, Any] = {
        **group,
        **stats,
        "summarized_kind": kind,
        "summarized_count": count,
        "period_start": min(times).isoformat(),
        "period_end": max(times).isoformat(),
        "examples": [list(x) for x in examples],
        "compacted_at": now.isoformat(),
        CREATED_AT: now,
    }
    encoded = encode_metadata(metadata, kind=KIND_SUMMARY, created_at=now)
    encoded[FOLDED_IDS] = json.dumps(sorted(e.id for e in fresh))
    return SummaryWrite(id=sid, text=_summary_text(kind, group, metadata, stats), metadata=encoded)


def _summary_text(
    kind: str, group: dict[str, str], metadata: dict[str, Any], stats: dict[str, Any]
) -> str:
    where = ", ".join(f"{k} {v}" for k, v in group.items()) or "no group"
    start = metadata["period_start"][:10]
    end = metadata["period_end"][:10]
    parts = [
        f"Summary of {metadata['summarized_count']} older {kind} memories ({where}) "
        f"from {start} to {end}."
    ]
    if stats:
        parts.append(
            f"Engagement score mean {stats['engagement_mean']:.4g} over "
            f"{stats['engagement_count']} entries (min {stats['engagement_min']:.4g}, "
            f"max {stats['engagement_max']:.4g})."
        )
    best = "; ".join(text for _, text in metadata["examples"])
    if best:
        parts.append(f"Best examples: {best}")
    return " ".join(parts)
