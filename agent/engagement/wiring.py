"""The pieces the CLI and web build for engagement, from settings (one place imports the core)."""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.language_models import BaseChatModel

from agent.app.wiring import chat_model_for, publishers_for
from agent.context import Clock
from agent.settings import Settings
from tools.publish.base import Publisher

__all__ = ["reply_model", "reply_publishers"]


def reply_model(settings: Settings) -> BaseChatModel:
    """The configured chat model (the offline one writes replies too)."""
    return chat_model_for(settings)


def reply_publishers(settings: Settings, clock: Clock) -> Callable[[str], Publisher]:
    """Adapters by platform name, configured from settings."""
    return publishers_for(settings, clock)
