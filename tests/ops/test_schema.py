"""The schema from the command line: twin db, alembic from the repository, migration 0006, and
commands refusing a database they cannot use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

import db.models as m
from agent.cli import app
from agent.errors import ExitCode
from db import migrate
from db.crypto import Cipher, generate_key
from db.engine import build_engine, session_factory
from tests.db.factories import build_graph

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _init(data: Path) -> None:
    result = runner.invoke(app, ["init", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output


def test_db_current_check_and_upgrade(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _init(data)
    head = migrate.head_revision(build_engine(f"sqlite:///{data / 'twin.db'}"))
    current = runner.invoke(app, ["db", "current", "--json", "--data-dir", str(data)])
    assert current.exit_code == 0
    assert '"up_to_date": true' in current.stdout and f'"head": "{head}"' in current.stdout
    assert runner.invoke(app, ["db", "check", "--data-dir", str(data)]).exit_code == 0
    again = runner.invoke(app, ["db", "upgrade", "--data-dir", str(data)])
    assert again.exit_code == 0 and "nothing to do" in again.stdout


@pytest.mark.parametrize("command", [["run"], ["worker", "--once"], ["serve"], ["runs"]])
def test_an_old_schema_is_refused_with_the_command_that_upgrades_it(
    tmp_path: Path, command: list[str]
) -> None:
    data = tmp_path / "data"
    _init(data)
    engine = build_engine(f"sqlite:///{data / 'twin.db'}")
    migrate.downgrade(engine, "0002")
    engine.dispose()
    result = runner.invoke(app, [*command, "--data-dir", str(data)])
    assert result.exit_code == ExitCode.SCHEMA_OUTDATED
    assert result.stderr.endswith(
        "is at schema 0002, this version needs 0009: run 'twin db upgrade'\n"
    )
    assert result.stderr.count("\n") == 1
    check = runner.invoke(app, ["db", "check", "--data-dir", str(data)])
    assert check.exit_code == ExitCode.SCHEMA_OUTDATED
    upgraded = runner.invoke(app, ["db", "upgrade", "--data-dir", str(data)])
    assert upgraded.exit_code == 0 and "0002 -> 0009" in upgraded.stdout
    assert runner.invoke(app, ["runs", "--data-dir", str(data)]).exit_code == 0


def test_a_schema_newer_than_this_version_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _init(data)
    engine = build_engine(f"sqlite:///{data / 'twin.db'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    result = runner.invoke(app, ["run", "--data-dir", str(data)])
    assert result.exit_code == ExitCode.SCHEMA_OUTDATED and "upgrade Twin Agent" in result.stderr


def test_run_on_an_empty_data_dir_says_init_and_creates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "nothing-here"
    result = runner.invoke(app, ["run", "--auto-approve", "--data-dir", str(data)])
    assert result.exit_code == ExitCode.NOT_INITIALISED
    assert (
        result.stderr
        == f"error: no Twin Agent database at {data / 'twin.db'} yet: run 'twin init'\n"
    )
    assert not data.exists()
    as_json = runner.invoke(app, ["run", "--json", "--data-dir", str(data)])
    assert as_json.exit_code == ExitCode.NOT_INITIALISED
    assert as_json.stdout.startswith(
        '{"error": {"code": "not_initialised", "message": "no Twin Agent'
    )


def test_a_failed_init_leaves_nothing_behind(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"TWIN_DATABASE_URL": "postgresql+psycopg://twin@127.0.0.1:1/twin"}
    result = runner.invoke(app, ["init", "--data-dir", str(data)], env=env)
    assert result.exit_code == ExitCode.DATABASE and "cannot connect to" in result.stderr
    assert not data.exists()


def test_alembic_from_the_repository_uses_twin_database_url(tmp_path: Path, db_url: str) -> None:
    env = {**os.environ, "TWIN_DATABASE_URL": db_url}
    alembic = [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini")]
    up = subprocess.run(
        [*alembic, "upgrade", "head"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert up.returncode == 0, up.stderr
    current = subprocess.run(
        [*alembic, "current"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert "0009 (head)" in current.stdout, current.stderr
    check = subprocess.run(
        [*alembic, "check"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert (
        check.returncode == 0
        and "No new upgrade operations detected" in check.stdout + check.stderr
    )


def _platforms(engine: Engine) -> dict[str, list[str]]:
    found = {}
    with engine.connect() as conn:
        for table, column in (
            ("social_accounts", "platform"),
            ("integration_keys", "platform"),
            ("posts", "platform"),
        ):
            found[table] = sorted(conn.execute(text(f"SELECT {column} FROM {table}")).scalars())
    return found


def test_0006_keeps_every_row_and_accepts_plugin_platforms(db_url: str) -> None:
    engine = build_engine(db_url)
    migrate.upgrade(engine)  # today's models write the rows; the way down to 0002 must keep them
    sessions = session_factory(engine)
    with sessions.begin() as session:
        build_graph(session, Cipher.from_material(generate_key(), "env"))
    migrate.downgrade(engine, "0002")
    before = _platforms(engine)
    assert before["social_accounts"] == ["instagram"]
    with pytest.raises(Exception, match=r"(?i)check"), engine.begin() as conn:
        conn.execute(text("UPDATE social_accounts SET platform = 'mastodon'"))
    migrate.upgrade(engine)
    assert _platforms(engine) == before
    assert migrate.schema_drift(engine) == []
    with engine.begin() as conn:  # the only account becomes a plugin's platform
        conn.execute(text("UPDATE social_accounts SET platform = 'mastodon'"))
    with pytest.raises(RuntimeError, match=r"plugin platforms \['mastodon'\]"):
        migrate.downgrade(engine, "0002")
    with engine.begin() as conn:
        conn.execute(text("UPDATE social_accounts SET platform = 'instagram'"))
    migrate.downgrade(engine, "0002")
    assert _platforms(engine) == before
    engine.dispose()


def test_a_platform_name_is_format_checked_by_the_model(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        build_graph(session, Cipher.from_material(generate_key(), "env"))
    with (
        pytest.raises(StatementError, match="platform name 'Bad Name!'"),
        sessions.begin() as session,
    ):
        account = session.scalars(select(m.SocialAccount)).one()
        account.platform = "Bad Name!"  # type: ignore[assignment]
        session.flush()
    with sessions() as session:
        account = session.scalars(select(m.SocialAccount)).one()
        assert account.platform == "instagram" and account.platform.value == "instagram"
