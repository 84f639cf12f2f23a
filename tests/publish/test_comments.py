"""Comment reading and replies on every platform that has them, against local fakes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.publish.conftest import SLOW_DELAY, SPECS, Harness
from tests.publish.fakes.comments import T0, CommentStore
from tools.publish.base import Publisher, PublishError
from tools.publish.comments import Comment, CommentsCapable
from tools.publish.tiktok import TikTokPublisher

PLATFORMS = ["instagram", "facebook", "threads", "youtube_shorts", "linkedin"]
POSTS = {
    "instagram": "9001",
    "facebook": "5001",
    "threads": "7001",
    "youtube_shorts": "yt000000001",
    "linkedin": "urn:li:share:111",
}
REPLY_POST = {
    "instagram": r"POST /v21\.0/\d+/replies$",
    "facebook": r"POST /v21\.0/[\d_]+/comments$",
    "threads": r"POST /v1\.0/\d+/threads_publish$",
    "youtube_shorts": r"POST /youtube/v3/comments$",
    "linkedin": r"POST /rest/socialActions/.+/comments$",
}
ONE_LEVEL = {"instagram", "youtube_shorts", "linkedin"}  # a reply to a reply joins the thread


def ids(platform: str) -> list[str]:
    """Three top-level comment ids and one reply id, shaped like the platform's."""
    if platform == "facebook":
        return ["5001_1", "5001_2", "5001_3", "5001_4"]
    if platform == "youtube_shorts":
        return ["Ugx001", "Ugx002", "Ugx003", "Ugx001.r1"]
    if platform == "linkedin":
        return [f"urn:li:comment:(urn:li:activity:111,{n})" for n in (1, 2, 3, 4)]
    base = "178" if platform == "instagram" else "18"
    return [f"{base}0000000{n}" for n in (1, 2, 3, 4)]


def seed(h: Harness) -> list[str]:
    """A question, praise and a remark on the post, and a reader's reply to the question."""
    store: CommentStore = h.fake.comments  # type: ignore[attr-defined]
    post = POSTS[h.name]
    first, second, third, reply = ids(h.name)
    store.add(first, post, "How do I turn passkeys on for my whole team?", author="maya")
    store.add(second, post, "Great video!", author="devon")
    store.add(third, post, "We switched last month and support tickets dropped.", author="sam")
    store.add(reply, post, "Same question here", author="lina", parent_id=first)
    return [first, second, third, reply]


