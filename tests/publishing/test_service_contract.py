"""One contract suite: every adapter and the sandbox, through PublishService and a real database.

Under every fault: exactly one post exists on the platform per (reel, account), or the post ends
failed (or waiting with a next-attempt time) with a clear reason; refreshed tokens are stored
encrypted; no secret appears in any log line or database row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from agent.publishing.tokens import credentials_of
from db.enums import IntegrationStatus, NotificationType, PublishStatus, TaskStatus
from db.models import IntegrationKey, Notification, PlatformRateLimit, SocialAccount
from tests.publishing.conftest import SLOW_DELAY, World
from tools.publish.base import Publisher

PLATFORMS = ["instagram", "facebook", "threads", "linkedin", "tiktok", "youtube_shorts"]
ALL = [*PLATFORMS, "sandbox"]


def assert_clean(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """No secret in any database row or log line."""
    rows = world.dump_database()
    for secret in world.secrets():
        assert secret not in rows, f"secret stored in plaintext ({secret[:6]}...)"
        assert secret not in caplog.text, f"secret logged ({secret[:6]}...)"


def publish_until_settled(world: World, rounds: int = 4, first: Any = None) -> Any:
    """Call publish as the loop would, moving the clock to each next attempt."""
    service = world.service()
    outcome = first or service.publish(world.post_id)
    for _ in range(rounds):
        if outcome.next_attempt_at is None or outcome.status == PublishStatus.published:
            break
        world.clock.reach(outcome.next_attempt_at + timedelta(seconds=1))
        outcome = service.publish(world.post_id)
    return outcome


class Dies(BaseException):
    """Stands for the process being killed: not an Exception, so nothing catches it."""


def dying(publisher: Publisher, *, after_call: bool) -> Publisher:
    """A publisher whose process dies just before, or right after, the platform call."""

    class Dying:
        platform = publisher.platform

        def __getattr__(self, name: str) -> Any:
            return getattr(publisher, name)

        def publish(self, request: Any, **kw: Any) -> Any:
            if after_call:
                publisher.publish(request, **kw)
            raise Dies()

    return Dying()  # type: ignore[return-value]


@pytest.mark.parametrize("platform", ALL)
def test_publishes_once_and_second_publish_returns_first_result(
    platform: str, make_world: Callable[..., World], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world = make_world(platform)
    first = publish_until_settled(world)  # YouTube answers "uploaded": a later check confirms it
    assert first.status == PublishStatus.published, first.message
    assert len(world.marker_posts()) == 1
    calls = len(world.fake.log) if world.fake else 0
    again = world.service().publish(world.post_id)
    assert again.status == PublishStatus.published
    assert (again.url, again.platform_post_id) == (first.url, first.platform_post_id)
    assert (len(world.fake.log) if world.fake else 0) == calls, "a published post made calls"
    tasks = world.tasks()
    assert {t.status for t in tasks} == {TaskStatus.succeeded}
    assert [t.response_json["mode"] for t in tasks][1:] in ([], ["confirm"])
    assert tasks[-1].response_json["platform_post_id"] == first.platform_post_id
    assert world.post().published_at is not None
    assert_clean(world, caplog)


@pytest.mark.parametrize("fault", ["server_error", "reset", "client_timeout"])
@pytest.mark.parametrize("platform", PLATFORMS)
def test_transient_faults_still_publish_exactly_once(
    platform: str, fault: str, make_world: Callable[..., World], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world = make_world(platform)
    fake = world.fake
    assert fake is not None
    if fault == "client_timeout":  # the platform creates the post, the client never hears back
        fake.inject("slow", target=fake.commit_target, skip=world.commit_skip, delay=SLOW_DELAY)  # type: ignore[attr-defined]
    else:
        fake.inject(fault, target=fake.upload_target)  # type: ignore[attr-defined]
    outcome = publish_until_settled(world)
    assert outcome.status == PublishStatus.published, outcome.message
    assert ("slow" if fault == "client_timeout" else fault) in fake.fired
    posts = world.marker_posts()
    assert len(posts) == 1
    if "data" in posts[0]:
        assert posts[0]["data"] == world.video.read_bytes()
    assert_clean(world, caplog)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_rate_limit_waits_for_retry_after_and_persists_state(
    platform: str, make_world: Callable[..., World], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world = make_world(platform)
    fake = world.fake
    assert fake is not None
    fake.inject("rate_limit", target=fake.commit_target, skip=world.commit_skip)  # type: ignore[attr-defined]
    service = world.service()
    first = service.publish(world.post_id)
    assert first.status == PublishStatus.scheduled, first.message
    assert first.next_attempt_at is not None
    wait = (first.next_attempt_at - world.clock.now()).total_seconds()
    assert 2 <= wait <= 3.5, f"Retry-After not honoured: {wait}"
    with world.system.sessions() as session:
        row = session.scalar(
            select(PlatformRateLimit).where(PlatformRateLimit.account_id == world.account_id)
        )
        assert row is not None and row.remaining == 0 and row.reset_at == first.next_attempt_at
    calls = len(fake.log)
    early = world.service().publish(world.post_id)  # another process, before the reset
    assert early.status == PublishStatus.scheduled and len(fake.log) == calls
    world.clock.reach(first.next_attempt_at + timedelta(seconds=1))
    done = publish_until_settled(world)
    assert done.status == PublishStatus.published, done.message
    assert len(world.marker_posts()) == 1
    assert [t.status for t in world.tasks()][:2] == [TaskStatus.failed, TaskStatus.succeeded]
    assert_clean(world, caplog)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_quota_exhausted_waits_for_the_reset(
    platform: str, make_world: Callable[..., World], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world = make_world(platform)
    assert world.fake is not None
    world.fake.exhaust_quota()  # type: ignore[attr-defined]
    outcome = world.service().publish(world.post_id)
    assert outcome.status == PublishStatus.scheduled, outcome.message
    assert outcome.next_attempt_at is not None and outcome.next_attempt_at > world.clock.now()
    post = world.post()
    assert post.error_json and post.error_json["code"] in ("quota_exhausted", "rate_limited")
    assert world.marker_posts() == []
    if platform == "youtube_shorts":  # waits for the quota reset at midnight Pacific time
        local = outcome.next_attempt_at.astimezone(ZoneInfo("America/Los_Angeles"))
        assert (local.hour, local.minute) == (0, 0)
    calls = len(world.fake.log)
    assert world.service().publish(world.post_id).status == PublishStatus.scheduled
    assert len(world.fake.log) == calls, "the waiting post was sent again before the reset"
    assert_clean(world, caplog)


@pytest.mark.parametrize("platform", [p for p in PLATFORMS if p != "tiktok"])
def test_duplicate_fails_at_once_with_reason(
    platform: str, make_world: Callable[..., World], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world = make_world(platform)
    world.fake.make_duplicate()  # type: ignore[union-attr]
    outcome = world.service().publish(world.post_id)
    assert outcome.status == PublishStatus.failed
    assert "duplicate" in outcome.message.lower()
    assert world.post().error_json["code"] == "duplicate"  # type: ignore[index]
    assert world.marker_posts() == []
    assert len(world.tasks()) == 1
    with world.system.sessions() as session:
        note = session.scalar(
            select(Notification).where(Notification.type == NotificationType.publish_failed)
        )
        assert note is not None and "duplicate" in note.payload_json["message"].lower()
    assert_clean(world, caplog)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_expired_token_is_refreshed_once_and_stored_encrypted(
    platform: str, make_world: Callable[..., World], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world = make_world(platform)
    assert world.fake is not None
    world.fake.inject("expired_token", target=".*")
    outcome = publish_until_settled(world)
    assert outcome.status == PublishStatus.published, outcome.message
    assert len(world.marker_posts()) == 1
    with world.system.sessions() as session:
        account = session.get(SocialAccount, world.account_id)
        key = session.get(IntegrationKey, account.integration_id)  # type: ignore[union-attr]
        assert key is not None and key.status == IntegrationStatus.connected
        stored = credentials_of(key, world.system.cipher())
        assert stored.access_token in world.fake.issued_tokens
        assert stored.refresh_token == "rt-secretREFRESH0123456789", (
            "refresh lost the refresh token"
        )
        assert stored.access_token not in key.access_token, "token stored in plaintext"
    assert_clean(world, caplog)


@pytest.mark.parametrize("platform", ["linkedin", "tiktok", "youtube_shorts"])
def test_dead_refresh_token_marks_key_expired_and_never_loops(
    platform: str, make_world: Callable[..., World], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world = make_world(platform)
    fake = world.fake
    assert fake is not None
    fake.valid_tokens.clear()  # every access token is rejected ...
    fake.route = _refusing_token_endpoint(fake.route)  # type: ignore[method-assign]  # ... and refresh too
    outcome = world.service().publish(world.post_id)
    assert outcome.status == PublishStatus.failed
    assert "reconnect" in outcome.message
    token_calls = [line for line in fake.log if "token" in line.lower()]
    assert len(token_calls) == 1, f"refresh tried {len(token_calls)} times"
    calls = len(fake.log)
    again = world.service().publish(world.post_id)
    assert again.status == PublishStatus.failed and len(fake.log) == calls
    with world.system.sessions() as session:
        key = session.scalar(select(IntegrationKey).where(IntegrationKey.platform == platform))
        assert key is not None and key.status == IntegrationStatus.expired
        note = session.scalar(
            select(Notification).where(Notification.type == NotificationType.account_expired)
        )
        assert note is not None and "reconnect" in note.payload_json["message"]
    assert world.marker_posts() == []
    assert_clean(world, caplog)


def _refusing_token_endpoint(route: Callable[..., Any]) -> Callable[..., Any]:
    from tests.publish.fakes.base import Reply

    def refuse(req: Any) -> Any:
        if "token" in req.path.lower():
            return Reply(400, {"error": "invalid_grant", "error_description": "revoked"})
        return route(req)

    return refuse


@pytest.mark.parametrize("after_call", [True, False], ids=["died-after-call", "died-before-call"])
@pytest.mark.parametrize("platform", ALL)
def test_process_dies_mid_publish_then_new_service_adopts_or_publishes(
    platform: str,
    after_call: bool,
    make_world: Callable[..., World],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    world = make_world(platform)
    with pytest.raises(Dies):
        world.service(dying(world.publisher, after_call=after_call)).publish(world.post_id)
    assert [t.status for t in world.tasks()] == [TaskStatus.in_progress]
    assert world.post().publish_status == PublishStatus.publishing
    held = world.service().publish(world.post_id)  # the dead worker's lease has not run out
    assert held.status == PublishStatus.publishing and "is publishing" in held.message
    world.backdate_tasks(3600)
    outcome = world.service().publish(world.post_id)
    assert outcome.adopted is after_call
    outcome = publish_until_settled(world, first=outcome)
    assert outcome.status == PublishStatus.published, outcome.message
    assert len(world.marker_posts()) == 1
    statuses = [t.status for t in world.tasks()]
    assert statuses[:2] == [TaskStatus.unconfirmed, TaskStatus.succeeded]
    assert_clean(world, caplog)


@pytest.mark.parametrize("platform", ["youtube_shorts", "instagram", "sandbox"])
def test_core_contract_on_sqlite_and_postgres(
    platform: str, db_url: str, make_world: Callable[..., World], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world = make_world(platform, db_url=db_url)
    with pytest.raises(Dies):
        world.service(dying(world.publisher, after_call=True)).publish(world.post_id)
    world.backdate_tasks(3600)
    if world.fake is not None:
        world.fake.inject("expired_token", target=".*")
    outcome = world.service().publish(world.post_id)
    assert outcome.status == PublishStatus.published and outcome.adopted, outcome.message
    assert len(world.marker_posts()) == 1
    assert world.service().publish(world.post_id).url == outcome.url
    assert_clean(world, caplog)


def test_attempt_of_a_dead_process_on_this_host_is_taken_over_at_once(
    make_world: Callable[..., World],
) -> None:
    import subprocess
    import sys

    from agent.publishing.service import worker_is_gone

    world = make_world("sandbox")
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    host = __import__("socket").gethostname()
    dead = f"{host}:{gone.stdout.strip()}:abc123"
    assert worker_is_gone(dead) and not worker_is_gone(f"{host}:{__import__('os').getpid()}:x")
    assert not worker_is_gone(
        f"elsewhere:{gone.stdout.strip()}:abc123"
    )  # other hosts wait for the lease
    with pytest.raises(Dies):
        world.service(dying(world.publisher, after_call=True), worker=dead).publish(world.post_id)
    outcome = world.service().publish(world.post_id)  # no lease wait: that process is gone
    assert outcome.status == PublishStatus.published and outcome.adopted
    assert len(world.marker_posts()) == 1
