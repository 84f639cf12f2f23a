"""The offline writer's words for a week: plan hooks, scripts and captions.

It decides nothing: topics, pillars, tones, hook categories, twins and lengths come from the
decided week in the prompt's inputs. It writes from what the inputs give about the topic (the
trend's points, summary and tags), so a script opens with its hook, makes two or three of those
points and ends with a call to action, within the target length.
"""

from __future__ import annotations

import random
import re
from typing import Any

from langchain_core.messages import BaseMessage

from agent.llm.offline.phrasing import (
    CALLS,
    ORDINALS,
    SHORT_CALLS,
    WORDS_PER_SEC,
    in_sentence,
    lower_first,
    point_count,
    read_inputs,
    with_count,
)
from agent.schemas import MAX_SCRIPT_WORDS, word_count

LEAD_INS = {
    "trend_reaction": ("What changed: ", "Why it matters: ", "What to do: ", "And watch this: "),
    "inspiration": ("Start here: ", "Then: ", "And remember: ", "One more: "),
    "announcement": ("What is new: ", "Also: ", "And: ", "Plus: "),
    "promotion": ("On the list: ", "Next: ", "Then: ", "Last: "),
}
PROMISED = re.compile(r"\b(Two|Three|Four|Five)\b", re.I)


def fill(template: str, topic: str) -> str:
    """A hook template with the topic in it, cased for where it stands."""
    if template.startswith("{topic}"):
        return template.replace("{topic}", topic[:1].upper() + topic[1:], 1).replace(
            "{topic}", in_sentence(topic)
        )
    return template.replace("{topic}", in_sentence(topic))


