"""The weekly schedule with an injected clock: misfires run once, slots coalesce, pauses hold."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from agent.app.resources import Resources
from agent.errors import RunError, UserError
from agent.scheduling import (
    JobRuntime,
    describe,
    open_scheduler,
    planned_week,
    sync_jobs,
    update_schedule,
    weekly_dedupe_key,
    weekly_job_id,
)
from db.engine import transaction
from db.enums import RunStatus, TriggerType
from db.models import AgentRun
from db.repo.identity import get_agent
from tests.scheduler.conftest import MovableClock, runtime_for

FRIDAY = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)  # Friday of ISO week 2030-W09


def set_schedule(system: Resources, *, now: datetime = FRIDAY, **changes: Any) -> str:
    """Change the schedule at ``now`` on the tests' clock (slots before it are never made up)."""
    with transaction(system.sessions) as session:
        agent = get_agent(session=session)
        update_schedule(session, agent, now=now, **changes)
        return str(agent.id)


def runs(system: Resources) -> list[AgentRun]:
    with system.sessions() as session:
        return list(session.scalars(select(AgentRun).order_by(AgentRun.started_at)))


def tick(runtime: JobRuntime) -> None:
    with open_scheduler(runtime, paused=False, inline=True) as scheduler:
        sync_jobs(scheduler, runtime.system)
        scheduler.tick()


def test_default_schedule_is_monday_nine_in_the_creators_zone(sqlite_system: Resources) -> None:
    from db.models import User

    with transaction(sqlite_system.sessions) as session:
        user = session.scalars(select(User)).one()
        user.timezone = "America/New_York"
    [row] = describe(sqlite_system, clock=MovableClock(FRIDAY))
    assert (row.cron, row.timezone, row.paused) == ("0 9 * * MON", "America/New_York", False)
    assert row.next_run == datetime(2030, 3, 4, 14, 0, tzinfo=UTC)  # 09:00 EST


def test_machine_off_for_weeks_runs_the_missed_week_once(
    system: Resources, caplog: pytest.LogCaptureFixture
) -> None:
    agent_id = set_schedule(system, cron="0 9 * * MON", timezone="Europe/Paris")
    clock = MovableClock(FRIDAY)
    runtime = runtime_for(system, clock)
    tick(runtime)  # a worker runs on Friday (nothing is due), then the machine is off
    assert runs(system) == []

    clock.set(datetime(2030, 3, 27, 10, 0, tzinfo=UTC))  # four Mondays later, a Wednesday
    tick(runtime)
    [run] = runs(system)
    # The latest missed slot (Mon 25 March) plans the week after it; the older ones are skipped.
    assert run.week_key == "2030-W14"
    assert run.trigger_type == TriggerType.schedule_weekly
    assert run.dedupe_key == weekly_dedupe_key(agent_id, "2030-W14")
    assert run.options_json["fast_forward"] is False
    # The agent's approval mode is manual: the scheduled run stops at review.
    assert run.status == RunStatus.waiting_review

    tick(runtime)  # a new worker sees the same slot due: the dedupe key makes it a no-op
    assert len(runs(system)) == 1

    # One active run per agent: next Monday's run does not start while last week's waits for
    # review, and the worker says so (naming the run and how to release it) instead of skipping.
    clock.set(datetime(2030, 4, 1, 7, 0, 30, tzinfo=UTC))
    with caplog.at_level(logging.WARNING, logger="twin.worker"):
        tick(runtime)
    weeks = [(r.week_key, r.status) for r in runs(system)]
    assert weeks == [("2030-W14", RunStatus.waiting_review)]
    short = str(run.id)[:8]
    assert f"not started: run {short} of 2030-W14 waits for review" in caplog.text
    assert f"twin approve {short}" in caplog.text


