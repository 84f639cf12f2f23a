"""Registries that let the project ground the offline model's answers.

Two kinds of responder:

- A *structured responder* builds the arguments of one schema (by name or
  pydantic type) from the conversation: ``fn(messages, schema, rng) -> dict``.
- An *intent responder* decides what to do when tools are bound and the caller
  did not force one: ``fn(messages, tools, rng)`` returns a :class:`ToolIntent`
  (call that tool), a string (answer in text) or None (no opinion).

A module-level default registry serves ``register_responder`` and
``register_intent_responder``; a model may be given its own registry instead.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel

__all__ = [
    "IntentResponder",
    "ResponderRegistry",
    "StructuredResponder",
    "ToolIntent",
    "default_registry",
    "match_tools",
    "register_intent_responder",
    "register_responder",
    "schema_name",
]

SchemaRef = type[BaseModel] | dict[str, Any]
StructuredResponder = Callable[[list[BaseMessage], SchemaRef, random.Random], dict[str, Any]]


@dataclass(frozen=True)
class ToolIntent:
    """A decision to call one bound tool.

    Attributes:
        name: The tool's name as bound.
        args: Arguments for the call; None lets the model fill them from the
            tool's schema and the conversation.
    """

    name: str
    args: dict[str, Any] | None = None


IntentResponder = Callable[
    [list[BaseMessage], list[dict[str, Any]], random.Random], ToolIntent | str | None
]


def schema_name(schema: str | type[BaseModel] | dict[str, Any]) -> str:
    """Return the tool/schema name a model sees for ``schema``.

    Args:
        schema: A name, a pydantic model class or a JSON/OpenAI tool schema.

    Returns:
        The function name used in tool calls (a pydantic class's title).
    """
    if isinstance(schema, str):
        return schema
    return str(convert_to_openai_tool(schema)["function"]["name"])


class ResponderRegistry:
    """Thread-safe registry of structured and intent responders."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._structured: dict[str, tuple[StructuredResponder, type[BaseModel] | None]] = {}
        self._intents: list[IntentResponder] = []

    def register(
        self, schema: str | type[BaseModel], fn: StructuredResponder
    ) -> StructuredResponder:
        """Register ``fn`` as the responder for ``schema`` (replacing any earlier one).

        Args:
            schema: The schema's name, or its pydantic class (then ``fn`` receives
                the class; otherwise it receives the JSON schema dict).
            fn: ``fn(messages, schema, rng) -> dict`` of arguments valid for the schema.

        Returns:
            ``fn`` unchanged, so this works as a decorator body.
        """
        model = schema if isinstance(schema, type) else None
        with self._lock:
            self._structured[schema_name(schema)] = (fn, model)
        return fn

    def register_intent(self, fn: IntentResponder) -> IntentResponder:
        """Append an intent responder; earlier ones are asked first.

        Args:
            fn: ``fn(messages, tools, rng) -> ToolIntent | str | None``.

        Returns:
            ``fn`` unchanged.
        """
        with self._lock:
            self._intents.append(fn)
        return fn

    def structured(self, name: str) -> tuple[StructuredResponder, type[BaseModel] | None] | None:
        """Look up the structured responder for a schema name.

        Args:
            name: The schema/tool name.

        Returns:
            ``(fn, pydantic class or None)``, or None when nothing is registered.
        """
        with self._lock:
            return self._structured.get(name)

    def intents(self) -> tuple[IntentResponder, ...]:
        """Return the intent responders in the order they are asked."""
        with self._lock:
            return tuple(self._intents)

    def clear(self) -> None:
        """Remove every responder."""
        with self._lock:
            self._structured.clear()
            self._intents.clear()


default_registry = ResponderRegistry()


def register_responder(
    schema: str | type[BaseModel],
    fn: StructuredResponder | None = None,
    *,
    registry: ResponderRegistry | None = None,
) -> Any:
    """Register a structured responder; usable directly or as a decorator.

    Args:
        schema: The schema name or pydantic class the responder answers.
        fn: The responder; omit it to use this as ``@register_responder(Schema)``.
        registry: Target registry (the default registry when None).

    Returns:
        ``fn``, or a decorator when ``fn`` is None.
    """
    target = registry or default_registry
    if fn is None:
        return lambda func: target.register(schema, func)
    return target.register(schema, fn)


def register_intent_responder(
    fn: IntentResponder, *, registry: ResponderRegistry | None = None
) -> IntentResponder:
    """Register an intent responder with the default (or given) registry.

    Args:
        fn: ``fn(messages, tools, rng) -> ToolIntent | str | None``.
        registry: Target registry (the default registry when None).

    Returns:
        ``fn`` unchanged, so this works as a decorator.
    """
    return (registry or default_registry).register_intent(fn)


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _name_tokens(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [_stem(t) for t in re.split(r"[^A-Za-z0-9]+", spaced) if t]


def match_tools(text: str, tools: Sequence[dict[str, Any]]) -> list[tuple[float, str]]:
    """Score bound tools by how well their names match a request.

    The score is the fraction of the tool name's words (``list_posts`` ->
    list, post) present in ``text``, plus a small share of description words.

    Args:
        text: The user's request.
        tools: Tool definitions in OpenAI format.

    Returns:
        ``(score, name)`` pairs, best first; ties keep the bound order.
    """
    words = {_stem(w) for w in re.findall(r"[A-Za-z0-9]+", text)}
    scored: list[tuple[float, int, str]] = []
    for index, tool in enumerate(tools):
        function = tool.get("function", tool)
        name = str(function.get("name", ""))
        tokens = _name_tokens(name)
        if not tokens:
            continue
        name_score = sum(t in words for t in tokens) / len(tokens)
        desc = {_stem(w) for w in re.findall(r"[A-Za-z]{4,}", str(function.get("description", "")))}
        desc_score = len(desc & words) / (len(desc) + 5) if desc else 0.0
        scored.append((name_score + 0.1 * desc_score, -index, name))
    scored.sort(reverse=True)
    return [(score, name) for score, _, name in scored]
