"""Pieces of the local OpenAI-compatible server's answers: message text, grounding, schemas."""

from __future__ import annotations

import json
import random
import time
from typing import Any

from agent.llm.offline.grounding import Grounding
from agent.llm.offline.schema_fill import fill_schema
from agent.llm.tokens import count_tokens

__all__ = [
    "envelope",
    "follow",
    "ground",
    "invalid_for",
    "parameters",
    "pieces",
    "schema_in_prompt",
    "text_of",
]


def follow(schema: dict[str, Any], invalid: bool, grounding: Grounding, rng: random.Random) -> Any:
    """A value for ``schema`` worded from the grounding, or one that breaks it."""
    return invalid_for(schema) if invalid else fill_schema(schema, grounding, rng)


def envelope(
    body: dict[str, Any], message: dict[str, Any], rng: random.Random, *, default_model: str
) -> dict[str, Any]:
    """The ``chat.completion`` object around ``message``, with token usage counted locally."""
    messages: list[dict[str, Any]] = list(body.get("messages") or [])
    tools: list[dict[str, Any]] = list(body.get("tools") or [])
    calls: list[dict[str, Any]] = list(message.get("tool_calls") or [])
    prompt_tokens = sum(count_tokens(text_of(m)) + 4 for m in messages) + sum(
        count_tokens(json.dumps(t)) for t in tools
    )
    completion_tokens = count_tokens(message.get("content") or "") + sum(
        count_tokens(c["function"]["name"] + c["function"]["arguments"]) for c in calls
    )
    return {
        "id": f"chatcmpl-{rng.getrandbits(48):012x}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", default_model),
        "system_fingerprint": "fp_local_test",
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if calls else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def pieces(text: str) -> list[str]:
    words = text.split(" ")
    return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words) if w or i == 0]


def text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    parts: list[str] = []
    if isinstance(content, str):
        parts.append(content)
    elif isinstance(content, list):
        parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
    for call in message.get("tool_calls") or []:
        function = call.get("function", {})
        parts.append(f"{function.get('name', '')} {function.get('arguments', '')}")
    return "\n".join(p for p in parts if p)


def ground(messages: list[dict[str, Any]]) -> Grounding:
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    weights = {"user": 2.0, "tool": 2.0, "system": 1.0, "developer": 1.0}
    return Grounding.from_texts(
        (text_of(m), 3.0 if i == last_user else weights.get(str(m.get("role")), 0.5))
        for i, m in enumerate(messages)
    )


def parameters(tools: list[dict[str, Any]], name: str) -> dict[str, Any]:
    for tool in tools:
        function = tool.get("function", {})
        if function.get("name") == name:
            return dict(function.get("parameters") or {"type": "object", "properties": {}})
    return {"type": "object", "properties": {}}


def schema_in_prompt(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A JSON schema written into a system or user message, if there is one."""
    decoder = json.JSONDecoder()
    for message in messages:
        if message.get("role") not in ("system", "developer", "user"):
            continue
        text = text_of(message)
        start = text.find("{")
        while start != -1:
            try:
                value, end = decoder.raw_decode(text, start)
            except json.JSONDecodeError:
                start = text.find("{", start + 1)
                continue
            if isinstance(value, dict) and isinstance(value.get("properties"), dict):
                return value
            start = text.find("{", end)
    return None


def invalid_for(schema: dict[str, Any]) -> Any:
    """A value that fails ``schema``: its required fields are missing."""
    if schema.get("required"):
        return {"unexpected_field": "this answer ignores the schema"}
    return "this answer is not JSON"
