"""Who drives a week: a run stopped before its first checkpoint resumes from its recorded input,
a plain run takes over a stale run instead of planning ahead, and a replan supersedes the week's
calendar, withdraws its unpublished posts and never publishes anything twice."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from agent.app.resources import Resources
from agent.app.runs import (
    decisions_payload,
    pending_review,
    resume_run,
    simulated_start,
    start_run,
)
from agent.app.wiring import checkpointer
from agent.errors import RunError
from agent.graph import build_graph
from agent.publishing.due_posts import publish_due
from agent.schemas import ReelDecision
from db.engine import transaction
from db.enums import ApprovalStatus, PublishStatus, RunStatus, TriggerType
from db.models import AgentRun, ContentCalendar, Post, PublisherTask, VideoReel
from db.repo import leases
from db.repo.identity import get_agent
from db.repo.runs import create_run
from tests.cycle.conftest import Wire

WEEK = "2030-W20"  # far ahead: the real clock publishes nothing of it by itself


def _killed_before_first_checkpoint(system: Resources, week: str) -> uuid.UUID:
    """The rows ``twin run`` writes before it drives the graph, owned by a process now gone."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    dead = f"{leases.this_process().rpartition(':')[0]}:{proc.pid}"
    with transaction(system.sessions) as session:
        agent = get_agent(session=session)
        run = create_run(
            session=session,
            agent_id=agent.id,
            trigger_type=TriggerType.manual,
            week_key=week,
            options={
                "auto_approve": True,
                "fast_forward": True,
                "clock_start": simulated_start(week).isoformat(),
                "render_quality": "draft",
                "replan": False,
            },
        )
        leases.claim(
            session=session,
            run_id=run.id,
            owner=dead,
            now=datetime.now(UTC),
            ttl=timedelta(hours=1),
        )
        return run.id


def _checkpoints(system: Resources, run_id: uuid.UUID) -> int:
    with checkpointer(system) as saver:
        graph = build_graph().compile(checkpointer=saver)
        return len(list(graph.get_state_history({"configurable": {"thread_id": str(run_id)}})))


def test_a_run_killed_before_its_first_checkpoint_resumes_from_its_recorded_input(
    system: Resources, wiring: Wire
) -> None:
    run_id = _killed_before_first_checkpoint(system, WEEK)
    assert _checkpoints(system, run_id) == 0
    with system.sessions() as session:
        row = session.get(AgentRun, run_id)
        assert row is not None and leases.is_stale(row, datetime.now(UTC)), "its owner is gone"
    outcome = resume_run(system, str(run_id), wiring=wiring())
    assert outcome.status == RunStatus.finished, outcome.error
    assert (outcome.run_id, outcome.week) == (str(run_id), WEEK)
    assert outcome.summary["posts"] == {"published": 3}, "auto-approve came from the record"
    with system.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AgentRun)) == 1
        row = session.get(AgentRun, run_id)
        assert row is not None and row.lease_owner is None


def test_a_plain_run_takes_over_a_stale_run_instead_of_planning_the_next_week(
    system: Resources, wiring: Wire
) -> None:
    run_id = _killed_before_first_checkpoint(system, WEEK)
    said: list[str] = []
    outcome = start_run(system, wiring=wiring(), progress=lambda _node, line: said.append(line))
    assert outcome.run_id == str(run_id) and outcome.week == WEEK
    assert outcome.status == RunStatus.finished, outcome.error
    assert f"resuming run {str(run_id)[:8]} of {WEEK}: its driver stopped" in said
    with pytest.raises(RunError, match=f"week {WEEK} was planned already"):
        start_run(system, week=WEEK, wiring=wiring())


def _posts(system: Resources, run_id: str) -> list[Post]:
    from db.models import CalendarItem, VideoReel

    with system.sessions() as session:
        rows = list(
            session.scalars(
                select(Post)
                .join(VideoReel, VideoReel.id == Post.reel_id)
                .join(CalendarItem, CalendarItem.id == VideoReel.calendar_item_id)
                .join(ContentCalendar, ContentCalendar.id == CalendarItem.calendar_id)
                .where(ContentCalendar.run_id == uuid.UUID(run_id))
                .order_by(Post.scheduled_time)
            )
        )
        session.expunge_all()
        return rows


