"""JSON mode: the schema in the prompt, and the JSON object read back out of the answer."""

from __future__ import annotations

import json
import re
from collections.abc import MutableMapping, Sequence
from typing import Any

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
from pydantic import BaseModel

__all__ = ["answer_text", "json_in_text", "schema_instructions", "with_schema_prompt"]

JSON_MODE_PROMPT = "structured_json_mode"
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)
_THINKING = re.compile(r"<think>.*?</think>", re.S | re.I)


def schema_instructions(
    schema: type[BaseModel], prompt_hashes: MutableMapping[str, str] | None = None
) -> str:
    """The instruction that asks for one JSON object following ``schema``.

    Args:
        schema: The pydantic model to describe.
        prompt_hashes: Receives ``structured_json_mode``'s hash when given.
    """
    from prompts import load_prompt

    prompt = load_prompt(JSON_MODE_PROMPT)
    if prompt_hashes is not None:
        prompt_hashes[JSON_MODE_PROMPT] = prompt.sha256
    rendered = prompt.messages(
        schema_name=schema.__name__,
        schema=json.dumps(schema.model_json_schema(), ensure_ascii=False),
    )
    return str(rendered[0].content)


def with_schema_prompt(
    conversation: Sequence[BaseMessage],
    schema: type[BaseModel],
    prompt_hashes: MutableMapping[str, str] | None = None,
) -> list[BaseMessage]:
    """The conversation with the schema instruction added to its system message.

    The instruction joins a leading text system message, or becomes one, so no chat
    template meets a second system message mid-conversation.
    """
    text = schema_instructions(schema, prompt_hashes)
    messages = list(conversation)
    if messages and isinstance(messages[0], SystemMessage) and isinstance(messages[0].content, str):
        messages[0] = SystemMessage(f"{messages[0].content}\n\n{text}")
    else:
        messages.insert(0, SystemMessage(text))
    return messages


def json_in_text(text: str) -> Any:
    """The JSON value an answer holds: the whole text, a fenced block, or the first object.

    Args:
        text: The model's answer (reasoning in ``<think>`` tags is skipped).

    Returns:
        The decoded JSON value.

    Raises:
        OutputParserException: The answer holds no JSON object.
    """
    cleaned = _THINKING.sub("", text).strip()
    candidates = [cleaned, *(m.group(1).strip() for m in _FENCE.finditer(cleaned))]
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    decoder = json.JSONDecoder()
    start = cleaned.find("{")
    while start != -1:
        try:
            return decoder.raw_decode(cleaned, start)[0]
        except json.JSONDecodeError:
            start = cleaned.find("{", start + 1)
    preview = " ".join(cleaned.split())[:120]
    raise OutputParserException(f"the answer is not JSON: {preview!r}", llm_output=text)


def answer_text(raw: BaseMessage | None) -> str:
    """The text of a model answer ('' when there is none)."""
    if not isinstance(raw, AIMessage):
        return ""
    return raw.text
