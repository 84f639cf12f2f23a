"""The offline writer: scripts from the topic's points, as long as the plan asks, that pass the quality checks."""

from __future__ import annotations

import json
import random

import pytest
from langchain_core.messages import HumanMessage

from agent.creating.quality import assess
from agent.llm.offline.phrasing import WORDS_PER_SEC
from agent.llm.offline.scripts import fill, plan_words, script
from agent.strategy.dimensions import LENGTH_BUCKETS, PILLARS, length_bucket
from tools.trends import load_trends

TRENDS = {t["topic"]: t for t in load_trends()}
HOOKS = {
    "question": "Why does nobody talk about {topic}?",
    "how_to": "Three steps to get {topic} right today.",
    "listicle": "Three tricks for {topic} worth stealing.",
    "contrarian": "Unpopular opinion: most advice on {topic} misses the point.",
}


def _write(
    topic: str, pillar: str, category: str, target: int, seed: int
) -> tuple[str, dict[str, str]]:
    slot = {
        "slot": 0,
        "topic": topic,
        "pillar": pillar,
        "tone": "educational",
        "hook_category": category,
        "hook_template": HOOKS[category],
        "twin": "Space Twin",
        "target_length_sec": target,
        "trend_points": len(TRENDS[topic]["points"]),
    }
    plan = plan_words(
        [HumanMessage(content=f"<inputs>{json.dumps({'slots': [slot]})}</inputs>")],
        None,
        random.Random(seed),
    )
    hook = plan["items"][0]["hook"]
    inputs = {
        "topic": topic,
        "pillar": pillar,
        "tone": "educational",
        "target_length_sec": target,
        "hook": hook,
        "tags": TRENDS[topic]["related_tags"],
        "points": TRENDS[topic]["points"],
    }
    return hook, script(
        [HumanMessage(content=f"<inputs>{json.dumps(inputs)}</inputs>")], None, random.Random(seed)
    )


@pytest.mark.parametrize("pillar", PILLARS)
def test_scripts_land_in_the_length_bucket_they_were_planned_for(pillar: str) -> None:
    for bucket, target in LENGTH_BUCKETS.items():
        for seed, topic in enumerate(list(TRENDS)[:4]):
            _, answer = _write(topic, pillar, "question", target, seed)
            spoken = len(answer["body"].split()) / WORDS_PER_SEC
            assert spoken <= target + 0.5
            assert length_bucket(spoken) == bucket, (bucket, target, spoken, answer["body"])


@pytest.mark.parametrize("category", sorted(HOOKS))
@pytest.mark.parametrize("topic", sorted(TRENDS))
def test_offline_scripts_pass_the_quality_checks(topic: str, category: str) -> None:
    for target in LENGTH_BUCKETS.values():
        hook, answer = _write(topic, "education", category, target, 3)
        report = assess(
            body=answer["body"],
            hook=hook,
            duration_sec=target - 1,
            target_sec=target,
            platform_captions={},
            render_warnings=[],
            topic=topic,
            tags=TRENDS[topic]["related_tags"],
            material=TRENDS[topic]["points"],
        )
        assert report.score == 1.0, (report.issues, answer["body"])


def test_a_hook_promises_only_as_many_points_as_the_video_has_room_for() -> None:
    short, _ = _write("Web3 security", "education", "how_to", LENGTH_BUCKETS["short"], 0)
    long, body = _write("Web3 security", "education", "how_to", LENGTH_BUCKETS["long"], 0)
    assert short.startswith("Two steps") and long.startswith("Four steps")
    assert all(f"{n}, " in body["body"] for n in ("First", "Second", "Third", "Fourth"))


def test_topics_keep_their_capitals_inside_a_sentence() -> None:
    assert fill("Why does nobody talk about {topic}?", "AI agents for small business") == (
        "Why does nobody talk about AI agents for small business?"
    )
    assert fill("Why does nobody talk about {topic}?", "Deep work routines") == (
        "Why does nobody talk about deep work routines?"
    )
    assert fill("{topic} in one minute.", "deep work") == "Deep work in one minute."
