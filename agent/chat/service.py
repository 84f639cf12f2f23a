"""Talking to the agent: one reply per message, persisted per creator, optionally streamed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from pydantic import BaseModel

from agent.app.resources import Resources
from agent.app.wiring import Wiring, chat_model_for, checkpointer
from agent.chat.context import ChatContext, action_key
from agent.chat.graph import build_chat_graph
from agent.chat.intents import chat_registry
from agent.context import Clock, SystemClock
from agent.llm import OfflineChatModel
from db.enums import AuditOrigin
from db.repo.identity import NotFoundError, get_user_by_email, list_agents

__all__ = ["ChatEvent", "ChatReply", "chat_model", "chat_reply", "stream_reply", "thread_id"]

CONFIRM_WORDS = "Yes, go ahead."


class ChatReply(BaseModel):
    """The agent's answer to one message.

    Attributes:
        text: What the agent says.
        tool_calls: Names of the tools called while answering, in order.
        needs_confirmation: The reply holds an action until the creator confirms it.
        pending_action: What the held action will do, in words (None when nothing is held).
    """

    text: str
    tool_calls: list[str]
    needs_confirmation: bool
    pending_action: str | None


@dataclass(frozen=True)
class ChatEvent:
    """One piece of a streamed reply: a text token, a tool call, or the finished reply."""

    kind: Literal["token", "tool", "reply"]
    text: str = ""
    reply: ChatReply | None = None


def thread_id(user_id: uuid.UUID) -> str:
    """The checkpointer thread holding one creator's conversation."""
    return f"chat:{user_id}"


def chat_model(system: Resources) -> BaseChatModel:
    """The configured model; the offline one gets the chat intents."""
    model = chat_model_for(system.settings)
    if isinstance(model, OfflineChatModel):  # the offline writer learns the chat's intents too
        model = model.model_copy(update={"registry": chat_registry(model.registry)})
    return model


def _context(
    system: Resources,
    user_email: str,
    clock: Clock | None,
    wiring: Wiring | None,
    model: BaseChatModel | None,
    actor: str | None,
    origin: AuditOrigin | str,
) -> ChatContext:
    with system.sessions() as session:
        user = get_user_by_email(session=session, email=user_email)
        agents = list_agents(session=session, user_id=user.id)
        if not agents:
            raise NotFoundError(f"{user_email} has no agent yet: run 'twin init' first")
        user_id, email, agent_id = user.id, user.email, agents[0].id
    return ChatContext(
        system=system,
        user_id=user_id,
        user_email=email,
        agent_id=agent_id,
        model=model or chat_model(system),
        clock=clock or SystemClock(),
        wiring=wiring or Wiring(),
        actor=actor or email,
        origin=AuditOrigin(origin),
    )


def stream_reply(
    system: Resources,
    *,
    user_email: str,
    message: str,
    confirm: bool = False,
    clock: Clock | None = None,
    wiring: Wiring | None = None,
    model: BaseChatModel | None = None,
    actor: str | None = None,
    origin: AuditOrigin | str = AuditOrigin.cli,
) -> Iterator[ChatEvent]:
    """Answer one message, yielding text tokens and tool calls as they happen, then the reply.

    Args:
        system: The open system.
        user_email: The creator talking (their conversation is kept per user).
        message: What they said (may be empty when ``confirm`` is True).
        confirm: Confirm the action the previous reply held.
        clock: Time source for runs started from chat (default the real clock).
        wiring: The parts of runs started or resumed from chat.
        model: A chat model to use instead of the configured one.
        actor: Who is typing, for the audit log (default: ``user_email``).
        origin: cli or web, for the audit log.

    Yields:
        ChatEvents; the last one has kind "reply".
    """
    ctx = _context(system, user_email, clock, wiring, model, actor, origin)
    config: Any = {"configurable": {"thread_id": thread_id(ctx.user_id)}, "recursion_limit": 16}
    with checkpointer(system) as saver:
        graph: Any = build_chat_graph().compile(checkpointer=saver)
        before = graph.get_state(config).values
        seen = len(before.get("messages", []))
        pending = before.get("pending_action") if confirm else None
        if pending:
            ctx.confirmed = action_key(pending["tool"], pending["args"])
        text = message.strip() or (CONFIRM_WORDS if confirm else "")
        if not text:
            raise ValueError("say something: the message is empty")
        payload = {
            "messages": [HumanMessage(text)],
            "confirm": confirm,
            **({} if confirm else {"pending_action": None}),
        }
        for mode, data in graph.stream(
            payload, config, context=ctx, stream_mode=["messages", "updates"]
        ):
            if mode == "messages":
                chunk, meta = data
                if (
                    meta.get("langgraph_node") == "agent"
                    and isinstance(chunk, AIMessageChunk)
                    and chunk.content
                ):
                    yield ChatEvent("token", text=str(chunk.content))
            elif isinstance(data, dict):
                for update in data.values():
                    for msg in (
                        (update or {}).get("messages", []) if isinstance(update, dict) else []
                    ):
                        for call in getattr(msg, "tool_calls", None) or []:
                            yield ChatEvent("tool", text=str(call["name"]))
        after = graph.get_state(config).values
    yield ChatEvent(
        "reply", reply=_reply(list(after.get("messages", []))[seen:], after.get("pending_action"))
    )


def _reply(new: list[BaseMessage], pending: dict[str, Any] | None) -> ChatReply:
    calls = [str(c["name"]) for m in new if isinstance(m, AIMessage) for c in m.tool_calls]
    answer = next((m for m in reversed(new) if isinstance(m, AIMessage) and not m.tool_calls), None)
    text = answer.text if answer is not None else ""
    return ChatReply(
        text=text.strip(),
        tool_calls=calls,
        needs_confirmation=bool(pending),
        pending_action=pending["description"] if pending else None,
    )


def chat_reply(
    system: Resources,
    *,
    user_email: str,
    message: str,
    confirm: bool = False,
    clock: Clock | None = None,
    wiring: Wiring | None = None,
    model: BaseChatModel | None = None,
    actor: str | None = None,
    origin: AuditOrigin | str = AuditOrigin.cli,
) -> ChatReply:
    """Answer one message from a creator (see :func:`stream_reply` for the arguments).

    ``confirm=True`` confirms the action the previous reply asked about.
    """
    reply = None
    for event in stream_reply(
        system,
        user_email=user_email,
        message=message,
        confirm=confirm,
        clock=clock,
        wiring=wiring,
        model=model,
        actor=actor,
        origin=origin,
    ):
        if event.reply is not None:
            reply = event.reply
    assert reply is not None
    return reply
