"""Run ownership: a run is driven by one process at a time, which holds its lease.

A lease is ``(owner, heartbeat_at, lease_expires_at)`` on the ``agent_runs`` row, taken with
a compare-and-set (an UPDATE that only matches when nobody else holds a live lease) and renewed
while the run is driven. A run whose lease has expired while it is still ``running`` is stale:
its process died, and any driver may take it over. So is a run ``waiting_review`` whose lease is
still held by a driver that is gone: a driver releases the lease once the review question is
saved, so that one was killed in between (the question may never have been saved).
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from db.enums import ACTIVE_RUN, RunStatus, TriggerType
from db.models import AgentRun


def this_process() -> str:
    """The owner name of the current process: ``host:pid``."""
    return f"{socket.gethostname() or 'localhost'}:{os.getpid()}"


def owner_is_gone(owner: str | None) -> bool:
    """Whether ``owner`` names a process on this host that no longer exists (it was killed)."""
    if not owner or ":" not in owner:
        return False
    host, _, pid = owner.rpartition(":")
    if host != (socket.gethostname() or "localhost") or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class Holder:
    """Who holds a run's lease, for the one line that refuses a second driver."""

    owner: str
    heartbeat_at: datetime | None
    expires_at: datetime | None

    def describe(self, now: datetime) -> str:
        if self.heartbeat_at is None:
            return self.owner
        return f"{self.owner}, last heartbeat {max(0, int((now - self.heartbeat_at).total_seconds()))} s ago"


def claim(
    *, session: Session, run_id: uuid.UUID, owner: str, now: datetime, ttl: timedelta
) -> Holder | None:
    """Take (or renew) the lease of ``run_id`` for ``owner``; a lease held by a process of this
    host that is gone (killed) is taken over at once instead of after it expires.

    Returns:
        None when ``owner`` now holds it; otherwise the live holder that keeps it.
    """
    current = session.scalar(select(AgentRun.lease_owner).where(AgentRun.id == run_id))
    if current and current != owner and owner_is_gone(current):
        session.execute(
            update(AgentRun)
            .where(AgentRun.id == run_id, AgentRun.lease_owner == current)
            .values(lease_owner=None, lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )
    taken = session.execute(
        update(AgentRun)
        .where(
            AgentRun.id == run_id,
            or_(
                AgentRun.lease_owner.is_(None),
                AgentRun.lease_owner == owner,
                AgentRun.lease_expires_at.is_(None),
                AgentRun.lease_expires_at < now,
            ),
        )
        .values(lease_owner=owner, heartbeat_at=now, lease_expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    if taken.rowcount:  # type: ignore[attr-defined]
        return None
    row = session.get(AgentRun, run_id)
    if row is None:
        return Holder("nobody (no such run)", None, None)
    session.refresh(row)
    return Holder(row.lease_owner or "another process", row.heartbeat_at, row.lease_expires_at)


def renew(
    *, session: Session, run_id: uuid.UUID, owner: str, now: datetime, ttl: timedelta
) -> bool:
    """Extend ``owner``'s lease; False when it has lost it (another driver took over)."""
    done = session.execute(
        update(AgentRun)
        .where(AgentRun.id == run_id, AgentRun.lease_owner == owner)
        .values(heartbeat_at=now, lease_expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def release(*, session: Session, run_id: uuid.UUID, owner: str) -> None:
    """Give the lease up (the run stays as it is: finished, waiting, or resumable)."""
    session.execute(
        update(AgentRun)
        .where(AgentRun.id == run_id, AgentRun.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )


def _lease_is_dead(run: AgentRun, now: datetime) -> bool:
    return (
        run.lease_expires_at is None or run.lease_expires_at < now or owner_is_gone(run.lease_owner)
    )


def is_stale(run: AgentRun, now: datetime) -> bool:
    """A run that nobody drives: running with its lease expired, never taken, or held by a
    killed process of this host; or waiting for review with its lease still held by a driver
    that is gone (killed before it saved the question and let go)."""
    if run.status == RunStatus.running:
        return _lease_is_dead(run, now)
    if run.status == RunStatus.waiting_review:
        return run.lease_owner is not None and _lease_is_dead(run, now)
    return False


def active_run(*, session: Session, agent_id: uuid.UUID) -> AgentRun | None:
    """The agent's running or waiting run (there is at most one)."""
    return session.scalar(
        select(AgentRun).where(AgentRun.agent_id == agent_id, AgentRun.status.in_(ACTIVE_RUN))
    )


def stale_runs(*, session: Session, now: datetime) -> list[AgentRun]:
    """Active runs whose driver is gone, oldest first (the worker resumes them)."""
    active = session.scalars(
        select(AgentRun).where(AgentRun.status.in_(ACTIVE_RUN)).order_by(AgentRun.started_at)
    )
    return [run for run in active if is_stale(run, now)]


def week_runs(*, session: Session, agent_id: uuid.UUID, week: str) -> list[AgentRun]:
    """The agent's finished or active runs of ``week`` (what a second plan of it would repeat)."""
    return list(
        session.scalars(
            select(AgentRun).where(
                and_(
                    AgentRun.agent_id == agent_id,
                    AgentRun.week_key == week,
                    AgentRun.status.in_([*ACTIVE_RUN, RunStatus.finished]),
                    AgentRun.trigger_type != TriggerType.trend_spike,  # an extra reel, not a plan
                )
            )
        )
    )


def busy_reason(run: AgentRun, now: datetime) -> str:
    """Why another run cannot start: this one owns the agent's week."""
    rid = str(run.id)[:8]
    if is_stale(run, now):
        return f"run {rid} of {run.week_key} stopped without finishing: resume it with 'twin run --resume {rid}'"
    if run.status == RunStatus.waiting_review:
        return (
            f"run {rid} of {run.week_key} waits for review: approve it with 'twin approve {rid}', "
            f"or plan that week again with --week {run.week_key} --replan"
        )
    holder = Holder(run.lease_owner or "another process", run.heartbeat_at, run.lease_expires_at)
    return f"run {rid} of {run.week_key} is being driven by {holder.describe(now)}"


__all__ = [
    "Holder",
    "active_run",
    "busy_reason",
    "claim",
    "is_stale",
    "owner_is_gone",
    "release",
    "renew",
    "stale_runs",
    "this_process",
    "week_runs",
]
