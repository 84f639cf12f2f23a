"""Talking to the agent: one reply per message, persisted per creator, optionally streamed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langgraph.types import Command
from pydantic import BaseModel

from agent.app.resources import Resources
from agent.app.wiring import Wiring, chat_model_for, checkpointer
from agent.chat.confirm import CONFIRM_HINT, NO, YES, answer_for
from agent.chat.context import ChatContext
from agent.chat.graph import build_chat_graph
from agent.chat.intents import chat_registry
from agent.context import Clock, SystemClock
from agent.llm import OfflineChatModel
from db.enums import AuditOrigin
from db.repo.identity import NotFoundError, get_user_by_email, list_agents

__all__ = [
    "ChatEvent",
    "ChatReply",
    "chat_context_for",
    "chat_model",
    "chat_reply",
    "held_action",
    "stream_reply",
    "thread_id",
]


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


def chat_context_for(
    system: Resources,
    user_email: str,
    *,
    clock: Clock | None = None,
    wiring: Wiring | None = None,
    model: BaseChatModel | None = None,
    actor: str | None = None,
    origin: AuditOrigin | str = AuditOrigin.cli,
) -> ChatContext:
    """The chat context of ``user_email``'s conversation with their agent.

    Raises:
        NotFoundError: No such creator, or they have no agent yet.
    """
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


def held_action(snapshot: Any) -> dict[str, Any] | None:
    """The action a thread waits to have confirmed: the pending HITL interrupt's one request."""
    for task in snapshot.tasks:
        for intr in task.interrupts:
            requests = (intr.value or {}).get("action_requests") or []
            if requests:
                return dict(requests[0])
    return None


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

    When an action waits for confirmation, the message answers it: a yes (or ``confirm``)
    approves it; a no declines it; anything else declines it and is then answered as a new
    message.

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

    Raises:
        ValueError: The message is empty and nothing waits for confirmation.
    """
    ctx = chat_context_for(
        system, user_email, clock=clock, wiring=wiring, model=model, actor=actor, origin=origin
    )
    config: Any = {"configurable": {"thread_id": thread_id(ctx.user_id)}, "recursion_limit": 16}
    text = message.strip()
    with checkpointer(system) as saver:
        graph: Any = build_chat_graph().compile(checkpointer=saver)
        before = graph.get_state(config)
        seen = len(before.values.get("messages", []))
        held = held_action(before)
        if held is None and confirm and not text:
            reply = ChatReply(
                text="There is nothing waiting for your confirmation.",
                tool_calls=[],
                needs_confirmation=False,
                pending_action=None,
            )
            yield ChatEvent("reply", reply=reply)
            return
        if held is None and not text:
            raise ValueError("say something: the message is empty")
        payloads: list[Any] = []
        confirmed_tool: list[str] = []
        if held is not None:
            approve = confirm or bool(YES.match(text))
            new_request = not approve and bool(text) and not NO.match(text)
            answer = answer_for("" if new_request else text, confirm=approve)
            payloads.append(Command(resume=answer))
            if approve:
                confirmed_tool.append(str(held.get("name", "")))
            if new_request:
                payloads.append({"messages": [HumanMessage(text)]})
        else:
            payloads.append({"messages": [HumanMessage(text)]})
        for payload in payloads:
            yield from _stream(graph, payload, config, ctx)
        after = graph.get_state(config)
    new = list(after.values.get("messages", []))[seen:]
    yield ChatEvent("reply", reply=_reply(new, held_action(after), confirmed_tool))


def _stream(graph: Any, payload: Any, config: Any, ctx: ChatContext) -> Iterator[ChatEvent]:
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
                for msg in (update or {}).get("messages", []) if isinstance(update, dict) else []:
                    for call in getattr(msg, "tool_calls", None) or []:
                        yield ChatEvent("tool", text=str(call["name"]))


def _reply(new: list[BaseMessage], held: dict[str, Any] | None, confirmed: list[str]) -> ChatReply:
    calls = confirmed + [
        str(c["name"]) for m in new if isinstance(m, AIMessage) for c in m.tool_calls
    ]
    if held is not None:
        what = str(held.get("description", ""))
        return ChatReply(
            text=f"Not done yet. This will {what}. {CONFIRM_HINT}",
            tool_calls=calls,
            needs_confirmation=True,
            pending_action=what,
        )
    answer = next((m for m in reversed(new) if isinstance(m, AIMessage) and not m.tool_calls), None)
    text = answer.text if answer is not None else ""
    return ChatReply(
        text=text.strip(), tool_calls=calls, needs_confirmation=False, pending_action=None
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
