"""The chat graph's state: the conversation (a held action is a pending interrupt, not state)."""

from __future__ import annotations

from typing import Annotated

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict


class ChatState(TypedDict):
    """One creator's conversation (a checkpointer thread)."""

    messages: Annotated[list[AnyMessage], add_messages]
    """The conversation, tool calls and results included."""
