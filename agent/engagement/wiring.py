"""The pieces the CLI and web build for engagement, from settings (one place imports the core)."""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.language_models import BaseChatModel

from agent.clock import Clock
from agent.engagement.offline import register_reply_responder
from agent.engagement.schemas import ReplyDraft
from agent.llm import OfflineChatModel, ResponderRegistry
from agent.llm.responders import schema_name
from agent.runtime import chat_model_for, publishers_for
from agent.settings import Settings
from tools.publish.base import Publisher

__all__ = ["reply_model", "reply_publishers", "teach_offline"]


def reply_model(settings: Settings) -> BaseChatModel:
    """The configured chat model, able to write :class:`ReplyDraft` when it is the offline one."""
    return teach_offline(chat_model_for(settings))


def teach_offline(model: BaseChatModel) -> BaseChatModel:
    """The offline model with the reply responder added if its registry lacks one; others as is."""
    if isinstance(model, OfflineChatModel):
        registry = model.registry or ResponderRegistry()
        if registry.structured(schema_name(ReplyDraft)) is None:
            register_reply_responder(registry)
        model = model.model_copy(update={"registry": registry})
    return model


def reply_publishers(settings: Settings, clock: Clock) -> Callable[[str], Publisher]:
    """Adapters by platform name, configured from settings."""
    return publishers_for(settings, clock)
