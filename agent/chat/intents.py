"""How the offline model understands the creator's common requests (deterministic, no LLM).

Registered as an intent responder on the offline model's registry: it maps a message to one
tool call, and after tool results it answers with those results. With an ``openai`` provider
the model chooses tools itself and this module is not used.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

from agent.llm import ResponderRegistry, ToolIntent, register_intent_responder
from agent.strategy.directives import parse_directive

__all__ = ["HELP", "chat_intent", "chat_registry", "classify"]

HELP = (
    "I can show your status, the calendar, reels waiting for approval and the last report; approve, "
    "reject or re-caption reels; take directives such as 'more Web3 security, less price talk', "
    "'nothing on Sundays' or 'use the Goddess twin on Instagram'; list or remove directives; run a "
    "cycle now; pause or resume the weekly schedule; and search what I remember."
)
IDS = re.compile(r"\b[0-9a-f]{6,36}\b")
WEEK = re.compile(r"\b(\d{4}-w\d{2})\b", re.I)
DIRECTIVE_START = re.compile(
    r"^(?:please\s+)?(?:more|less|fewer|no more|stop posting|avoid|nothing on|no posts?|don't post|never post|skip|"
    r"lots more|do more|be more)\b"
)

Rule = tuple[re.Pattern[str], Callable[[str, str], ToolIntent]]


def _week(raw: str) -> str | None:
    match = WEEK.search(raw)
    return match.group(1).upper() if match else None


def _ids(text: str) -> list[str]:
    return [i for i in IDS.findall(text) if not i.isdigit()]


def _approve(low: str, raw: str) -> ToolIntent:
    if re.search(r"\b(all|everything|every reel|them all)\b", low):
        return ToolIntent("approve_reels", {"reel_ids": [], "all_waiting": True})
    return ToolIntent("approve_reels", {"reel_ids": _ids(low), "all_waiting": False})


def _reject(low: str, raw: str) -> ToolIntent:
    match = re.search(r"(?:because|reason:|since|:)\s*(.+)$", raw, re.I | re.S)
    reason = match.group(1).strip() if match else "rejected in chat"
    everything = bool(re.search(r"\b(all|everything|them all)\b", low))
    return ToolIntent(
        "reject_reels",
        {"reason": reason, "reel_ids": [] if everything else _ids(low), "all_waiting": everything},
    )


def _edit(low: str, raw: str) -> ToolIntent:
    ids = _ids(low)
    match = re.search(r"""(?:\bto\b|:)\s*["'“]?(.+?)["'”]?\s*$""", raw, re.S)
    caption = match.group(1).strip() if match else ""
    return ToolIntent(
        "edit_reel", {"reel_id": ids[0] if ids else "", "caption": caption, "hashtags": None}
    )


def _remove(low: str, raw: str) -> ToolIntent:
    match = re.search(
        r"\b(?:directive|rule|instruction)s?\b\s*(?:about|on|for|saying)?\s*(.*)$", raw, re.I
    )
    which = (
        match.group(1)
        if match and match.group(1).strip()
        else re.sub(
            r"^\s*(?:please\s+)?(?:remove|delete|drop|forget|cancel)\s+(?:the\s+)?",
            "",
            raw,
            flags=re.I,
        )
    )
    return ToolIntent("remove_directive", {"which": which.strip(" .!?\"'")})


def _memory(low: str, raw: str) -> ToolIntent:
    query = re.sub(
        r"^.*?\b(?:remember|memory|memories|recall|learned|learnt)\b\s*(?:about|for|on|of)?\s*",
        "",
        raw,
        flags=re.I,
    )
    return ToolIntent("search_memory", {"query": query.strip(" ?.!") or raw.strip(), "k": 5})


RULES: list[Rule] = [
    (re.compile(r"\bapprove\b"), _approve),
    (re.compile(r"\breject\b"), _reject),
    (re.compile(r"\b(?:edit|caption)\b.*\b[0-9a-f]{6,}\b"), _edit),
    (
        re.compile(r"\b(?:pause|stop|suspend)\b.*\bschedul|^\s*pause\b"),
        lambda low, raw: ToolIntent("pause_schedule", {}),
    ),
    (
        re.compile(
            r"\b(?:resume|unpause|restart|re-enable)\b.*\bschedul|^\s*(?:resume|unpause)\s*$"
        ),
        lambda low, raw: ToolIntent("resume_schedule", {}),
    ),
    (
        re.compile(
            r"\brun\b.*\bnow\b|\bstart\b.*\b(?:run|cycle)\b|\brun (?:a|the) (?:cycle|week)\b"
        ),
        lambda low, raw: ToolIntent("run_now", {"week": _week(raw)}),
    ),
    (re.compile(r"\b(?:remove|delete|drop|forget|cancel)\b"), _remove),
    (
        re.compile(r"\b(?:directives|rules|instructions)\b"),
        lambda low, raw: ToolIntent("list_directives", {}),
    ),
]
LOOKUPS: list[Rule] = [
    (
        re.compile(r"\b(?:calendar|plan|planned|line-?up)\b"),
        lambda low, raw: ToolIntent(
            "show_calendar",
            {"week": _week(raw)},
        ),
    ),
    (
        re.compile(r"\breport\b|\bhow did\b.*\b(?:go|do|perform)\b|\bresults?\b"),
        lambda low, raw: ToolIntent("last_report", {}),
    ),
    (re.compile(r"\b(?:remember|memory|memories|recall|learned|learnt)\b"), _memory),
    (
        re.compile(r"\b(?:pending|waiting|inbox|approvals?|to review|need(?:s)? my)\b"),
        lambda low, raw: ToolIntent("pending_approvals", {}),
    ),
    (
        re.compile(r"\b(?:status|how are (?:you|things)|what are you doing|what's up|doing)\b"),
        lambda low, raw: ToolIntent("get_status", {}),
    ),
]


def _is_directive(low: str) -> bool:
    if DIRECTIVE_START.search(low) or re.search(r"\buse\b.*\btwin\b.*\bon\b", low):
        return True
    return any(kind != "note" for kind, _ in parse_directive(low, twin_names=[])) and not re.search(
        r"\?\s*$", low
    )


def classify(text: str) -> ToolIntent | str:
    """The tool call (or help text) a creator's message asks for.

    Args:
        text: The creator's message.

    Returns:
        A tool intent, or the help text when no intent matches.
    """
    low = text.lower().strip()
    for pattern, build in RULES:
        if pattern.search(low):
            return build(low, text)
    if _is_directive(low):
        return ToolIntent("add_directive", {"text": text.strip()})
    for pattern, build in LOOKUPS:
        if pattern.search(low):
            return build(low, text)
    return HELP


def chat_intent(
    messages: list[BaseMessage], tools: list[dict[str, Any]], rng: random.Random
) -> ToolIntent | str | None:
    """Intent responder: a tool for the latest request, or the tool results as the answer."""
    names = {str(t.get("function", t).get("name")) for t in tools}
    if "get_status" not in names or not messages:
        return None
    last = messages[-1]
    if isinstance(last, ToolMessage):
        results = []
        for message in reversed(messages):
            if not isinstance(message, ToolMessage):
                break
            results.append(str(message.content))
        return "\n\n".join(reversed(results))
    if isinstance(last, HumanMessage):
        return classify(str(last.content))
    return None


def chat_registry(registry: ResponderRegistry | None = None) -> ResponderRegistry:
    """A registry with the chat intents (a new one unless given)."""
    target = registry or ResponderRegistry()
    register_intent_responder(chat_intent, registry=target)
    return target
