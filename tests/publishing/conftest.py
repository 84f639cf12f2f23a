"""A real database, a connected account on a fake platform (or the sandbox), and one Post."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text, update

from agent.app.bootstrap import initialise
from agent.app.resources import Resources, open_resources
from agent.context import FastForwardClock
from agent.publishing.accounts import connect_account
from agent.publishing.service import PublishService
from agent.publishing.single_post import adhoc_post
from agent.settings import load_settings
from db.base import Base
from db.engine import transaction
from db.enums import Platform
from db.models import Post, PublisherTask, SocialAccount
from tests.publish.conftest import FAKES, VIDEO_SIZE, _build
from tests.publish.fakes.base import ACCESS_TOKEN, CLIENT_SECRET, REFRESH_TOKEN, FakePlatform
from tools.publish.base import Credentials, Publisher
from tools.publish.http import RetryPolicy
from tools.publish.identity import AccountIdentity
from tools.publish.sandbox import SandboxPublisher

CLIENT_TIMEOUT = 0.5
SLOW_DELAY = 0.9
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Server waits above one second are not slept in the adapter: the service defers the post.
RETRY = RetryPolicy(max_attempts=3, base_delay=0.5, max_retry_after=1.0)


@dataclass
class World:
    """One platform (fake or sandbox) wired to a migrated database with one scheduled post."""

    name: str
    system: Resources
    publisher: Publisher
    fake: FakePlatform | None
    clock: FastForwardClock
    video: Path
    account_id: uuid.UUID
    post_id: uuid.UUID
    sleeps: list[float] = field(default_factory=list)
    commit_skip: int = 0

    def service(self, publisher: Publisher | None = None, **kw: Any) -> PublishService:
        """A fresh PublishService, as a new process would build it."""
        chosen = publisher or self.publisher
        return PublishService(
            sessions=self.system.sessions,
            cipher=self.system.cipher(),
            clock=self.clock,
            publisher_for=lambda _platform: chosen,
            **kw,
        )

    def post(self) -> Post:
        """The post row as stored now."""
        with self.system.sessions() as session:
            post = session.get(Post, self.post_id)
            assert post is not None
            session.expunge(post)
            return post

    def tasks(self) -> list[PublisherTask]:
        """The post's attempts in order."""
        with self.system.sessions() as session:
            rows = list(
                session.scalars(
                    select(PublisherTask)
                    .where(PublisherTask.post_id == self.post_id)
                    .order_by(PublisherTask.attempt)
                )
            )
            session.expunge_all()
            return rows

    def marker_posts(self) -> list[dict[str, Any]]:
        """Live posts on the platform for this Post's idempotency key."""
        from tools.publish.idempotency import marker_for

        key = self.post().idempotency_key
        if self.fake is not None:
            return self.fake.posts_with(marker_for(key))
        assert isinstance(self.publisher, SandboxPublisher)
        return [
            json.loads(p.read_text()) for p in self.publisher.root.rglob(f"{marker_for(key)}.json")
        ]

    def secrets(self) -> list[str]:
        """Every secret the test used or a fake issued."""
        issued = self.fake.issued_tokens if self.fake else []
        return [ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET, *issued]

    def dump_database(self) -> str:
        """Every row of every table as text, to scan for secrets."""
        out = []
        with self.system.engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                for row in conn.execute(text(f'SELECT * FROM "{table.name}"')):
                    out.append(f"{table.name}: {tuple(row)}")
        return "\n".join(out)

    def backdate_tasks(self, seconds: float) -> None:
        """Make in-progress attempts look ``seconds`` old (their worker's lease ran out)."""
        when = datetime.now(UTC) - timedelta(seconds=seconds)
        with transaction(self.system.sessions) as session:
            session.execute(
                update(PublisherTask)
                .where(PublisherTask.post_id == self.post_id)
                .values(updated_at=when)
                .execution_options(synchronize_session=False)
            )


def _video(tmp_path: Path) -> Path:
    path = tmp_path / "reel-0001.mp4"
    path.write_bytes(bytes((i * 31 + 7) % 251 for i in range(VIDEO_SIZE)))
    return path


_TEMPLATE: dict[str, Path] = {}


def _system(tmp_path: Path, db_url: str | None, factory: Path) -> Resources:
    """A migrated, initialised system; SQLite copies a template made once per session."""
    data_dir = tmp_path / "data"
    if db_url is None:
        template = factory / "template"
        if not template.exists():
            system = open_resources(load_settings(data_dir=template))
            initialise(system)
            system.dispose()
        shutil.copytree(template, data_dir)
        return open_resources(load_settings(data_dir=data_dir))
    system = open_resources(load_settings(data_dir=data_dir, database_url=db_url))
    initialise(system)
    return system


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the initialised SQLite template lives."""
    return tmp_path_factory.mktemp("publishing-template")


@pytest.fixture
def make_world(tmp_path: Path, template_dir: Path) -> Iterator[Callable[..., World]]:
    """Build a World for a platform; ``db_url=None`` uses a SQLite copy of a template."""
    started: list[tuple[FakePlatform, httpx.Client]] = []
    systems: list[Resources] = []

    def make(name: str, db_url: str | None = None, **extra: Any) -> World:
        system = _system(tmp_path, db_url, template_dir)
        systems.append(system)
        clock = FastForwardClock(START)
        video = _video(tmp_path)
        sleeps: list[float] = []
        fake: FakePlatform | None = None
        skip = 0
        if name == "sandbox":
            publisher: Publisher = SandboxPublisher(root=tmp_path / "sandbox", clock=clock.now)
            identity = AccountIdentity(handle="@twin", external_id="sandbox-test")
        else:
            fake = FAKES[name]()
            client = httpx.Client(timeout=CLIENT_TIMEOUT)
            started.append((fake, client))
            publisher, ref, skip = _build(
                name, fake.start(), client, sleeps, retry=RETRY, now=clock.now, **extra
            )
            identity = AccountIdentity(handle=ref.handle, external_id=ref.external_id)
        creds = Credentials(access_token=ACCESS_TOKEN, refresh_token=REFRESH_TOKEN)
        result = connect_account(
            sessions=system.sessions,
            cipher=system.cipher(),
            platform=Platform(name),
            credentials=creds,
            identity=identity,
        )
        with transaction(system.sessions) as session:
            account = session.get(SocialAccount, result.account_id)
            assert account is not None
            made = adhoc_post(
                session,
                media=video,
                account=account,
                caption="Three habits that make mornings easy",
                hashtags=["#morning", "habits"],
                title="Morning habits",
                media_dir=system.settings.media_dir,
                now=clock.now(),
            )
        return World(
            name,
            system,
            publisher,
            fake,
            clock,
            video,
            result.account_id,
            made.post_id,
            sleeps,
            skip,
        )

    yield make
    for fake, client in started:
        client.close()
        fake.stop()
    for system in systems:
        system.dispose()
