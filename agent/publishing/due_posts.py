"""The publish loop: every post whose time (and retry wait) has come goes out now."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from agent.app.resources import Resources
from agent.context import Clock, FastForwardClock, SystemClock
from agent.publishing.service import Outcome, PublishService
from db.enums import PublishStatus
from db.models import Post
from tools.publish.base import Publisher

__all__ = ["DueReport", "due_post_ids", "publish_due"]

PENDING = (PublishStatus.scheduled, PublishStatus.unconfirmed, PublishStatus.publishing)


@dataclass
class DueReport:
    """What one pass of the publish loop did."""

    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: PublishStatus) -> int:
        """How many posts ended in ``status``."""
        return sum(o.status == status for o in self.outcomes)


def due_post_ids(service: PublishService, now: datetime, limit: int = 200) -> list[uuid.UUID]:
    """Posts scheduled at or before ``now`` whose next attempt (if any) is due, oldest first."""
    with service.sessions() as session:
        return list(
            session.scalars(
                select(Post.id)
                .where(
                    Post.publish_status.in_(PENDING),
                    Post.scheduled_time <= now,
                    or_(Post.next_attempt_at.is_(None), Post.next_attempt_at <= now),
                )
                .order_by(Post.scheduled_time, Post.id)
                .limit(limit)
            )
        )


def publish_due(
    system: Resources,
    *,
    now: datetime | None = None,
    clock: Clock | None = None,
    publisher_for: Callable[[str], Publisher] | None = None,
    limit: int = 200,
) -> DueReport:
    """Publish every due post once (the scheduler calls this every minute).

    Args:
        system: The open system (database, cipher, settings).
        now: The time to publish as of; default the clock's now.
        clock: Clock for the service; default the real clock (or one fixed at ``now``).
        publisher_for: Adapter factory; default built from the system's settings.
        limit: Most posts handled in one pass.

    Returns:
        One outcome per post tried.
    """
    if clock is None:
        clock = FastForwardClock(now) if now is not None else SystemClock()
    if publisher_for is None:
        from agent.app.wiring import publishers_for

        publisher_for = publishers_for(system.settings, clock)
    settings = system.settings
    service = PublishService(
        sessions=system.sessions,
        cipher=system.cipher(),
        clock=clock,
        publisher_for=publisher_for,
        max_attempts=settings.publish_max_attempts,
        lease=timedelta(seconds=settings.publish_lease_seconds),
    )
    report = DueReport()
    for post_id in due_post_ids(service, now or clock.now(), limit):
        report.outcomes.append(service.publish(post_id))
    return report