def _publish_all_due(system: Resources) -> list[uuid.UUID]:
    """Run the publish loop at each next due moment until nothing waits (the posts it published)."""
    published: list[uuid.UUID] = []
    for _ in range(20):
        with system.sessions() as session:
            pending = list(
                session.scalars(
                    select(Post).where(
                        Post.publish_status.in_(
                            [PublishStatus.scheduled, PublishStatus.unconfirmed]
                        )
                    )
                )
            )
        if not pending:
            break
        now = min(max(p.scheduled_time, p.next_attempt_at or p.scheduled_time) for p in pending)
        report = publish_due(system, now=now + timedelta(seconds=1))
        published += [o.post_id for o in report.outcomes if o.status == PublishStatus.published]
    return published


def _attempts(system: Resources, post_id: uuid.UUID) -> int:
    with system.sessions() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(PublisherTask)
                .where(PublisherTask.post_id == post_id)
            )
            or 0
        )


def test_a_replan_supersedes_the_calendar_withdraws_what_is_not_out_and_publishes_nothing_twice(
    system: Resources, wiring: Wire
) -> None:
    first = start_run(system, week=WEEK, auto_approve=True, wiring=wiring())
    assert first.status == RunStatus.finished, first.error
    old = _posts(system, first.run_id)
    assert [p.publish_status for p in old] == [PublishStatus.scheduled] * 3
    went_out = publish_due(system, now=old[0].scheduled_time + timedelta(minutes=1))
    assert went_out.count(PublishStatus.published) == 1
    platform_id = _posts(system, first.run_id)[0].platform_post_id
    assert platform_id
    with pytest.raises(
        RunError, match=f"week {WEEK} was planned already by run {first.run_id[:8]}"
    ):
        start_run(system, week=WEEK, auto_approve=True, wiring=wiring())

    again = start_run(system, week=WEEK, auto_approve=True, wiring=wiring(), replan=True)
    assert again.status == RunStatus.finished, again.error
    with system.sessions() as session:
        calendars = list(session.scalars(select(ContentCalendar).order_by(ContentCalendar.version)))
        runs = {r.id: r.status for r in session.scalars(select(AgentRun))}
    assert [c.version for c in calendars] == [1, 2]
    assert [str(c.run_id) for c in calendars] == [first.run_id, again.run_id]
    assert set(runs.values()) == {RunStatus.finished}, "a finished week stays finished"
    out, *withdrawn = _posts(system, first.run_id)
    assert out.publish_status == PublishStatus.published, "what went out stays out"
    assert out.platform_post_id == platform_id
    for post in withdrawn:
        assert post.publish_status == PublishStatus.cancelled
        assert post.error_json == {"message": f"withdrawn by a replan of {WEEK}"}
    new = _posts(system, again.run_id)
    assert len(new) == 3 and {p.reel_id for p in new}.isdisjoint({p.reel_id for p in old})

    assert sorted(_publish_all_due(system)) == sorted(p.id for p in new), "only the new plan's"
    assert [p.publish_status for p in _posts(system, first.run_id)] == [
        PublishStatus.published,
        PublishStatus.cancelled,
        PublishStatus.cancelled,
    ]
    assert _attempts(system, out.id) == 1, "the post already out was not published again"
    sandbox = list((system.settings.data_dir / "sandbox").glob("*/*.json"))
    assert len(sandbox) == 4, "one post out from the first plan, three from the replan"


