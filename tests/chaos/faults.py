"""The fault driver shared by the chaos suite and ``bench/chaos.py``: a seeded random schedule of
platform faults over many posts, on every adapter, through PublishService and a real database.

Each HTTP adapter talks to its fake platform (``tests/publish/fakes``) through a
:class:`FaultyTransport`, an httpx transport around the real one that, for a random share of the
requests, answers itself with that platform's own error body (429 / rate limit, 5xx, expired
token, quota, duplicate), drops the connection part-way through the request body (reset
mid-upload), or forwards the request and loses the answer (unknown outcome: the platform acted,
the client never heard). The sandbox gets the same kinds from a wrapper around its publisher.

Posts are published the way the cycle does it: a PublishService per platform, the simulated
clock moved to each next attempt, and an account whose key expired reconnected as its user would
(which queues its auth-failed posts again). When the storm is over the platforms recover and
every post is driven until it settles. The audit then counts duplicates (a post live twice on a
platform, or published by two calls), posts the records lost (failed, yet live on the platform)
and posts left stuck (publishing, scheduled or draft).
"""

from __future__ import annotations

import contextlib
import random
import re
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from agent.app.bootstrap import initialise
from agent.app.resources import Resources, open_resources
from agent.context import FastForwardClock
from agent.publishing.accounts import connect_account
from agent.publishing.service import Outcome, PublishService
from agent.publishing.single_post import adhoc_post
from agent.settings import load_settings
from db.engine import transaction
from db.enums import IntegrationStatus, Platform, PublishStatus, TaskStatus
from db.models import IntegrationKey, Post, PublisherTask, SocialAccount
from tests.chaos.driver import Figures
from tests.publish.conftest import FAKES, _build
from tests.publish.fakes.base import ACCESS_TOKEN, REFRESH_TOKEN, FakePlatform, Reply, Request
from tools.publish.base import (
    AccountRef,
    Credentials,
    Publisher,
    PublishError,
    PublishRequest,
    PublishResult,
)
from tools.publish.http import RetryPolicy
from tools.publish.idempotency import marker_for
from tools.publish.identity import AccountIdentity
from tools.publish.sandbox import SandboxPublisher

KINDS = ("rate_limit", "server_error", "reset", "expired_token", "quota", "duplicate", "unknown")
HTTP_PLATFORMS = ("instagram", "facebook", "threads", "linkedin", "tiktok", "youtube_shorts")
ALL_PLATFORMS = (*HTTP_PLATFORMS, "sandbox")
QUOTA_TARGETS = {  # where each platform says its daily quota is spent
    "tiktok": r"POST /v2/post/publish/video/init/$",
    "youtube_shorts": r"POST /upload/youtube/v3/videos$",
}
VIDEO_SIZE = 300_000  # two YouTube chunks, three LinkedIn parts, one TikTok chunk
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RETRY = RetryPolicy(max_attempts=3, base_delay=0.5, max_retry_after=1.0)
CLIENT_TIMEOUT = 2.0
SETTLED = (PublishStatus.published, PublishStatus.failed)
ENDED = (*SETTLED, PublishStatus.unconfirmed)
"""How the contract lets a post end: out, failed with a reason, or unconfirmed (looked up again)."""


class FaultPlan:
    """Decides, with a seeded RNG, which calls fail and how, and counts what it injected."""

    def __init__(self, rng: random.Random, rate: float) -> None:
        self.rng = rng
        self.rate = rate
        self.enabled = True
        self.fired: Counter[str] = Counter()
        self.where: Counter[str] = Counter()
        """Faults per platform."""

    def pick(
        self, allowed: tuple[str, ...], *, platform: str, line: str, commit: bool
    ) -> str | None:
        """The fault for the request ``line`` (``METHOD /path``) on ``platform``, if any."""
        if not self.enabled or not allowed or self.rng.random() >= self.rate:
            return None
        return self.count(self.rng.choice(allowed), platform)

    def count(self, kind: str, platform: str) -> str:
        self.fired[kind] += 1
        self.where[platform] += 1
        return kind

    @property
    def total(self) -> int:
        return sum(self.fired.values())


