"""A bootstrapped system on SQLite and PostgreSQL, and a helper that runs one fast simulated week."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.app.bootstrap import initialise
from agent.app.resources import Resources, open_resources
from agent.app.runs import RunOutcome, start_run
from agent.settings import load_settings
from agent.simulation import SimulationConfig
from agent.simulation.runner import simulation_wiring
from agent.strategy.weeks import parse_week
from db.repo.identity import get_agent


@pytest.fixture
def system(tmp_path: Path, db_url: str) -> Iterator[Resources]:
    sysm = open_resources(
        load_settings(data_dir=tmp_path / "data", database_url=db_url, report_formats=["md"])
    )
    initialise(sysm, demo=True)
    yield sysm
    sysm.dispose()


def agent_id(system: Resources) -> uuid.UUID:
    with system.sessions() as session:
        return get_agent(session=session).id


def run_week(system: Resources, week: str, *, memory: bool = False, **parts: Any) -> RunOutcome:
    """One auto-approved fast-forward week with cheap media on the seeded sandbox."""
    from tools.publish.sandbox import load_audience

    wiring = simulation_wiring(
        system.settings, SimulationConfig(memory=memory), load_audience(None)
    )
    outcome = start_run(
        system,
        week=week,
        auto_approve=True,
        fast_forward=True,
        now=datetime.combine(parse_week(week), time(0, 0), tzinfo=UTC) - timedelta(days=1),
        wiring=dataclasses.replace(wiring, **parts),
        render_quality="draft",
    )
    assert outcome.status.value == "finished", outcome.error
    return outcome
