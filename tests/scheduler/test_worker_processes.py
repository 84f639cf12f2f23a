"""Real worker processes: two racing for the same agent-week, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.app.resources import Resources
from agent.scheduling import describe, update_schedule, weekly_dedupe_key
from db.engine import transaction
from db.enums import NotificationType, RunStatus, TriggerType
from db.models import AgentRun, Notification, VideoReel
from db.repo.identity import get_agent
from tests.scheduler.conftest import MovableClock, make_system

ROOT = Path(__file__).resolve().parents[2]
FRIDAY = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
AFTER_SLOT = "2030-03-04T09:00:05+00:00"  # five seconds after Monday's 09:00 UTC slot


def worker(system: Resources, *args: str) -> subprocess.Popen[str]:
    settings = system.settings
    command = [
        sys.executable,
        "-m",
        "tests.scheduler.worker_process",
        "--data-dir",
        str(settings.data_dir),
        "--database-url",
        settings.resolved_database_url,
        "--now",
        AFTER_SLOT,
        *args,
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def prepare(system: Resources) -> str:
    with transaction(system.sessions) as session:
        agent = get_agent(session=session)
        update_schedule(session, agent, cron="0 9 * * MON", timezone="UTC")
        agent_id = str(agent.id)
    describe(system, clock=MovableClock(FRIDAY))  # a look at the schedule before the slot
    return agent_id


def scheduled_runs(system: Resources) -> list[AgentRun]:
    with system.sessions() as session:
        return list(
            session.scalars(
                select(AgentRun).where(AgentRun.trigger_type == TriggerType.schedule_weekly)
            )
        )


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_workers_on_postgres_start_an_agent_week_once(tmp_path: Path, db_url: str) -> None:
    system = make_system(tmp_path / "data", db_url)
    agent_id = prepare(system)
    start_at = str(time.time() + 8)  # both processes are imported by then and go at once
    # Each worker has its own jobs and sees the slot due, so both really try to start the
    # agent-week; the unique dedupe key in agent_runs decides.
    procs = [worker(system, "--once", "--inline", "--start-at", start_at) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    [run] = scheduled_runs(system)
    assert run.dedupe_key == weekly_dedupe_key(agent_id, "2030-W11")
    assert run.status == RunStatus.waiting_review
    text = "\n".join(outputs)
    assert text.count("starting weekly run for 2030-W11") == 2, text
    assert text.count("waits for review") == 1, text
    # the second worker is refused, by the run's lease or by the agent-week's dedupe key
    refused = text.count("already started by another worker") + text.count("is being driven by")
    assert refused == 1, text
    system.dispose()


@pytest.mark.slow
def test_sigterm_leaves_the_run_resumable_and_the_next_worker_resumes_it(tmp_path: Path) -> None:
    system = make_system(tmp_path / "data", f"sqlite:///{tmp_path / 'twin.db'}")
    prepare(system)
    proc = worker(system, "--render-seconds", "1.5")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = scheduled_runs(system)
        if runs and runs[0].current_node == "creating":
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"the run never reached creating: {proc.communicate()[0]}")
    proc.send_signal(signal.SIGTERM)
    output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0, output
    assert "worker stopped" in output
    [run] = scheduled_runs(system)
    assert run.status == RunStatus.error
    assert run.error_message and run.error_message.startswith("interrupted by worker shutdown")
    assert run.current_node == "review"  # creating finished; review was entered but did nothing
    with system.sessions() as session:
        asked = session.scalars(
            select(Notification).where(Notification.type == NotificationType.approval_needed)
        )
        assert list(asked) == []

    again = worker(system, "--once")
    output = again.communicate(timeout=120)[0]
    assert again.returncode == 0, output
    assert "resuming interrupted run" in output
    [run] = scheduled_runs(system)
    assert run.status == RunStatus.waiting_review
    with system.sessions() as session:
        assert len(list(session.scalars(select(VideoReel)))) == 2  # nothing was made twice
    system.dispose()