def test_slots_missed_within_grace_coalesce_into_one_call(sqlite_system: Resources) -> None:
    from apscheduler.triggers.cron import CronTrigger

    from tests.scheduler.recording_job import CALLS, record_call

    clock = MovableClock(FRIDAY)
    calls = CALLS
    runtime = JobRuntime(system=sqlite_system, clock=clock)
    for coalesce, expected in ((True, 1), (False, 6)):
        calls.clear()
        clock.set(FRIDAY)
        with open_scheduler(runtime, paused=False, inline=True) as scheduler:
            trigger = CronTrigger(minute=0, timezone=UTC)
            scheduler.add_job(
                record_call,
                trigger,
                id="hourly",
                coalesce=coalesce,
                misfire_grace_time=24 * 3600,
                next_run_time=trigger.get_next_fire_time(None, FRIDAY),
            )
            clock.set(FRIDAY + timedelta(hours=5, minutes=30))  # slots 12:00 to 17:00 passed
            scheduler.tick()
            scheduler.remove_job("hourly")
        assert len(calls) == expected
    assert calls[-1] == FRIDAY + timedelta(hours=5)


def test_a_schedule_change_moves_the_next_run_and_pause_holds_it(sqlite_system: Resources) -> None:
    clock = MovableClock(FRIDAY)
    set_schedule(sqlite_system, cron="30 18 * * FRI", timezone="UTC")
    [row] = describe(sqlite_system, clock=clock)
    assert row.next_run == datetime(2030, 3, 1, 18, 30, tzinfo=UTC)

    set_schedule(sqlite_system, paused=True)
    runtime = runtime_for(sqlite_system, clock)
    clock.set(datetime(2030, 3, 1, 19, 0, tzinfo=UTC))
    tick(runtime)
    assert runs(sqlite_system) == []
    assert describe(sqlite_system, clock=clock)[0].next_run is None

    set_schedule(sqlite_system, paused=False, now=clock.now())
    [row] = describe(sqlite_system, clock=clock)
    assert row.next_run == datetime(2030, 3, 8, 18, 30, tzinfo=UTC)
    tick(runtime)  # the paused slot (18:30 today) is not made up
    assert runs(sqlite_system) == []


def test_bad_schedules_are_refused_with_a_clear_message(sqlite_system: Resources) -> None:
    with pytest.raises(UserError, match="unknown time zone 'Mars/Olympus'"):
        set_schedule(sqlite_system, timezone="Mars/Olympus")
    with pytest.raises(UserError, match="invalid cron"):
        set_schedule(sqlite_system, cron="every monday")


def test_the_week_comes_from_the_slot_in_the_schedules_zone() -> None:
    sunday_late = datetime(2030, 3, 3, 23, 30, tzinfo=UTC)  # already Monday 00:30 in Paris
    assert planned_week(sunday_late, "UTC") == "2030-W10"
    assert planned_week(sunday_late, "Europe/Paris") == "2030-W11"


def test_one_run_per_agent_week_is_a_database_guarantee(system: Resources) -> None:
    from sqlalchemy.exc import IntegrityError

    from agent.app.runs import start_run

    agent_id = set_schedule(system)
    key = weekly_dedupe_key(agent_id, "2030-W20")
    wiring = runtime_for(system, MovableClock(FRIDAY)).wiring
    first = start_run(
        system,
        week="2030-W20",
        trigger=TriggerType.schedule_weekly,
        dedupe_key=key,
        wiring=wiring,
        auto_approve=True,
    )
    assert first.status == RunStatus.finished
    with pytest.raises(RunError, match="2030-W20 was planned already"):
        start_run(
            system,
            week="2030-W20",
            trigger=TriggerType.schedule_weekly,
            dedupe_key=key,
            wiring=wiring,
        )
    # Below the code's check, the unique dedupe key refuses a second row for the agent-week.
    [row] = runs(system)
    with pytest.raises(IntegrityError), transaction(system.sessions) as session:
        session.add(
            AgentRun(
                agent_id=row.agent_id,
                trigger_type=row.trigger_type,
                week_key=row.week_key,
                status=RunStatus.finished,
                dedupe_key=key,
            )
        )
    assert len(runs(system)) == 1


