"""Create a post exactly once when the creating call may time out after it landed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tools.publish.base import PublishError
from tools.publish.http import UNCONFIRMED

__all__ = ["commit_once"]

T = TypeVar("T")


def commit_once(
    create: Callable[[], T],
    lookup: Callable[[], T | None],
    *,
    sleep: Callable[[float], None],
    attempts: int = 3,
    delay: float = 2.0,
) -> T:
    """Call ``create``; when it ends unconfirmed, ``lookup`` before trying again.

    Args:
        create: Makes the post; raises ``PublishError(code="unconfirmed")`` when unsure.
        lookup: Finds the post made by an earlier unconfirmed ``create``; None if absent.
        sleep: Sleep function.
        attempts: Total ``create`` calls allowed.
        delay: Seconds to wait before looking up (the platform may still be writing).

    Returns:
        What ``create`` returned, or what ``lookup`` found.

    Raises:
        PublishError: The last unconfirmed error when the post never showed up.
    """
    last: PublishError | None = None
    for _ in range(attempts):
        try:
            return create()
        except PublishError as exc:
            if exc.code != UNCONFIRMED:
                raise
            last = exc
        sleep(delay)
        found = lookup()
        if found is not None:
            return found
    assert last is not None
    raise last
