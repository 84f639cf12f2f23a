"""What an OpenAI-compatible server accepts, learned from its refusals and remembered.

Servers refuse request features they lack with an HTTP error whose body says so. The
bodies recognised here are the ones real servers send:

- OpenAI: ``invalid_request_error`` with ``param`` ``response_format`` or ``tools``
  ("Invalid parameter: 'response_format' of type 'json_schema' is not supported with this
  model.", "Unsupported parameter: 'tools' is not supported with this model.");
- Ollama: "<model> does not support tools" (400, ``api_error``);
- vLLM: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to
  be set' (400);
- llama.cpp server: 'response_format type must be one of "text" or "json_object", but got:
  json_schema', "tools param requires --jinja flag", "Unsupported param: tools" (500);
- LM Studio: "'response_format.type' must be 'json_schema' or 'text'" (400);
- DeepSeek: "This response_format type is unavailable now" (400, or 422 when the body
  does not deserialise), "deepseek-reasoner does not support this tool_choice";
- gateways that refuse ``strict``: "Invalid value: 'true'. The value 'true' isn't
  supported yet." (``param`` ``tools[0].function.strict``), '"strict" - Extra inputs are
  not permitted', and OpenAI's own "Invalid schema for response_format" under strict mode.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

__all__ = [
    "CAPABILITIES",
    "STRUCTURED_METHODS",
    "Capabilities",
    "RejectedFeature",
    "StructuredMethod",
    "StructuredPlan",
    "endpoint_key",
    "is_openai_compatible",
    "refusal_message",
    "rejected_feature",
]

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]
"""How a typed answer is asked for: response_format json_schema, a forced tool call, or
JSON mode (the schema in the prompt, the content parsed)."""
STRUCTURED_METHODS: tuple[StructuredMethod, ...] = get_args(StructuredMethod)

RejectedFeature = Literal["response_format", "tools", "strict"]

_REJECTING_STATUS = frozenset({400, 422, 500, 501})
_REFUSAL = re.compile(
    r"not (?:yet )?supported|unsupported|does not support|doesn't support|do not support|"
    r"isn't supported|is not available|unavailable|requires|must be|not permitted|"
    r"not allowed|invalid (?:parameter|value|type|schema)|unknown|unrecognized|not valid|"
    r"extra inputs",
    re.I,
)
_STRICT = re.compile(r"(?<![\w-])strict(?![\w-])|invalid schema for", re.I)
_RESPONSE_FORMAT = re.compile(r"response_format|json_schema|json_object|structured output", re.I)
_TOOLS = re.compile(r"(?<![\w-])tools?(?![\w-])|tool_choice|tool.call|function.call", re.I)


@dataclass(frozen=True)
class StructuredPlan:
    """How one structured call is made.

    Attributes:
        method: The structured-output method.
        strict: Ask the server to enforce the schema (json_schema and function_calling).
        json_object: In json_mode, also send ``response_format: {"type": "json_object"}``.
    """

    method: StructuredMethod
    strict: bool = True
    json_object: bool = True

    def describe(self) -> str:
        """A short name for events and errors, e.g. ``json_schema (strict)``."""
        if self.method == "json_mode":
            return "json_mode" if self.json_object else "json_mode (schema in the prompt only)"
        return f"{self.method} (strict)" if self.strict else self.method

    def downgrade(self, feature: RejectedFeature) -> StructuredPlan | None:
        """The next plan after the server refused ``feature``; None when nothing is left.

        A refused ``strict`` keeps the method and drops strict; anything else moves one
        step down json_schema -> function_calling -> json_mode -> json_mode without
        ``response_format``.
        """
        if feature == "strict" and self.strict and self.method != "json_mode":
            return replace(self, strict=False)
        if self.method == "json_schema":
            return replace(self, method="function_calling")
        if self.method == "function_calling":
            return StructuredPlan("json_mode", strict=False, json_object=True)
        if self.json_object:
            return replace(self, json_object=False)
        return None


def is_openai_compatible(model: Any) -> bool:
    """Whether ``model`` speaks the OpenAI chat-completions protocol (langchain-openai)."""
    return "openai" in str(getattr(model, "_llm_type", ""))


def endpoint_key(model: Any) -> str:
    """The server and model a capability belongs to, e.g. ``http://host/v1 llama3``."""
    base = getattr(model, "openai_api_base", None) or "https://api.openai.com/v1"
    name = getattr(model, "model_name", None) or getattr(model, "model", "")
    return f"{str(base).rstrip('/')} {name}"


