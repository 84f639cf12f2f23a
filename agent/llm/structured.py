"""Structured output: the configured method, downgraded when refused, with validation repair.

With an OpenAI-compatible model the method and strictness come from the model
(:class:`~agent.llm.openai_chat.CompatibleChatOpenAI`, i.e. TWIN_LLM_STRUCTURED_METHOD and
TWIN_LLM_STRICT). A server that refuses the request's ``response_format``, ``tools`` or
``strict`` moves the call one step down json_schema -> function_calling -> json_mode
(the schema in the prompt, the content parsed); the step is remembered per endpoint for
the rest of the process and reported once through ``on_event``.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any, TypeVar, cast

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, ValidationError

from agent.llm.capabilities import (
    CAPABILITIES,
    Capabilities,
    StructuredMethod,
    StructuredPlan,
    endpoint_key,
    is_openai_compatible,
    refusal_message,
    rejected_feature,
)
from agent.llm.errors import (
    StructuredMethodError,
    StructuredOutputError,
    describe_provider,
    translate_provider_error,
)
from agent.llm.events import LLMEvent, LLMEventHook
from agent.llm.json_answers import (
    answer_text,
    json_in_text,
    schema_instructions,
    with_schema_prompt,
)
from agent.llm.usage import usage_from_error

__all__ = ["UsageCallback", "invoke_structured", "structured_plan_for"]

SchemaT = TypeVar("SchemaT", bound=BaseModel)
UsageCallback = Callable[[int, int], None]
Outcome = tuple[BaseMessage | None, Any, BaseException | None]

REPAIR_PROMPT = "structured_repair"
_PARSE_ERRORS = (ValidationError, OutputParserException, json.JSONDecodeError)
_MAX_ERROR_CHARS = 1500
_log = logging.getLogger(__name__)

# langchain-openai warns "specify method='function_calling'" when OpenAI refuses json_schema;
# this module does exactly that by itself, so the advice would only mislead a user.
warnings.filterwarnings(
    "ignore", message="This model does not support OpenAI's structured output", category=UserWarning
)


def invoke_structured(
    model: BaseChatModel,
    schema: type[SchemaT],
    messages: Sequence[BaseMessage] | str,
    *,
    max_retries: int = 2,
    on_usage: UsageCallback | None = None,
    method: StructuredMethod | None = None,
    strict: bool | None = None,
    config: RunnableConfig | None = None,
    on_event: LLMEventHook | None = None,
    prompt_hashes: MutableMapping[str, str] | None = None,
    capabilities: Capabilities | None = None,
) -> SchemaT:
    """Ask ``model`` for an instance of ``schema``, re-asking on validation errors.

    Each invalid answer is followed by a message quoting the validation error (and the
    JSON schema when the answer was not JSON at all), at most ``max_retries`` times. A
    request the server refuses is not an answer: it is retried one method lower without
    using up a re-ask.

    Args:
        model: Any LangChain chat model with ``with_structured_output``.
        schema: The pydantic model class to produce.
        messages: The conversation (or a single user message).
        max_retries: Re-asks after the first invalid answer.
        on_usage: Called as ``on_usage(input_tokens, output_tokens)`` for every answer
            whose usage the provider reported, invalid answers included.
        method: Method to start from; None uses the model's configured one (and the
            model's default for models that are not OpenAI-compatible).
        strict: Ask the server to enforce the schema; None uses the model's setting.
        config: LangChain run config (callbacks, tags) for every call.
        on_event: Told about each downgrade when it happens (see :class:`LLMEvent`).
        prompt_hashes: Receives ``{prompt name: sha256}`` of every prompt template this
            call added (``structured_repair``, ``structured_json_mode``).
        capabilities: Where working methods are remembered; the process-wide memory
            when None.

    Returns:
        The validated instance.

    Raises:
        StructuredOutputError: No valid answer after ``max_retries`` re-asks.
        StructuredMethodError: The server refused every method it was offered.
        ProviderUnavailableError: The provider is unreachable, timed out or kept failing.
        ProviderAuthError: The provider rejected the API key.
    """
    conversation: list[BaseMessage] = (
        [HumanMessage(content=messages)] if isinstance(messages, str) else list(messages)
    )
    memory = capabilities or CAPABILITIES
    key = endpoint_key(model)
    configured = _configured_plan(model, method, strict)
    plan = memory.plan(key, configured) if configured is not None else None
    tried: list[str] = []
    last_error = ""
    attempts = max(0, max_retries) + 1
    answers = 0
    while answers < attempts:
        try:
            raw, parsed, error = _ask(
                model, schema, conversation, plan, method, config, prompt_hashes
            )
        except _PARSE_ERRORS as exc:
            # OpenAI's json_schema parse validates inside the call; the answer was billed.
            raw, parsed, error = _answer_in_error(exc), None, exc
            _report(usage_from_error(exc), on_usage)
        except Exception as exc:
            feature = rejected_feature(exc) if plan is not None else None
            if plan is None or feature is None:
                translated = translate_provider_error(exc, model)
                if translated is not None:
                    raise translated from exc
                raise
            tried.append(plan.describe())
            lower = plan.downgrade(feature)
            provider, base_url = describe_provider(model)
            if lower is None or configured is None:
                raise StructuredMethodError(
                    provider=provider,
                    base_url=base_url,
                    tried=tried,
                    server_message=refusal_message(exc),
                ) from exc
            memory.remember_plan(key, configured, lower)
            _announce(on_event, model, schema, plan, lower, feature, refusal_message(exc))
            plan = lower
            continue
        else:
            _report(_usage_of(raw), on_usage)
        answers += 1
        if error is None and parsed is not None:
            try:
                return parsed if isinstance(parsed, schema) else schema.model_validate(parsed)
            except ValidationError as exc:
                error = exc
        if error is None:
            error = ValueError(f"the answer contained no {schema.__name__}")
        last_error = _summarize(error)
        conversation = [
            *conversation,
            _repair_message(schema, last_error, raw, plan, prompt_hashes),
        ]
    raise StructuredOutputError(
        schema.__name__, attempts, last_error, method=plan.describe() if plan else None
    )


def structured_plan_for(
    model: BaseChatModel, capabilities: Capabilities | None = None
) -> StructuredPlan | None:
    """The plan :func:`invoke_structured` uses next for ``model`` (None: not OpenAI-compatible).

    Lets a caller record which method a run actually used.
    """
    configured = _configured_plan(model, None, None)
    if configured is None:
        return None
    return (capabilities or CAPABILITIES).plan(endpoint_key(model), configured)


def _configured_plan(
    model: BaseChatModel, method: StructuredMethod | None, strict: bool | None
) -> StructuredPlan | None:
    if not is_openai_compatible(model):
        return None
    start = method or cast(StructuredMethod, getattr(model, "structured_method", "json_schema"))
    enforce = strict if strict is not None else bool(getattr(model, "structured_strict", True))
    return StructuredPlan(start, strict=enforce and start != "json_mode")


def _ask(
    model: BaseChatModel,
    schema: type[BaseModel],
    conversation: list[BaseMessage],
    plan: StructuredPlan | None,
    method: str | None,
    config: RunnableConfig | None,
    prompt_hashes: MutableMapping[str, str] | None,
) -> Outcome:
    if plan is not None and plan.method == "json_mode":
        bound = model.bind(response_format={"type": "json_object"}) if plan.json_object else model
        raw = bound.invoke(with_schema_prompt(conversation, schema, prompt_hashes), config=config)
        try:
            return raw, json_in_text(answer_text(raw)), None
        except OutputParserException as exc:
            return raw, None, exc
    target: Any = schema
    kwargs: dict[str, Any] = {"include_raw": True}
    if plan is None:
        if method is not None:
            kwargs["method"] = method
    elif plan.method == "json_schema":
        kwargs["method"] = "json_schema"
        if plan.strict:
            kwargs["strict"] = True  # the SDK sends the pydantic schema in strict form
        else:
            target = {
                "name": schema.__name__,
                "description": (schema.__doc__ or schema.__name__).strip(),
                "schema": schema.model_json_schema(),
                "strict": False,
            }
    else:
        kwargs["method"] = "function_calling"
        if plan.strict:
            kwargs["strict"] = True
    outcome = cast(
        dict[str, Any],
        model.with_structured_output(target, **kwargs).invoke(conversation, config=config),
    )
    return outcome.get("raw"), outcome.get("parsed"), outcome.get("parsing_error")


def _announce(
    on_event: LLMEventHook | None,
    model: BaseChatModel,
    schema: type[BaseModel],
    old: StructuredPlan,
    new: StructuredPlan,
    feature: str,
    server: str,
) -> None:
    provider, base_url = describe_provider(model)
    where = base_url or provider
    event = LLMEvent(
        kind="structured_output_downgraded",
        message=(
            f"The server at {where} refused {feature} with {old.describe()}; structured output "
            f"uses {new.describe()} from now on (TWIN_LLM_STRUCTURED_METHOD={new.method}"
            f"{'' if new.strict else ' and TWIN_LLM_STRICT=false'} starts there)."
        ),
        detail={
            "endpoint": where,
            "model": str(getattr(model, "model_name", "") or ""),
            "schema": schema.__name__,
            "refused": feature,
            "from": old.describe(),
            "to": new.describe(),
            "server": server,
        },
    )
    _log.info(event.message)
    if on_event is not None:
        on_event(event)


def _report(usage: tuple[int, int] | None, on_usage: UsageCallback | None) -> None:
    if on_usage is not None and usage is not None:
        on_usage(*usage)


def _usage_of(raw: BaseMessage | None) -> tuple[int, int] | None:
    if not isinstance(raw, AIMessage) or raw.usage_metadata is None:
        return None
    return int(raw.usage_metadata["input_tokens"]), int(raw.usage_metadata["output_tokens"])


def _answer_in_error(exc: BaseException) -> AIMessage | None:
    """The answer an in-client validation refused, read back from the HTTP response."""
    http = getattr(exc, "response", None)
    try:
        body = http.json() if http is not None and hasattr(http, "json") else None
        content = body["choices"][0]["message"].get("content") if isinstance(body, dict) else None
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    return AIMessage(content=content) if isinstance(content, str) else None


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


def _repair_message(
    schema: type[BaseModel],
    error: str,
    raw: BaseMessage | None,
    plan: StructuredPlan | None,
    prompt_hashes: MutableMapping[str, str] | None,
) -> HumanMessage:
    from prompts import load_prompt

    prompt = load_prompt(REPAIR_PROMPT)
    if prompt_hashes is not None:
        prompt_hashes[REPAIR_PROMPT] = prompt.sha256
    text = str(prompt.messages(schema_name=schema.__name__, error=error)[1].content)
    previous = _previous_answer(raw)
    if previous:
        text += f"\n\nYour previous answer was:\n{previous[:_MAX_ERROR_CHARS]}"
    in_prompt = plan is not None and plan.method == "json_mode"
    if not in_prompt and not _is_json(previous):
        # A prose answer means the model never saw the schema (ignored response_format).
        text += "\n\n" + schema_instructions(schema, prompt_hashes)
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
    return answer


def _is_json(text: str) -> bool:
    try:
        json_in_text(text)
    except OutputParserException:
        return False
    return True
