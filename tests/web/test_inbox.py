"""The approval inbox: decisions resume the waiting run in the background until it publishes."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from agent.app.resources import Resources
from agent.app.runs import pending_review
from db.enums import ApprovalStatus, PublishStatus, RunStatus
from db.models import AgentRun, Post, VideoReel, WeeklyReport
from tests.web.conftest import page_csrf


def _wait(client: TestClient, run_id: str) -> dict:
    jobs = client.app.state.web.jobs  # type: ignore[attr-defined]
    job = jobs.latest_for(run_id)
    assert job is not None, "no background job was started"
    jobs.wait(job.id, timeout=240)
    status = client.get(f"/api/runs/{run_id}/status")
    assert status.status_code == 200
    return status.json()


def _reels(system: Resources, run_id: str) -> list[dict]:
    review = pending_review(system, uuid.UUID(run_id))
    return review["reels"] if review else []


def test_inbox_shows_each_waiting_reel_with_video_script_and_captions(
    client: TestClient, system: Resources, run_id: str
) -> None:
    page = client.get("/inbox")
    assert page.status_code == 200
    reels = _reels(system, run_id)
    assert len(reels) == 2
    for reel in reels:
        assert reel["title"] in page.text
        assert reel["script"].split(".")[0] in page.text.replace("&#39;", "'")
        assert f'data-reel="{reel["reel_id"]}"' in page.text
    assert page.text.count("<video") == 2
    assert page.text.count('src="/media/media/') == 2 and "sig=" in page.text
    single = client.get(f"/inbox/{run_id}")
    assert single.status_code == 200 and single.text.count("<video") == 2


@pytest.mark.slow
def test_approve_then_edit_resumes_the_run_until_posts_are_published(
    client: TestClient, system: Resources, run_id: str
) -> None:
    first, second = _reels(system, run_id)
    response = client.post(
        f"/inbox/{run_id}/decide",
        data={
            "csrf_token": page_csrf(client, "/inbox"),
            "reel_id": first["reel_id"],
            "action": "approve",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == f"/runs/{run_id}"
    status = _wait(client, run_id)
    assert status["job"]["state"] == "done", status["job"]
    # One reel is still undecided: the run asks again for just that one.
    assert status["run"]["status"] == RunStatus.waiting_review.value
    assert [r["reel_id"] for r in _reels(system, run_id)] == [second["reel_id"]]
    page = client.get(f"/runs/{run_id}")
    assert (
        "Approved: &#39;" + first["title"] in page.text
        or "Approved: '" + first["title"] in page.text
    )

    client.post(
        f"/inbox/{run_id}/decide",
        data={
            "csrf_token": page_csrf(client, "/inbox"),
            "reel_id": second["reel_id"],
            "action": "edit",
            "caption": "My own words for this one.",
            "hashtags": "mine, #ours",
        },
    )
    status = _wait(client, run_id)
    assert status["run"]["status"] == RunStatus.finished.value, (
        status["job"]["description"],
        status["job"]["state"],
        status["job"]["result_status"],
        status["job"]["error"],
        status["job"]["lines"][-3:],
    )
    assert {p["status"] for p in status["posts"]} == {PublishStatus.published.value}
    assert len(status["posts"]) == 2
    assert status["report"] is not None
    with system.sessions() as session:
        reels = {str(r.id): r for r in session.scalars(select(VideoReel))}
        post = session.scalar(select(Post).where(Post.reel_id == uuid.UUID(second["reel_id"])))
        assert session.scalar(select(WeeklyReport)) is not None
    assert reels[first["reel_id"]].approval_status == ApprovalStatus.creator_approved
    assert reels[second["reel_id"]].approval_status == ApprovalStatus.creator_approved
    assert "creator@localhost" in reels[first["reel_id"]].review_note
    assert post is not None and post.caption.startswith("My own words for this one.")
    assert post.hashtags[:2] == ["#mine", "#ours"]
    done = client.get(f"/runs/{run_id}")
    assert done.text.count('data-testid="post"') == 2 and "published" in done.text
    assert client.get("/inbox").text.count("<video") == 0


@pytest.mark.slow
def test_approve_all_and_reject(client: TestClient, system: Resources, run_id: str) -> None:
    first, _second = _reels(system, run_id)
    client.post(
        f"/inbox/{run_id}/decide",
        data={
            "csrf_token": page_csrf(client, "/inbox"),
            "reel_id": first["reel_id"],
            "action": "reject",
            "reason": "off brand",
        },
    )
    _wait(client, run_id)
    response = client.post(
        f"/inbox/{run_id}/approve-all",
        data={"csrf_token": page_csrf(client, "/inbox")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    status = _wait(client, run_id)
    assert status["run"]["status"] == "finished"
    assert len(status["posts"]) == 1
    with system.sessions() as session:
        rejected = session.get(VideoReel, uuid.UUID(first["reel_id"]))
        assert rejected is not None and rejected.approval_status == ApprovalStatus.rejected
        assert "off brand" in rejected.review_note


def test_a_reel_not_waiting_is_refused_with_a_message(client: TestClient, run_id: str) -> None:
    response = client.post(
        f"/inbox/{run_id}/decide",
        data={
            "csrf_token": page_csrf(client, "/inbox"),
            "reel_id": str(uuid.uuid4()),
            "action": "approve",
        },
    )
    assert response.status_code == 200 and response.url.path == "/inbox"
    assert "not waiting for review any more" in response.text
    assert client.app.state.web.jobs.latest_for(run_id) is None  # type: ignore[attr-defined]
    unknown = client.post(
        f"/inbox/{uuid.uuid4()}/decide",
        data={"csrf_token": page_csrf(client, "/inbox"), "reel_id": "x", "action": "approve"},
    )
    assert "No such run" in unknown.text
    bad = client.post(
        f"/inbox/{run_id}/decide",
        data={"csrf_token": page_csrf(client, "/inbox"), "reel_id": "x", "action": "publish-now"},
    )
    assert "Unknown action" in bad.text
    empty_edit = client.post(
        f"/inbox/{run_id}/decide",
        data={
            "csrf_token": page_csrf(client, "/inbox"),
            "reel_id": "x",
            "action": "edit",
            "caption": " ",
        },
    )
    assert "An edit needs a caption" in empty_edit.text


def test_missing_form_fields_show_a_message_not_a_traceback(
    client: TestClient, run_id: str
) -> None:
    response = client.post(
        f"/inbox/{run_id}/decide", data={"csrf_token": page_csrf(client, "/inbox")}
    )
    assert response.status_code == 422
    assert "Some fields are missing" in response.text and "Traceback" not in response.text


def test_a_second_decision_while_resuming_is_refused(
    client: TestClient, system: Resources, run_id: str
) -> None:
    first, second = _reels(system, run_id)
    jobs = client.app.state.web.jobs  # type: ignore[attr-defined]
    import threading

    gate = threading.Event()
    jobs.submit(
        run_id, "holding", lambda job: gate.wait(30) and "waiting_review"
    )  # occupies the run
    try:
        response = client.post(
            f"/inbox/{run_id}/decide",
            data={
                "csrf_token": page_csrf(client, "/inbox"),
                "reel_id": second["reel_id"],
                "action": "approve",
            },
        )
        assert "not waiting for review any more" in response.text
        inbox = client.get("/inbox")
        assert "This run is resuming" in inbox.text and "<video" not in inbox.text
    finally:
        gate.set()
    _wait(client, run_id)
    with system.sessions() as session:
        run = session.get(AgentRun, uuid.UUID(run_id))
        assert run is not None and run.status == RunStatus.waiting_review
    assert first["reel_id"] in {r["reel_id"] for r in _reels(system, run_id)}


def test_run_page_and_status_api(client: TestClient, run_id: str) -> None:
    page = client.get(f"/runs/{run_id}")
    assert page.status_code == 200 and "waiting review" in page.text
    assert "Review the waiting reels" in page.text
    data = client.get(f"/api/runs/{run_id}/status").json()
    assert (
        data["run"]["status"] == "waiting_review"
        and data["busy"] is False
        and len(data["reels"]) == 2
    )
    assert client.get(f"/runs/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/runs/not-a-run/status").status_code == 404
