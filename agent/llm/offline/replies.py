"""How the offline stand-in model writes a reply (:class:`ReplyDraft`), from the prompt's inputs.

It is not a language model: it answers with what the video said that overlaps the comment most,
and says plainly when the video did not cover what was asked. Register it for the offline model
with ``register_reply_responder(registry)`` (:func:`agent.llm.offline.cycle_registry` does).
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage

from agent.llm.offline.responders import ResponderRegistry
from agent.schemas import ReplyDraft

__all__ = ["read_inputs", "register_reply_responder", "reply_responder", "reply_words"]

_INPUTS = re.compile(r"<inputs>\s*(.*?)\s*</inputs>", re.S)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_CONDITION = re.compile(r"\b(if|when)\s+(?=\S.{3,})", re.I)
_PHRASE = re.compile(r"\b(for|with|without)\s+\S.{3,80}$", re.I)
_INTENTS = (
    (re.compile(r"\b(free|paid|price\w*|cost\w*|plan|subscription)\b", re.I), "what it costs"),
    (re.compile(r"\b(tools?|apps?|software|setup|gear)\b", re.I), "the tools I used"),
    (re.compile(r"\b(first step|where to start|begin\w*)\b", re.I), "where to start"),
)
_JOINS = re.compile(r"\s*(?:,|;|:|\band\b|\bbut\b|\buntil\b|\bbecause\b|\balthough\b)\s+", re.I)
_STOP_WORDS = (
    "a about after again all also am an and any are as at be been before being both but "
    "by can could did do does doing done for from get got had has have having he her here "
    "hers him his how i i'd i'm if in into is it it's its just like me more most my no "
    "not now of off on once only or other our out over own same she should so some such "
    "than that the their them then there these they this those through to too under until "
    "up very was we were what when where which while who whom why will with would you you'd "
    "you're your yours video one part way thing things really still mostly "
)
STOP = frozenset(_STOP_WORDS.split())


def _stem(word: str) -> str:
    word = word.lower().strip("'’-")
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text) if w.lower() not in STOP and len(w) > 2}


def _focus(text: str, topic: str) -> tuple[str, bool]:
    """What a question asks about, and whether that came from a clause of its own words.

    A known intent (cost, tools, where to start) wins; then its last 'if/when ...' clause, then a
    'for/with ...' phrase that is not the topic itself; else "that".
    """
    for pattern, intent in _INTENTS:
        if pattern.search(text):
            return intent, False
    clean = text.strip().rstrip("?.! ")
    conditions = list(_CONDITION.finditer(clean))
    if conditions:
        last = conditions[-1]
        return f"what changes {last.group(1).lower()} {clean[last.end() :].strip(' ,')}", True
    phrase = _PHRASE.search(clean)
    if phrase and not (_stems(topic) & _stems(phrase.group(0))):
        return f"how it works {phrase.group(0).strip(' ,')}", True
    return "that", False


def _point(text: str) -> tuple[str, bool]:
    """A remark's point (its last clause) and whether it tells the commenter's own experience."""
    clean = text.strip().rstrip(".!?")
    parts = _JOINS.split(clean)
    rest = parts[-1].strip(" ,;:") if parts else clean
    rest = re.sub(r"^you have to ", "having to ", rest, flags=re.I)
    if rest[:1].isupper() and not rest.split(" ", 1)[0].isupper():
        rest = rest[:1].lower() + rest[1:]
    return rest, bool(re.match(r"^\W*(i|we|my|our)\b", clean, re.I))


def _best_sentence(comment: str, sources: list[str], topic: str) -> str | None:
    """The video's sentence sharing the most words with the comment beyond the topic's own."""
    wanted = _stems(comment) - _stems(topic)
    best: tuple[int, int, str] | None = None
    for index, sentence in enumerate(sources):
        overlap = len(wanted & _stems(sentence))
        if overlap and (best is None or (overlap, -index) > (best[0], best[1])):
            best = (overlap, -index, sentence.strip())
    return best[2] if best else None


def _fit(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def reply_words(inputs: dict[str, Any]) -> dict[str, Any]:
    """A :class:`ReplyDraft` answer built from the reply prompt's inputs.

    Args:
        inputs: The ``<inputs>`` JSON of ``prompts/reply.txt``: task, comment (author, text,
            kind), post (topic, caption, script), max_chars.

    Returns:
        ``{"text": ...}``.
    """
    comment = inputs.get("comment") or {}
    post = inputs.get("post") or {}
    text = str(comment.get("text") or "")
    handle = str(comment.get("author") or "").strip()
    at = (handle if handle.startswith("@") else f"@{handle}") if handle else ""
    topic = str(post.get("topic") or "this topic").strip().rstrip(".")
    topic_lower = topic if topic.split(" ", 1)[0].isupper() else topic[:1].lower() + topic[1:]
    limit = int(inputs.get("max_chars") or 280)
    sources = [
        s
        for part in (post.get("script"), post.get("caption"))
        for s in _SENTENCE.split(str(part or ""))
        if len(_WORD.findall(s)) >= 4
    ]
    lead = f"{at} " if at else ""
    if inputs.get("task") == "thanks":
        words = f"Thanks {at}, glad the {topic_lower} video was useful.".replace("  ", " ")
        return {"text": _fit(words, limit)}
    sentence = _best_sentence(text, sources, topic)
    if comment.get("kind") == "substantive":
        point, experience = _point(text)
        opener = "Thanks for sharing how it went:" if experience else "Fair point about"
        words = f"{lead}{opener} {point}." + (f" {sentence}" if sentence else "")
        return {"text": _fit(words, limit)}
    focus, own_words = _focus(text, topic)
    if sentence:
        missing = own_words and bool(_stems(focus) - _stems(sentence) - _stems(topic))
        words = f"{lead}{sentence}" + (
            f" I didn't go into {focus} here, so that's a follow-up." if missing else ""
        )
    else:
        words = (
            f"{lead}This one didn't cover {focus}; your question goes into a follow-up on "
            f"{topic_lower}."
        )
    return {"text": _fit(words, limit)}


def read_inputs(messages: list[BaseMessage]) -> dict[str, Any]:
    """The JSON between ``<inputs>`` tags of the latest user message that has them."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            match = _INPUTS.search(str(message.content))
            if match:
                try:
                    value = json.loads(match.group(1))
                except json.JSONDecodeError:
                    return {}
                return value if isinstance(value, dict) else {}
    return {}


def reply_responder(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
    """Structured responder for :class:`ReplyDraft` (``fn(messages, schema, rng) -> dict``)."""
    return reply_words(read_inputs(messages))


def register_reply_responder(registry: ResponderRegistry) -> ResponderRegistry:
    """Teach an offline model's registry to write :class:`ReplyDraft` answers."""
    registry.register(ReplyDraft, reply_responder)
    return registry