class FaultyTransport(httpx.BaseTransport):
    """An httpx transport in front of a fake platform that injects the plan's faults."""

    def __init__(self, name: str, fake: FakePlatform, plan: FaultPlan) -> None:
        self.name = name
        self.fake = fake
        self.plan = plan
        self.inner = httpx.HTTPTransport()
        self.commit = re.compile(str(getattr(fake, "commit_target", r"$^")))
        self.quota = re.compile(QUOTA_TARGETS.get(name, self.commit.pattern))
        self.trace: list[tuple[str, str | None]] = []
        """Each request as ``METHOD /path`` with the fault it got (None: passed through)."""

    def _allowed(self, line: str, req: Request) -> tuple[str, ...]:
        if self.fake.public(req) and "upload" not in req.path:  # token endpoints
            return ("rate_limit", "server_error", "reset", "unknown")
        kinds = ["rate_limit", "server_error", "reset", "expired_token", "unknown"]
        if self.quota.search(line):
            kinds.append("quota")
        if self.commit.search(line) and self.name != "tiktok":  # TikTok has no duplicate answer
            kinds.append("duplicate")
        return tuple(kinds)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        line = f"{request.method} {request.url.path}"
        headers = {k.lower(): v for k, v in request.headers.items()}
        query = dict(request.url.params)
        req = Request(request.method, request.url.path, query, headers, b"")
        commit = bool(self.commit.search(line))
        kind = self.plan.pick(
            self._allowed(line, req), platform=self.name, line=line, commit=commit
        )
        self.trace.append((line, kind))
        if kind is None:
            return self.inner.handle_request(request)
        if kind == "reset":  # the fake reads half the body, then drops the connection
            self.fake.inject("reset", target=f"^{re.escape(line)}$", times=1)
            return self.inner.handle_request(request)
        if kind == "unknown":  # the platform acts on it; its answer never arrives
            response = self.inner.handle_request(request)
            response.read()
            response.close()
            raise httpx.ReadTimeout("the answer was lost on the way back", request=request)
        if kind == "duplicate" and self.name == "youtube_shorts":  # rejected once processed
            self.fake.make_duplicate()  # type: ignore[attr-defined]
            return self.inner.handle_request(request)
        if kind == "expired_token" and self.fake.expiry_revokes:  # as the platform does it
            with self.fake.lock:
                self.fake.valid_tokens.discard(self.fake.token_of(req) or "")
        reply: Reply = self.fake.error(kind, req)
        return httpx.Response(
            reply.status,
            headers={"content-type": "application/json", **reply.headers},
            json=reply.body,
            request=request,
        )

    def close(self) -> None:
        self.inner.close()


