"""`twin init`, `twin status`, secrets and privacy commands, as a user runs them."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.errors import ExitCode

runner = CliRunner()


def _twin(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("twin", path=str(Path(sys.executable).parent))
    assert exe, "the twin console script is installed next to the interpreter"
    return subprocess.run(
        [exe, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120
    )


def test_init_twice_is_idempotent_and_status_shows_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = runner.invoke(app, ["init", "--data-dir", str(data)])
    assert first.exit_code == 0, first.output
    assert "created agent" in first.output
    second = runner.invoke(app, ["init", "--data-dir", str(data)])
    assert second.exit_code == 0
    assert "nothing to change" in second.output
    key_file = data / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    status = runner.invoke(app, ["status", "--data-dir", str(data), "--json"])
    info = json.loads(status.output)
    assert info["schema_revision"] == info["schema_head"]
    assert [a["name"] for a in info["agents"]] == ["AI Twin Content Agent"]
    assert info["accounts"] == [
        {"platform": "sandbox", "handle": "@twin_sandbox", "connected": True}
    ]
    assert info["key_source"].startswith("key file")
    assert key_file.read_text().strip() not in status.output


def test_status_masks_the_database_password(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["status", "--data-dir", str(tmp_path)],
        env={"TWIN_DATABASE_URL": "postgresql+psycopg://u:hunter2@127.0.0.1:1/x"},
    )
    assert result.exit_code == ExitCode.DATABASE
    assert "hunter2" not in result.output
    assert "cannot connect" in result.output


@pytest.mark.parametrize(
    ("env", "args", "expected", "code"),
    [
        ({"TWIN_DATABASE_URL": "nonsense"}, ["status"], "invalid database URL", ExitCode.DATABASE),
        (
            {},
            ["data", "export", "--user", "nobody@example.com"],
            "no user with email",
            ExitCode.NOT_FOUND,
        ),
    ],
)
def test_user_errors_are_one_line(
    tmp_path: Path, env: dict[str, str], args: list[str], expected: str, code: int
) -> None:
    runner.invoke(app, ["init", "--data-dir", str(tmp_path)])
    result = runner.invoke(app, [*args, "--data-dir", str(tmp_path)], env=env)
    assert result.exit_code == code
    assert expected in result.output
    assert "Traceback" not in result.output


def test_unwritable_data_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["init", "--data-dir", str(blocker / "sub")])
    assert result.exit_code == ExitCode.CONFIG
    assert "not writable" in result.output


def test_wrong_secret_key_in_a_real_process(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    assert _twin("init", "--data-dir", data, env={"TWIN_SECRET_KEY": "first key"}).returncode == 0
    ok = _twin("secrets", "check", "--data-dir", data, env={"TWIN_SECRET_KEY": "first key"})
    assert ok.returncode == 0, ok.stderr
    bad = _twin("secrets", "check", "--data-dir", data, env={"TWIN_SECRET_KEY": "other key"})
    assert bad.returncode == ExitCode.CONFIG
    assert "TWIN_SECRET_KEY does not match the key they were stored with" in bad.stderr
    assert "Traceback" not in bad.stderr and "first key" not in bad.stderr + bad.stdout


def test_rotate_with_key_file(tmp_path: Path) -> None:
    data = tmp_path / "d"
    runner.invoke(app, ["init", "--data-dir", str(data)])
    before = (data / "secret.key").read_text()
    rotated = runner.invoke(app, ["secrets", "rotate", "--data-dir", str(data)])
    assert rotated.exit_code == 0, rotated.output
    assert (data / "secret.key").read_text() != before
    assert not (data / "secret.key.new").exists()
    assert runner.invoke(app, ["secrets", "check", "--data-dir", str(data)]).exit_code == 0


def test_rotate_env_key_needs_the_new_key(tmp_path: Path) -> None:
    data = tmp_path / "d"
    env = {"TWIN_SECRET_KEY": "old phrase"}
    runner.invoke(app, ["init", "--data-dir", str(data)], env=env)
    refused = runner.invoke(app, ["secrets", "rotate", "--data-dir", str(data)], env=env)
    assert refused.exit_code != 0
    done = runner.invoke(
        app,
        ["secrets", "rotate", "--data-dir", str(data), "--new-key-env", "NEWKEY"],
        env={**env, "NEWKEY": "new phrase"},
    )
    assert done.exit_code == 0, done.output
    assert "new phrase" not in done.output
    check = runner.invoke(
        app, ["secrets", "check", "--data-dir", str(data)], env={"TWIN_SECRET_KEY": "new phrase"}
    )
    assert check.exit_code == 0


def test_export_then_delete_a_user(tmp_path: Path) -> None:
    data = tmp_path / "d"
    runner.invoke(app, ["init", "--data-dir", str(data)])
    out = tmp_path / "export.zip"
    exported = runner.invoke(
        app,
        [
            "data",
            "export",
            "--user",
            "creator@localhost",
            "--data-dir",
            str(data),
            "--out",
            str(out),
        ],
    )
    assert exported.exit_code == 0, exported.output
    with zipfile.ZipFile(out) as zf:
        users = json.loads(zf.read("data/users.json"))
        keys = json.loads(zf.read("data/integration_keys.json"))
    assert users[0]["email"] == "creator@localhost"
    assert keys[0]["access_token"] == "[encrypted secret not exported]"
    refused = runner.invoke(
        app, ["data", "delete", "--user", "creator@localhost", "--data-dir", str(data)], input="n\n"
    )
    assert refused.exit_code != 0
    deleted = runner.invoke(
        app, ["data", "delete", "--user", "creator@localhost", "--data-dir", str(data), "--yes"]
    )
    assert deleted.exit_code == 0, deleted.output
    status = json.loads(runner.invoke(app, ["status", "--data-dir", str(data), "--json"]).output)
    assert status["agents"] == [] and status["accounts"] == []


def test_help_explains_each_command() -> None:
    result = _twin("--help")
    assert result.returncode == 0
    for command in ("init", "status", "secrets", "data"):
        assert command in result.stdout
