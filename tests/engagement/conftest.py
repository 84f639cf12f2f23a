"""A migrated, initialised database with published sandbox posts, and the engagement pieces."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from agent.app.bootstrap import initialise
from agent.app.resources import Resources, open_resources
from agent.context import FastForwardClock
from agent.engagement import send_approved, sync
from agent.engagement.sending import SendReport
from agent.engagement.sync import SyncReport
from agent.llm import OfflineChatModel, ResponderRegistry
from agent.llm.offline.replies import read_inputs, reply_responder
from agent.publishing.service import PublishService
from agent.publishing.single_post import adhoc_post
from agent.schemas import ReplyDraft
from agent.settings import load_settings
from db.engine import transaction
from db.enums import Platform
from db.models import EngagementAction, SocialAccount
from db.repo.identity import get_agent
from tests.engagement.fakes import ScriptedComments
from tools.publish.base import Publisher
from tools.publish.sandbox import SandboxPublisher

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TITLES = ("Passkeys for small teams", "Phishing tests that work")


@dataclass
class World:
    """Published posts on the sandbox account, a clock, and a model that records its inputs."""

    system: Resources
    clock: FastForwardClock
    sandbox: SandboxPublisher
    agent_id: uuid.UUID
    account_id: uuid.UUID
    posts: list[tuple[uuid.UUID, str]]
    """(post id, platform post id) in publishing order."""
    registry: ResponderRegistry = field(default_factory=ResponderRegistry)
    seen: list[dict[str, Any]] = field(default_factory=list)
    """Every ``<inputs>`` the model was given."""
    platform: Publisher | ScriptedComments | None = None

    def __post_init__(self) -> None:
        def recording(messages: list[Any], schema: Any, rng: Any) -> dict[str, Any]:
            self.seen.append(read_inputs(messages))
            return reply_responder(messages, schema, rng)

        self.registry.register(ReplyDraft, recording)

    def publisher_for(self) -> Callable[[str], Any]:
        chosen = self.platform or self.sandbox
        return lambda _platform: chosen

    def sync(self, **kw: Any) -> SyncReport:
        return sync(
            sessions=self.system.sessions,
            cipher=self.system.cipher(),
            clock=self.clock,
            publisher_for=self.publisher_for(),
            chat_model=kw.pop("chat_model", OfflineChatModel(registry=self.registry)),
            agent_id=self.agent_id,
            **kw,
        )

    def send(self, **kw: Any) -> SendReport:
        return send_approved(
            sessions=self.system.sessions,
            cipher=self.system.cipher(),
            clock=self.clock,
            publisher_for=self.publisher_for(),
            agent_id=self.agent_id,
            **kw,
        )

    def actions(self) -> list[EngagementAction]:
        with self.system.sessions() as session:
            rows = list(
                session.scalars(select(EngagementAction).order_by(EngagementAction.target_id))
            )
            session.expunge_all()
            return rows


def build_world(
    data_dir: Path,
    db_url: str | None = None,
    *,
    titles: tuple[str, ...] = TITLES,
    start: datetime = START,
) -> World:
    """Initialise, publish one sandbox post per title four hours apart from ``start``, then
    move the clock three days on (the audience has commented by then)."""
    system = open_resources(load_settings(data_dir=data_dir, database_url=db_url))
    initialise(system)
    clock = FastForwardClock(start)
    sandbox = SandboxPublisher(root=data_dir / "sandbox", clock=clock.now)
    with system.sessions() as session:
        agent_id = get_agent(session=session).id
        account_id = session.scalar(
            select(SocialAccount.id).where(SocialAccount.platform == Platform.sandbox)
        )
    assert account_id is not None
    posts = []
    for index, title in enumerate(titles):
        video = data_dir / f"clip{index}.mp4"
        video.write_bytes(bytes([index + 1]) * 2048)
        clock.reach(start + timedelta(hours=4 * index))
        with transaction(system.sessions) as session:
            account = session.get(SocialAccount, account_id)
            assert account is not None
            made = adhoc_post(
                session,
                media=video,
                account=account,
                caption=f"{title}: the three steps.",
                hashtags=["#security"],
                title=title,
                media_dir=system.settings.media_dir,
                now=clock.now(),
            )
        service = PublishService(
            sessions=system.sessions,
            cipher=system.cipher(),
            clock=clock,
            publisher_for=lambda _p: sandbox,
        )
        outcome = service.publish(made.post_id)
        assert outcome.platform_post_id, outcome.message
        posts.append((made.post_id, outcome.platform_post_id))
    clock.reach(start + timedelta(days=3))
    return World(system, clock, sandbox, agent_id, account_id, posts)


@pytest.fixture
def world(tmp_path: Path, db_url: str) -> Iterator[World]:
    """A world on SQLite and on PostgreSQL."""
    built = build_world(tmp_path / "data", None if db_url.startswith("sqlite") else db_url)
    yield built
    built.system.dispose()


@pytest.fixture
def sqlite_world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path / "data")
    yield built
    built.system.dispose()
