"""One contract suite for every adapter, under every fault the fakes can inject."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tests.publish.conftest import SLOW_DELAY, Harness
from tools.publish.base import (
    METRIC_KEYS,
    Credentials,
    Publisher,
    PublishError,
    PublishRequest,
    PublishResult,
)
from tools.publish.idempotency import marker_for

PLATFORMS = ["instagram", "facebook", "threads", "linkedin", "tiktok", "youtube_shorts"]
SUCCEEDS = ["none", "rate_limit", "server_error", "reset", "expired_token", "client_timeout"]
FAILS = ["quota", "duplicate"]


def drive(pub: Publisher, request: PublishRequest, h: Harness) -> tuple[PublishResult, Credentials]:
    """What the orchestrator does: publish; on auth_expired refresh once and publish again."""
    creds = h.credentials
    for _ in range(2):
        try:
            return pub.publish(request, account=h.account, credentials=creds), creds
        except PublishError as exc:
            if not exc.auth_expired:
                raise
            creds = pub.refresh_token(creds)
    raise AssertionError("token refresh did not help")


def inject(h: Harness, fault: str) -> None:
    fake = h.fake
    target_upload = getattr(fake, "upload_target", ".*")
    target_commit = getattr(fake, "commit_target", ".*")
    if fault == "rate_limit":
        fake.inject("rate_limit", target=target_commit, skip=h.commit_skip)
    elif fault == "server_error":
        fake.inject("server_error", target=target_upload)
    elif fault == "reset":
        fake.inject("reset", target=target_upload)
    elif fault == "expired_token":
        fake.inject("expired_token", target=".*")
    elif fault == "client_timeout":
        fake.inject("slow", target=target_commit, skip=h.commit_skip, delay=SLOW_DELAY)
    elif fault == "quota":
        fake.exhaust_quota()  # type: ignore[attr-defined]
    elif fault == "duplicate":
        if not hasattr(fake, "make_duplicate"):
            pytest.skip(f"{h.name} documents no duplicate-post error")
        fake.make_duplicate()


def assert_no_secrets(h: Harness, *texts: str) -> None:
    for text in texts:
        for secret in h.secrets:
            assert secret not in text, f"secret leaked into: {text[:200]}"


@pytest.mark.parametrize("fault", SUCCEEDS + FAILS)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_exactly_one_post_or_clear_error(
    platform: str, fault: str, make_harness, video: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    h: Harness = make_harness(platform)
    inject(h, fault)
    request = h.request(video)
    marker = marker_for(request.idempotency_key)
    if fault in FAILS:
        with pytest.raises(PublishError) as info:
            drive(h.publisher, request, h)
        err = info.value
        assert len(h.fake.posts_with(marker)) == 0
        if fault == "quota":
            assert err.retryable and err.retry_after and err.retry_after > 0
        else:
            assert not err.retryable and err.code == "duplicate"
        assert (str(err) and h.name.split("_")[0][:4].lower() in str(err).lower()) or "meta" in str(
            err
        ).lower()
        assert_no_secrets(h, str(err), caplog.text)
        return
    result, creds = drive(h.publisher, request, h)
    posts = h.fake.posts_with(marker)
    assert len(posts) == 1, f"{len(posts)} posts for one key under {fault}"
    assert posts[0]["data"] == video.read_bytes() if "data" in posts[0] else True
    assert result.platform_post_id == str(posts[0]["id"])
    assert result.raw.get("marker") == marker
    assert (
        fault in h.fake.fired
        or fault == "none"
        or (fault == "client_timeout" and "slow" in h.fake.fired)
    )
    if fault == "expired_token":
        assert creds.access_token != h.credentials.access_token
    if fault == "rate_limit":
        assert any(s >= 2 for s in h.sleeps), "Retry-After was not honoured"
    assert_no_secrets(h, json.dumps(result.raw, default=str), caplog.text)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_find_existing_adopts_post_after_client_timeout(
    platform: str, make_harness, video: Path
) -> None:
    h: Harness = make_harness(platform)
    request = h.request(video, key="timeout-key")
    assert h.publisher.find_existing(request, account=h.account, credentials=h.credentials) is None
    h.fake.inject("slow", target=h.fake.commit_target, skip=h.commit_skip, delay=SLOW_DELAY)  # type: ignore[attr-defined]
    result = h.publisher.publish(request, account=h.account, credentials=h.credentials)
    assert "slow" in h.fake.fired
    found = h.publisher.find_existing(request, account=h.account, credentials=h.credentials)
    assert found is not None and found.platform_post_id == result.platform_post_id
    other = h.request(video, key="another-key")
    assert h.publisher.find_existing(other, account=h.account, credentials=h.credentials) is None


@pytest.mark.parametrize("platform", PLATFORMS)
def test_metrics_are_known_keys_and_absent_not_zero(
    platform: str, make_harness, video: Path
) -> None:
    h: Harness = make_harness(platform)
    result = h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)
    metrics = h.publisher.fetch_metrics(
        result.platform_post_id, account=h.account, credentials=h.credentials
    )
    assert metrics, "the fake reports some metrics"
    assert set(metrics) <= set(METRIC_KEYS)
    assert all(isinstance(v, float) for v in metrics.values())
    # Every fake leaves out at least one metric; it must be missing, not 0.
    assert set(METRIC_KEYS) - set(metrics)
    assert "impressions" not in metrics and "ctr" not in metrics


@pytest.mark.parametrize("platform", PLATFORMS)
def test_refresh_token_returns_new_credentials(
    platform: str, make_harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    h: Harness = make_harness(platform)
    fresh = h.publisher.refresh_token(h.credentials)
    assert fresh.access_token != h.credentials.access_token
    assert fresh.access_token in h.fake.issued_tokens
    assert fresh.expires_at is not None
    assert fresh.refresh_token == h.credentials.refresh_token
    assert_no_secrets(
        h, caplog.text, repr(fresh.model_dump(exclude={"access_token", "refresh_token"}))
    )


@pytest.mark.parametrize("platform", PLATFORMS)
def test_status_and_limits(platform: str, make_harness, video: Path) -> None:
    h: Harness = make_harness(platform)
    result = h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)
    state = h.publisher.status(
        result.platform_post_id, account=h.account, credentials=h.credentials
    )
    assert state.platform_post_id == result.platform_post_id
    assert state.state in ("published", "processing")
    limits = h.publisher.limits(account=h.account, credentials=h.credentials)
    if platform in ("instagram", "threads"):
        assert limits.limit == h.fake.quota_total and limits.remaining == h.fake.quota_total - 1  # type: ignore[attr-defined]
    if platform == "facebook":
        assert limits.limit == 30 and limits.remaining == 29
