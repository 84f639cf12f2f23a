"""The chat agent's graph: model -> tools -> model; acting tools ask first (a HITL interrupt)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from langchain_core.messages import AnyMessage, HumanMessage, SystemMessage
from langgraph.graph import END, START, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from langgraph.runtime import Runtime
from sqlalchemy import select

from agent.chat.context import ChatContext
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
    ctx = ChatContext.of(runtime.context)
    history = recent_history(list(state["messages"]), ctx.system.settings.chat_history_messages)
    # A server that refuses tools gets its answer from the intent parser instead.
    reply = model_turn(
        ctx.model, TOOLS, [_system_message(ctx), *history], on_event=ctx.on_llm_event
    )
    return {"messages": [reply]}


def tool_error(exc: Exception) -> str:
    """Errors a creator can fix come back to the model as text; others propagate."""
    if isinstance(exc, (*USER_ERRORS, ValueError)):
        return f"That did not work: {exc}"
    raise exc


def build_chat_graph(
    context_schema: type[Any] = ChatContext,
) -> StateGraph[ChatState, Any, ChatState, ChatState]:
    """The chat graph, uncompiled (the caller adds the checkpointer). A server passes a JSON
    ``context_schema`` (:class:`agent.app.server.ChatConfig`), resolved by ``ChatContext.of``."""
    graph: StateGraph[ChatState, Any, ChatState, ChatState] = StateGraph(
        ChatState, context_schema=context_schema
    )
    graph.add_node("agent", agent_node)
    graph.add_node("tools", ToolNode(TOOLS, handle_tool_errors=tool_error))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges(
        "agent", tools_condition, {"tools": "tools", END: END}
    )  # tool call or answer
    graph.add_edge("tools", "agent")  # the model words the tool results (actions ask first)
    return graph
