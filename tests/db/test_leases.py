"""Run leases (claim / renew / release, a dead owner taken over at once) and the database's
one-active-run-per-agent constraint, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from db.engine import transaction
from db.enums import RunStatus, TriggerType
from db.models import AgentRun
from db.repo import leases
from db.repo.identity import create_agent, create_user

TTL = timedelta(seconds=60)
NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def _agent(sessions: sessionmaker[Session], email: str = "ana@example.com") -> uuid.UUID:
    with transaction(sessions) as session:
        user = create_user(session=session, name="Ana", email=email)
        return create_agent(session=session, user_id=user.id).id


def _run(
    sessions: sessionmaker[Session],
    agent_id: uuid.UUID,
    status: RunStatus = RunStatus.running,
    week: str = "2030-W10",
) -> uuid.UUID:
    with transaction(sessions) as session:
        run = AgentRun(
            agent_id=agent_id,
            trigger_type=TriggerType.manual,
            week_key=week,
            status=status,
            started_at=NOW,
        )
        session.add(run)
        session.flush()
        return run.id


def _claim(
    sessions: sessionmaker[Session], run_id: uuid.UUID, owner: str, now: datetime = NOW
) -> leases.Holder | None:
    with transaction(sessions) as session:
        return leases.claim(session=session, run_id=run_id, owner=owner, now=now, ttl=TTL)


def _row(sessions: sessionmaker[Session], run_id: uuid.UUID) -> AgentRun:
    with sessions() as session:
        row = session.get(AgentRun, run_id)
        assert row is not None
        session.expunge(row)
        return row


def _dead_owner() -> str:
    """``host:pid`` of a process of this host that has exited."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return f"{leases.this_process().rpartition(':')[0]}:{proc.pid}"


def test_a_lease_is_held_by_one_owner_renewed_by_it_and_refused_to_others(
    sessions: sessionmaker[Session],
) -> None:
    run_id = _run(sessions, _agent(sessions))
    me = leases.this_process()
    assert _claim(sessions, run_id, me) is None
    assert _claim(sessions, run_id, me, NOW + timedelta(seconds=5)) is None, "its owner renews it"
    held = _claim(sessions, run_id, "elsewhere:1", NOW + timedelta(seconds=10))
    assert held is not None and held.owner == me
    line = held.describe(NOW + timedelta(seconds=12))
    assert line == f"{me}, last heartbeat 7 s ago"
    with transaction(sessions) as session:
        assert leases.renew(session=session, run_id=run_id, owner=me, now=NOW, ttl=TTL)
        assert not leases.renew(
            session=session, run_id=run_id, owner="elsewhere:1", now=NOW, ttl=TTL
        )
        leases.release(session=session, run_id=run_id, owner="elsewhere:1")  # not its lease
    assert _row(sessions, run_id).lease_owner == me
    with transaction(sessions) as session:
        leases.release(session=session, run_id=run_id, owner=me)
    row = _row(sessions, run_id)
    assert (row.lease_owner, row.lease_expires_at, row.status) == (None, None, RunStatus.running)
    assert _claim(sessions, run_id, "elsewhere:1") is None, "a released lease is free"


def test_an_expired_lease_or_a_dead_owner_is_taken_over_and_the_run_is_stale(
    sessions: sessionmaker[Session],
) -> None:
    agent_id = _agent(sessions)
    run_id = _run(sessions, agent_id)
    assert _claim(sessions, run_id, "otherhost:42") is None
    row = _row(sessions, run_id)
    assert not leases.is_stale(row, NOW + timedelta(seconds=30)), "another host's live lease"
    assert _claim(sessions, run_id, "me:1", NOW + timedelta(seconds=30)) is not None
    assert leases.is_stale(row, NOW + timedelta(seconds=61))
    assert _claim(sessions, run_id, "me:1", NOW + timedelta(seconds=61)) is None, (
        "expired: taken over"
    )
    # A killed process of this host is known dead at once, long before its lease runs out.
    dead = _dead_owner()
    assert leases.owner_is_gone(dead) and not leases.owner_is_gone(leases.this_process())
    assert not leases.owner_is_gone("otherhost:1") and not leases.owner_is_gone(None)
    other = _run(sessions, _agent(sessions, "bo@example.com"))
    assert _claim(sessions, other, dead) is None
    assert leases.is_stale(_row(sessions, other), NOW)
    with sessions() as session:
        assert [r.id for r in leases.stale_runs(session=session, now=NOW)] == [other]
    assert _claim(sessions, other, leases.this_process(), NOW + timedelta(seconds=1)) is None
    assert _row(sessions, other).lease_owner == leases.this_process()
    # A run waiting for review whose driver let go waits for a person, not a process; one whose
    # lease a killed driver still holds was stopped before its question was saved.
    waiting = _run(sessions, _agent(sessions, "cy@example.com"), RunStatus.waiting_review)
    assert not leases.is_stale(_row(sessions, waiting), NOW + timedelta(days=30))
    assert _claim(sessions, waiting, dead) is None
    assert leases.is_stale(_row(sessions, waiting), NOW)
    with sessions() as session:
        assert [r.id for r in leases.stale_runs(session=session, now=NOW)] == [waiting]


def test_the_reason_a_run_refuses_names_the_run_and_what_to_do(
    sessions: sessionmaker[Session],
) -> None:
    agent_id = _agent(sessions)
    run_id = _run(sessions, agent_id)
    short = str(run_id)[:8]
    _claim(sessions, run_id, "otherhost:42")
    assert leases.busy_reason(_row(sessions, run_id), NOW + timedelta(seconds=3)) == (
        f"run {short} of 2030-W10 is being driven by otherhost:42, last heartbeat 3 s ago"
    )
    stale = leases.busy_reason(_row(sessions, run_id), NOW + timedelta(minutes=5))
    assert (
        stale
        == f"run {short} of 2030-W10 stopped without finishing: resume it with 'twin run --resume {short}'"
    )
    with transaction(sessions) as session:
        row = session.get(AgentRun, run_id)
        assert row is not None
        row.status = RunStatus.waiting_review
    waiting = leases.busy_reason(_row(sessions, run_id), NOW)
    assert (
        f"approve it with 'twin approve {short}'" in waiting
        and "--week 2030-W10 --replan" in waiting
    )


def test_an_agent_has_at_most_one_active_run_in_the_database(
    sessions: sessionmaker[Session],
) -> None:
    active = (RunStatus.running, RunStatus.waiting_review)
    for n, (first, second) in enumerate((a, b) for a in active for b in active):
        agent_id = _agent(sessions, f"a{n}@example.com")
        _run(sessions, agent_id, first, "2030-W10")
        with pytest.raises(IntegrityError):
            _run(sessions, agent_id, second, "2030-W11")
    # Finished, failed and cancelled runs do not count, and another agent has its own.
    agent_id = _agent(sessions)
    run_id = _run(sessions, agent_id, RunStatus.running, "2030-W10")
    for status in (RunStatus.finished, RunStatus.error, RunStatus.cancelled):
        _run(sessions, agent_id, status, "2030-W09")
    _run(sessions, _agent(sessions, "bo@example.com"), RunStatus.running, "2030-W10")
    # Once the run finishes, the agent's next week may start.
    with transaction(sessions) as session:
        row = session.get(AgentRun, run_id)
        assert row is not None
        row.status = RunStatus.finished
    _run(sessions, agent_id, RunStatus.running, "2030-W11")
    with sessions() as session:
        found = leases.active_run(session=session, agent_id=agent_id)
        assert found is not None and found.week_key == "2030-W11"
