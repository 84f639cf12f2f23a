"""Holding back publishing and bulk actions until the creator confirms them."""

from __future__ import annotations

from typing import Any, cast

from langchain_core.messages import ToolMessage
from langgraph.prebuilt import ToolRuntime
from langgraph.types import Command

from agent.chat.context import ChatContext, action_key
from agent.chat.state import PendingAction

CONFIRM_HINT = "Reply 'yes' to go ahead, or tell me what to change."


def hold_for_confirmation(
    runtime: ToolRuntime[Any, Any], tool: str, args: dict[str, Any], description: str
) -> Command[Any] | None:
    """None when this exact call was confirmed; otherwise a state update that asks first.

    Args:
        runtime: The tool's injected runtime.
        tool: The tool's name.
        args: The call's arguments, normalised the same way on every call.
        description: What the action will do, shown to the creator.
    """
    if cast(ChatContext, runtime.context).confirmed == action_key(tool, args):
        return None
    pending = PendingAction(tool=tool, args=args, description=description)
    text = f"Not done yet. This will {description}. {CONFIRM_HINT}"
    message = ToolMessage(text, tool_call_id=runtime.tool_call_id or "", name=tool)
    return Command(update={"pending_action": pending, "messages": [message]})
