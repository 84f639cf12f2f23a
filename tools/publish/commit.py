"""Create a post exactly once when the creating call may time out after it landed.

Two rules keep a post from being created twice:

* a creating call that ends unconfirmed is followed by a lookup, and a lookup that fails leaves
  the attempt unconfirmed (the caller looks again before any new attempt), never an ordinary
  failure that a retry would answer with a second post;
* once the creating call answered with the post's id, a failing follow-up read (its permalink,
  its processing state) cannot undo it: the result is ``processing`` with that id, which the
  caller confirms later instead of publishing again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tools.publish.base import PublishError, PublishResult
from tools.publish.http import UNCONFIRMED

__all__ = ["commit_once", "created", "still_unconfirmed"]

T = TypeVar("T")

TRANSIENT_CODES = frozenset({UNCONFIRMED, "network", "rate_limited", "quota_exhausted"})


def still_unconfirmed(first: PublishError, lookup_error: PublishError) -> PublishError:
    """The error for an unconfirmed call whose lookup failed too: still unconfirmed."""
    return PublishError(
        f"{first}; looking it up failed too ({lookup_error}); it is looked up again before "
        "any new attempt",
        retryable=True,
        retry_after=lookup_error.retry_after,
        code=UNCONFIRMED,
    )


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
        PublishError: The last unconfirmed error when the post never showed up, or an
            unconfirmed one when the lookup itself failed.
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
        try:
            found = lookup()
        except PublishError as exc:
            raise still_unconfirmed(last, exc) from None
        if found is not None:
            return found
    assert last is not None
    raise last


def created(post_id: str, describe: Callable[[], PublishResult]) -> PublishResult:
    """The result for a post the creating call answered with ``post_id``.

    Returns:
        What ``describe`` reads about it; when that read fails for a passing reason (network,
        rate limit, quota, an expired token, a 5xx), a ``processing`` result with ``post_id``,
        so the caller records the post and confirms it later.

    Raises:
        PublishError: ``describe``'s error when the platform itself says the post failed.
    """
    try:
        return describe()
    except PublishError as exc:
        if not (exc.retryable or exc.auth_expired or exc.code in TRANSIENT_CODES):
            raise
        return PublishResult(
            platform_post_id=post_id,
            state="processing",
            raw={"id": post_id, "unconfirmed_details": str(exc)[:300]},
        )