def rejected_feature(exc: BaseException) -> RejectedFeature | None:
    """Which request feature the server refused, if ``exc`` is such a refusal.

    Args:
        exc: An exception raised by a chat-model call (any depth of causes is read).

    Returns:
        "strict", "response_format" or "tools", or None for any other failure.
    """
    for cause in _chain(exc):
        status = getattr(cause, "status_code", None)
        if status not in _REJECTING_STATUS:
            continue
        message, param = _error_text(cause)
        if param and "strict" in param:
            return "strict"
        if param and (param.startswith("response_format") or param == "text.format"):
            return "response_format"
        if param and (param.startswith("tools") or param.startswith("tool_choice")):
            return "tools"
        if param:  # the server named another parameter (e.g. messages): not a feature refusal
            continue
        if not _REFUSAL.search(message):
            continue
        if _STRICT.search(message):
            return "strict"
        if _RESPONSE_FORMAT.search(message):
            return "response_format"
        if _TOOLS.search(message):
            return "tools"
    return None


def refusal_message(exc: BaseException, limit: int = 300) -> str:
    """What the server said, on one line (the body's message when it has one).

    Args:
        exc: The refusal.
        limit: Longest text returned.

    Returns:
        The message, whitespace collapsed and cut to ``limit`` characters.
    """
    text = str(exc)
    for cause in _chain(exc):
        body = getattr(cause, "body", None)
        if isinstance(body, dict) and isinstance(body.get("message") or body.get("error"), str):
            text = str(body.get("message") or body.get("error"))
            break
        if isinstance(body, str) and body:
            text = body
            break
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _error_text(cause: BaseException) -> tuple[str, str]:
    body = getattr(cause, "body", None)
    parts = [str(getattr(cause, "message", "") or ""), str(cause)]
    param = getattr(cause, "param", None)
    if isinstance(body, dict):
        parts.append(str(body.get("message") or body.get("error") or ""))
        param = param or body.get("param")
    elif isinstance(body, str):
        parts.append(body)
    return " ".join(parts), str(param or "")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


class Capabilities:
    """Per endpoint: the structured plan that works, and whether tools are refused.

    One instance lives for the process (:data:`CAPABILITIES`), so a downgrade found in one
    call or run is not paid for again by the next. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plans: dict[tuple[str, StructuredPlan], StructuredPlan] = {}
        self._no_tools: set[str] = set()

    def plan(self, key: str, configured: StructuredPlan) -> StructuredPlan:
        """The plan to use for ``key`` when ``configured`` is what the settings ask for."""
        with self._lock:
            return self._plans.get((key, configured), configured)

    def remember_plan(self, key: str, configured: StructuredPlan, working: StructuredPlan) -> None:
        """Use ``working`` instead of ``configured`` for ``key`` from now on."""
        with self._lock:
            self._plans[(key, configured)] = working

    def tools_refused(self, key: str) -> bool:
        """Whether the endpoint refused tool calling before."""
        with self._lock:
            return key in self._no_tools

    def remember_tools_refused(self, key: str) -> None:
        """Record that the endpoint refuses tool calling."""
        with self._lock:
            self._no_tools.add(key)

    def clear(self) -> None:
        """Forget everything (for example after the server was reconfigured)."""
        with self._lock:
            self._plans.clear()
            self._no_tools.clear()


CAPABILITIES = Capabilities()
"""The process-wide memory used when a caller does not pass its own."""
