"""Platform specifics each adapter must get right, against the fakes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.publish.conftest import SPECS, Harness
from tools.publish.base import PublishError, PublishRequest
from tools.publish.idempotency import marker_for
from tools.publish.tiktok import MB, chunk_plan
from tools.publish.youtube import YouTubeShortsPublisher, discovery_has_synthetic_media


def test_instagram_refuses_when_content_publishing_limit_is_used(make_harness, video: Path) -> None:
    h: Harness = make_harness("instagram")
    h.fake.quota_total, h.fake.quota_usage = 3, 3  # type: ignore[attr-defined]
    with pytest.raises(PublishError) as info:
        h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)
    assert info.value.code == "quota_exhausted" and "3 posts" in str(info.value)
    assert not any(line.endswith("/media") and line.startswith("POST") for line in h.fake.log)


def test_instagram_container_error_fails_with_reason(make_harness, video: Path) -> None:
    h: Harness = make_harness("instagram")
    original = h.fake.route

    def failing(req):  # mark every new container as one that will end in ERROR
        reply = original(req)
        for c in h.fake.containers.values():  # type: ignore[attr-defined]
            c["fail"] = True
        return reply

    h.fake.route = failing  # type: ignore[method-assign]
    with pytest.raises(PublishError) as info:
        h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)
    assert info.value.code == "container_error" and "2207026" in str(info.value)
    assert h.fake.posts == []


def test_instagram_uploads_exact_bytes_and_maps_insights(make_harness, video: Path) -> None:
    h: Harness = make_harness("instagram")
    result = h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)
    assert h.fake.posts[0]["data"] == video.read_bytes()
    metrics = h.publisher.fetch_metrics(
        result.platform_post_id, account=h.account, credentials=h.credentials
    )
    assert metrics == {
        "views": 1200.0,
        "likes": 80.0,
        "comments": 0.0,
        "saves": 7.0,
        "watch_time_sec": 45.0,
    }


def test_facebook_resumes_from_server_offset_after_reset(make_harness, video: Path) -> None:
    h: Harness = make_harness("facebook")
    h.fake.inject("reset", target=h.fake.upload_target)  # type: ignore[attr-defined]
    h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)
    video_state = next(iter(h.fake.videos.values()))  # type: ignore[attr-defined]
    resumed = [o for o in video_state["upload_offsets"] if o > 0]
    assert resumed and resumed[0] < len(video.read_bytes())
    assert h.fake.posts[0]["data"] == video.read_bytes()


def test_facebook_policy_block_is_permanent(make_harness, video: Path) -> None:
    h: Harness = make_harness("facebook")
    h.fake.inject("policy", target=h.fake.commit_target, skip=1)  # type: ignore[attr-defined]
    with pytest.raises(PublishError) as info:
        h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)
    assert info.value.code == "policy_blocked" and not info.value.retryable


def test_threads_refuses_without_media_host(make_harness, video: Path) -> None:
    h: Harness = make_harness("threads", media_base_url=None)
    with pytest.raises(PublishError) as info:
        h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)
    assert "media_base_url" in str(info.value) and info.value.code == "configuration"
    assert h.fake.log == []


def test_threads_uses_public_url_and_keeps_marker_under_500_chars(
    make_harness, video: Path
) -> None:
    h: Harness = make_harness("threads")
    request = h.request(video)
    request.caption = "word " * 200
    h.publisher.publish(request, account=h.account, credentials=h.credentials)
    post = h.fake.posts[0]
    assert post["video_url"] == "https://media.example.test/reels/reel-0001.mp4"
    assert len(post["text"]) <= 500 and marker_for(request.idempotency_key) in post["text"]


def test_linkedin_uploads_every_part_in_order(make_harness, video: Path) -> None:
    h: Harness = make_harness("linkedin")
    h.fake.inject("reset", target=h.fake.upload_target, skip=2)  # type: ignore[attr-defined]
    h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)
    video_state = next(iter(h.fake.videos.values()))  # type: ignore[attr-defined]
    assert len(video_state["parts"]) == 6 and video_state["data"] == video.read_bytes()


def test_tiktok_unaudited_posts_self_only_and_says_so(make_harness, video: Path) -> None:
    h: Harness = make_harness("tiktok")
    result = h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)
    assert h.fake.posts[0]["privacy"] == "SELF_ONLY"
    assert result.raw["privacy_level"] == "SELF_ONLY" and "SELF_ONLY" in str(result.raw["note"])


def test_tiktok_audited_posts_public(make_harness, video: Path) -> None:
    h: Harness = make_harness("tiktok", audited=True)
    result = h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)
    assert h.fake.posts[0]["privacy"] == "PUBLIC_TO_EVERYONE" and "note" not in result.raw


def test_tiktok_unaudited_without_self_only_option_is_refused(make_harness, video: Path) -> None:
    h: Harness = make_harness("tiktok")
    h.fake.privacy_options = ["PUBLIC_TO_EVERYONE"]  # type: ignore[attr-defined]
    with pytest.raises(PublishError, match="unaudited"):
        h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)


def test_tiktok_chunk_plan_follows_media_transfer_rules() -> None:
    assert chunk_plan(3 * MB, 10 * MB) == (3 * MB, 1)
    assert chunk_plan(11 * MB, 5 * MB) == (5 * MB, 2)  # last chunk carries the 6 MB remainder
    assert chunk_plan(200 * MB, 100 * MB) == (64 * MB, 3)
    assert chunk_plan(20 * MB, 1 * MB) == (5 * MB, 4)


def test_tiktok_chunked_upload_resumes_from_uploaded_bytes(make_harness, tmp_path: Path) -> None:
    big = tmp_path / "big.mp4"
    big.write_bytes(bytes(range(256)) * (11 * MB // 256))
    h: Harness = make_harness("tiktok", chunk_size=5 * MB)
    h.fake.inject("reset", target=h.fake.upload_target, skip=1)  # type: ignore[attr-defined]
    h.publisher.publish(h.request(big), account=h.account, credentials=h.credentials)
    ranges = h.fake.put_ranges  # type: ignore[attr-defined]
    assert ranges == [f"0-{5 * MB - 1}/{11 * MB}", f"{5 * MB}-{11 * MB - 1}/{11 * MB}"]
    assert h.fake.posts[0]["data"] == big.read_bytes()


def test_youtube_metadata_marks_shorts_and_kids_flag(tmp_path: Path, video: Path) -> None:
    pub = YouTubeShortsPublisher(privacy_status="private", synthetic_media_field=True)
    request = PublishRequest(
        media_path=video,
        caption="Three habits",
        hashtags=["#morning", "habits"],
        idempotency_key="k1",
    )
    body = pub.metadata(request)
    assert "#Shorts" in body["snippet"]["description"]
    assert body["snippet"]["tags"] == ["morning", "habits"]
    assert body["status"] == {
        "privacyStatus": "private",
        "selfDeclaredMadeForKids": False,
        "containsSyntheticMedia": True,
    }


@pytest.mark.skipif(not (SPECS / "youtube.v3.json").exists(), reason="shared specs not present")
def test_youtube_synthetic_field_follows_discovery_doc(make_harness, video: Path) -> None:
    doc = SPECS / "youtube.v3.json"
    h: Harness = make_harness("youtube_shorts", discovery_path=doc)
    result = h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)
    sent = h.fake.sessions["S1"]["meta"]["status"]  # type: ignore[attr-defined]
    assert ("containsSyntheticMedia" in sent) == discovery_has_synthetic_media(doc)
    if "containsSyntheticMedia" not in sent:
        assert "containsSyntheticMedia" in str(result.raw["note"])


def test_youtube_reset_resumes_and_never_restarts_from_zero(make_harness, video: Path) -> None:
    h: Harness = make_harness("youtube_shorts")
    h.fake.inject("reset", target=h.fake.upload_target, skip=1)  # type: ignore[attr-defined]
    h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)
    starts = h.fake.put_starts  # type: ignore[attr-defined]
    assert starts.count(0) == 1 and starts == sorted(starts)
    assert any(s % (256 * 1024) for s in starts), "resumed mid-chunk from the server's Range"
    assert h.fake.posts[0]["data"] == video.read_bytes()


def test_youtube_quota_waits_until_pacific_midnight(make_harness, video: Path) -> None:
    from tools.publish.errors import seconds_until_pacific_midnight

    now = datetime(2025, 3, 10, 22, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert seconds_until_pacific_midnight(now) == 90 * 60
    h: Harness = make_harness("youtube_shorts")
    h.fake.exhaust_quota()  # type: ignore[attr-defined]
    with pytest.raises(PublishError) as info:
        h.publisher.publish(h.request(video), account=h.account, credentials=h.credentials)
    assert info.value.code == "quota_exhausted" and 0 < (info.value.retry_after or 0) <= 86400
    assert h.sleeps == []


def test_youtube_analytics_without_rows_gives_no_metrics(make_harness) -> None:
    h: Harness = make_harness("youtube_shorts")
    assert h.publisher.fetch_metrics("nodata1", account=h.account, credentials=h.credentials) == {}
    metrics = h.publisher.fetch_metrics("yt1", account=h.account, credentials=h.credentials)
    assert metrics == {
        "views": 1500.0,
        "likes": 90.0,
        "comments": 4.0,
        "shares": 6.0,
        "watch_time_sec": 1200.0,
    }
