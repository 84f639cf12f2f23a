"""What the chat-model layer reports to its caller when it adapts to a server."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["LLMEvent", "LLMEventHook", "LLMEventKind"]

LLMEventKind = Literal["structured_output_downgraded", "chat_tools_unavailable"]


@dataclass(frozen=True)
class LLMEvent:
    """One adaptation worth recording (for example as a run event).

    Attributes:
        kind: "structured_output_downgraded" (the server refused a structured-output
            method and a lower one is used from now on) or "chat_tools_unavailable" (the
            server refused tool calling and the chat answers through intent parsing).
        message: One line for an event log; names the setting that avoids it.
        detail: Machine-readable facts: ``endpoint``, ``model``, ``refused``, ``server``
            (what the server said) and, for a downgrade, ``from``, ``to`` and ``schema``.
    """

    kind: LLMEventKind
    message: str
    detail: Mapping[str, str] = field(default_factory=dict)


LLMEventHook = Callable[[LLMEvent], None]
"""``on_event(event)``: called once per adaptation, at the moment it happens."""