class FaultySandbox:
    """The sandbox publisher with the same kinds of fault, raised the way adapters raise them."""

    platform = "sandbox"

    def __init__(self, inner: SandboxPublisher, plan: FaultPlan) -> None:
        self.inner = inner
        self.plan = plan

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def publish(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        kind = self.plan.pick(KINDS, platform="sandbox", line="publish", commit=True)
        if kind == "unknown":
            self.inner.publish(request, account=account, credentials=credentials)
            raise TimeoutError("sandbox: the answer was lost on the way back")
        if kind == "reset":
            raise ConnectionResetError("sandbox: connection reset mid-upload")
        if kind is not None:
            raise _sandbox_error(kind)
        return self.inner.publish(request, account=account, credentials=credentials)

    def find_existing(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult | None:
        allowed = ("rate_limit", "server_error", "reset")
        kind = self.plan.pick(allowed, platform="sandbox", line="find_existing", commit=False)
        if kind == "reset":
            raise ConnectionResetError("sandbox: connection reset")
        if kind is not None:
            raise _sandbox_error(kind)
        return self.inner.find_existing(request, account=account, credentials=credentials)


class ScriptedPlan(FaultPlan):
    """Faults in a fixed order around the creating call: ``kinds[0]`` for the creating request
    (``"pass"`` lets it through), then ``kinds[1:]`` for the requests right after it."""

    def __init__(self, kinds: list[str], *, skip: int = 0) -> None:
        super().__init__(random.Random(0), 0.0)
        self.kinds = list(kinds)
        self.skip = skip
        self.armed = False

    def pick(
        self, allowed: tuple[str, ...], *, platform: str, line: str, commit: bool
    ) -> str | None:
        if not self.enabled or not self.kinds:
            return None
        if not self.armed:
            if not commit:
                return None
            if self.skip:
                self.skip -= 1
                return None
            self.armed = True
        kind = self.kinds.pop(0)
        return None if kind == "pass" else self.count(kind, platform)


def _sandbox_error(kind: str) -> PublishError:
    if kind == "rate_limit":
        return PublishError(
            "sandbox: 429 too many requests", retryable=True, retry_after=30, code="rate_limited"
        )
    if kind == "quota":
        return PublishError(
            "sandbox: daily quota spent", retryable=True, retry_after=3600, code="quota_exhausted"
        )
    if kind == "expired_token":
        return PublishError(
            "sandbox: the access token expired", auth_expired=True, code="auth_expired"
        )
    if kind == "duplicate":
        return PublishError("sandbox: duplicate of an earlier post", code="duplicate")
    return PublishError("sandbox: 503 service unavailable", retryable=True, code="server_error")


# -- one platform -----------------------------------------------------------------------------


@dataclass
class Lane:
    """One platform: its fake (none for the sandbox), adapter, account and service."""

    name: str
    publisher: Publisher
    fake: FakePlatform | None
    identity: AccountIdentity
    account_id: uuid.UUID
    service: PublishService
    closers: list[Callable[[], None]] = field(default_factory=list)
    sandbox_root: Path | None = None
    transport: FaultyTransport | None = None

    def live(self, key: str) -> int:
        """Live posts on the platform carrying the marker of ``key``; on TikTok every complete
        upload counts (the platform publishes it whether or not anyone polls its status, which
        is when the fake lists it)."""
        marker = marker_for(key)
        uploads = getattr(self.fake, "publishes", None)
        if isinstance(uploads, dict):
            return sum(
                1
                for pub in uploads.values()
                if len(pub["data"]) >= pub["size"] and marker in str(pub["info"].get("title"))
            )
        if self.fake is not None:
            return len(self.fake.posts_with(marker))
        assert self.sandbox_root is not None
        return len(list(self.sandbox_root.glob(f"*/{marker}.json")))


@dataclass
class Storm:
    """A database, every platform's lane, the shared clock and the fault plan."""

    root: Path
    system: Resources
    clock: FastForwardClock
    plan: FaultPlan
    lanes: dict[str, Lane] = field(default_factory=dict)
    posts: dict[uuid.UUID, str] = field(default_factory=dict)
    """Post id -> platform."""
    reconnects: int = 0
    _base: bytes = b""

    @property
    def database(self) -> str:
        return (
            "postgres"
            if self.system.settings.resolved_database_url.startswith("postgresql")
            else "sqlite"
        )

    def close(self) -> None:
        for lane in self.lanes.values():
            for close in lane.closers:
                with contextlib.suppress(Exception):
                    close()
        self.system.dispose()


def _lane(storm: Storm, name: str) -> Lane:
    system, clock = storm.system, storm.clock
    fake: FakePlatform | None = None
    closers: list[Callable[[], None]] = []
    sandbox_root = None
    transport = None
    if name == "sandbox":
        sandbox_root = storm.root / "sandbox"
        publisher: Publisher = FaultySandbox(  # type: ignore[assignment]
            SandboxPublisher(root=sandbox_root, clock=clock.now), storm.plan
        )
        identity = AccountIdentity(handle="@twin", external_id="sandbox-chaos")
    else:
        fake = FAKES[name]()
        base = fake.start()
        transport = FaultyTransport(name, fake, storm.plan)
        client = httpx.Client(timeout=CLIENT_TIMEOUT, transport=transport)
        closers += [client.close, fake.stop]
        sleeps: list[float] = []
        publisher, ref, _skip = _build(name, base, client, sleeps, retry=RETRY, now=clock.now)
        identity = AccountIdentity(handle=ref.handle, external_id=ref.external_id)
    result = connect_account(
        sessions=system.sessions,
        cipher=system.cipher(),
        platform=Platform(name),
        credentials=Credentials(access_token=ACCESS_TOKEN, refresh_token=REFRESH_TOKEN),
        identity=identity,
    )
    service = PublishService(
        sessions=system.sessions,
        cipher=system.cipher(),
        clock=clock,
        publisher_for=lambda _platform: publisher,
        rng=random.Random(storm.plan.rng.random()),
    )
    return Lane(
        name,
        publisher,
        fake,
        identity,
        result.account_id,
        service,
        closers,
        sandbox_root,
        transport,
    )


@contextlib.contextmanager
def open_storm(
    root: Path,
    database_url: str,
    *,
    rng: random.Random,
    rate: float = 0.15,
    platforms: tuple[str, ...] = ALL_PLATFORMS,
    plan: FaultPlan | None = None,
    template: Path | None = None,
) -> Iterator[Storm]:
    """A migrated database with one connected account on each of ``platforms`` (their fakes
    serving on 127.0.0.1), faults from ``plan`` (default: a random one at ``rate``); everything
    is stopped afterwards. With ``template`` (SQLite only), the initialised data dir is copied
    from there (made on first use) instead of initialised again."""
    data_dir = root / "data"
    if template is not None:
        if not template.exists():
            made = open_resources(load_settings(data_dir=template))
            initialise(made)
            made.dispose()
        shutil.copytree(template, data_dir)
        system = open_resources(load_settings(data_dir=data_dir))
    else:
        system = open_resources(load_settings(data_dir=data_dir, database_url=database_url))
    storm = Storm(root, system, FastForwardClock(START), plan or FaultPlan(rng, rate))
    try:
        if template is None:
            initialise(system)
        storm._base = bytes((i * 31 + 7) % 251 for i in range(VIDEO_SIZE))
        for name in platforms:
            storm.lanes[name] = _lane(storm, name)
        yield storm
    finally:
        storm.close()


def new_post(storm: Storm, lane: Lane) -> uuid.UUID:
    """An approved reel made from a file of its own, and its scheduled Post on ``lane``."""
    n = len(storm.posts)
    video = storm.root / f"reel-{n:05d}.mp4"
    video.write_bytes(n.to_bytes(8, "big") + storm._base[8:])
    with transaction(storm.system.sessions) as session:
        account = session.get(SocialAccount, lane.account_id)
        assert account is not None
        made = adhoc_post(
            session,
            media=video,
            account=account,
            caption=f"Chaos post {n}: three habits that make mornings easy",
            hashtags=["#morning", "habits"],
            title=f"Morning habits {n}",
            media_dir=storm.system.settings.media_dir,
            now=storm.clock.now(),
        )
    video.unlink()  # the post keeps its own copy
    storm.posts[made.post_id] = lane.name
    return made.post_id


def _reconnect_if_expired(storm: Storm, lane: Lane) -> bool:
    """The user reconnects an account whose key expired (its auth-failed posts queue again)."""
    with storm.system.sessions() as session:
        account = session.get(SocialAccount, lane.account_id)
        key = (
            session.get(IntegrationKey, account.integration_id)
            if account and account.integration_id
            else None
        )
        expired = key is not None and key.status != IntegrationStatus.connected
    if not expired:
        return False
    if lane.fake is not None:
        with lane.fake.lock:
            lane.fake.valid_tokens.add(ACCESS_TOKEN)
    connect_account(
        sessions=storm.system.sessions,
        cipher=storm.system.cipher(),
        platform=Platform(lane.name),
        credentials=Credentials(access_token=ACCESS_TOKEN, refresh_token=REFRESH_TOKEN),
        identity=lane.identity,
    )
    storm.reconnects += 1
    return True


def settle(storm: Storm, post_id: uuid.UUID, *, rounds: int = 12) -> Outcome:
    """Publish ``post_id`` as the loop would: again at each next attempt, reconnecting an
    expired account, until it is published or failed (or ``rounds`` attempts went by)."""
    lane = storm.lanes[storm.posts[post_id]]
    outcome = lane.service.publish(post_id)
    for _ in range(rounds):
        if _reconnect_if_expired(storm, lane):
            outcome = lane.service.publish(post_id)
            continue
        if outcome.status in SETTLED:
            break
        if outcome.next_attempt_at is not None:
            storm.clock.reach(outcome.next_attempt_at + timedelta(seconds=1))
        else:  # processing on the platform: look again a little later
            storm.clock.reach(storm.clock.now() + timedelta(minutes=3))
        outcome = lane.service.publish(post_id)
    return outcome


def fault_storm(
    storm: Storm,
    *,
    faults: int,
    min_posts: int = 2,
    say: Callable[[str], None] | None = None,
) -> Figures:
    """Publish posts round-robin over every platform under the fault plan until ``faults``
    faults were injected (and each platform had ``min_posts``), then let the platforms recover,
    settle every post and audit."""
    started = time.monotonic()
    figures = Figures("faults", storm.database)
    names = list(storm.lanes)
    n = 0
    while storm.plan.total < faults or n < min_posts * len(names):
        lane = storm.lanes[names[n % len(names)]]
        settle(storm, new_post(storm, lane))
        n += 1
        if say is not None and n % 50 == 0:
            say(f"{n} posts, {storm.plan.total} faults")
    storm.plan.enabled = False  # the platforms recover: everything left must settle now
    for post_id, status in _statuses(storm).items():
        if status not in SETTLED:
            settle(storm, post_id, rounds=20)
    figures.faults = storm.plan.total
    figures.commands = n
    audit_posts(storm, figures)
    figures.seconds = time.monotonic() - started
    return figures


def _statuses(storm: Storm) -> dict[uuid.UUID, PublishStatus]:
    with storm.system.sessions() as session:
        return {p.id: p.publish_status for p in session.scalars(select(Post))}


def audit_posts(storm: Storm, figures: Figures) -> Counter[str]:
    """Duplicates, lost and stuck posts into ``figures``; returns the posts' final statuses."""
    with storm.system.sessions() as session:
        posts = list(session.scalars(select(Post)))
        tasks = list(session.scalars(select(PublisherTask)))
    ends: Counter[str] = Counter()
    calls = Counter(
        t.post_id
        for t in tasks
        if t.status == TaskStatus.succeeded
        and t.response_json.get("mode") in ("publish", "check")
        and not t.response_json.get("adopted")
    )
    for post in posts:
        lane = storm.lanes[storm.posts[post.id]]
        ends[post.publish_status.value] += 1
        live = lane.live(post.idempotency_key)
        tag = f"{lane.name} post {str(post.id)[:8]}"
        if live > 1:
            figures.duplicates += live - 1
            figures.notes.append(f"{tag} is live {live} times")
        if calls[post.id] > 1 and lane.fake is not None:
            figures.duplicates += calls[post.id] - 1
            figures.notes.append(f"{tag} was published by {calls[post.id]} calls")
        if post.publish_status not in ENDED:
            figures.stuck += 1
            figures.notes.append(f"{tag} left {post.publish_status.value}: {post.error_json}")
        elif post.publish_status == PublishStatus.published and live != 1:
            figures.lost += 1
            figures.notes.append(f"{tag} is published but live {live} times")
        elif post.publish_status == PublishStatus.failed and live:
            figures.lost += 1
            figures.notes.append(
                f"{tag} failed ({(post.error_json or {}).get('message')}) but is live"
            )
    figures.posts = ends[PublishStatus.published.value]
    return ends


__all__ = [
    "ALL_PLATFORMS",
    "KINDS",
    "FaultPlan",
    "FaultySandbox",
    "FaultyTransport",
    "ScriptedPlan",
    "Storm",
    "audit_posts",
    "fault_storm",
    "open_storm",
    "settle",
]
