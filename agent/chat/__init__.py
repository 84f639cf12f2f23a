"""The chat agent: a tool-calling LangGraph agent over the same database and tools.

``chat_reply(system, user_email=..., message=..., confirm=False) -> ChatReply`` answers one
message; ``stream_reply`` yields tokens and tool calls as they happen. Each creator's
conversation is a checkpointer thread in the application database.

The names below load on first use, so light modules of this package (``agent.chat.limits``)
can be imported without loading the graph and its model stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.app.resources import Resources
    from agent.chat.graph import build_chat_graph
    from agent.chat.intents import chat_registry, classify
    from agent.chat.service import (
        ChatEvent,
        ChatReply,
        chat_model,
        chat_reply,
        stream_reply,
        thread_id,
    )
    from agent.chat.tools import TOOLS

_HOMES = {
    "TOOLS": "agent.chat.tools",
    "ChatEvent": "agent.chat.service",
    "ChatReply": "agent.chat.service",
    "Resources": "agent.app.resources",
    "build_chat_graph": "agent.chat.graph",
    "chat_model": "agent.chat.service",
    "chat_registry": "agent.chat.intents",
    "chat_reply": "agent.chat.service",
    "classify": "agent.chat.intents",
    "stream_reply": "agent.chat.service",
    "thread_id": "agent.chat.service",
}

__all__ = [
    "TOOLS",
    "ChatEvent",
    "ChatReply",
    "Resources",
    "build_chat_graph",
    "chat_model",
    "chat_registry",
    "chat_reply",
    "classify",
    "stream_reply",
    "thread_id",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'agent.chat' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
