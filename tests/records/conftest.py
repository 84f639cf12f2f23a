"""Fixtures for the records tests: an initialised data dir, the CLI, and the audit rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from agent.app.bootstrap import initialise
from agent.app.resources import Resources, open_resources
from agent.cli import app
from agent.records.audit import cli_actor
from agent.settings import load_settings
from db.models import AuditLog

runner = CliRunner()
EMAIL = "creator@localhost"


def twin(data_dir: Path, *args: str, **kwargs: Any) -> Result:
    """Run ``twin ARGS --data-dir DATA_DIR`` the way a user types it."""
    return runner.invoke(app, [*args, "--data-dir", str(data_dir)], **kwargs)


def audit_rows(system: Resources, action: str | None = None) -> list[AuditLog]:
    with system.sessions() as session:
        stmt = select(AuditLog).order_by(AuditLog.created_at, AuditLog.id)
        if action:
            stmt = stmt.where(AuditLog.action == action)
        return list(session.scalars(stmt))


def dump(system: Resources) -> str:
    """Every audit row as JSON text (to assert a secret appears nowhere)."""
    rows = audit_rows(system)
    return json.dumps(
        [
            [r.actor, r.action, r.subject_type, r.subject_id, r.new_values_json, r.old_values_json]
            for r in rows
        ]
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    system = open_resources(load_settings(data_dir=path))
    try:
        initialise(system)
    finally:
        system.dispose()
    return path


@pytest.fixture
def system(data_dir: Path) -> Iterator[Resources]:
    sys_ = open_resources(load_settings(data_dir=data_dir))
    yield sys_
    sys_.dispose()


@pytest.fixture
def me() -> str:
    return cli_actor()
