"""Replies to comments in the web inbox: shown quoted, approved (posted once) or rejected."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from agent.app.resources import Resources
from agent.app.wiring import Wiring
from agent.cli.serve_cmds import set_password
from agent.web import create_app
from db.enums import EngagementStatus
from db.repo import engagement as repo
from tests.engagement.conftest import World, build_world
from tests.web.conftest import EMAIL, PASSWORD, page_csrf, sign_in


@pytest.fixture
def synced(tmp_path: Path) -> Iterator[World]:
    """Sandbox posts three days old with comments synced into pending replies."""
    world = build_world(tmp_path / "data", start=datetime.now(UTC) - timedelta(days=3, hours=8))
    world.clock.reach(datetime.now(UTC))
    set_password(world.system, EMAIL, PASSWORD)
    assert world.sync().drafted >= 2
    yield world
    world.system.dispose()


@pytest.fixture
def client(synced: World) -> Iterator[TestClient]:
    publishers = synced.publisher_for()
    app = create_app(synced.system, wiring=Wiring(publishers=lambda clock: publishers))
    with TestClient(app) as c:
        assert sign_in(c).status_code == 303
        yield c


def pending(system: Resources) -> list[tuple[str, str, str]]:
    with system.sessions() as session:
        rows = repo.list_actions(session=session, statuses=[EngagementStatus.pending])
        return [(str(r.id), r.target_text, r.draft_text or "") for r in rows]


def sandbox_replies(world: World) -> list[dict[str, str]]:
    folder = world.sandbox.root / "sandbox-1" / "replies"
    return [json.loads(p.read_text()) for p in folder.glob("*.json")] if folder.is_dir() else []


def wait_jobs(client: TestClient) -> None:
    jobs = client.app.state.web.jobs  # type: ignore[attr-defined]
    for job in list(jobs._jobs.values()):
        jobs.wait(job.id, timeout=60)


def test_the_inbox_shows_each_pending_reply_under_its_comment(
    client: TestClient, synced: World
) -> None:
    page = client.get("/inbox")
    assert page.status_code == 200 and 'data-testid="replies"' in page.text
    rows = pending(synced.system)
    assert page.text.count('data-testid="reply"') == len(rows)
    for action_id, comment, draft in rows:
        assert f'data-action="{action_id}"' in page.text
        assert str(escape(comment)) in page.text and str(escape(draft)) in page.text
    replies_page = client.get("/inbox/replies")
    assert replies_page.status_code == 200 and replies_page.text.count(
        'data-testid="reply"'
    ) == len(rows)


def test_approve_posts_the_reply_once_and_reject_keeps_it_off(
    client: TestClient, synced: World
) -> None:
    (first, _c1, draft), (second, _c2, _d2), *_ = pending(synced.system)
    token = page_csrf(client, "/inbox/replies")
    response = client.post(
        f"/inbox/replies/{first}/approve", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/inbox/replies"
    wait_jobs(client)
    assert [r["text"] for r in sandbox_replies(synced)] == [draft]
    client.post(f"/inbox/replies/{first}/approve", data={"csrf_token": token})
    wait_jobs(client)
    assert len(sandbox_replies(synced)) == 1, "a second approval posts nothing"
    response = client.post(
        f"/inbox/replies/{second}/reject",
        data={"csrf_token": token, "reason": "not my voice"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    statuses = {a.id.hex: a.status for a in synced.actions()}
    assert statuses[first.replace("-", "")] == EngagementStatus.completed
    assert statuses[second.replace("-", "")] == EngagementStatus.rejected
    page = client.get("/inbox/replies")
    assert f'data-action="{first}"' not in page.text and f'data-action="{second}"' not in page.text
    assert (
        "completed" in page.text and draft.split(" ", 1)[1][:20].replace("'", "&#39;") in page.text
    )


def test_approving_needs_the_csrf_token_and_a_signed_in_user(
    client: TestClient, synced: World
) -> None:
    action_id = pending(synced.system)[0][0]
    assert client.post(f"/inbox/replies/{action_id}/approve", data={}).status_code == 403
    with TestClient(create_app(synced.system)) as anon:
        response = anon.post(f"/inbox/replies/{action_id}/approve", data={}, follow_redirects=False)
        assert response.status_code in (303, 401, 403)
    wait_jobs(client)
    assert sandbox_replies(synced) == []


def test_approve_all_posts_every_pending_reply(client: TestClient, synced: World) -> None:
    count = len(pending(synced.system))
    token = page_csrf(client, "/inbox")
    client.post("/inbox/replies/approve-all", data={"csrf_token": token})
    wait_jobs(client)
    assert len(sandbox_replies(synced)) == count and pending(synced.system) == []
