"""Web fixtures: a data dir whose run waits at review, a signed-in client, a live server."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from chromadb.api.shared_system_client import SharedSystemClient
from fastapi.testclient import TestClient

from agent.app.bootstrap import initialise
from agent.app.resources import Resources, open_resources
from agent.app.runs import start_run
from agent.app.wiring import Wiring
from agent.cli.serve_cmds import set_password
from agent.settings import load_settings
from agent.web import create_app
from db.engine import transaction
from db.enums import RunStatus
from db.repo.identity import get_agent, update_agent_policy
from tests.web.fakes import cheap_render

EMAIL = "creator@localhost"
PASSWORD = "correct horse battery"
WEEK = "2026-W48"
"""The week the waiting run plans (fixed, so pages and assertions do not depend on today)."""
WIRING = Wiring(render=cheap_render)


def build_waiting_dir(data_dir: Path, wiring: Wiring = WIRING) -> str:
    """Init, two posts a week, a fast-forward run stopped at review; returns the run id."""
    system = open_resources(load_settings(data_dir=data_dir))
    try:
        initialise(system)
        with transaction(system.sessions) as session:
            update_agent_policy(session=session, agent=get_agent(session=session), posts_per_week=2)
        set_password(system, EMAIL, PASSWORD)
        outcome = start_run(
            system,
            week=WEEK,
            fast_forward=True,
            auto_approve=False,
            render_quality="draft",
            wiring=wiring,
        )
        assert outcome.status == RunStatus.waiting_review, outcome.error
        return outcome.run_id
    finally:
        system.dispose()


@pytest.fixture(scope="session")
def waiting_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """Built once per session and snapshotted.

    The database and checkpoint hold absolute media paths, so each test gets the snapshot
    restored at the same place rather than a copy elsewhere.
    """
    root = tmp_path_factory.mktemp("web-template")
    data = root / "data"
    run_id = build_waiting_dir(data)
    snapshot = root / "snapshot"
    shutil.copytree(data, snapshot)
    return data, snapshot, run_id


@pytest.fixture
def waiting_dir(waiting_template: tuple[Path, Path, str]) -> tuple[Path, str]:
    data, snapshot, run_id = waiting_template
    # Chroma keeps one client per path per process; drop it before its files are replaced.
    SharedSystemClient.clear_system_cache()
    shutil.rmtree(data)
    shutil.copytree(snapshot, data, symlinks=True)
    return data, run_id


@pytest.fixture
def system(waiting_dir: tuple[Path, str]) -> Iterator[Resources]:
    sys_ = open_resources(load_settings(data_dir=waiting_dir[0]))
    yield sys_
    sys_.dispose()


@pytest.fixture
def run_id(waiting_dir: tuple[Path, str]) -> str:
    return waiting_dir[1]


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, email: str = EMAIL, password: str = PASSWORD) -> Any:
    page = client.get("/signin")
    return client.post(
        "/signin",
        data={"email": email, "password": password, "next": "/", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


@pytest.fixture
def anon(system: Resources) -> Iterator[TestClient]:
    """A client that has not signed in."""
    with TestClient(create_app(system, wiring=WIRING)) as client:
        yield client


@pytest.fixture
def client(system: Resources) -> Iterator[TestClient]:
    """A signed-in client."""
    with TestClient(create_app(system, wiring=WIRING)) as c:
        response = sign_in(c)
        assert response.status_code == 303, response.text
        yield c


def page_csrf(client: TestClient, path: str = "/") -> str:
    return csrf_of(client.get(path).text)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """uvicorn serving the app on 127.0.0.1 in a thread."""

    def __init__(self, system: Resources) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(system, wiring=WIRING)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)


@pytest.fixture
def live_server(system: Resources) -> Iterator[LiveServer]:
    with LiveServer(system) as server:
        yield server
