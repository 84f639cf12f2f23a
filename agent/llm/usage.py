"""Token and call accounting across a run, as a LangChain callback handler."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, LLMResult

__all__ = ["UsageCounter", "UsageTotals"]


@dataclass(frozen=True)
class UsageTotals:
    """Totals at one moment.

    Attributes:
        calls: Completed model calls.
        input_tokens: Prompt tokens over all calls.
        output_tokens: Completion tokens over all calls.
    """

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens


class UsageCounter(BaseCallbackHandler):
    """Counts model calls and tokens; pass it in ``config={"callbacks": [counter]}``.

    Safe to share between threads (LangChain may run callbacks from a pool).
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._calls = 0
        self._input = 0
        self._output = 0

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        """Add one call and its token usage.

        Args:
            response: The finished generation.
            **kwargs: Run identifiers (unused).
        """
        input_tokens, output_tokens = _usage_of(response)
        with self._lock:
            self._calls += 1
            self._input += input_tokens
            self._output += output_tokens

    def add(self, input_tokens: int, output_tokens: int, *, calls: int = 1) -> None:
        """Count usage reported some other way (for example ``invoke_structured``'s on_usage).

        Args:
            input_tokens: Prompt tokens.
            output_tokens: Completion tokens.
            calls: How many calls this covers.
        """
        with self._lock:
            self._calls += calls
            self._input += input_tokens
            self._output += output_tokens

    def totals(self) -> UsageTotals:
        """Return a consistent snapshot of the counts."""
        with self._lock:
            return UsageTotals(self._calls, self._input, self._output)

    @property
    def calls(self) -> int:
        """Completed model calls."""
        return self.totals().calls

    @property
    def input_tokens(self) -> int:
        """Prompt tokens so far."""
        return self.totals().input_tokens

    @property
    def output_tokens(self) -> int:
        """Completion tokens so far."""
        return self.totals().output_tokens

    @property
    def total_tokens(self) -> int:
        """All tokens so far."""
        return self.totals().total_tokens


def _usage_of(response: LLMResult) -> tuple[int, int]:
    input_tokens = output_tokens = 0
    found = False
    for generations in response.generations:
        for generation in generations:
            if isinstance(generation, ChatGeneration) and isinstance(generation.message, AIMessage):
                usage = generation.message.usage_metadata
                if usage:
                    found = True
                    input_tokens += int(usage.get("input_tokens", 0))
                    output_tokens += int(usage.get("output_tokens", 0))
    if not found and response.llm_output:
        token_usage = response.llm_output.get("token_usage") or {}
        input_tokens = int(token_usage.get("prompt_tokens", 0) or 0)
        output_tokens = int(token_usage.get("completion_tokens", 0) or 0)
    return input_tokens, output_tokens