def plan_words(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
    """Hooks from each slot's template, rationales from its reason; the decided fields copied."""
    inputs = read_inputs(messages)
    items = []
    for slot in inputs.get("slots", []):
        topic = str(slot["topic"])
        count = point_count(
            float(slot.get("target_length_sec", 20)), int(slot.get("trend_points", 0))
        )
        hook = with_count(fill(str(slot.get("hook_template") or "{topic}"), topic), count)
        items.append(
            {
                "slot": slot["slot"],
                "pillar": slot["pillar"],
                "topic": topic[:120],
                "hook_category": slot["hook_category"],
                "hook": hook[:200] if len(hook) >= 5 else f"About {topic}"[:200],
                "tone": slot["tone"],
                "twin": slot["twin"],
                "target_length_sec": slot["target_length_sec"],
                "rationale": f"{topic}: {slot.get('why', 'fits the niche')}"[:300],
            }
        )
    topics = list(dict.fromkeys(i["topic"] for i in items))
    summary = (
        f"{len(items)} videos this week, on {', '.join(topics[:3])}"
        + (f" and {len(topics) - 3} more topics" if len(topics) > 3 else "")
        + "."
    )
    return {"strategy_summary": summary[:600], "items": items}


def script(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
    """A script from the item's hook and its trend's points, or a shorter version of one."""
    inputs = read_inputs(messages)
    current = inputs.get("current_script")
    if current:
        return {
            **current,
            "body": _shortened(
                str(current["body"]), int(inputs.get("max_words", MAX_SCRIPT_WORDS))
            ),
        }
    topic = str(inputs.get("topic") or "this")
    hook = str(inputs.get("hook") or f"Here is what to know about {in_sentence(topic)}.")
    target = float(inputs.get("target_length_sec", 20))
    budget = min(int(inputs.get("max_words", MAX_SCRIPT_WORDS)), int(target * WORDS_PER_SEC))
    points = [str(p).strip() for p in inputs.get("points") or [] if str(p).strip()]
    if not points and inputs.get("summary"):
        points = [
            s for s in re.split(r"(?<=[.!?])\s+", str(inputs["summary"])) if len(s.split()) > 3
        ]
    promised = PROMISED.search(hook)
    wanted = (
        {"two": 2, "three": 3, "four": 4, "five": 5}[promised.group(1).lower()]
        if promised
        else point_count(target, len(points))
    )
    start = rng.randrange(len(points)) if points and not promised else 0
    chosen = (points[start:] + points[:start])[: max(wanted, 0)]
    spare = budget - word_count(hook) - (3 if target <= 17 else 8)
    if word_count(" ".join(chosen)) > spare:  # a short video makes its shortest points
        chosen = sorted(points, key=word_count)[: len(chosen)]
    leads = (
        ORDINALS
        if promised or inputs.get("pillar") == "education"
        else LEAD_INS.get(str(inputs.get("pillar")), ORDINALS)
    )
    lines = [f"{leads[i]}{lower_first(p)}" for i, p in enumerate(chosen)]
    if not lines:
        tags = [t for t in inputs.get("tags") or [] if t][:3]
        lines = [f"Look at {', '.join(tags) or in_sentence(topic)} before you decide anything."]
    calls = SHORT_CALLS if target <= 17 else CALLS
    call = calls.get(str(inputs.get("tone")), calls["educational"])
    body = " ".join([hook, *lines, call])
    for i in sorted(range(len(lines)), key=lambda n: -word_count(lines[n])):
        if word_count(body) <= budget:
            break
        lines[i] = _clause(lines[i])  # a short video keeps each point's main clause
        body = " ".join([hook, *lines, call])
    while word_count(body) > budget and len(lines) > 2 and not promised:
        lines.pop()
        body = " ".join([hook, *lines, call])
    return {
        "title": topic if len(topic) <= 60 else topic[:57] + "...",
        "hook": hook,
        "body": _shortened(body, MAX_SCRIPT_WORDS),
        "tags": _tags(inputs, topic),
    }


def _clause(sentence: str) -> str:
    """A point cut to its main clause ("Keep X offline, written down, ..." -> "Keep X offline.")."""
    for mark in (", because ", ", so ", ", not ", ", and ", ", ", " because ", " so "):
        head, found, _ = sentence.partition(mark)
        if found and len(head.split()) >= 4:
            return head.rstrip(".,;:") + "."
    return sentence


def _shortened(body: str, max_words: int) -> str:
    """Drop sentences from the middle until the body fits (the hook and the call stay)."""
    sentences = re.split(r"(?<=[.!?])\s+", body.strip())
    while len(sentences) > 2 and word_count(" ".join(sentences)) > max_words:
        sentences.pop(-2)
    text = " ".join(sentences)
    words = text.split()
    if len(words) > max_words:
        text = " ".join(words[:max_words]).rstrip(",;:") + "."
    return text


def _tags(inputs: dict[str, Any], topic: str) -> list[str]:
    raw = [*inputs.get("tags", []), *re.findall(r"[A-Za-z0-9]+", topic)]
    tags = list(dict.fromkeys(re.sub(r"[^a-z0-9]", "", str(t).lower()) for t in raw))
    return [t for t in tags if len(t) > 2][:8] or ["tips"]


def captions(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
    """The hook restated with a question, and hashtags from the tags and the title."""
    inputs = read_inputs(messages)
    hook = str(inputs.get("hook") or inputs.get("title") or "New video")
    questions = {
        "educational": "Which step will you try first?",
        "trending": "Are you seeing the same thing?",
        "thought_leadership": "Where do you think this goes next?",
        "inspirational": "What is your first step?",
    }
    caption = f"{hook} {questions.get(str(inputs.get('tone')), 'What would you add?')}"
    words = re.findall(
        r"[a-z0-9]+",
        (str(inputs.get("title", "")) + " " + " ".join(inputs.get("tags", []))).lower(),
    )
    tags: list[str] = []
    for word in [*inputs.get("tags", []), *words, "shorts"]:
        tag = "#" + re.sub(r"[^a-z0-9]", "", str(word).lower())
        if len(tag) > 3 and tag not in tags:
            tags.append(tag)
    return {"caption": caption[:2000], "hashtags": tags[:8]}


__all__ = ["captions", "fill", "plan_words", "script"]
