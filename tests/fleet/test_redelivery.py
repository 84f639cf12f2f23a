"""What a redelivered weekly task finds, decided by the database: a week whose driver was killed
is resumed, a finished week is left alone, a week driven by a live process is tried later; and a
fleet's scheduler queues work instead of running it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from agent.app.resources import Resources
from agent.app.wiring import Wiring, no_memory
from agent.scheduling import JobRuntime, recover_interrupted_runs, weekly_job
from agent.scheduling.jobs import publish_due_job, run_week
from db.engine import transaction
from db.enums import RunStatus
from db.models import AgentRun, Post, VideoReel
from db.repo.identity import get_agent
from tests.cycle.fakes import FakeRender
from tests.scheduler.conftest import MovableClock, make_system

WEEK = "2030-W11"


@pytest.fixture
def system(tmp_path: Path, db_url: str) -> Iterator[Resources]:
    sys_ = make_system(tmp_path / "data", db_url)
    yield sys_
    sys_.dispose()


def _runtime(system: Resources) -> JobRuntime:
    return JobRuntime(
        system=system, wiring=Wiring(render=FakeRender(), memory=no_memory), render_quality="draft"
    )


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _runs(system: Resources, agent_id: str) -> list[AgentRun]:
    with system.sessions() as session:
        return list(
            session.scalars(select(AgentRun).where(AgentRun.agent_id == uuid.UUID(agent_id)))
        )


def _leave_as_a_killed_worker_would(system: Resources, run_id: uuid.UUID, owner_pid: int) -> None:
    """Running, its lease held by ``owner_pid`` on this host, as SIGKILL leaves it mid-week."""
    with transaction(system.sessions) as session:
        run = session.get(AgentRun, run_id)
        assert run is not None
        run.status, run.result, run.error_message = RunStatus.running, None, None
        run.lease_owner = f"{socket.gethostname() or 'localhost'}:{owner_pid}"
        run.heartbeat_at = datetime.now(UTC)
        run.lease_expires_at = datetime.now(UTC) + timedelta(minutes=5)


def test_a_redelivered_week_resumes_the_killed_run_and_a_later_one_changes_nothing(
    system: Resources,
) -> None:
    with system.sessions() as session:
        agent_id = str(get_agent(session=session).id)
    first = _runtime(system)
    stopper = first.progress

    def stop_at_creating(label: str) -> Any:
        report = stopper(label)

        def progress(node: str, message: str) -> None:
            if node == "creating" and message == "started":
                first.stop.set()
            report(node, message)

        return progress

    first.progress = stop_at_creating  # type: ignore[method-assign]
    run_week(first, agent_id, WEEK, auto_approve=True, fast_forward=True)
    [killed] = _runs(system, agent_id)
    assert killed.current_node == "creating"

    # another worker holds it, alive: the redelivered task is told to come back later
    _leave_as_a_killed_worker_would(system, killed.id, os.getppid())
    busy = run_week(_runtime(system), agent_id, WEEK, auto_approve=True, fast_forward=True)
    assert busy.busy and "is being driven by" in busy.text

    # that worker was SIGKILLed: the next delivery resumes the same run from its checkpoint
    _leave_as_a_killed_worker_would(system, killed.id, _dead_pid())
    resumed = run_week(_runtime(system), agent_id, WEEK, auto_approve=True, fast_forward=True)
    assert not resumed.busy and "finished" in resumed.text, resumed.text
    [run] = _runs(system, agent_id)
    assert (run.id, run.status, run.lease_owner) == (killed.id, RunStatus.finished, None)

    # delivered once more after it finished (its ack was lost): nothing is planned or posted again
    again = run_week(_runtime(system), agent_id, WEEK, auto_approve=True, fast_forward=True)
    assert not again.busy and "was planned already" in again.text
    with system.sessions() as session:
        assert len(_runs(system, agent_id)) == 1
        reels = session.scalar(select(func.count()).select_from(VideoReel))
        posts = session.scalar(select(func.count()).select_from(Post))
        distinct = session.scalar(select(func.count(func.distinct(Post.reel_id))))
    assert reels == 2 and posts == distinct == 2  # two a week, one sandbox account


@dataclass
class RecordingDispatch:
    """A dispatch that records what would go on the queues."""

    weeks: list[dict[str, Any]] = field(default_factory=list)
    publishes: int = 0

    def weekly_run(self, agent_id: str, week: str, **options: Any) -> str:
        self.weeks.append({"agent_id": agent_id, "week": week, **options})
        return "task"

    def publish_due(self) -> None:
        self.publishes += 1


def test_a_fleet_scheduler_queues_the_week_and_the_publish_pass_and_runs_nothing(
    tmp_path: Path,
) -> None:
    system = make_system(tmp_path / "data", f"sqlite:///{tmp_path / 'twin.db'}")
    try:
        with system.sessions() as session:
            agent_id = str(get_agent(session=session).id)
        dispatch = RecordingDispatch()
        runtime = JobRuntime(
            system=system,
            clock=MovableClock(datetime(2030, 3, 4, 9, tzinfo=UTC)),
            dispatch=dispatch,
        )
        said = weekly_job(
            agent_id, scheduled_at=datetime(2030, 3, 4, 9, tzinfo=UTC), runtime=runtime
        )
        assert "put on the weeks queue" in said
        assert dispatch.weeks == [
            {"agent_id": agent_id, "week": WEEK, "trigger": "schedule_weekly"}
        ]
        assert (
            publish_due_job(scheduled_at=datetime(2030, 3, 4, 9, tzinfo=UTC), runtime=runtime) == 0
        )
        assert dispatch.publishes == 1
        assert _runs(system, agent_id) == []

        # a scheduled run whose driver died goes back on the queue, with its own options
        run_week(_runtime(system), agent_id, WEEK, auto_approve=True, fast_forward=True)
        [run] = _runs(system, agent_id)
        _leave_as_a_killed_worker_would(system, run.id, _dead_pid())
        dispatch.weeks.clear()
        recover_interrupted_runs(runtime)
        assert dispatch.weeks == [
            {
                "agent_id": agent_id,
                "week": WEEK,
                "auto_approve": True,
                "fast_forward": True,
                "trigger": "schedule_weekly",
            }
        ]
    finally:
        system.dispose()
