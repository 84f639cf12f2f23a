"""What the chat graph and its tools get injected (never shown to the model)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel

from agent.app.resources import Resources
from agent.app.wiring import Wiring
from agent.context import Clock, SystemClock
from agent.llm import LLMEventHook
from db.enums import AuditOrigin


@dataclass(kw_only=True)
class ChatContext:
    """Per-turn dependencies of the chat graph.

    Attributes:
        system: Database, settings, cipher.
        user_id: The creator talking.
        user_email: Their email (recorded as the reviewer of approvals).
        agent_id: Their agent.
        model: The chat model (tools are bound in the graph).
        clock: Time source for runs started from chat.
        wiring: The parts of runs started or resumed from chat.
        render_quality: Quality of runs started from chat.
        on_llm_event: Told when the model's server refuses tools and the chat falls back to
            intent parsing (see :class:`agent.llm.LLMEvent`).
        actor: Who is typing, as the audit log names them (email on the web, OS account
            in a terminal).
        origin: Where the chat runs (cli or web), for the audit log.
    """

    system: Resources
    user_id: uuid.UUID
    user_email: str
    agent_id: uuid.UUID
    model: BaseChatModel
    clock: Clock = field(default_factory=SystemClock)
    wiring: Wiring = field(default_factory=Wiring)
    render_quality: str = "full"
    on_llm_event: LLMEventHook | None = None
    actor: str = ""
    origin: AuditOrigin = AuditOrigin.cli

    @property
    def audit_actor(self) -> str:
        return self.actor or self.user_email

    @classmethod
    def of(cls, value: Any) -> ChatContext:
        """The context a node or tool was given; LangGraph's server gives a JSON one
        (:class:`agent.app.server.ChatConfig`), turned into the real one here."""
        if isinstance(value, ChatContext):
            return value
        from agent.app.server import chat_context

        return chat_context(value)  # type: ignore[no-any-return]