def test_no_job_store_each_scheduler_keeps_its_own_jobs(sqlite_system: Resources) -> None:
    from sqlalchemy import inspect

    clock = MovableClock(FRIDAY)
    agent_id = set_schedule(sqlite_system, cron="0 9 * * TUE", timezone="UTC")
    first, second = (runtime_for(sqlite_system, clock) for _ in range(2))
    with open_scheduler(first) as one, open_scheduler(second) as two:
        sync_jobs(one, sqlite_system)
        one.remove_job(weekly_job_id(agent_id))
        assert two.get_job(weekly_job_id(agent_id)) is None  # nothing is shared
        sync_jobs(two, sqlite_system)
        job = two.get_job(weekly_job_id(agent_id))
        assert job is not None and job.coalesce and job.misfire_grace_time == 7 * 24 * 3600
        assert job.next_run_time == datetime(2030, 3, 5, 9, 0, tzinfo=UTC)
    assert "apscheduler_jobs" not in inspect(sqlite_system.engine).get_table_names()


def test_a_slot_missed_after_the_schedule_was_set_runs_once_on_the_next_worker(
    sqlite_system: Resources,
) -> None:
    """Set on Friday, worker off over Monday's slot, back on Tuesday: that week runs once."""
    set_schedule(sqlite_system, cron="0 9 * * MON", timezone="UTC")
    clock = MovableClock(datetime(2030, 3, 5, 8, 0, tzinfo=UTC))
    runtime = runtime_for(sqlite_system, clock)
    tick(runtime)
    tick(runtime)
    [run] = runs(sqlite_system)
    assert run.week_key == "2030-W11"
    # A week and a day later the slot is past the grace time; the next slot is waited for.
    clock.set(datetime(2030, 3, 11, 8, 0, tzinfo=UTC))
    tick(runtime)
    assert len(runs(sqlite_system)) == 1


def test_scheduled_posts_go_out_when_their_minute_comes(sqlite_system: Resources) -> None:
    from db.enums import ApprovalMode, PublishStatus
    from db.models import Post
    from db.repo.identity import update_agent_policy

    with transaction(sqlite_system.sessions) as session:
        update_agent_policy(
            session=session, agent=get_agent(session=session), approval_mode=ApprovalMode.autonomous
        )
    set_schedule(sqlite_system, cron="0 9 * * MON", timezone="UTC")
    clock = MovableClock(FRIDAY)
    runtime = runtime_for(sqlite_system, clock)
    tick(runtime)
    clock.set(datetime(2030, 3, 4, 9, 0, 20, tzinfo=UTC))
    tick(runtime)
    [run] = runs(sqlite_system)
    assert (run.week_key, run.status) == ("2030-W11", RunStatus.finished)
    with sqlite_system.sessions() as session:
        posts = list(session.scalars(select(Post).order_by(Post.scheduled_time)))
    assert len(posts) == 2
    assert {p.publish_status for p in posts} == {
        PublishStatus.scheduled
    }  # a real-clock run waits for the time

    clock.set(posts[0].scheduled_time + timedelta(seconds=30))
    tick(runtime)
    with sqlite_system.sessions() as session:
        statuses = [session.get(Post, p.id).publish_status for p in posts]  # type: ignore[union-attr]
    assert statuses == [PublishStatus.published, PublishStatus.scheduled]


def test_numeric_weekdays_mean_what_crontab_means() -> None:
    from datetime import UTC, datetime

    from agent.scheduling.config import ScheduleConfig

    sunday = datetime(2026, 11, 22, 12, tzinfo=UTC)
    monday = (
        ScheduleConfig(cron="0 9 * * 1", timezone="UTC").trigger().get_next_fire_time(None, sunday)
    )
    assert monday is not None and monday.strftime("%a %H:%M") == "Mon 09:00"
    weekend = (
        ScheduleConfig(cron="30 8 * * 6,0", timezone="UTC")
        .trigger()
        .get_next_fire_time(None, sunday)
    )
    assert weekend is not None and weekend.strftime("%a %d") == "Sat 28"
