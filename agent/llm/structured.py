"""Structured output with validation-error repair and clear provider errors."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources
from typing import Any, TypeVar, cast

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, ValidationError

from agent.llm.errors import StructuredOutputError, translate_provider_error

__all__ = ["UsageCallback", "invoke_structured"]

SchemaT = TypeVar("SchemaT", bound=BaseModel)
UsageCallback = Callable[[int, int], None]

_PARSE_ERRORS = (ValidationError, OutputParserException, json.JSONDecodeError)
_MAX_ERROR_CHARS = 1500


def invoke_structured(
    model: BaseChatModel,
    schema: type[SchemaT],
    messages: Sequence[BaseMessage] | str,
    *,
    max_retries: int = 2,
    on_usage: UsageCallback | None = None,
    method: str | None = None,
    config: RunnableConfig | None = None,
) -> SchemaT:
    """Ask ``model`` for an instance of ``schema``, re-asking on validation errors.

    Each invalid answer is followed by a message quoting the validation error,
    at most ``max_retries`` times.

    Args:
        model: Any LangChain chat model with ``with_structured_output``.
        schema: The pydantic model class to produce.
        messages: The conversation (or a single user message).
        max_retries: Re-asks after the first invalid answer.
        on_usage: Called as ``on_usage(input_tokens, output_tokens)`` for every
            answer whose usage the provider reported.
        method: Structured-output method ("function_calling", "json_schema");
            None uses the model's default.
        config: LangChain run config (callbacks, tags) for every call.

    Returns:
        The validated instance.

    Raises:
        StructuredOutputError: No valid answer after ``max_retries`` re-asks.
        ProviderUnavailableError: The provider is unreachable, timed out or kept failing.
        ProviderAuthError: The provider rejected the API key.
    """
    kwargs: dict[str, Any] = {"include_raw": True}
    if method is not None:
        kwargs["method"] = method
    runnable = model.with_structured_output(schema, **kwargs)
    conversation: list[BaseMessage] = (
        [HumanMessage(content=messages)] if isinstance(messages, str) else list(messages)
    )
    last_error = ""
    attempts = max(0, max_retries) + 1
    for _ in range(attempts):
        raw: BaseMessage | None = None
        try:
            result = runnable.invoke(conversation, config=config)
        except _PARSE_ERRORS as exc:
            # Some providers (OpenAI's json_schema parse) validate inside the call.
            error: BaseException | None = exc
            parsed: Any = None
        except Exception as exc:
            translated = translate_provider_error(exc, model)
            if translated is not None:
                raise translated from exc
            raise
        else:
            outcome = cast(dict[str, Any], result)
            raw = outcome.get("raw")
            parsed = outcome.get("parsed")
            error = outcome.get("parsing_error")
            _report_usage(raw, on_usage)
        if error is None and parsed is not None:
            return parsed if isinstance(parsed, schema) else schema.model_validate(parsed)
        if error is None:
            error = ValueError(f"the answer contained no {schema.__name__}")
        last_error = _summarize(error)
        conversation = [*conversation, _repair_message(schema.__name__, last_error, raw)]
    raise StructuredOutputError(schema.__name__, attempts, last_error)


def _report_usage(raw: BaseMessage | None, on_usage: UsageCallback | None) -> None:
    if on_usage is None or not isinstance(raw, AIMessage) or raw.usage_metadata is None:
        return
    on_usage(int(raw.usage_metadata["input_tokens"]), int(raw.usage_metadata["output_tokens"]))


def _summarize(error: BaseException) -> str:
    validation = _find_validation_error(error)
    if validation is not None:
        problems = [
            f"{'.'.join(str(p) for p in item['loc']) or '(root)'}: {item['msg']}"
            for item in validation.errors(include_url=False, include_input=False)
        ]
        text = f"{validation.error_count()} validation error(s): " + "; ".join(problems)
    else:
        text = " ".join(str(error).split())
    if len(text) > _MAX_ERROR_CHARS:
        text = text[: _MAX_ERROR_CHARS - 3] + "..."
    return text


def _find_validation_error(error: BaseException) -> ValidationError | None:
    current: BaseException | None = error
    for _ in range(8):
        if current is None:
            return None
        if isinstance(current, ValidationError):
            return current
        current = current.__cause__ or current.__context__
    return None


def _repair_message(schema_name: str, error: str, raw: BaseMessage | None) -> HumanMessage:
    text = _repair_template().format(schema_name=schema_name, error=error)
    previous = _previous_answer(raw)
    if previous:
        text += f"\n\nYour previous answer was:\n{previous}"
    return HumanMessage(content=text)


def _previous_answer(raw: BaseMessage | None) -> str:
    if not isinstance(raw, AIMessage):
        return ""
    if raw.tool_calls:
        answer = json.dumps(raw.tool_calls[0]["args"], ensure_ascii=False)
    elif raw.invalid_tool_calls:
        answer = str(raw.invalid_tool_calls[0].get("args") or "")
    else:
        answer = raw.content if isinstance(raw.content, str) else json.dumps(raw.content)
    return answer[:_MAX_ERROR_CHARS]


@cache
def _repair_template() -> str:
    path = resources.files("agent.llm").joinpath("structured_repair.txt")
    return path.read_text(encoding="utf-8").strip()