def test_a_replan_of_a_week_waiting_for_review_cancels_that_run(
    system: Resources, wiring: Wire
) -> None:
    waiting = start_run(system, week=WEEK, wiring=wiring())
    assert waiting.status == RunStatus.waiting_review
    with pytest.raises(RunError, match=f"run {waiting.run_id[:8]} of {WEEK} waits for review"):
        start_run(system, week=WEEK, wiring=wiring())
    with pytest.raises(RunError, match="waits for review"):
        start_run(system, week="2030-W21", wiring=wiring(), replan=True)  # not that week
    again = start_run(system, week=WEEK, wiring=wiring(), replan=True)
    assert again.status == RunStatus.waiting_review and again.run_id != waiting.run_id
    with system.sessions() as session:
        old = session.get(AgentRun, uuid.UUID(waiting.run_id))
        assert old is not None and old.status == RunStatus.cancelled
        assert old.error_message == "superseded by a replan of its week"
    with pytest.raises(RunError, match="already cancelled"):
        resume_run(system, waiting.run_id, wiring=wiring(), decisions={"decisions": []})


class Dies(BaseException):
    """Stands for a SIGKILL: not an Exception, so nothing in the run catches it."""


def _dies_at_the_question(monkeypatch: pytest.MonkeyPatch) -> None:
    """Review links its reels' media as it builds the question, after it marked the run
    waiting and before the question is saved: the process dies there."""
    import agent.app.wiring as wiring_module

    def links(_settings: object) -> object:
        def link(_path: object) -> str:
            raise Dies()

        return link

    monkeypatch.setattr(wiring_module, "media_links", links)


def _as_a_kill_leaves_it(system: Resources) -> uuid.UUID:
    """A SIGKILL runs no cleanup: the lease stays with the dead driver."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    with transaction(system.sessions) as session:
        row = session.scalar(select(AgentRun))
        assert row is not None and row.status == RunStatus.waiting_review
        row.lease_owner = f"{leases.this_process().rpartition(':')[0]}:{proc.pid}"
        row.lease_expires_at = datetime.now(UTC) + timedelta(minutes=5)
        return row.id


def test_a_run_killed_before_its_review_question_was_saved_is_asked_again(
    system: Resources, wiring: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        _dies_at_the_question(patch)
        with pytest.raises(Dies):
            start_run(system, week=WEEK, wiring=wiring())
    run_id = _as_a_kill_leaves_it(system)
    assert pending_review(system, run_id) is None, "no question was saved"
    with system.sessions() as session:
        row = session.get(AgentRun, run_id)
        assert row is not None and leases.is_stale(row, datetime.now(UTC))
        assert [r.id for r in leases.stale_runs(session=session, now=datetime.now(UTC))] == [run_id]
    again = start_run(system, wiring=wiring())  # a plain run takes it over and asks again
    assert (again.run_id, again.status) == (str(run_id), RunStatus.waiting_review)
    assert again.review is not None and len(again.review["reels"]) == 3
    decisions = [
        ReelDecision(reel_id=r["reel_id"], action="approve") for r in again.review["reels"]
    ]
    payload = decisions_payload(again.review, decisions, "creator")
    done = resume_run(system, str(run_id), wiring=wiring(), decisions=payload)
    assert done.status == RunStatus.finished, done.error
    assert done.summary["posts"] == {"scheduled": 3}


def test_twin_approve_asks_a_killed_runs_question_again_and_applies_the_answer(
    system: Resources, wiring: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from agent.cli import app

    with monkeypatch.context() as patch:
        _dies_at_the_question(patch)
        with pytest.raises(Dies):
            start_run(system, week=WEEK, wiring=wiring())
    run_id = _as_a_kill_leaves_it(system)
    env = {
        "TWIN_DATA_DIR": str(system.settings.data_dir),
        "TWIN_DATABASE_URL": system.settings.resolved_database_url,
    }
    result = CliRunner().invoke(app, ["approve", str(run_id)[:8], "--all", "--json"], env=env)
    assert result.exit_code == 0, result.output
    with system.sessions() as session:
        row = session.get(AgentRun, run_id)
        assert row is not None and row.status == RunStatus.finished and row.lease_owner is None
        reels = list(session.scalars(select(VideoReel.approval_status)))
    assert reels == [ApprovalStatus.creator_approved] * 3
