"""Fixtures for whole-cycle tests: an initialised system on each database backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.app.bootstrap import initialise
from agent.app.resources import Resources, open_resources
from agent.app.wiring import Wiring, no_memory
from agent.settings import load_settings
from db.engine import transaction
from db.repo.identity import get_agent, update_agent_policy
from tests.cycle.fakes import FakeRender


def make_system(tmp_path: Path, db_url: str, **settings: Any) -> Resources:
    system = open_resources(
        load_settings(data_dir=tmp_path / "data", database_url=db_url, **settings)
    )
    initialise(system)
    return system


def set_policy(system: Resources, **changes: Any) -> None:
    with transaction(system.sessions) as session:
        update_agent_policy(session=session, agent=get_agent(session=session), **changes)


@pytest.fixture
def system(tmp_path: Path, db_url: str) -> Iterator[Resources]:
    """An initialised system posting 3 videos a week, on SQLite and PostgreSQL."""
    sys_ = make_system(tmp_path, db_url)
    set_policy(sys_, posts_per_week=3)
    yield sys_
    sys_.dispose()


@pytest.fixture
def sqlite_system(tmp_path: Path) -> Iterator[Resources]:
    sys_ = make_system(tmp_path, f"sqlite:///{tmp_path / 'twin.db'}")
    set_policy(sys_, posts_per_week=3)
    yield sys_
    sys_.dispose()


@pytest.fixture
def fake_render() -> FakeRender:
    return FakeRender()


Wire = Callable[..., Wiring]


@pytest.fixture
def wiring(fake_render: FakeRender) -> Wire:
    """Runs with a cheap renderer and no vector memory; keyword arguments replace parts."""

    def build(**parts: Any) -> Wiring:
        return Wiring(**{"render": fake_render, "memory": no_memory, **parts})

    return build
