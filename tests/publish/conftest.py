"""Fixtures: one fake server per platform and an adapter pointed at it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.publish.fakes.base import ACCESS_TOKEN, CLIENT_SECRET, REFRESH_TOKEN, FakePlatform
from tests.publish.fakes.facebook import FacebookFake
from tests.publish.fakes.instagram import InstagramFake
from tests.publish.fakes.linkedin import LinkedInFake
from tests.publish.fakes.threads import ThreadsFake
from tests.publish.fakes.tiktok import TikTokFake
from tests.publish.fakes.youtube import YouTubeFake
from tools.publish.base import AccountRef, Credentials, Publisher, PublishRequest
from tools.publish.facebook import FacebookPublisher
from tools.publish.http import RetryPolicy
from tools.publish.instagram import InstagramPublisher
from tools.publish.linkedin import LinkedInPublisher
from tools.publish.threads import ThreadsPublisher
from tools.publish.tiktok import TikTokPublisher
from tools.publish.youtube import YouTubeShortsPublisher

CLIENT_TIMEOUT = 1.0
SLOW_DELAY = 1.6
VIDEO_SIZE = 600_000  # three 256 KiB YouTube chunks, six LinkedIn parts, one TikTok chunk
SPECS = Path(os.environ.get("TWIN_SPECS_DIR", "/work/shared/specs"))


@dataclass
class Harness:
    """A running fake, an adapter aimed at it, and what a test needs to drive it."""

    name: str
    fake: FakePlatform
    publisher: Publisher
    account: AccountRef
    credentials: Credentials
    sleeps: list[float] = field(default_factory=list)
    commit_skip: int = 0

    def request(self, video: Path, key: str = "cal-item-1:acct-1") -> PublishRequest:
        """A publish request for ``video``."""
        return PublishRequest(
            media_path=video,
            caption="Three habits that make mornings easy",
            hashtags=["#morning", "habits"],
            title="Morning habits",
            idempotency_key=key,
        )

    @property
    def secrets(self) -> list[str]:
        """Every secret the test run used or the fake issued."""
        return [ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET, *self.fake.issued_tokens]


def _build(
    name: str, base: str, client: httpx.Client, sleeps: list[float], **extra: Any
) -> tuple[Publisher, AccountRef, int]:
    common: dict[str, Any] = {
        "client": client,
        "sleep": sleeps.append,
        "retry": RetryPolicy(max_attempts=4, base_delay=0.5),
        "poll_interval": 2.0,
        "max_polls": 10,
    }
    common |= {k: extra.pop(k) for k in list(extra) if k in common}
    if name == "instagram":
        pub: Publisher = InstagramPublisher(
            graph_base_url=base,
            rupload_base_url=base,
            app_id="app1",
            app_secret=CLIENT_SECRET,
            **common,
            **extra,
        )
        return (
            pub,
            AccountRef(
                account_id="a1", platform=name, handle="twin", external_id=InstagramFake.ig_user
            ),
            0,
        )
    if name == "facebook":
        pub = FacebookPublisher(
            graph_base_url=base, app_id="app1", app_secret=CLIENT_SECRET, **common, **extra
        )
        return (
            pub,
            AccountRef(
                account_id="a2", platform=name, handle="twin", external_id=FacebookFake.page
            ),
            1,
        )
    if name == "threads":
        settings = {"media_base_url": "https://media.example.test/reels", **extra}
        pub = ThreadsPublisher(graph_base_url=base, **common, **settings)
        return (
            pub,
            AccountRef(account_id="a3", platform=name, handle="twin", external_id=ThreadsFake.user),
            0,
        )
    if name == "linkedin":
        pub = LinkedInPublisher(
            api_base_url=base,
            token_url=f"{base}/oauth/v2/accessToken",
            client_id="cid",
            client_secret=CLIENT_SECRET,
            **common,
            **extra,
        )
        return (
            pub,
            AccountRef(
                account_id="a4", platform=name, handle="twin", external_id=LinkedInFake.person
            ),
            0,
        )
    if name == "tiktok":
        pub = TikTokPublisher(
            api_base_url=base,
            token_url=f"{base}/v2/oauth/token/",
            client_key="ck",
            client_secret=CLIENT_SECRET,
            **common,
            **extra,
        )
        return pub, AccountRef(account_id="a5", platform=name, handle="twin", external_id="o1"), 0
    pub = YouTubeShortsPublisher(
        api_base_url=f"{base}/youtube/v3",
        upload_url=f"{base}/upload/youtube/v3/videos",
        analytics_base_url=f"{base}/v2",
        token_url=f"{base}/token",
        client_id="cid",
        client_secret=CLIENT_SECRET,
        chunk_size=256 * 1024,
        **common,
        **extra,
    )
    return pub, AccountRef(account_id="a6", platform=name, handle="twin", external_id="UC1"), 2


FAKES: dict[str, Callable[[], FakePlatform]] = {
    "instagram": InstagramFake,
    "facebook": FacebookFake,
    "threads": ThreadsFake,
    "linkedin": LinkedInFake,
    "tiktok": TikTokFake,
    "youtube_shorts": YouTubeFake,
}


@pytest.fixture
def video(tmp_path: Path) -> Path:
    """A deterministic 600 kB payload standing in for a rendered reel."""
    path = tmp_path / "reel-0001.mp4"
    path.write_bytes(bytes((i * 31 + 7) % 251 for i in range(VIDEO_SIZE)))
    return path


@pytest.fixture
def make_harness() -> Iterator[Callable[..., Harness]]:
    """Start a platform's fake and build its adapter; everything stops at teardown."""
    started: list[tuple[FakePlatform, httpx.Client]] = []

    def make(name: str, **extra: Any) -> Harness:
        fake = FAKES[name]()
        base = fake.start()
        client = httpx.Client(timeout=CLIENT_TIMEOUT)
        started.append((fake, client))
        sleeps: list[float] = []
        publisher, account, skip = _build(name, base, client, sleeps, **extra)
        creds = Credentials(access_token=ACCESS_TOKEN, refresh_token=REFRESH_TOKEN)
        return Harness(name, fake, publisher, account, creds, sleeps, skip)

    yield make
    for fake, client in started:
        client.close()
        fake.stop()
