"""A deterministic, local chat model: no key, no network, schema-aware.

``OfflineChatModel`` answers structured-output requests (both the tool-calling
and the JSON-schema method), tool-calling requests and plain chat. Every answer
is a pure function of the input messages, the bound tools/schema and ``seed``,
and is worded from the prompt (see :mod:`agent.llm.offline.grounding`).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel, ConfigDict, Field

from agent.llm.offline.conversation import (
    FORCED_ANY,
    forced_tool_name,
    ground_messages,
    latest_request,
    text_answer,
    tool_parameters,
)
from agent.llm.offline.responders import (
    ResponderRegistry,
    ToolIntent,
    default_registry,
    match_tools,
)
from agent.llm.offline.schema_fill import fill_schema
from agent.llm.tokens import count_message_tokens, count_tokens, message_text

__all__ = ["OfflineChatModel", "ground_messages"]


class OfflineChatModel(BaseChatModel):
    """Deterministic local chat model with structured output and tool calling.

    Example:
        >>> model = OfflineChatModel(seed=7)
        >>> plan = model.with_structured_output(Plan).invoke("Plan a week on sourdough")
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_name: str = Field(default="offline", alias="model")
    """Reported as ``response_metadata["model_name"]``."""
    seed: int = 0
    """Mixed into every answer's random seed; change it to get other answers."""
    registry: ResponderRegistry | None = Field(default=None, exclude=True)
    """Responders to consult; None means the module-level default registry."""

    @property
    def _llm_type(self) -> str:
        return "offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "seed": self.seed}

    # -- binding ------------------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | dict[str, Any] | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools; the model may then answer with tool calls.

        Args:
            tools: Pydantic classes, functions, LangChain tools or OpenAI tool dicts.
            tool_choice: None/"auto" (the model decides), "none" (text only),
                "any"/"required"/True (must call some tool), or a tool name
                (or ``{"type": "function", "function": {"name": ...}}``) to force it.
            **kwargs: Further call arguments to bind.

        Returns:
            The model bound to the tools.
        """
        formatted = [convert_to_openai_tool(t) for t in tools]
        if tool_choice is True:
            tool_choice = "required"
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        include_raw: bool = False,
        method: Literal["function_calling", "json_schema", "json_mode"] = "function_calling",
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Return a runnable that answers with an instance of ``schema``.

        Args:
            schema: A pydantic class, TypedDict, JSON schema or OpenAI tool schema.
            include_raw: Return ``{"raw", "parsed", "parsing_error"}`` instead of
                raising on a parsing error.
            method: "function_calling" answers with a forced tool call;
                "json_schema"/"json_mode" answer with JSON text in the content.
            strict: Recorded in the request; answers always follow the schema.
            **kwargs: Unsupported; passed to the base class, which rejects them.

        Returns:
            The structured-output runnable.
        """
        if method == "function_calling":
            return super().with_structured_output(schema, include_raw=include_raw, **kwargs)
        if method not in ("json_schema", "json_mode"):
            raise ValueError(
                f"Unknown structured-output method {method!r}; "
                "use 'function_calling', 'json_schema' or 'json_mode'."
            )
        if kwargs:
            raise ValueError(f"Received unsupported arguments {kwargs}")
        function = convert_to_openai_tool(schema)["function"]
        llm = self.bind(
            response_format={
                "type": "json_schema",
                "json_schema": {
                    "name": function["name"],
                    "schema": function.get("parameters", {}),
                    "strict": bool(strict),
                },
            },
            ls_structured_output_format={"kwargs": {"method": method}, "schema": schema},
        )
        parser: Runnable[Any, Any]
        if isinstance(schema, type) and is_basemodel_subclass(schema):
            parser = PydanticOutputParser(pydantic_object=schema)
        else:
            parser = JsonOutputParser()
        if not include_raw:
            return llm | parser
        assign = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
        )
        none = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=llm) | assign.with_fallbacks([none], exception_key="parsing_error")

    # -- generation ---------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = self._respond(messages, **kwargs)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        message = self._respond(messages, **kwargs)
        pieces: list[AIMessageChunk] = []
        text = message.content if isinstance(message.content, str) else ""
        for token in re.findall(r"\S+\s*|\s+", text):
            pieces.append(AIMessageChunk(content=token, id=message.id))
        for index, call in enumerate(message.tool_calls):
            chunk = tool_call_chunk(
                name=call["name"], args=json.dumps(call["args"]), id=call["id"], index=index
            )
            pieces.append(AIMessageChunk(content="", tool_call_chunks=[chunk], id=message.id))
        if not pieces:
            pieces.append(AIMessageChunk(content="", id=message.id))
        last = pieces[-1]
        last.usage_metadata = message.usage_metadata
        last.response_metadata = dict(message.response_metadata)
        last.chunk_position = "last"
        for piece in pieces:
            generation = ChatGenerationChunk(message=piece)
            if run_manager and isinstance(piece.content, str):
                run_manager.on_llm_new_token(piece.content, chunk=generation)
            yield generation

    # -- decisions ----------------------------------------------------------------

    def _respond(self, messages: list[BaseMessage], **kwargs: Any) -> AIMessage:
        tools: list[dict[str, Any]] = list(kwargs.get("tools") or [])
        tool_choice = kwargs.get("tool_choice")
        response_format = kwargs.get("response_format")
        rng = self._rng(messages, tools, tool_choice, response_format)
        grounding = ground_messages(messages)
        content = ""
        calls: list[dict[str, Any]] = []
        if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
            spec = response_format["json_schema"]
            args = self._structured_args(spec["name"], spec.get("schema", {}), messages, rng)
            content = json.dumps(args, ensure_ascii=False)
        elif tools and tool_choice != "none":
            decision = self._decide(messages, tools, tool_choice, rng)
            if isinstance(decision, ToolIntent):
                schema = tool_parameters(tools, decision.name)
                args = (
                    decision.args
                    if decision.args is not None
                    else self._structured_args(
                        decision.name, schema, messages, rng, exclude_name=True
                    )
                )
                call_id = f"call_{rng.getrandbits(64):016x}"
                calls.append(
                    {"name": decision.name, "args": args, "id": call_id, "type": "tool_call"}
                )
            else:
                content = decision
        else:
            reply = self._ask_intents(messages, [], rng)
            content = reply if isinstance(reply, str) else text_answer(messages, grounding, rng)
        tools_for_count = [*tools, *([response_format] if response_format else [])]
        input_tokens = count_message_tokens(messages, tools_for_count)
        output_tokens = count_tokens(content) + sum(
            count_tokens(f"{c['name']} {json.dumps(c['args'])}") for c in calls
        )
        return AIMessage(
            content=content,
            tool_calls=calls,
            usage_metadata={
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "total_tokens": input_tokens + output_tokens,
            },
            response_metadata={
                "model_name": self.model_name,
                "model_provider": "offline",
                "finish_reason": "tool_calls" if calls else "stop",
            },
        )

    def _decide(
        self,
        messages: list[BaseMessage],
        tools: list[dict[str, Any]],
        tool_choice: Any,
        rng: random.Random,
    ) -> ToolIntent | str:
        names = [str(t.get("function", t).get("name")) for t in tools]
        forced = forced_tool_name(tool_choice)
        if forced is not None:
            if forced not in names:
                raise ValueError(
                    f"tool_choice names {forced!r}, which is not among the bound tools {names}."
                )
            return ToolIntent(forced)
        decision = self._ask_intents(messages, tools, rng)
        if isinstance(decision, ToolIntent):
            if decision.name not in names:
                raise ValueError(
                    f"An intent responder chose tool {decision.name!r}, "
                    f"which is not among the bound tools {names}."
                )
            return decision
        must_call = tool_choice in FORCED_ANY
        if isinstance(decision, str) and not must_call:
            return decision
        request = latest_request(messages)
        scores = match_tools(request, tools) if request is not None else []
        if scores and scores[0][0] >= 1.0:
            return ToolIntent(scores[0][1])
        if must_call:
            if scores and scores[0][0] > 0:
                return ToolIntent(scores[0][1])
            return ToolIntent(rng.choice(names))
        return text_answer(messages, ground_messages(messages), rng)

    def _ask_intents(
        self, messages: list[BaseMessage], tools: list[dict[str, Any]], rng: random.Random
    ) -> ToolIntent | str | None:
        for responder in (self.registry or default_registry).intents():
            decision = responder(list(messages), tools, rng)
            if isinstance(decision, str) and not tools:
                return decision
            if decision is not None and tools:
                return decision
        return None

    def _structured_args(
        self,
        name: str,
        schema: dict[str, Any],
        messages: list[BaseMessage],
        rng: random.Random,
        *,
        exclude_name: bool = False,
    ) -> dict[str, Any]:
        entry = (self.registry or default_registry).structured(name)
        if entry is not None:
            fn, model = entry
            return fn(list(messages), model if model is not None else schema, rng)
        grounding = ground_messages(messages)
        if exclude_name:
            grounding = grounding.without(re.findall(r"[A-Za-z]+", name))
        value = fill_schema(schema, grounding, rng)
        return value if isinstance(value, dict) else {"value": value}

    def _rng(
        self,
        messages: Sequence[BaseMessage],
        tools: Sequence[dict[str, Any]],
        tool_choice: Any,
        response_format: Any,
    ) -> random.Random:
        material = json.dumps(
            {
                "seed": self.seed,
                "messages": [[m.type, message_text(m)] for m in messages],
                "tools": [t.get("function", t).get("name") for t in tools],
                "tool_choice": tool_choice,
                "format": response_format,
            },
            sort_keys=True,
            default=str,
        )
        digest = hashlib.sha256(material.encode("utf-8")).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))
