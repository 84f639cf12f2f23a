"""Benchmark: fast-forward agent-weeks through the fleet on 1, 2 and 4 twin worker processes.

    .venv/bin/python bench/fleet.py [--agents 4] [--workers 1,2,4] [--reels 2]

Needs PostgreSQL (``--database-url``, an admin URL: each measurement gets a fresh database) and
RabbitMQ (``--broker``). For each worker count it starts that many ``twin worker`` processes
(one week, one render and one publish at a time each, draft renders), waits until every queue
process is ready, queues one auto-approved fast-forward week per agent with ``twin enqueue``
and times until every run has finished: agent-weeks per hour, and the ratio to one worker.
Then one agent-week in-process (``start_run``, as ``twin run`` does) against the same week
through the queue on one warm worker: the queue's overhead. Each side runs a warm-up week
first, so neither pays for first imports or connections.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and __package__ in (None, ""):
    # Run as a script: bench/ must not shadow the project's packages (bench/memory.py vs memory/).
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json
import os
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, text

if TYPE_CHECKING:
    from agent.app.resources import Resources

ROOT = Path(__file__).resolve().parent.parent
WEEK = "2030-W11"
WARM_WEEK = "2030-W10"


@dataclass
class Fleet:
    """A fresh database and data dir with ``agents`` agents, and the env its workers run with."""

    env: dict[str, str]
    system: Resources
    agent_ids: list[str]


@contextmanager
def fleet(admin_url: str, broker: str, agents: int, reels: int) -> Iterator[Fleet]:
    from agent.app.bootstrap import initialise
    from agent.app.creators import add_agent, add_user
    from agent.app.resources import open_resources
    from agent.settings import load_settings
    from db.engine import build_engine, transaction
    from db.repo.identity import list_agents, update_agent_policy

    name = f"twin_bench_{uuid.uuid4().hex[:8]}"
    admin = build_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    data = Path(tempfile.mkdtemp(prefix="twin-fleet-bench-"))
    env = {
        "TWIN_DATA_DIR": str(data),
        "TWIN_DATABASE_URL": url,
        "TWIN_BROKER_URL": broker,
        "TWIN_QUEUE_PREFIX": f"bench-{uuid.uuid4().hex[:8]}.",
        "TWIN_RENDER_QUALITY": "draft",
        "TWIN_EMBEDDINGS_PROVIDER": "lexical",
        "TWIN_LOG_FORMAT": "json",
    }
    os.environ.update(env)
    system = open_resources(load_settings())
    try:
        initialise(system)
        for n in range(1, agents):
            email, _ = add_user(system, email=f"bench{n}@example.com")
            add_agent(system, name=f"Bench {n}", user_email=email)
        with transaction(system.sessions) as session:
            for agent in list_agents(session=session):
                update_agent_policy(session=session, agent=agent, posts_per_week=reels)
            ids = [str(a.id) for a in list_agents(session=session)]
        yield Fleet(env, system, ids)
    finally:
        system.dispose()
        _delete_queues(broker, env["TWIN_QUEUE_PREFIX"])
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _delete_queues(broker: str, prefix: str) -> None:
    from kombu import Connection

    with Connection(broker) as connection:
        for queue in ("weeks", "render", "publish"):
            with suppress(Exception):  # never declared: nothing to delete
                connection.channel().queue_delete(f"{prefix}{queue}")


@contextmanager
def workers(env: dict[str, str], count: int) -> Iterator[None]:
    """``count`` twin workers, returned once each of their queue processes is ready."""
    twin = Path(sys.executable).with_name("twin")
    logs = [Path(tempfile.mkstemp(prefix="twin-worker-", suffix=".log")[1]) for _ in range(count)]
    procs = []
    for log in logs:
        with log.open("wb") as out:
            procs.append(
                subprocess.Popen(
                    [str(twin), "worker", "--concurrency", "1", "--poll", "5"],
                    env={**os.environ, **env},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    try:
        deadline = time.monotonic() + 180
        while sum(_ready(log) for log in logs) < 3 * count:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise SystemExit(f"workers did not start: see {', '.join(map(str, logs))}")
            time.sleep(0.3)
        yield
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for log in logs:
            log.unlink(missing_ok=True)


def _ready(log: Path) -> int:
    count = 0
    for line in log.read_text(errors="replace").splitlines():
        try:
            message = json.loads(line).get("message", "")
        except ValueError:
            continue
        count += str(message).endswith(" ready.")
    return count


def queue_weeks(fleet_: Fleet, agent_ids: list[str], week: str) -> float:
    """Queue ``week`` for the agents and wait until all have finished; returns the seconds."""
    from agent.fleet.enqueue import Dispatcher
    from agent.settings import load_settings

    dispatcher = Dispatcher(load_settings())
    start = time.perf_counter()
    for agent_id in agent_ids:
        dispatcher.weekly_run(agent_id, week, auto_approve=True, fast_forward=True)
    _wait_finished(fleet_, agent_ids, week)
    return time.perf_counter() - start


def _wait_finished(fleet_: Fleet, agent_ids: list[str], week: str, timeout: float = 1800) -> None:
    from db.enums import RunStatus
    from db.models import AgentRun

    deadline = time.monotonic() + timeout
    wanted = {uuid.UUID(a) for a in agent_ids}
    while time.monotonic() < deadline:
        with fleet_.system.sessions() as session:
            runs = list(session.scalars(select(AgentRun).where(AgentRun.week_key == week)))
        done = {r.agent_id for r in runs if r.status == RunStatus.finished}
        failed = [r for r in runs if r.status == RunStatus.error]
        if failed:
            raise SystemExit(
                f"a run failed: {failed[0].error_message}\n{_trace(fleet_, failed[0].id)}"
            )
        if wanted <= done:
            return
        time.sleep(0.2)
    raise SystemExit(f"weeks did not finish within {timeout:.0f} s")


def _trace(fleet_: Fleet, run_id: uuid.UUID) -> str:
    from db.models import ErrorLog

    with fleet_.system.sessions() as session:
        logs = list(session.scalars(select(ErrorLog).where(ErrorLog.run_id == run_id)))
    return "\n".join((log.stack_trace or log.message)[-2500:] for log in logs)


def throughput(args: argparse.Namespace, count: int) -> float:
    """Agent-weeks per hour on ``count`` workers."""
    with (
        fleet(args.database_url, args.broker, args.agents, args.reels) as fleet_,
        workers(fleet_.env, count),
    ):
        seconds = queue_weeks(fleet_, fleet_.agent_ids, WEEK)
    rate = args.agents / seconds * 3600
    print(
        f"{count} worker(s): {args.agents} agent-weeks in {seconds:6.1f} s = {rate:7.1f} agent-weeks/hour",
        flush=True,
    )
    return rate


def overhead(args: argparse.Namespace) -> tuple[float, float]:
    """One agent-week in-process, and the same through the queue on one warm worker."""
    from agent.app.runs import start_run

    with fleet(args.database_url, args.broker, 2, args.reels) as fleet_:
        warm, timed = fleet_.agent_ids
        start_run(fleet_.system, agent=warm, week=WARM_WEEK, auto_approve=True, fast_forward=True)
        start = time.perf_counter()
        outcome = start_run(
            fleet_.system, agent=timed, week=WARM_WEEK, auto_approve=True, fast_forward=True
        )
        in_process = time.perf_counter() - start
        assert outcome.status.value == "finished", outcome.error
        with workers(fleet_.env, 1):
            queue_weeks(fleet_, [warm], WEEK)
            queued = queue_weeks(fleet_, [timed], WEEK)
    return in_process, queued


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agents", type=int, default=4, help="agent-weeks per measurement")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to measure")
    parser.add_argument("--reels", type=int, default=2, help="reels per agent-week")
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672//")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    print(
        f"fleet benchmark: {args.agents} agents x one fast-forward week, {args.reels} draft reels each, "
        f"{os.cpu_count()} cores; each worker runs 1 week, 1 render and 1 publish at a time",
        flush=True,
    )
    rates = {count: throughput(args, count) for count in counts}
    base = rates.get(1) or rates[counts[0]]
    for count, rate in rates.items():
        print(f"scaling {count} worker(s) vs {counts[0]}: {rate / base:.2f}x")
    in_process, queued = overhead(args)
    print(
        f"one agent-week: in-process {in_process:.2f} s, through the queue {queued:.2f} s, "
        f"overhead {100 * (queued - in_process) / in_process:+.1f}%"
    )


if __name__ == "__main__":
    main()
