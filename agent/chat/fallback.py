"""The chat's model turn, and what it falls back to when the server refuses tool calling.

A server without tool support (Ollama's "<model> does not support tools", vLLM without
``--enable-auto-tool-choice``, llama.cpp without ``--jinja``, OpenAI models without
``tools``) cannot choose the chat's tools. Then the deterministic intent parser that
serves the offline model decides the tool call from the creator's words, and answers
with the tool's results. The refusal is remembered per endpoint for the process, so later
turns do not send tools again.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from agent.chat.intents import HELP, chat_intent
from agent.llm import (
    CAPABILITIES,
    Capabilities,
    LLMEvent,
    LLMEventHook,
    ToolIntent,
    rejected_feature,
    translate_provider_error,
)
from agent.llm.capabilities import endpoint_key, is_openai_compatible, refusal_message
from agent.llm.errors import describe_provider

__all__ = ["answer_by_intent", "model_turn"]

_log = logging.getLogger(__name__)


def model_turn(
    model: BaseChatModel,
    tools: Sequence[BaseTool],
    conversation: list[BaseMessage],
    *,
    on_event: LLMEventHook | None = None,
    capabilities: Capabilities | None = None,
) -> BaseMessage:
    """The model's next message with ``tools`` bound, or the intent parser's when refused.

    Args:
        model: The chat model.
        tools: The chat's tools.
        conversation: Resources message and history.
        on_event: Told once when the server is found to refuse tools.
        capabilities: Where the refusal is remembered (the process-wide memory if None).

    Returns:
        An AI message: text, or one tool call.

    Raises:
        ProviderError: The provider failed otherwise (unreachable, bad key, ...).
    """
    memory = capabilities or CAPABILITIES
    key = endpoint_key(model)
    compatible = is_openai_compatible(model)
    if compatible and memory.tools_refused(key):
        return answer_by_intent(conversation, tools)
    try:
        return model.bind_tools(list(tools)).invoke(conversation)
    except Exception as exc:
        if compatible and rejected_feature(exc) == "tools":
            memory.remember_tools_refused(key)
            _announce(model, exc, on_event)
            return answer_by_intent(conversation, tools)
        translated = translate_provider_error(exc, model)
        if translated is not None:
            raise translated from exc
        raise


def answer_by_intent(conversation: Sequence[BaseMessage], tools: Sequence[BaseTool]) -> AIMessage:
    """What the intent parser makes of the conversation: a tool call, or text.

    After tool results it answers with those results; otherwise it maps the creator's
    latest message to one tool call, or to the help text.
    """
    specs: list[dict[str, Any]] = [convert_to_openai_tool(t) for t in tools]
    intent = chat_intent(list(conversation), specs, random.Random(0))
    if isinstance(intent, ToolIntent):
        call = {
            "name": intent.name,
            "args": dict(intent.args or {}),
            "id": f"intent_{uuid.uuid4().hex[:16]}",
            "type": "tool_call",
        }
        return AIMessage("", tool_calls=[call])
    return AIMessage(intent if intent is not None else HELP)


def _announce(model: BaseChatModel, exc: BaseException, on_event: LLMEventHook | None) -> None:
    provider, base_url = describe_provider(model)
    where = base_url or provider
    name = str(getattr(model, "model_name", "") or "")
    event = LLMEvent(
        kind="chat_tools_unavailable",
        message=(
            f"The server at {where} refused tool calling for {name or 'this model'}; the chat "
            "understands requests with its built-in intent parser instead (choose a "
            "TWIN_LLM_MODEL with tool support to let the model pick tools)."
        ),
        detail={
            "endpoint": where,
            "model": name,
            "refused": "tools",
            "server": refusal_message(exc),
        },
    )
    _log.info(event.message)
    if on_event is not None:
        on_event(event)
