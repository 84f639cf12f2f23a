"""The chat agent's graph: model -> tools -> model, plus a confirmation entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage
from langgraph.graph import END, START, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from langgraph.runtime import Runtime
from sqlalchemy import select

from agent.chat.context import ChatContext, action_key
from agent.chat.fallback import model_turn
from agent.chat.state import ChatState
from agent.chat.tools import TOOLS
from agent.errors import USER_ERRORS
from db.models import Agent, User
from prompts import load_prompt

__all__ = ["build_chat_graph", "recent_history"]


def recent_history(messages: list[AnyMessage], limit: int) -> list[AnyMessage]:
    """The last ``limit`` messages, starting at a creator message so no tool result is orphaned."""
    tail = messages[-limit:]
    start = next((i for i, m in enumerate(tail) if isinstance(m, HumanMessage)), len(tail))
    return tail[start:] if start < len(tail) else messages[-1:]


def _system_message(ctx: ChatContext) -> SystemMessage:
    with ctx.system.sessions() as session:
        user = session.get(User, ctx.user_id)
        agent_name = session.scalar(select(Agent.name).where(Agent.id == ctx.agent_id))
    now: datetime = ctx.clock.now()
    prompt = load_prompt("chat_system")
    rendered = prompt.messages(
        creator=user.name if user else "the creator",
        agent=agent_name or "",
        today=f"{now:%A %d %B %Y, %H:%M} UTC",
        message="",
    )
    return SystemMessage(str(rendered[0].content))


def agent_node(state: ChatState, runtime: Runtime[ChatContext]) -> dict[str, Any]:
    """Ask the model what to say or which tool to call next."""
    ctx = runtime.context
    history = recent_history(list(state["messages"]), ctx.system.settings.chat_history_messages)
    # A server that refuses tools gets its answer from the intent parser instead.
    reply = model_turn(
        ctx.model, TOOLS, [_system_message(ctx), *history], on_event=ctx.on_llm_event
    )
    return {"messages": [reply]}


def confirm_node(state: ChatState) -> dict[str, Any]:
    """Replay the held action as a tool call; the tool sees it is confirmed and acts."""
    pending = state.get("pending_action")
    if not pending:
        return {
            "messages": [AIMessage("There is nothing waiting for your confirmation.")],
            "confirm": False,
        }
    call = {
        "name": pending["tool"],
        "args": pending["args"],
        "type": "tool_call",
        "id": f"confirmed_{action_key(pending['tool'], pending['args'])}",
    }
    return {
        "messages": [AIMessage("", tool_calls=[call])],
        "pending_action": None,
        "confirm": False,
    }


def entry(state: ChatState) -> Literal["confirm", "agent"]:
    """A confirming turn replays the held action; any other turn goes to the model."""
    return "confirm" if state.get("confirm") else "agent"


def after_confirm(state: ChatState) -> Literal["tools", "__end__"]:
    """Run the replayed call, or stop when there was nothing to confirm."""
    last = state["messages"][-1]
    return "tools" if isinstance(last, AIMessage) and last.tool_calls else "__end__"


def tool_error(exc: Exception) -> str:
    """Errors a creator can fix come back to the model as text; others propagate."""
    if isinstance(exc, (*USER_ERRORS, ValueError)):
        return f"That did not work: {exc}"
    raise exc


def build_chat_graph() -> StateGraph[ChatState, ChatContext, ChatState, ChatState]:
    """The chat graph, uncompiled (the caller adds the checkpointer)."""
    graph: StateGraph[ChatState, ChatContext, ChatState, ChatState] = StateGraph(
        ChatState, context_schema=ChatContext
    )
    graph.add_node("agent", agent_node)
    graph.add_node("tools", ToolNode(TOOLS, handle_tool_errors=tool_error))
    graph.add_node("confirm", confirm_node)
    graph.add_conditional_edges(START, entry)  # confirming turns replay the held action
    graph.add_conditional_edges(
        "agent", tools_condition, {"tools": "tools", END: END}
    )  # tool call or answer
    graph.add_edge("tools", "agent")  # the model words the tool results
    graph.add_conditional_edges("confirm", after_confirm, {"tools": "tools", "__end__": END})
    return graph
