"""Reading a conversation for the offline model: its grounding, the latest request, the tool a
``tool_choice`` forces, a bound tool's parameters and the plain-text answer.

Pure functions of the messages and the bound tools; :class:`~agent.llm.offline.model.OfflineChatModel`
decides with them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage, ToolMessage

from agent.llm.offline.grounding import Grounding
from agent.llm.offline.wording import Writer
from agent.llm.tokens import message_text

__all__ = [
    "FORCED_ANY",
    "forced_tool_name",
    "ground_messages",
    "latest_request",
    "text_answer",
    "tool_parameters",
]

FORCED_ANY = ("any", "required")
"""``tool_choice`` values that make the model call some tool."""


def ground_messages(messages: Sequence[BaseMessage]) -> Grounding:
    """Ground a conversation, weighting the latest user turn most.

    Args:
        messages: The conversation.

    Returns:
        Its grounding.
    """
    last_human = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    weighted: list[tuple[str, float]] = []
    for index, message in enumerate(messages):
        if index == last_human:
            weight = 3.0
        elif isinstance(message, HumanMessage | ToolMessage):
            weight = 2.0
        elif isinstance(message, SystemMessage):
            weight = 1.0
        else:
            weight = 0.5
        weighted.append((message_text(message), weight))
    return Grounding.from_texts(weighted)


def forced_tool_name(tool_choice: Any) -> str | None:
    """The tool a ``tool_choice`` names, or None when it names none (auto, none, any, required)."""
    if isinstance(tool_choice, dict):
        function = tool_choice.get("function") or {}
        return str(function.get("name") or tool_choice.get("name"))
    if isinstance(tool_choice, str) and tool_choice not in ("auto", "none", *FORCED_ANY):
        return tool_choice
    return None


def tool_parameters(tools: Sequence[dict[str, Any]], name: str) -> dict[str, Any]:
    """The JSON schema of the bound tool ``name``'s arguments (an empty object schema if unknown)."""
    for tool in tools:
        function = tool.get("function", tool)
        if function.get("name") == name:
            return dict(function.get("parameters") or {"type": "object", "properties": {}})
    return {"type": "object", "properties": {}}


def latest_request(messages: Sequence[BaseMessage]) -> str | None:
    """The latest user text, unless the conversation ends with a tool result."""
    if not messages or not isinstance(messages[-1], HumanMessage):
        return None
    return message_text(messages[-1])


def text_answer(messages: Sequence[BaseMessage], grounding: Grounding, rng: random.Random) -> str:
    """A plain answer: what the trailing tool results returned, else a paragraph on the request."""
    tool_results = []
    for message in reversed(messages):
        if not isinstance(message, ToolMessage):
            break
        tool_results.append(message)
    if tool_results:
        lines = []
        for result in reversed(tool_results):
            summary = " ".join(message_text(result).split())
            if len(summary) > 280:
                summary = summary[:277].rsplit(" ", 1)[0] + "..."
            lines.append(f"{result.name or 'The tool'} returned: {summary}")
        return "\n".join(lines)
    latest = latest_request(messages)
    focus = Grounding.from_text(latest) if latest else grounding
    writer = Writer(focus if focus.phrases else grounding, rng)
    return writer.paragraph("your request", sentences=2)
