"""Human-in-the-loop review: interrupt, decisions, regenerate, resume from a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from agent.app.resources import Resources
from agent.app.runs import decisions_payload, pending_review, resume_run, start_run
from agent.schemas import ReelDecision
from db.enums import ApprovalStatus, EventType, NotificationType, PublishStatus, RunStatus
from db.models import AgentRun, EventLog, Notification, Post, RenderJob, Script, VideoReel
from tests.cycle.conftest import Wire, set_policy
from tests.cycle.fakes import FakeRender


def n(system: Resources, model: Any, *where: Any) -> int:
    with system.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _decide(review: dict[str, Any], actions: list[ReelDecision]) -> dict[str, Any]:
    return decisions_payload(review, actions, "creator")


def test_manual_mode_stops_at_review_and_nothing_is_published(
    system: Resources, wiring: Wire
) -> None:
    outcome = start_run(system, fast_forward=True, week="2026-W48", wiring=wiring())
    assert outcome.status == RunStatus.waiting_review
    review = outcome.review
    assert review is not None and len(review["reels"]) == 3
    # The interrupt is LangChain's HITL request: one publish_reel action per reel.
    request = review["request"]
    assert [a["name"] for a in request["action_requests"]] == ["publish_reel"] * 3
    assert request["review_configs"][0]["allowed_decisions"] == ["approve", "edit", "reject"]
    assert "video_path" not in request["action_requests"][0]["args"]
    reel = review["reels"][0]
    assert reel["allowed_actions"] == ["approve", "reject", "edit", "regenerate"]
    assert Path(reel["video_path"]).is_file() and reel["script"] and reel["captions"]["sandbox"]
    assert n(system, Post) == 0
    assert n(system, Notification, Notification.type == NotificationType.approval_needed) == 1
    with system.sessions() as session:
        run = session.scalar(select(AgentRun))
        assert run is not None
        assert pending_review(system, run.id) == review


def test_approve_from_a_fresh_process_finishes_the_run_without_redoing_work(
    sqlite_system: Resources, wiring: Wire, tmp_path: Path
) -> None:
    outcome = start_run(sqlite_system, fast_forward=True, week="2026-W48", wiring=wiring())
    assert outcome.status == RunStatus.waiting_review
    env = {
        **os.environ,
        "TWIN_DATA_DIR": str(sqlite_system.settings.data_dir),
        "TWIN_DATABASE_URL": sqlite_system.settings.resolved_database_url,
    }
    twin = str(Path(sys.executable).parent / "twin")
    result = subprocess.run(
        [twin, "approve", outcome.run_id[:8], "--all", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert '"status": "finished"' in result.stdout
    # Approval re-entered the graph at review: planning and creating did not run again.
    assert n(sqlite_system, Script) == 3
    assert n(sqlite_system, RenderJob) == 3
    assert n(sqlite_system, EventLog, EventLog.event_type == EventType.plan_created) == 1
    assert n(sqlite_system, EventLog, EventLog.event_type == EventType.script_generated) == 3
    assert n(sqlite_system, Post, Post.publish_status == PublishStatus.published) == 3
    assert (
        n(sqlite_system, VideoReel, VideoReel.approval_status == ApprovalStatus.creator_approved)
        == 3
    )


def test_reject_edit_and_partial_answers(sqlite_system: Resources, wiring: Wire) -> None:
    outcome = start_run(sqlite_system, fast_forward=True, week="2026-W48", wiring=wiring())
    assert outcome.review is not None
    a, b, c = (r["reel_id"] for r in outcome.review["reels"])
    second = resume_run(
        sqlite_system,
        outcome.run_id,
        wiring=wiring(),
        decisions=_decide(
            outcome.review,
            [
                ReelDecision(reel_id=a, action="reject", reason="off brand"),
                ReelDecision(
                    reel_id=b,
                    action="edit",
                    caption="New caption from the creator",
                    hashtags=["#mine"],
                ),
            ],
        ),
    )
    # c had no decision: it is asked again, alone.
    assert second.status == RunStatus.waiting_review
    assert second.review is not None and [r["reel_id"] for r in second.review["reels"]] == [c]
    done = resume_run(
        sqlite_system,
        outcome.run_id,
        wiring=wiring(),
        decisions=_decide(second.review, [ReelDecision(reel_id=c, action="approve")]),
    )
    assert done.status == RunStatus.finished
    with sqlite_system.sessions() as session:
        posts = {str(p.reel_id): p for p in session.scalars(select(Post))}
    assert a not in posts
    assert posts[b].caption == "New caption from the creator" and posts[b].hashtags == ["#mine"]
    assert set(posts) == {b, c}


def test_regenerate_goes_back_to_creating_with_feedback_at_most_twice(
    sqlite_system: Resources, wiring: Wire, fake_render: FakeRender
) -> None:
    set_policy(sqlite_system, posts_per_week=1)
    outcome = start_run(sqlite_system, fast_forward=True, week="2026-W48", wiring=wiring())
    for round_no in range(2):
        assert outcome.review is not None
        reel_id = outcome.review["reels"][0]["reel_id"]
        outcome = resume_run(
            sqlite_system,
            outcome.run_id,
            wiring=wiring(),
            decisions=_decide(
                outcome.review,
                [
                    ReelDecision(
                        reel_id=reel_id, action="regenerate", reason=f"shorter please {round_no}"
                    )
                ],
            ),
        )
        assert outcome.status == RunStatus.waiting_review
    with sqlite_system.sessions() as session:
        scripts = list(session.scalars(select(Script).order_by(Script.revision)))
    assert [s.revision for s in scripts] == [1, 2, 3]
    assert "shorter please 0" in str(scripts[1].edit_history_json)
    assert len(fake_render.requests) == 3
    # A third regenerate is refused: the reel is rejected instead, and the week finishes.
    assert outcome.review is not None
    last = resume_run(
        sqlite_system,
        outcome.run_id,
        wiring=wiring(),
        decisions=_decide(
            outcome.review,
            [
                ReelDecision(
                    reel_id=outcome.review["reels"][0]["reel_id"],
                    action="regenerate",
                    reason="again",
                )
            ],
        ),
    )
    assert last.status == RunStatus.finished
    assert n(sqlite_system, Script) == 3
    assert n(sqlite_system, Post) == 0


def test_auto_above_asks_only_for_low_quality(sqlite_system: Resources, wiring: Wire) -> None:
    set_policy(sqlite_system, approval_mode="auto_above", auto_approve_threshold=0.95)
    calls = {"n": 0}
    render = FakeRender()

    def half_warned(request: Any, progress: Any = None) -> Any:
        result = render(request, progress)
        calls["n"] += 1
        if calls["n"] % 2:
            result.warnings.append("no avatar found; style background used")
        return result

    outcome = start_run(
        sqlite_system, fast_forward=True, week="2026-W48", wiring=wiring(render=half_warned)
    )
    assert outcome.status == RunStatus.waiting_review and outcome.review is not None
    assert len(outcome.review["reels"]) == 2
    assert all(r["quality_score"] < 0.95 for r in outcome.review["reels"])
    assert (
        n(sqlite_system, VideoReel, VideoReel.approval_status == ApprovalStatus.auto_approved) == 1
    )
