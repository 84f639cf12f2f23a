"""The offline model writes scripts as long as the plan asks, for every pillar."""

from __future__ import annotations

import json
import random

import pytest
from langchain_core.messages import HumanMessage

from agent.offline_skills import BODY_LINES, WORDS_PER_SEC, script
from agent.planning.learning import LENGTH_BUCKETS, length_bucket


def _write(pillar: str, target: int, seed: int) -> dict[str, str]:
    inputs = {
        "topic": "Deep work routines",
        "pillar": pillar,
        "tone": "educational",
        "target_length_sec": target,
        "hook": "Why does nobody talk about deep work routines?",
    }
    prompt = HumanMessage(content=f"<inputs>{json.dumps(inputs)}</inputs>")
    return script([prompt], None, random.Random(seed))


@pytest.mark.parametrize("pillar", sorted(BODY_LINES))
def test_scripts_land_in_the_length_bucket_they_were_planned_for(pillar: str) -> None:
    for bucket, target in LENGTH_BUCKETS.items():
        for seed in range(4):
            spoken = len(_write(pillar, target, seed)["body"].split()) / WORDS_PER_SEC
            assert spoken <= target + 0.5
            assert length_bucket(spoken) == bucket, (bucket, target, spoken)


def test_the_middle_of_a_script_varies_but_its_opening_line_stays() -> None:
    bodies = {_write("education", LENGTH_BUCKETS["medium"], seed)["body"] for seed in range(6)}
    assert len(bodies) > 1
    first = BODY_LINES["education"][0]
    assert all(first in body for body in bodies)
