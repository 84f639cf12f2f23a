"""A scripted chat model for tests that answers the plan against everything it was told."""

from __future__ import annotations

import random
from typing import Any

from langchain_core.messages import BaseMessage

from agent.llm import OfflineChatModel
from agent.llm.offline import cycle_registry, read_inputs
from agent.schemas import PlanDraft

WRONG = {
    "topic": "Celebrity gossip roundup",
    "pillar": "promotion",
    "tone": "inspirational",
    "hook_category": "listicle",
    "twin": "Goddess Twin",
    "target_length_sec": 11,
}


def contrary_plan(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
    """One item per slot, every decided field replaced by the same wrong choice."""
    slots = read_inputs(messages).get("slots", [])
    return {
        "strategy_summary": "Ignore the data: go all in on gossip.",
        "items": [
            {
                **WRONG,
                "slot": s["slot"],
                "hook": "Five gossip tricks nobody will tell you.",
                "rationale": "vibes",
            }
            for s in slots
        ],
    }


def contrary_model() -> OfflineChatModel:
    """The offline writer, except that its plan contradicts every decided field."""
    registry = cycle_registry()
    registry.register(PlanDraft, contrary_plan)
    return OfflineChatModel(registry=registry)
