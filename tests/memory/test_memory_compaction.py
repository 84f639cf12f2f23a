"""Rolling compaction: top-K per topic/twin kept, the rest folded into one summary per group."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from memory import KIND_SUMMARY, AgentMemoryStore, RetentionPolicy
from memory.compaction import Entry, plan_compaction
from memory.metadata import decode_metadata

BY_ENGAGEMENT = RetentionPolicy(top_k=3, engagement_weight=1.0, recency_weight=0.0)


def add_outcomes(
    store: AgentMemoryStore, clock: Any, topic: str, scores: list[float], twin: str = "ava"
) -> list[str]:
    ids = []
    for i, score in enumerate(scores):
        ids.append(
            store.add(
                kind="post_outcome",
                text=f"Reel {i} about {topic} by {twin} scored {score}",
                metadata={
                    "topic": topic,
                    "twin_id": twin,
                    "engagement_score": score,
                    "created_at": clock.now - timedelta(days=10 + i),
                },
                memory_id=f"{topic}-{twin}-{i}",
            )
        )
    return ids


def summaries(store: AgentMemoryStore) -> list[Any]:
    found = store.collection.get(where={"kind": KIND_SUMMARY})
    return [
        (memory_id, text, decode_metadata(meta)[1])
        for memory_id, text, meta in zip(
            found["ids"], found["documents"] or [], found["metadatas"] or [], strict=True
        )
    ]


def test_keeps_top_k_per_group_and_summarises_the_rest(store: AgentMemoryStore, clock: Any) -> None:
    fitness = add_outcomes(store, clock, "fitness", [0.05, 0.01, 0.08, 0.02, 0.07, 0.03, 0.06])
    cooking = add_outcomes(store, clock, "cooking", [0.02, 0.04])
    other_twin = add_outcomes(store, clock, "fitness", [0.5, 0.4, 0.3, 0.2], twin="max")
    directive = store.add(kind="directive", text="No politics", metadata={"topic": "fitness"})

    report = store.compact(BY_ENGAGEMENT)

    assert (report.groups, report.kept, report.compacted, report.summaries_written) == (
        3,
        3 + 2 + 3,
        4 + 1,
        2,
    )
    remaining = set(store.collection.get()["ids"])
    kept_fitness = {fitness[2], fitness[4], fitness[6]}  # 0.08, 0.07, 0.06
    assert kept_fitness <= remaining
    assert not {fitness[0], fitness[1], fitness[3], fitness[5]} & remaining
    assert set(cooking) <= remaining
    assert set(other_twin[:3]) <= remaining and other_twin[3] not in remaining
    assert directive in remaining
    assert store.count() == 3 + 2 + 3 + 1 + 2

    by_twin = {meta["twin_id"]: (text, meta) for _, text, meta in summaries(store)}
    text, meta = by_twin["ava"]
    assert meta["summarized_count"] == 4
    assert meta["summarized_kind"] == "post_outcome"
    assert meta["topic"] == "fitness"
    assert meta["engagement_mean"] == pytest.approx((0.05 + 0.01 + 0.02 + 0.03) / 4)
    assert (meta["engagement_min"], meta["engagement_max"]) == (0.01, 0.05)
    assert "Summary of 4 older post_outcome memories (topic fitness, twin_id ava)" in text
    assert by_twin["max"][1]["summarized_count"] == 1

    stats = store.stats()
    assert stats["last_compaction_at"] == clock.now.isoformat()
    assert stats["size"] == store.count()
    found = store.search("what did fitness reels by ava achieve", k=1, kind=KIND_SUMMARY)
    assert found[0].metadata["twin_id"] == "ava"


def test_second_pass_changes_nothing_and_later_passes_merge(
    store: AgentMemoryStore, clock: Any
) -> None:
    add_outcomes(store, clock, "travel", [0.1, 0.2, 0.3, 0.4, 0.5])
    store.compact(BY_ENGAGEMENT)
    size = store.count()
    clock.advance(days=1)
    again = store.compact(BY_ENGAGEMENT)
    assert (again.compacted, again.summaries_written) == (0, 0)
    assert store.count() == size
    assert store.stats()["last_compaction_at"] == clock.now.isoformat()

    for i, score in enumerate([0.05, 0.9]):
        store.add(
            kind="post_outcome",
            text=f"New travel reel {i}",
            metadata={"topic": "travel", "twin_id": "ava", "engagement_score": score},
        )
    third = store.compact(BY_ENGAGEMENT)
    assert third.compacted == 2  # 0.05 and the previous third place, 0.3
    [(_, _, meta)] = summaries(store)
    assert meta["summarized_count"] == 4
    assert meta["engagement_mean"] == pytest.approx((0.1 + 0.2 + 0.05 + 0.3) / 4)
    assert meta["engagement_min"] == 0.05


def test_recency_and_min_age_protect_new_memories(store: AgentMemoryStore, clock: Any) -> None:
    ids = add_outcomes(store, clock, "music", [0.1] * 6)  # day ages 10..15
    by_recency = RetentionPolicy(top_k=2, engagement_weight=0.0, recency_weight=1.0)
    store.compact(by_recency)
    remaining = set(store.collection.get(where={"kind": "post_outcome"})["ids"])
    assert remaining == {ids[0], ids[1]}  # the two newest

    young = add_outcomes(store, clock, "art", [0.1] * 4)
    protective = RetentionPolicy(top_k=1, min_age_days=30)
    report = store.compact(protective)
    assert report.compacted == 0
    assert set(young) <= set(store.collection.get()["ids"])


def test_retry_after_interrupted_pass_does_not_double_count(
    store: AgentMemoryStore, clock: Any
) -> None:
    add_outcomes(store, clock, "books", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    # Simulate a crash: the summary was written but the folded entries not yet deleted.
    rows = store.collection.get(where={"kind": "post_outcome"})
    entries = [
        Entry(id=i, kind="post_outcome", text=t or "", metadata=decode_metadata(m)[1])
        for i, t, m in zip(
            rows["ids"], rows["documents"] or [], rows["metadatas"] or [], strict=True
        )
    ]
    plan = plan_compaction(entries, BY_ENGAGEMENT, now=clock.now, existing_summaries={})
    [summary] = plan.summaries
    store.collection.upsert(
        ids=[summary.id], documents=[summary.text], metadatas=[summary.metadata]
    )
    assert store.count() == 7

    report = store.compact(BY_ENGAGEMENT)
    assert report.compacted == 3 and report.summaries_written == 0
    [(_, _, meta)] = summaries(store)
    assert meta["summarized_count"] == 3
    assert meta["engagement_mean"] == pytest.approx(0.2)
    assert store.count() == 4


def test_policy_refuses_to_compact_summaries() -> None:
    with pytest.raises(ValueError, match="Summaries cannot be compacted"):
        RetentionPolicy(kinds=("insight", "summary"))
