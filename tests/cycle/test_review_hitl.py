"""The review interrupt speaks LangChain's HITL format, and a bad answer never breaks the thread."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from agent.app.resources import Resources
from agent.app.runs import pending_review, resume_run, start_run
from db.enums import PublishStatus, RunStatus
from db.models import AgentRun, Post, Script, VideoReel
from tests.cycle.conftest import Wire, set_policy


def _request(system: Resources, run_id: str) -> dict[str, Any]:
    import uuid

    review = pending_review(system, uuid.UUID(run_id))
    assert review is not None
    return dict(review["request"])


def test_the_request_has_one_publish_action_per_reel_with_a_signed_media_link(
    sqlite_system: Resources, wiring: Wire
) -> None:
    outcome = start_run(sqlite_system, fast_forward=True, week="2026-W48", wiring=wiring())
    request = _request(sqlite_system, outcome.run_id)
    assert set(request) == {"action_requests", "review_configs"}
    actions = request["action_requests"]
    assert len(actions) == 3 and {a["name"] for a in actions} == {"publish_reel"}
    args = actions[0]["args"]
    assert args["captions"]["sandbox"] and args["hashtags"] and args["script"]
    assert (
        args["media_url"].startswith("http://127.0.0.1:8765/media/") and "sig=" in args["media_url"]
    )
    assert "video_path" not in args and "/tmp" not in actions[0]["description"]
    assert "Caption:" in actions[0]["description"] and "Watch: http" in actions[0]["description"]
    assert request["review_configs"] == [
        {
            "action_name": "publish_reel",
            "allowed_decisions": ["approve", "edit", "reject"],
            "args_schema": None,
        }
    ]


def test_malformed_and_miscounted_answers_ask_again_then_a_good_one_finishes(
    system: Resources, wiring: Wire
) -> None:
    outcome = start_run(system, fast_forward=True, week="2026-W48", wiring=wiring())
    run_id = outcome.run_id
    for bad, why in (
        ({"decision": "yes"}, "decisions: Field required"),
        ({"decisions": [{"type": "approve"}]}, "1 decisions for 3 reels"),
        ({"decisions": [{"type": "publish"}] * 3}, "decisions.0.type"),
        ("approve", "expected {'decisions'"),
    ):
        again = resume_run(system, run_id, wiring=wiring(), decisions=bad)  # type: ignore[arg-type]
        assert again.status == RunStatus.waiting_review, again.error
        description = _request(system, run_id)["action_requests"][0]["description"]
        assert description.startswith("Your last answer could not be used:") and why in description
    with system.sessions() as session:
        assert session.scalar(select(AgentRun.status)) == RunStatus.waiting_review
    decisions = [
        {"type": "approve"},
        {
            "type": "edit",
            "edited_action": {"name": "publish_reel", "args": {"caption": "Mine now"}},
        },
        {"type": "reject", "message": "off brand"},
    ]
    done = resume_run(system, run_id, wiring=wiring(), decisions={"decisions": decisions})
    assert done.status == RunStatus.finished, done.error
    with system.sessions() as session:
        posts = list(session.scalars(select(Post)))
        statuses = sorted(r.approval_status.value for r in session.scalars(select(VideoReel)))
    assert len(posts) == 2 and {p.publish_status for p in posts} == {PublishStatus.published}
    assert "Mine now" in {p.caption for p in posts}
    assert statuses == ["creator_approved", "creator_approved", "rejected"]


def test_a_reject_asking_for_a_new_take_regenerates(sqlite_system: Resources, wiring: Wire) -> None:
    set_policy(sqlite_system, posts_per_week=1)
    outcome = start_run(sqlite_system, fast_forward=True, week="2026-W48", wiring=wiring())
    again = resume_run(
        sqlite_system,
        outcome.run_id,
        wiring=wiring(),
        decisions={"decisions": [{"type": "reject", "message": "regenerate: a shorter hook"}]},
    )
    assert again.status == RunStatus.waiting_review
    with sqlite_system.sessions() as session:
        revisions = [s.revision for s in session.scalars(select(Script).order_by(Script.revision))]
    assert revisions == [1, 2]
