"""Cheap, local token counting and message flattening.

The count approximates BPE tokenizers (about 4 characters of English per token)
without downloading any encoding: words are split into pieces of at most four
characters, and every punctuation mark counts as one token.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

__all__ = ["count_message_tokens", "count_tokens", "message_text", "messages_text"]

_PIECE = re.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]")
_MESSAGE_OVERHEAD = 4  # role and separators, as chat formats add per message


def count_tokens(text: str) -> int:
    """Approximate the number of tokens a BPE tokenizer would produce.

    Args:
        text: Any text.

    Returns:
        The approximate token count (0 for empty text).
    """
    total = 0
    for piece in _PIECE.findall(text):
        if piece[0].isalpha() or piece[0].isdigit():
            total += (len(piece) + 3) // 4
        else:
            total += 1
    return total


def message_text(message: BaseMessage) -> str:
    """Flatten one message to plain text, including tool-call arguments.

    Args:
        message: A LangChain message.

    Returns:
        The message's text content followed by any tool calls as JSON.
    """
    content = message.content
    parts = [content] if isinstance(content, str) else [_block_text(block) for block in content]
    if isinstance(message, AIMessage):
        for call in message.tool_calls:
            parts.append(f"{call['name']} {json.dumps(call['args'], sort_keys=True)}")
    return "\n".join(p for p in parts if p)


def messages_text(messages: Iterable[BaseMessage]) -> str:
    """Flatten a conversation to plain text, one message per paragraph.

    Args:
        messages: The conversation.

    Returns:
        The concatenated text of every message.
    """
    return "\n\n".join(message_text(m) for m in messages)


def count_message_tokens(
    messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]] = ()
) -> int:
    """Approximate the prompt tokens of a conversation plus bound tool schemas.

    Args:
        messages: The conversation sent to the model.
        tools: Tool definitions (OpenAI format) sent along with it.

    Returns:
        The approximate prompt token count.
    """
    total = sum(count_tokens(message_text(m)) + _MESSAGE_OVERHEAD for m in messages)
    for tool in tools:
        total += count_tokens(json.dumps(tool, sort_keys=True))
    return total


def _block_text(block: Any) -> str:
    if isinstance(block, str):
        return block
    if isinstance(block, dict) and isinstance(block.get("text"), str):
        return str(block["text"])
    return ""
