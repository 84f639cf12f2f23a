"""Fixtures for chat tests: an initialised system, a run waiting for review, a chat helper."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.app.bootstrap import initialise
from agent.app.resources import Resources, open_resources
from agent.app.runs import RunOutcome, start_run
from agent.app.wiring import Wiring, no_memory
from agent.chat import ChatReply, chat_reply
from agent.settings import load_settings
from db.engine import transaction
from db.repo.identity import get_agent, update_agent_policy
from tests.cycle.fakes import FakeRender

EMAIL = "creator@localhost"
Say = Callable[..., ChatReply]


def make_system(data_dir: Path, db_url: str, **settings: Any) -> Resources:
    system = open_resources(load_settings(data_dir=data_dir, database_url=db_url, **settings))
    initialise(system, demo=True)
    with transaction(system.sessions) as session:
        update_agent_policy(session=session, agent=get_agent(session=session), posts_per_week=2)
    return system


def wiring() -> Wiring:
    return Wiring(render=FakeRender(), memory=no_memory)


@pytest.fixture
def system(tmp_path: Path) -> Iterator[Resources]:
    sys_ = make_system(tmp_path / "data", f"sqlite:///{tmp_path / 'twin.db'}")
    yield sys_
    sys_.dispose()


@pytest.fixture
def any_db_system(tmp_path: Path, db_url: str) -> Iterator[Resources]:
    sys_ = make_system(tmp_path / "data", db_url)
    yield sys_
    sys_.dispose()


def saying(system: Resources) -> Say:
    def say(message: str = "", *, confirm: bool = False) -> ChatReply:
        return chat_reply(
            system,
            user_email=EMAIL,
            message=message,
            confirm=confirm,
            wiring=wiring(),
        )

    return say


def agreed(say: Say, message: str) -> ChatReply:
    """Say ``message``, see that it waits for a yes, and say yes."""
    held = say(message)
    assert held.needs_confirmation, held.text
    return say("yes")


@pytest.fixture
def say(system: Resources) -> Say:
    return saying(system)


def waiting_run(system: Resources, week: str = "2030-W10") -> RunOutcome:
    """A run stopped at review with two reels (manual approval mode)."""
    outcome = start_run(system, week=week, wiring=wiring())
    assert outcome.review is not None and len(outcome.review["reels"]) == 2
    return outcome
