"""A token bucket in the database, so a rate limit holds across every worker of a fleet.

Celery's own ``rate_limit`` is per worker instance (its documentation says so: not a global
limit), and the calls to limit are a run's chat model and ElevenLabs requests, made inside a
weekly task rather than being tasks themselves; so the limit is a row of ``rate_buckets`` that
every process draws from. A draw is a compare-and-set on the row's ``updated_at``: no lock is
held while a caller waits, and it works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from langchain_core.rate_limiters import BaseRateLimiter
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from agent.fleet.rates import Rate
from db.engine import transaction
from db.models import RateBucket

__all__ = ["FleetRateLimiter", "TokenBucket"]


class TokenBucket:
    """``rate.count`` tokens at most, refilled at ``rate.per_second``; one token per call.

    Args:
        sessions: The fleet's database.
        name: The bucket's row (one per limited resource).
        rate: Its rate.
        now: The wall clock (tests pass a fake one with ``sleep``).
        sleep: How a caller waits for a token.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        name: str,
        rate: Rate,
        *,
        now: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.sessions = sessions
        self.name = name
        self.rate = rate
        self._now = now or (lambda: datetime.now(UTC))
        self._sleep = sleep

    def try_take(self) -> float:
        """Take a token if there is one: 0.0 when taken, else the seconds until one is due."""
        while True:
            now = self._now()
            with transaction(self.sessions) as session:
                row = session.get(RateBucket, self.name)
                if row is None:
                    if self._create(session, now):
                        return 0.0
                    continue
                elapsed = max(0.0, (now - row.updated_at).total_seconds())
                tokens = min(self.rate.count, row.tokens + elapsed * self.rate.per_second)
                if tokens < 1:
                    return (1 - tokens) / self.rate.per_second
                changed = session.execute(
                    update(RateBucket)
                    .where(RateBucket.name == self.name, RateBucket.updated_at == row.updated_at)
                    .values(tokens=tokens - 1, updated_at=max(now, row.updated_at))
                    .execution_options(synchronize_session=False)
                )
            if changed.rowcount:  # type: ignore[attr-defined]
                return 0.0
            # another process drew in between: read the row again

    def take(self, *, blocking: bool = True) -> bool:
        """Take a token, waiting for one unless ``blocking`` is False (then say whether one was)."""
        while True:
            wait = self.try_take()
            if wait == 0.0:
                return True
            if not blocking:
                return False
            self._sleep(wait)

    def _create(self, session: Session, now: datetime) -> bool:
        try:
            with session.begin_nested():
                session.add(RateBucket(name=self.name, tokens=self.rate.count - 1, updated_at=now))
        except IntegrityError:  # another process created it first
            return False
        return True


class FleetRateLimiter(BaseRateLimiter):
    """LangChain's rate-limiter interface over a :class:`TokenBucket` (set as a chat model's
    ``rate_limiter``, it is drawn before every model request)."""

    def __init__(self, bucket: TokenBucket) -> None:
        self.bucket = bucket

    def acquire(self, *, blocking: bool = True) -> bool:
        return self.bucket.take(blocking=blocking)

    async def aacquire(self, *, blocking: bool = True) -> bool:
        import asyncio

        return await asyncio.to_thread(self.bucket.take, blocking=blocking)
