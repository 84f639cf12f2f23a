"""``twin web password`` and ``twin serve`` from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from agent.app.resources import Resources
from agent.cli import app
from agent.web.security import verify_password
from db.enums import SessionStatus
from db.models import AppSession, User
from tests.web.conftest import free_port, sign_in

runner = CliRunner()


def _hash(system: Resources) -> str | None:
    with system.sessions() as session:
        return session.scalar(select(User.password_hash))


def test_web_password_is_asked_twice_and_stored_hashed(system: Resources, client: object) -> None:
    data_dir = str(system.settings.data_dir)
    result = runner.invoke(
        app, ["web", "password", "--data-dir", data_dir], input="new pass phrase\nnew pass phrase\n"
    )
    assert result.exit_code == 0, result.output
    assert "Password set for creator@localhost" in result.output
    assert "new pass phrase" not in result.output
    stored = _hash(system)
    assert (
        stored is not None
        and stored.startswith("scrypt$")
        and verify_password("new pass phrase", stored)
    )
    with system.sessions() as session:  # the signed-in client's session was ended
        assert {s.status for s in session.scalars(select(AppSession))} == {SessionStatus.closed}


def test_web_password_refuses_short_passwords_and_unknown_users(system: Resources) -> None:
    data_dir = str(system.settings.data_dir)
    before = _hash(system)
    short = runner.invoke(app, ["web", "password", "--data-dir", data_dir], input="short\nshort\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    assert _hash(system) == before
    nobody = runner.invoke(app, ["web", "password", "--data-dir", data_dir, "--email", "x@y.z"])
    assert nobody.exit_code == 1 and "no user with email" in nobody.output


def test_commands_need_an_initialised_data_dir(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--data-dir", str(tmp_path / "fresh")])
    assert result.exit_code == 3 and "twin init" in result.output
    assert not (tmp_path / "fresh").exists()  # nothing was created on the way


@pytest.mark.slow
def test_serve_runs_on_loopback_and_prints_its_url(system: Resources) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from agent.cli import main; main()",
            "serve",
            "--data-dir",
            str(system.settings.data_dir),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).parents[2],
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            assert client.get("/", follow_redirects=False).status_code == 303
            response = sign_in(client)  # type: ignore[arg-type]
            assert response.status_code == 303
            assert client.get("/inbox").text.count("<video") == 2
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=60)
    assert f"http://127.0.0.1:{port}/" in out
