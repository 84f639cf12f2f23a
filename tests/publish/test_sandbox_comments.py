"""The sandbox audience's comments and the replies recorded in the sandbox folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.engagement.triage import triage_comment
from tools.publish.base import AccountRef, Credentials, PublishError, PublishRequest
from tools.publish.comments import CommentsCapable
from tools.publish.sandbox import SandboxPublisher

START = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
ACCOUNT = AccountRef(account_id="a", platform="sandbox", handle="@twin", external_id="twin")
CREDS = Credentials(access_token="local")
TOPICS = ["Passkeys for small teams", "Phishing tests", "AI agents", "Deep work", "Newsletters"]


def publish(root: Path, clock: list[datetime], index: int) -> tuple[SandboxPublisher, str]:
    pub = SandboxPublisher(root=root, clock=lambda: clock[0])
    video = root / f"v{index}.mp4"
    video.parent.mkdir(parents=True, exist_ok=True)
    video.write_bytes(b"x")
    request = PublishRequest(
        media_path=video,
        caption="c",
        idempotency_key=f"post-{index}",
        meta={"topic": TOPICS[index], "pillar": "education", "tone": "educational"},
    )
    return pub, pub.publish(request, account=ACCOUNT, credentials=CREDS).platform_post_id


def test_comments_are_deterministic_per_post_and_match_the_metric(tmp_path: Path) -> None:
    clock = [START]
    pub, post = publish(tmp_path / "a", clock, 0)
    clock[0] = START + timedelta(days=5)
    first = pub.fetch_comments(post, account=ACCOUNT, credentials=CREDS)
    again = SandboxPublisher(root=tmp_path / "a", clock=lambda: clock[0]).fetch_comments(
        post, account=ACCOUNT, credentials=CREDS
    )
    assert [(c.comment_id, c.text, c.author) for c in first] == [
        (c.comment_id, c.text, c.author) for c in again
    ]
    metric = pub.fetch_metrics(post, account=ACCOUNT, credentials=CREDS)["comments"]
    assert 0 < len(first) == min(12, metric)
    assert "passkeys for small teams" in first[0].text.lower() and first[0].text.endswith("?")


def test_comments_appear_as_the_post_ages(tmp_path: Path) -> None:
    clock = [START]
    pub, post = publish(tmp_path, clock, 0)
    assert pub.fetch_comments(post, account=ACCOUNT, credentials=CREDS) == []
    clock[0] = START + timedelta(hours=6)
    early = pub.fetch_comments(post, account=ACCOUNT, credentials=CREDS)
    clock[0] = START + timedelta(days=5)
    late = pub.fetch_comments(post, account=ACCOUNT, credentials=CREDS)
    assert 0 < len(early) < len(late)
    assert all(c.created_at is not None and c.created_at <= clock[0] for c in late)
    since = late[3].created_at
    assert pub.fetch_comments(post, account=ACCOUNT, credentials=CREDS, since=since) == late[3:]


def test_the_audience_writes_every_kind_including_instructions_to_the_agent(tmp_path: Path) -> None:
    clock = [START]
    kinds: set[str] = set()
    for index in range(len(TOPICS)):
        pub, post = publish(tmp_path, clock, index)
        clock[0] = START + timedelta(days=5)
        kinds |= {
            triage_comment(c.text).kind
            for c in pub.fetch_comments(post, account=ACCOUNT, credentials=CREDS)
        }
        clock[0] = START
    assert {"question", "praise", "substantive", "spam", "abuse", "injection"} <= kinds


def test_a_reply_is_recorded_once_per_idempotency_key(tmp_path: Path) -> None:
    clock = [START]
    pub, post = publish(tmp_path, clock, 0)
    clock[0] = START + timedelta(days=2)
    assert isinstance(pub, CommentsCapable)
    comment = pub.fetch_comments(post, account=ACCOUNT, credentials=CREDS)[0]
    one = pub.reply(
        comment, "Start with one account.", account=ACCOUNT, credentials=CREDS, idempotency_key="k"
    )
    two = pub.reply(
        comment, "Start with one account.", account=ACCOUNT, credentials=CREDS, idempotency_key="k"
    )
    assert one.reply_id == two.reply_id and not one.adopted and two.adopted
    assert len(list((tmp_path / "twin" / "replies").glob("*.json"))) == 1
    mine = [c for c in pub.fetch_comments(post, account=ACCOUNT, credentials=CREDS) if c.by_account]
    assert [(c.text, c.parent_id) for c in mine] == [
        ("Start with one account.", comment.comment_id)
    ]
    other = pub.reply(comment, "Another.", account=ACCOUNT, credentials=CREDS, idempotency_key="k2")
    assert other.reply_id != one.reply_id


def test_a_reply_to_an_unknown_comment_is_refused(tmp_path: Path) -> None:
    clock = [START]
    pub, post = publish(tmp_path, clock, 0)
    clock[0] = START + timedelta(days=2)
    comment = pub.fetch_comments(post, account=ACCOUNT, credentials=CREDS)[0]
    ghost = comment.model_copy(update={"comment_id": "sbc_nope"})
    with pytest.raises(PublishError, match="not found"):
        pub.reply(ghost, "hi", account=ACCOUNT, credentials=CREDS, idempotency_key="k")
