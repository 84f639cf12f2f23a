"""Real twin worker processes on RabbitMQ and PostgreSQL: six agents' weeks, one worker SIGKILLed
mid-way, and every week still ends once, with no post twice and no approved reel left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from agent.app.creators import add_agent, add_user
from agent.app.resources import Resources
from agent.cli import app
from db.engine import transaction
from db.enums import ApprovalStatus, PublishStatus, RunStatus
from db.models import Agent, AgentRun, Post, SocialAccount, VideoReel
from db.repo.identity import list_agents, update_agent_policy
from tests.scheduler.conftest import make_system

ROOT = Path(__file__).resolve().parents[2]
WEEK = "2030-W11"
AGENTS = 6
REELS = 1  # a reel a week each: the test is about the queue, not the renderer
runner = CliRunner()


def fleet_env(system: Resources, broker_url: str, prefix: str) -> dict[str, str]:
    settings = system.settings
    return {
        "TWIN_DATA_DIR": str(settings.data_dir),
        "TWIN_DATABASE_URL": settings.resolved_database_url,
        "TWIN_BROKER_URL": broker_url,
        "TWIN_QUEUE_PREFIX": prefix,
        "TWIN_RENDER_QUALITY": "draft",
        "TWIN_EMBEDDINGS_PROVIDER": "lexical",
        "TWIN_RUN_LEASE_SECONDS": "20",
        "TWIN_LOG_FORMAT": "json",
    }


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    twin = Path(sys.executable).with_name("twin")
    command = [str(twin), "worker", "--concurrency", "1", "--poll", "5"]
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL takes its queue processes too
        )


def week_runs(system: Resources) -> list[AgentRun]:
    with system.sessions() as session:
        return list(session.scalars(select(AgentRun).where(AgentRun.week_key == WEEK)))


def group_of(owner: str | None) -> int | None:
    if not owner:
        return None
    try:
        return os.getpgid(int(owner.rpartition(":")[2]))
    except (ProcessLookupError, ValueError):
        return None


def six_agents(system: Resources) -> None:
    for n in range(1, AGENTS):
        email, _ = add_user(system, email=f"creator{n}@example.com")
        add_agent(system, name=f"Creator {n}", user_email=email, niche="ai-tools")
    with transaction(system.sessions) as session:
        for agent in list_agents(session=session):
            update_agent_policy(session=session, agent=agent, posts_per_week=REELS)


def delete_queues(broker_url: str, prefix: str) -> None:
    from kombu import Connection

    with Connection(broker_url) as connection:
        channel = connection.channel()
        for queue in ("weeks", "render", "publish"):
            try:
                channel.queue_delete(f"{prefix}{queue}")
            except Exception:
                channel = connection.channel()


def wait_for(what: str, check: object, timeout: float, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.5)
    tails = "\n".join(
        f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs if log.exists()
    )
    pytest.fail(f"timed out waiting for {what}\n{tails}")


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(300)
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_killed_worker_loses_no_week_and_duplicates_nothing(
    tmp_path: Path, db_url: str, broker_url: str
) -> None:
    system = make_system(tmp_path / "data", db_url)
    six_agents(system)
    prefix = f"test-{uuid.uuid4().hex[:10]}."
    env = fleet_env(system, broker_url, prefix)
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log", tmp_path / "worker-c.log"]
    workers: list[subprocess.Popen[bytes]] = []
    try:
        queued = runner.invoke(
            app,
            ["enqueue", "--all-agents", "--week", WEEK, "--auto-approve", "--fast-forward"],
            env=env,
        )
        assert queued.exit_code == 0, queued.output
        assert queued.stdout.count(f"week {WEEK}") == AGENTS
        workers += [start_worker(env, logs[0]), start_worker(env, logs[1])]
        victim = workers[0]

        def victim_is_mid_week() -> bool:
            return any(
                run.status == RunStatus.running
                and run.current_node in ("creating", "publishing", "analyzing")
                and group_of(run.lease_owner) == victim.pid
                for run in week_runs(system)
            )

        wait_for("a week in progress on the first worker", victim_is_mid_week, 120, logs)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        workers.append(start_worker(env, logs[2]))

        def all_finished() -> bool:
            runs = week_runs(system)
            return len(runs) >= AGENTS and all(run.status == RunStatus.finished for run in runs)

        wait_for("every week to finish", all_finished, 180, logs)
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        delete_queues(broker_url, prefix)

    output = "\n".join(log.read_text(errors="replace") for log in logs)
    assert "its driver stopped" in output  # a redelivered week resumed the killed run
    with system.sessions() as session:
        agents = list(session.scalars(select(Agent)))
        assert len(agents) == AGENTS
        for agent in agents:
            runs = list(session.scalars(select(AgentRun).where(AgentRun.agent_id == agent.id)))
            assert [(r.week_key, r.status) for r in runs] == [(WEEK, RunStatus.finished)], (
                agent.name
            )
        approved = list(
            session.scalars(
                select(VideoReel).where(
                    VideoReel.approval_status.in_(
                        [ApprovalStatus.creator_approved, ApprovalStatus.auto_approved]
                    )
                )
            )
        )
        assert len(approved) == AGENTS * REELS
        posts = list(session.scalars(select(Post)))
        accounts = {a.id: a for a in session.scalars(select(SocialAccount))}
        assert len({(p.reel_id, p.account_id) for p in posts}) == len(posts)
        # every approved reel went out on its creator's account, once
        assert {p.reel_id for p in posts if p.publish_status == PublishStatus.published} == {
            r.id for r in approved
        }
        assert len({p.platform_post_id for p in posts}) == len(posts) == len(approved)
        assert all(accounts[p.account_id].user_id == p.user_id for p in posts)
    landed = list((system.settings.data_dir / "sandbox" / "sandbox-1").glob("*.mp4"))
    assert len(landed) == len(posts)  # the platform itself saw each post once
    system.dispose()
