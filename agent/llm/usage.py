"""Token and call accounting across a run, as a LangChain callback handler.

A call counts when the server answered it, even when the answer was then refused: an
answer that failed validation inside the client (the OpenAI SDK parses ``json_schema``
answers itself and raises) reaches the handler as ``on_llm_error`` with the HTTP
response, whose body still reports the usage the server billed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, LLMResult

__all__ = ["UsageCounter", "UsageTotals", "usage_from_error"]


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

    def on_llm_error(
        self, error: BaseException, *, response: LLMResult | None = None, **kwargs: Any
    ) -> None:
        """Count a failed call when the server answered it and reported usage.

        Args:
            error: The exception (an answer refused by the client's own parsing, a
                rejected request, a connection failure...).
            response: What LangChain recovered from the error's HTTP response.
            **kwargs: Run identifiers (unused).
        """
        usage = usage_from_error(error)
        if usage is None and response is not None:
            usage = _usage_in_error_result(response)
        if usage is not None:
            self.add(*usage)

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


def usage_from_error(error: BaseException) -> tuple[int, int] | None:
    """The usage an answered-then-refused call reports, from the error's HTTP response.

    Args:
        error: An exception raised by a chat-model call.

    Returns:
        ``(input_tokens, output_tokens)``, or None when the server reported no usage
        (for example a request rejected with 400, or no answer at all).
    """
    current: BaseException | None = error
    for _ in range(8):
        if current is None:
            return None
        http = getattr(current, "response", None)
        if http is not None and hasattr(http, "json"):
            try:
                body = http.json()
            except Exception:  # not JSON (streamed, HTML error page...): nothing to read
                body = None
            usage = _usage_in_body(body)
            if usage is not None:
                return usage
        current = current.__cause__ or current.__context__
    return None


def _usage_in_error_result(response: LLMResult) -> tuple[int, int] | None:
    for generations in response.generations:
        for generation in generations:
            if isinstance(generation, ChatGeneration):
                usage = _usage_in_body(generation.message.response_metadata.get("body"))
                if usage is not None:
                    return usage
    return None


def _usage_in_body(body: Any) -> tuple[int, int] | None:
    if not isinstance(body, dict) or not isinstance(body.get("usage"), dict):
        return None
    usage = body["usage"]
    input_tokens = usage.get("prompt_tokens", usage.get("input_tokens")) or 0
    output_tokens = usage.get("completion_tokens", usage.get("output_tokens")) or 0
    return int(input_tokens), int(output_tokens)
