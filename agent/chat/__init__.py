"""The chat agent: a tool-calling LangGraph agent over the same database and tools.

``chat_reply(system, user_email=..., message=..., confirm=False) -> ChatReply`` answers one
message; ``stream_reply`` yields tokens and tool calls as they happen. Each creator's
conversation is a checkpointer thread in the application database.
"""

from agent.app.resources import Resources
from agent.chat.graph import build_chat_graph
from agent.chat.intents import chat_registry, classify
from agent.chat.service import ChatEvent, ChatReply, chat_model, chat_reply, stream_reply, thread_id
from agent.chat.tools import TOOLS

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
