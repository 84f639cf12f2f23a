"""How the offline model answers the project's own prompts.

The offline provider is a local stand-in, not an LLM: for each of the cycle's schemas it
reads the ``<inputs>`` JSON the prompt carries and builds a schema-valid answer from it
(trends, strategy, directives, suggestions, numbers), with seeded variation. This is what
lets the whole product run with no key and no network.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage

from agent.llm import ResponderRegistry
from agent.schemas import (
    MAX_SCRIPT_WORDS,
    CaptionDraft,
    InsightsDraft,
    PlanDraft,
    ScriptDraft,
    StrategyNarrative,
    word_count,
)

INPUTS_RE = re.compile(r"<inputs>\s*(.*?)\s*</inputs>", re.S)
WORDS_PER_SEC = 2.6


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


def _matches(topic: str, phrases: list[str]) -> bool:
    low = topic.lower()
    for phrase in phrases:
        words = [w for w in re.findall(r"[a-z0-9]+", phrase.lower()) if len(w) > 2]
        if words and all(w in low for w in words[:2]):
            return True
    return False


def plan(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
    inputs = read_inputs(messages)
    strategy = inputs.get("strategy") or {}
    directives = inputs.get("directives") or {}
    less_of = list(directives.get("less_of", []))
    reduce = list(strategy.get("topics_to_reduce", [])) + less_of
    increase = list(directives.get("more_of", [])) + list(strategy.get("topics_to_increase", []))
    trends = [t for t in inputs.get("trends", []) if not _matches(t["topic"], reduce)]
    weights: dict[str, float] = {}
    for trend in trends:
        weights[trend["topic"]] = float(trend["score"]) * (
            2.0 if _matches(trend["topic"], increase) else 1.0
        )
    for phrase in directives.get("more_of", []):  # the creator's words beat any trend list
        weights.setdefault(phrase[:1].upper() + phrase[1:], 1.5)
    hooks = inputs.get("hooks") or [
        {"category": "question", "template": "Why does nobody talk about {topic}?"}
    ]
    twins = [t["name"] for t in inputs.get("twins", [])] or ["Twin"]
    rotation = [t for t in strategy.get("twin_rotation", []) if t in twins] or twins
    strategy_tones: dict[str, str] = dict(strategy.get("tone_adjustments", {}))
    directive_tones: dict[str, str] = dict(directives.get("tone_for_platform", {}))
    suggestions = {s["slot"]: s for s in inputs.get("suggestions", [])}
    used: dict[str, int] = {}
    items = []
    for slot in inputs.get("slots", []):
        index = slot["slot"]
        hint = suggestions.get(index, {})
        topic = hint.get("topic")
        # a suggestion was drawn from the topics planning may use (binding reductions already
        # out); only the creator's "less X" overrides it
        if not topic or _matches(topic, less_of):
            pool = sorted(
                weights, key=lambda t: -(weights[t] / (1 + used.get(t, 0)) * rng.uniform(0.8, 1.2))
            )
            topic = pool[0] if pool else inputs.get("niche", "creator tips")
        used[topic] = used.get(topic, 0) + 1
        category = hint.get("hook_category") or rng.choice(hooks[:3])["category"]
        template = next(
            (h["template"] for h in hooks if h["category"] == category), hooks[0]["template"]
        )
        platforms = slot.get("platforms", [])
        directed = next((directive_tones[p] for p in platforms if p in directive_tones), None)
        learned = next((strategy_tones[p] for p in platforms if p in strategy_tones), None)
        # the creator's word first, then the per-slot sampled suggestion (it explores), then the strategy
        tone = (
            directed
            or hint.get("tone")
            or learned
            or rng.choice(inputs.get("tones", ["educational"]))
        )
        pillar = hint.get("pillar") or rng.choice(inputs.get("pillars", ["education"]))
        twin = hint.get("twin") or rotation[index % len(rotation)]
        items.append(
            {
                "slot": index,
                "pillar": pillar,
                "topic": topic[:120],
                "hook_category": category,
                "hook": template.replace("{topic}", topic)[:200],
                "tone": tone,
                "twin": twin,
                "target_length_sec": int(
                    hint.get("target_length_sec") or rng.choice([15, 20, 22, 25])
                ),
                "rationale": _rationale(topic, increase, hint, trends),
            }
        )
    focus = ", ".join(sorted({i["topic"] for i in items})[:3])
    summary = (
        f"Week focused on {focus}"
        + (f"; more of {', '.join(increase[:2])}" if increase else "")
        + (f"; less of {', '.join(reduce[:2])}" if reduce else "")
    )
    return {"strategy_summary": summary[:600], "items": items or [_fallback_item(inputs)]}


def _rationale(
    topic: str, increase: list[str], hint: dict[str, Any], trends: list[dict[str, Any]]
) -> str:
    if _matches(topic, increase):
        return f"{topic}: asked for more or performed well"
    if hint.get("topic") == topic:
        return f"{topic}: chosen by Thompson sampling over past results"
    score = next((t["score"] for t in trends if t["topic"] == topic), None)
    return f"{topic}: trending (score {score})" if score is not None else f"{topic}: fits the niche"


def _fallback_item(inputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "slot": 0,
        "pillar": "education",
        "topic": inputs.get("niche", "creator tips"),
        "hook_category": "question",
        "hook": "What would you do differently?",
        "tone": "educational",
        "twin": "Twin",
        "target_length_sec": 20,
    }


BODY_LINES = {
    "education": [
        "Here is the short version.",
        "Most people skip the first step: {key}.",
        "Start with {tag_a}, then check {tag_b} before anything else.",
        "Write down what you tried, so next time you know what worked.",
        "Ask one person who has done it what they would change.",
        "Do this once a week and it compounds.",
        "If it feels slow at first, that is normal, keep going.",
        "Keep the steps small enough that you can finish them today.",
        "The mistake I see most is rushing {key}.",
    ],
    "inspiration": [
        "A year ago I knew nothing about {key}.",
        "Small steps beat big plans.",
        "Pick one thing about {tag_a} and do it today.",
        "Nobody starts out good at this, everyone starts somewhere.",
        "The days you do not feel like it count twice.",
        "Write down one win each evening, however small it is.",
        "Look back in a month and you will not recognise where you started.",
        "Progress you can see keeps you going.",
    ],
    "announcement": [
        "Something new is coming about {key}.",
        "I have been testing it for weeks.",
        "It changes how you think about {tag_a}.",
        "It started as a side project and it grew from there.",
        "The first people who tried it asked for one thing: more {tag_b}.",
        "So that is exactly what I built into it.",
        "I will show the whole thing, step by step.",
        "Details drop this week.",
    ],
    "promotion": [
        "I built a simple checklist for {key}.",
        "It covers {tag_a} and {tag_b} in five minutes.",
        "It is the list I wish I had when I started.",
        "Every step on it comes from something that went wrong for me.",
        "You can print it or keep it on your phone.",
        "It is free for the next seven days.",
        "Grab it from the link in my profile.",
    ],
    "trend_reaction": [
        "Everyone is talking about {key} this week.",
        "Here is what actually matters.",
        "Ignore the noise about {tag_a}.",
        "Most of the takes you are seeing miss the real story.",
        "The numbers behind it are smaller than the headlines suggest.",
        "What changes for you is how you handle {tag_b}.",
        "Give it a week before you decide anything.",
        "Watch what happens with {tag_b} instead.",
    ],
}
TONE_CLOSERS = {
    "educational": "Save this so you have it when you need it.",
    "trending": "Tell me if you are seeing the same thing.",
    "thought_leadership": "That is where I think this is heading next.",
    "inspirational": "You are closer than you think.",
}


def script(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
    inputs = read_inputs(messages)
    max_words = int(inputs.get("max_words", MAX_SCRIPT_WORDS))
    current = inputs.get("current_script")
    if current:  # a shorten request: drop sentences from the middle until it fits
        sentences = re.split(r"(?<=[.!?])\s+", current["body"].strip())
        while len(sentences) > 2 and word_count(" ".join(sentences)) > max_words:
            sentences.pop(-2)
        body = " ".join(sentences)
        words = body.split()
        if len(words) > max_words:
            body = " ".join(words[:max_words]).rstrip(",;:") + "."
        return {
            "title": current["title"],
            "hook": current["hook"],
            "body": body,
            "tags": current["tags"],
        }
    topic = str(inputs.get("topic", "this"))
    tags = (
        [t for t in inputs.get("tags", []) if t]
        or re.findall(r"[a-z0-9]+", topic.lower())[:3]
        or ["tips"]
    )
    key = topic[0].lower() + topic[1:] if topic else "it"
    fill = {"key": key, "tag_a": tags[0], "tag_b": tags[1] if len(tags) > 1 else tags[0]}
    lines = [
        line.format(**fill)
        for line in BODY_LINES.get(str(inputs.get("pillar")), BODY_LINES["education"])
    ]
    middle = lines[1:-1]
    rng.shuffle(middle)
    lines = [lines[0], *middle, lines[-1]] if len(lines) > 2 else lines
    hook = str(inputs.get("hook") or f"Let's talk about {topic}.")
    target_words = min(max_words, int(float(inputs.get("target_length_sec", 20)) * WORDS_PER_SEC))
    body_parts = [hook]
    for line in [*lines, TONE_CLOSERS.get(str(inputs.get("tone")), TONE_CLOSERS["educational"])]:
        if word_count(" ".join([*body_parts, line])) > target_words:
            continue
        body_parts.append(line)
    if len(body_parts) == 1:
        body_parts.append(lines[0])
    title = topic if len(topic) <= 60 else topic[:57] + "..."
    return {
        "title": title,
        "hook": hook,
        "body": " ".join(body_parts),
        "tags": [re.sub(r"[^a-z0-9]", "", t.lower()) or "tips" for t in tags][:8],
    }


def captions(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
    inputs = read_inputs(messages)
    title = str(inputs.get("title", "This"))
    hook = str(inputs.get("hook", title))
    questions = [
        "What would you add?",
        "Have you tried this?",
        "Save it for later.",
        "Which part surprised you?",
    ]
    caption = f"{hook} {rng.choice(questions)}"
    words = re.findall(r"[a-z0-9]+", (title + " " + " ".join(inputs.get("tags", []))).lower())
    tags: list[str] = []
    for word in [*inputs.get("tags", []), *words, "shorts", "creator"]:
        tag = "#" + re.sub(r"[^a-z0-9]", "", str(word).lower())
        if len(tag) > 3 and tag not in tags:
            tags.append(tag)
    return {"caption": caption[:2000], "hashtags": tags[:8]}


def insights(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
    inputs = read_inputs(messages)
    totals = inputs.get("totals", {})
    posts = int(inputs.get("posts", 0))
    if not posts:
        return {
            "headline": "No matured posts to analyse yet",
            "insights": [
                "Metrics count once posts are old enough; next week's report will have numbers."
            ],
            "next_experiment": "Keep the schedule and try two different hook styles.",
        }
    lines = [
        f"{posts} posts reached {int(totals.get('views', 0)):,} views with an engagement rate of {inputs.get('engagement_rate', 0):.1%}."
    ]
    for dim, best in (inputs.get("best", {}) or {}).items():
        lines.append(
            f"Best {dim.replace('_', ' ')}: {best['option']} at {best['lift']:.2f}x the average over {best['n']:.0f} posts."
        )
    for dim, worst in list((inputs.get("worst", {}) or {}).items())[:2]:
        lines.append(
            f"Weakest {dim.replace('_', ' ')}: {worst['option']} at {worst['lift']:.2f}x over {worst['n']:.0f} posts."
        )
    change = inputs.get("week_over_week")
    if change is not None:
        lines.append(f"Views changed {change:+.0%} week over week.")
    best_topic = (inputs.get("best", {}) or {}).get("topic", {}).get("option")
    headline = f"{int(totals.get('views', 0)):,} views" + (
        f", led by {best_topic}" if best_topic else ""
    )
    untried = inputs.get("untried", [])
    experiment = (
        f"Try {untried[0]} next week." if untried else "Test a new hook category on the best topic."
    )
    return {"headline": headline[:200], "insights": lines[:8], "next_experiment": experiment[:300]}


def narrative(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
    inputs = read_inputs(messages)
    adj = inputs.get("adjustments", {})
    parts = []
    if adj.get("topics_to_increase"):
        parts.append(f"More {', '.join(adj['topics_to_increase'])} because they beat the average")
    if adj.get("topics_to_reduce"):
        parts.append(f"less {', '.join(adj['topics_to_reduce'])} because they trailed it")
    if adj.get("platform_timing_updates"):
        times = "; ".join(f"{p}: {', '.join(t)}" for p, t in adj["platform_timing_updates"].items())
        parts.append(f"posting times {times}")
    if adj.get("twin_rotation"):
        parts.append(f"twin order {', '.join(adj['twin_rotation'])}")
    text = (
        ("; ".join(parts) + ".")
        if parts
        else "No change: not enough evidence yet, so the agent keeps exploring."
    )
    return {"summary": text[:800]}


def register_skills(registry: ResponderRegistry) -> ResponderRegistry:
    registry.register(PlanDraft, plan)
    registry.register(ScriptDraft, script)
    registry.register(CaptionDraft, captions)
    registry.register(InsightsDraft, insights)
    registry.register(StrategyNarrative, narrative)
    return registry
