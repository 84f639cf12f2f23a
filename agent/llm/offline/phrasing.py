"""Small pieces of wording the offline writer shares: topic casing, numbers, calls to action."""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage

INPUTS_RE = re.compile(r"<inputs>\s*(.*?)\s*</inputs>", re.S)
WORDS_PER_SEC = 2.6
HOOK_WORDS = 11
CTA_WORDS = 9
POINT_WORDS = 12
NUMBER_WORDS = {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five"}
ORDINALS = ("First, ", "Second, ", "Third, ", "Fourth, ", "Fifth, ")
CALLS = {
    "educational": "Save this so you have it when you need it.",
    "trending": "Tell me in the comments what you are seeing.",
    "thought_leadership": "Share this with someone who needs to hear it.",
    "inspirational": "Pick one of these and start today.",
}
SHORT_CALLS = {
    "educational": "Save this.",
    "trending": "Comment if you see it too.",
    "thought_leadership": "Share this.",
    "inspirational": "Start today.",
}
"""Calls to action for videos too short for a sentence more."""


def read_inputs(messages: list[BaseMessage]) -> dict[str, Any]:
    """The JSON between <inputs> tags in the latest user message that has one."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            match = INPUTS_RE.search(str(message.content))
            if match:
                try:
                    return dict(json.loads(match.group(1)))
                except json.JSONDecodeError:
                    return {}
    return {}


def in_sentence(topic: str) -> str:
    """A topic as it reads inside a sentence: "Deep work routines" -> "deep work routines",
    while "AI agents", "Web3 security" or "TikTok trends" keep their capitals."""
    first, _, rest = topic.partition(" ")
    letters = first.replace("-", "")
    plain = first[:1].isupper() and letters[1:].islower() and letters.isalpha()
    return (first.lower() if plain else first) + (f" {rest}" if rest else "")


def lower_first(sentence: str) -> str:
    """A sentence continued after a lead-in ("First, keep ..."), capitals of names kept."""
    first = sentence.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].islower() and first.isalpha() and first != "I":
        return sentence[:1].lower() + sentence[1:]
    return sentence


def point_count(target_sec: float, available: int) -> int:
    """How many points fit a video of ``target_sec`` next to its hook and call to action."""
    budget = target_sec * WORDS_PER_SEC - HOOK_WORDS - CTA_WORDS
    fits = max(2, min(4, int(budget // POINT_WORDS)))
    return min(fits, available) if available else 0


def with_count(hook: str, count: int) -> str:
    """A hook's promised number of steps or tricks set to what the video gives."""
    if count < 2:
        return re.sub(r"^(?:Two|Three|Four|Five)\s+", "", hook).capitalize() if count else hook
    return re.sub(r"\b(?:Two|Three|Four|Five)\b", NUMBER_WORDS[count], hook, count=1)


__all__ = [
    "CALLS",
    "ORDINALS",
    "SHORT_CALLS",
    "WORDS_PER_SEC",
    "in_sentence",
    "lower_first",
    "point_count",
    "read_inputs",
    "with_count",
]