def fetch(h: Harness, **kw: object) -> list[Comment]:
    assert isinstance(h.publisher, CommentsCapable)
    return h.publisher.fetch_comments(
        POSTS[h.name],
        account=h.account,
        credentials=h.credentials,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("platform", PLATFORMS)
def test_fetch_reads_every_comment_and_reply_across_pages(platform: str, make_harness) -> None:
    h: Harness = make_harness(platform)
    first, _second, _third, reply = seed(h)
    found = {c.comment_id: c for c in fetch(h)}
    assert set(found) == set(ids(platform))
    assert found[first].text == "How do I turn passkeys on for my whole team?"
    assert found[first].author.lstrip("@") in ("maya", "urn:li:person:reader", "u-reader")
    assert found[first].parent_id is None and found[first].created_at == T0
    assert found[reply].parent_id == first
    assert not any(c.by_account for c in found.values())


@pytest.mark.parametrize("platform", PLATFORMS)
def test_since_drops_older_comments(platform: str, make_harness) -> None:
    h: Harness = make_harness(platform)
    seed(h)
    kept = fetch(h, since=T0 + timedelta(minutes=15))
    assert [c.comment_id for c in kept] == ids(platform)[2:]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_reply_posts_once_and_again_adopts_it(platform: str, make_harness) -> None:
    h: Harness = make_harness(platform)
    first = seed(h)[0]
    comment = next(c for c in fetch(h) if c.comment_id == first)
    pub = h.publisher
    assert isinstance(pub, CommentsCapable)
    text = "Turn it on in the admin console, then ask each person to add one passkey."
    done = pub.reply(
        comment, text, account=h.account, credentials=h.credentials, idempotency_key="k1"
    )
    again = pub.reply(
        comment, text, account=h.account, credentials=h.credentials, idempotency_key="k1"
    )
    own = h.fake.comments.own_replies()  # type: ignore[attr-defined]
    assert [(r.text, r.parent_id) for r in own] == [(text, first)]
    assert done.reply_id == own[0].id and not done.adopted
    assert again.reply_id == done.reply_id and again.adopted
    mine = [c for c in fetch(h) if c.by_account]
    assert [c.comment_id for c in mine] == [done.reply_id]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_reply_that_times_out_is_found_not_posted_twice(platform: str, make_harness) -> None:
    h: Harness = make_harness(platform)
    first = seed(h)[0]
    comment = next(c for c in fetch(h) if c.comment_id == first)
    h.fake.inject("slow", target=REPLY_POST[platform], delay=SLOW_DELAY)
    pub = h.publisher
    assert isinstance(pub, CommentsCapable)
    result = pub.reply(
        comment,
        "Admin console first.",
        account=h.account,
        credentials=h.credentials,
        idempotency_key="k2",
    )
    own = h.fake.comments.own_replies()  # type: ignore[attr-defined]
    assert len(own) == 1 and result.reply_id == own[0].id and result.adopted
    assert "slow" in h.fake.fired


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_reply_to_a_reply_lands_where_the_platform_threads_it(
    platform: str, make_harness
) -> None:
    h: Harness = make_harness(platform)
    first, *_, reply_id = seed(h)
    nested = next(c for c in fetch(h) if c.comment_id == reply_id)
    pub = h.publisher
    assert isinstance(pub, CommentsCapable)
    pub.reply(
        nested,
        "Same answer: admin console.",
        account=h.account,
        credentials=h.credentials,
        idempotency_key="k3",
    )
    (own,) = h.fake.comments.own_replies()  # type: ignore[attr-defined]
    assert own.parent_id == (first if platform in ONE_LEVEL else reply_id)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_failing_listing_is_retried(platform: str, make_harness) -> None:
    h: Harness = make_harness(platform)
    seed(h)
    h.fake.inject("server_error", target=r"^GET ")
    assert len(fetch(h)) == 4
    assert h.sleeps, "the server error was retried after a backoff"


def test_threads_refuses_a_reply_when_the_reply_quota_is_used(make_harness) -> None:
    h: Harness = make_harness("threads")
    first = seed(h)[0]
    comment = next(c for c in fetch(h) if c.comment_id == first)
    h.fake.comments.replies_posted = 1000  # type: ignore[attr-defined]
    with pytest.raises(PublishError) as info:
        h.publisher.reply(  # type: ignore[attr-defined]
            comment, "hi", account=h.account, credentials=h.credentials, idempotency_key="k4"
        )
    assert info.value.code == "quota_exhausted" and info.value.retryable
    assert not any(line.endswith("/threads_publish") for line in h.fake.log)


def test_youtube_reply_uses_the_discovery_documents_fields(make_harness) -> None:
    doc = json.loads((SPECS / "youtube.v3.json").read_text())
    insert = doc["resources"]["comments"]["methods"]["insert"]
    assert insert["httpMethod"] == "POST" and insert["path"] == "youtube/v3/comments"
    assert {"parentId", "textOriginal"} <= set(doc["schemas"]["CommentSnippet"]["properties"])
    listing = doc["resources"]["commentThreads"]["methods"]["list"]["parameters"]
    assert {"videoId", "part", "pageToken", "textFormat"} <= set(listing)
    h: Harness = make_harness("youtube_shorts")
    first = seed(h)[0]
    h.fake.comments.add("Ugx001.r2", POSTS[h.name], "Me too", parent_id=first)  # type: ignore[attr-defined]
    listed = fetch(h)  # the thread shows one of its two replies; comments.list brings the other
    assert {"Ugx001.r1", "Ugx001.r2"} <= {c.comment_id for c in listed}
    assert any(line == "GET /youtube/v3/comments" for line in h.fake.log)
    comment = next(c for c in listed if c.comment_id == first)
    h.publisher.reply(  # type: ignore[attr-defined]
        comment,
        "Admin console.",
        account=h.account,
        credentials=h.credentials,
        idempotency_key="k5",
    )
    assert "POST /youtube/v3/comments" in h.fake.log
    assert [r.text for r in h.fake.comments.own_replies()] == ["Admin console."]  # type: ignore[attr-defined]


def test_tiktok_has_no_comment_api_and_publisher_is_unchanged() -> None:
    assert not isinstance(TikTokPublisher(), CommentsCapable)
    assert not hasattr(Publisher, "fetch_comments") and not hasattr(Publisher, "reply")
