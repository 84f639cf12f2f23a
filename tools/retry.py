"""The one retry helper of every HTTP client (platform adapters, ElevenLabs), on tenacity.

A call signals "try again" by raising :class:`Retry` around the error it would raise; anything
else it raises ends the retries at once. Waits honour a server's Retry-After, else back off
exponentially with jitter, capped; a requested wait longer than the policy allows gives up.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception_type

__all__ = ["Retry", "RetryPolicy", "backoff_delay", "call_with_retries"]

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How often and how long to retry.

    Attributes:
        max_attempts: Total tries per request, the first included.
        base_delay: First backoff in seconds; doubles each retry.
        max_delay: Cap of one backoff.
        max_retry_after: A server-requested wait longer than this is not slept; the call gives up.
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0


class Retry(Exception):
    """Raised by a call to ask for another attempt.

    Args:
        error: What to raise if no attempt is left.
        retry_after: Seconds the server asked to wait (Retry-After), if it did.
    """

    def __init__(self, error: BaseException, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def backoff_delay(policy: RetryPolicy, attempt: int, rng: random.Random) -> float:
    """Jittered exponential delay after failed attempt number ``attempt`` (1-based), capped."""
    ceiling = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def call_with_retries(
    call: Callable[[], T],
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    too_long: Callable[[BaseException, float], BaseException] | None = None,
) -> T:
    """Run ``call``, again after each :class:`Retry` it raises, as ``policy`` allows.

    Args:
        call: The request; raises :class:`Retry` for failures worth another attempt.
        policy: Attempts and waits.
        sleep: Waits between attempts (tests pass a recorder).
        rng: Jitter source.
        too_long: Builds the error raised when the server asks for a wait beyond
            ``policy.max_retry_after`` (default: the call's own error).

    Returns:
        What ``call`` returned.

    Raises:
        BaseException: The wrapped error of the last :class:`Retry`, or whatever ``call``
            raised otherwise.
    """
    jitter = rng or random.Random()
    state: dict[str, BaseException | None] = {"give_up": None}

    def wait(retry_state: RetryCallState) -> float:
        signal = _signal(retry_state)
        if signal.retry_after is not None:
            return signal.retry_after
        return backoff_delay(policy, retry_state.attempt_number, jitter)

    def stop(retry_state: RetryCallState) -> bool:
        if retry_state.attempt_number >= policy.max_attempts:
            return True
        signal = _signal(retry_state)
        if signal.retry_after is not None and signal.retry_after > policy.max_retry_after:
            state["give_up"] = (
                too_long(signal.error, signal.retry_after) if too_long else signal.error
            )
            return True
        return False

    retrying = Retrying(
        retry=retry_if_exception_type(Retry),
        stop=stop,
        wait=wait,
        sleep=sleep,
        reraise=True,
    )
    try:
        return retrying(call)
    except Retry as last:
        raise (state["give_up"] or last.error) from None


def _signal(retry_state: RetryCallState) -> Retry:
    outcome = retry_state.outcome
    error = outcome.exception() if outcome is not None else None
    assert isinstance(error, Retry)
    return error
