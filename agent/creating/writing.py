"""The model's words for one reel: its script (within the decided length) and its captions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from agent.context import Context
from agent.creating.limits import limits_for
from agent.llm import StructuredOutputError
from agent.schemas import MAX_SCRIPT_WORDS, CaptionDraft, ScriptDraft, word_count

WORDS_PER_SEC = 2.6
"""Spoken words per second a script is aimed at (speech engines vary a little around it)."""


@dataclass(frozen=True)
class Brief:
    """What a script is written from: the slot's decisions and what its trend says."""

    topic: str
    hook: str
    pillar: str
    tone: str
    language: str
    target_sec: int
    platforms: list[str]
    twin: str
    personality: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    points: list[str] = field(default_factory=list)
    summary: str = ""
    link: str | None = None
    voice_rules: list[str] = field(default_factory=list)
    """The brand's rules for how it speaks."""
    catchphrases: list[str] = field(default_factory=list)
    cta: str = ""
    """The campaign's call to action, when the week belongs to one."""

    @property
    def words(self) -> int:
        """Words the body should have to be spoken in about the target length."""
        return min(MAX_SCRIPT_WORDS, int(self.target_sec * WORDS_PER_SEC))


def write_script(ctx: Context, brief: Brief, feedback: str) -> ScriptDraft:
    """The model's script for the brief (raises StructuredOutputError when it writes none)."""
    inputs = {
        "topic": brief.topic,
        "hook": brief.hook,
        "pillar": brief.pillar,
        "tone": brief.tone,
        "language": brief.language,
        "target_length_sec": brief.target_sec,
        "target_words": brief.words,
        "max_words": MAX_SCRIPT_WORDS,
        "twin": brief.twin,
        "personality": brief.personality,
        "tags": brief.tags,
        "points": brief.points,
        "summary": brief.summary,
        "source_link": brief.link,
        "platforms": brief.platforms,
        "reviewer_feedback": feedback,
        "brand_voice_rules": brief.voice_rules,
        "catchphrases": brief.catchphrases,
        "call_to_action": brief.cta,
    }
    return ctx.write(
        ScriptDraft, "script", max_words=MAX_SCRIPT_WORDS, inputs=json.dumps(inputs, indent=1)
    )


def shorten(
    ctx: Context, script: dict[str, Any], spoken: float, target: int, max_words: int
) -> str | None:
    """The model's shorter body, or None if it wrote none that fits the word budget."""
    inputs = {"current_script": script, "max_words": max_words}
    try:
        draft = ctx.write(
            ScriptDraft,
            "shorten",
            spoken_sec=f"{spoken:.1f}",
            target_sec=target,
            max_words=max_words,
            inputs=json.dumps(inputs, indent=1),
        )
    except StructuredOutputError:
        return None
    return draft.body if word_count(draft.body) <= max_words else None


SENTENCE = re.compile(r"(?<=[.!?])\s+")


def fit_words(body: str, max_words: int) -> str:
    """The body within ``max_words``: sentences dropped from the middle (the hook and the last
    sentence, the call to action, stay), then words cut at a sentence's end if still over."""
    sentences = [s for s in SENTENCE.split(body.strip()) if s]
    while len(sentences) > 2 and word_count(" ".join(sentences)) > max_words:
        sentences.pop(-2)
    text = " ".join(sentences)
    if word_count(text) <= max_words:
        return text
    words = text.split()[: max(1, max_words)]
    return " ".join(words).rstrip(",;:-") + ("" if words[-1][-1:] in ".!?" else ".")


def write_captions(
    ctx: Context, brief: Brief, title: str, hook: str, tags: list[str]
) -> dict[str, dict[str, Any]]:
    """Per platform, the model's caption and hashtags fitted to that platform's limits.

    The campaign's call to action, when the week belongs to one, is in every caption, and a
    feed item the video reacts to is cited: its link ends the caption. Both are added in code
    when the model's words leave them out.
    """
    inputs = {
        "title": title,
        "topic": brief.topic,
        "hook": hook,
        "tags": tags,
        "tone": brief.tone,
        "source_link": brief.link,
        "call_to_action": brief.cta,
        "platform_limits": {
            p: {"max_chars": limits_for(p).max_chars, "max_hashtags": limits_for(p).max_hashtags}
            for p in brief.platforms
        },
    }
    draft = ctx.write(CaptionDraft, "captions", inputs=json.dumps(inputs, indent=1))
    caption = draft.caption
    if brief.cta and brief.cta.strip() not in caption:
        caption = f"{caption} {brief.cta.strip()}"
    if brief.link and brief.link not in caption:
        caption = f"{caption} Source: {brief.link}"
    return {
        platform: {"caption": caption, "hashtags": list(draft.hashtags)}
        for platform in brief.platforms
    }


__all__ = ["WORDS_PER_SEC", "Brief", "fit_words", "shorten", "write_captions", "write_script"]
