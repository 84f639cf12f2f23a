"""OAuth redirects a provider can match exactly: a fixed loopback port for ``twin accounts
connect`` and ``/oauth/callback`` on ``twin serve``, both against a fake Google on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from agent.app.bootstrap import initialise
from agent.app.resources import open_resources
from agent.cli import app
from agent.cli.serve_cmds import set_password
from agent.settings import load_settings
from agent.web import create_app
from db.models import SocialAccount
from tests.publish.fakes.base import CLIENT_SECRET
from tests.publish.fakes.youtube import YouTubeFake
from tests.publishing.test_cli import platform_env
from tools.publish.base import PublishError
from tools.publish.oauth import DEFAULT_ENDPOINTS, PkceFlow

runner = CliRunner()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def google() -> Iterator[tuple[YouTubeFake, str]]:
    fake = YouTubeFake()
    base = fake.start()
    yield fake, base
    fake.stop()


def test_the_cli_listens_on_the_configured_port(
    tmp_path: Path, google: tuple[YouTubeFake, str]
) -> None:
    fake, base = google
    port = free_port()
    browser = tmp_path / "browser.py"  # the user's browser: follows the consent redirect
    browser.write_text(
        "import sys, httpx\nhttpx.get(sys.argv[1], follow_redirects=True, timeout=10)\n"
    )
    env = {
        "TWIN_DATA_DIR": str(tmp_path / "data"),
        "TWIN_OAUTH_BROWSER": f"{sys.executable} {browser} %s",
        "TWIN_OAUTH_REDIRECT_TIMEOUT": "20",
        "TWIN_OAUTH_REDIRECT_PORT": str(port),
        **platform_env("youtube_shorts", base),
    }
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    result = runner.invoke(app, ["accounts", "connect", "youtube_shorts", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["external_id"] == "UC1"
    exact = f"http://127.0.0.1:{port}/oauth/callback"
    assert fake.redirects == [exact, exact]  # the authorize request and the code grant


def test_a_taken_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        flow = PkceFlow(endpoints=DEFAULT_ENDPOINTS["youtube_shorts"], client_id="c", port=port)
        with pytest.raises(
            PublishError, match=f"cannot listen on 127.0.0.1:{port}.*TWIN_OAUTH_REDIRECT_PORT"
        ):
            flow.start()


def test_the_web_app_connects_through_its_callback_route(
    tmp_path: Path, google: tuple[YouTubeFake, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, base = google
    for name, value in platform_env("youtube_shorts", base).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TWIN_PUBLIC_BASE_URL", "http://127.0.0.1:8765/")
    system = open_resources(load_settings(data_dir=tmp_path / "data"))
    initialise(system)
    set_password(system, "creator@localhost", "correct horse battery")
    with TestClient(create_app(system)) as client:
        page = client.get("/signin")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        signed = client.post(
            "/signin",
            data={
                "email": "creator@localhost",
                "password": "correct horse battery",
                "next": "/",
                "csrf_token": token,
            },
            follow_redirects=False,
        )
        assert signed.status_code == 303
        accounts = client.get("/accounts").text
        assert (
            "http://127.0.0.1:8765/oauth/callback" in accounts
            and "/accounts/connect/youtube_shorts" in accounts
        )

        start = client.get("/accounts/connect/youtube_shorts", follow_redirects=False)
        assert start.status_code == 303
        consent = httpx.get(
            start.headers["location"], follow_redirects=False, timeout=10
        )  # the browser
        back = urlparse(consent.headers["location"])
        assert f"{back.scheme}://{back.netloc}{back.path}" == "http://127.0.0.1:8765/oauth/callback"
        done = client.get(f"/oauth/callback?{back.query}", follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/accounts"
        assert "Connected youtube_shorts account @twin_yt" in client.get("/accounts").text
        replay = client.get(f"/oauth/callback?{back.query}", follow_redirects=False)
        assert replay.status_code == 303
        assert "unknown or expired" in client.get("/accounts").text
    assert fake.redirects == ["http://127.0.0.1:8765/oauth/callback"] * 2
    with system.sessions() as session:
        [account] = session.scalars(
            select(SocialAccount).where(SocialAccount.platform == "youtube_shorts")
        )
        assert account.account_external_id == "UC1"
    assert CLIENT_SECRET not in accounts
    system.dispose()
