"""The chat graph's state: the conversation and an action awaiting confirmation."""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict


class PendingAction(TypedDict):
    """A tool call held back until the creator confirms it."""

    tool: str
    """Tool name."""
    args: dict[str, Any]
    """Arguments exactly as the model gave them."""
    description: str
    """What it will do, in words shown to the creator."""


class ChatState(TypedDict):
    """One creator's conversation (a checkpointer thread)."""

    messages: Annotated[list[AnyMessage], add_messages]
    """The conversation, tool calls and results included."""
    pending_action: NotRequired[PendingAction | None]
    """What the last reply asked to confirm; cleared by any new message."""
    confirm: NotRequired[bool]
    """True on a turn that confirms ``pending_action``."""
