"""Fixtures for scheduler tests: a movable clock and an initialised system with a cheap renderer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from agent.app.bootstrap import initialise
from agent.app.resources import Resources, open_resources
from agent.app.wiring import Wiring, no_memory
from agent.scheduling import JobRuntime
from agent.settings import load_settings
from db.engine import transaction
from db.repo.identity import get_agent, update_agent_policy
from tests.cycle.fakes import FakeRender


@dataclass
class MovableClock:
    """A clock tests set by hand (it never moves on its own)."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def reach(self, when: datetime) -> bool:
        return when <= self.now()

    def set(self, when: datetime) -> None:
        self.current = when


def make_system(data_dir: Path, db_url: str) -> Resources:
    system = open_resources(load_settings(data_dir=data_dir, database_url=db_url))
    initialise(system)
    with transaction(system.sessions) as session:
        update_agent_policy(session=session, agent=get_agent(session=session), posts_per_week=2)
    return system


@pytest.fixture
def system(tmp_path: Path, db_url: str) -> Iterator[Resources]:
    """An initialised system (2 posts a week) on SQLite and PostgreSQL."""
    sys_ = make_system(tmp_path / "data", db_url)
    yield sys_
    sys_.dispose()


@pytest.fixture
def sqlite_system(tmp_path: Path) -> Iterator[Resources]:
    sys_ = make_system(tmp_path / "data", f"sqlite:///{tmp_path / 'twin.db'}")
    yield sys_
    sys_.dispose()


def runtime_for(system: Resources, clock: MovableClock) -> JobRuntime:
    return JobRuntime(
        system=system, clock=clock, wiring=Wiring(render=FakeRender(), memory=no_memory)
    )
