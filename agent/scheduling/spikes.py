"""The trend watch: a spike in a niche's signals starts one extra, reviewed reel mid-week."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from agent.app.runs import start_run
from agent.errors import RunError
from agent.scheduling.job_context import JobRuntime, job_call
from agent.scheduling.jobs import outcome_text, said
from agent.strategy.weeks import week_key
from agent.trends import collect_niche_trends
from db.engine import transaction
from db.enums import EventType, SubjectType
from db.repo.identity import agent_policy, get_agent
from db.repo.runs import log_event

__all__ = ["spike_dedupe_key", "trend_watch_job"]

log = logging.getLogger("twin.worker")


def spike_dedupe_key(agent_id: uuid.UUID | str, day: str) -> str:
    """At most one trend-spike run per agent and day."""
    return f"spike:{agent_id}:{day}"


def trend_watch_job(
    agent_id: str, *, scheduled_at: datetime | None = None, runtime: JobRuntime | None = None
) -> str:
    """Every few hours: read the agent's niche trends; a spike starts one extra reel.

    The reel waits for a person's approval whatever the approval mode. A failing source is
    an event (``trend_source_failed``) and never a failed job; another run owning the agent
    means no extra reel now, said in the log.
    """
    runtime, scheduled_at = job_call(runtime, scheduled_at)
    system = runtime.system
    now = runtime.clock.now()
    with transaction(system.sessions) as session:
        agent = get_agent(session=session, name_or_id=agent_id)
        name = agent.name
        found = collect_niche_trends(
            settings=system.settings,
            session=session,
            niche=agent_policy(agent).niche,
            clock=runtime.clock.now,
        )
        for failure in found.collected.failures:
            log_event(
                session=session,
                event_type=EventType.trend_source_failed,
                subject_type=SubjectType.system,
                agent_id=agent.id,
                message=f"trend source {failure.source} failed: {failure.error}",
                meta=failure.model_dump(),
                at=now,
            )
    if not found.spikes:
        return said(f"{name}: trends read, no spike")
    spike = max(found.spikes, key=lambda s: s.z)
    topic = spike.signal.topic
    label = f"{name} trend spike {topic!r} (z={spike.z:.1f})"
    try:
        outcome = start_run(
            system,
            agent=agent_id,
            week=week_key(now.date()),
            spike_topic=topic,
            dedupe_key=spike_dedupe_key(agent_id, now.date().isoformat()),
            progress=runtime.progress(label),
            wiring=runtime.wiring,
            render_quality=runtime.render_quality,
            now=now,
        )
    except IntegrityError:
        return said(f"{label}: today's extra reel was made already")
    except RunError as exc:
        log.warning("%s: no extra reel now: %s", label, exc)
        return f"{label}: no extra reel now: {exc}"
    return said(outcome_text(label, outcome))
