"""The pages on a fresh install, on SQLite and PostgreSQL; a crash shows a page, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.app.bootstrap import initialise
from agent.app.resources import open_resources
from agent.cli.serve_cmds import set_password
from agent.settings import load_settings
from agent.web import create_app
from tests.web.conftest import EMAIL, PASSWORD, page_csrf, sign_in

PAGES = ["/", "/inbox", "/calendar", "/reports", "/chat", "/accounts", "/notifications"]


def test_fresh_install_pages_on_each_database(db_url: str, tmp_path: Path) -> None:
    system = open_resources(load_settings(data_dir=tmp_path / "data", database_url=db_url))
    try:
        initialise(system)
        set_password(system, EMAIL, PASSWORD)
        with TestClient(create_app(system)) as client:
            assert sign_in(client).status_code == 303
            for path in PAGES:
                response = client.get(path)
                assert response.status_code == 200, path
            assert "Nothing waits for your approval" in client.get("/inbox").text
            assert "No reports yet" in client.get("/reports").text
            granted = client.post(
                "/consent",
                data={
                    "csrf_token": page_csrf(client, "/accounts"),
                    "consent_type": "likeness_modeling",
                    "grant": "grant",
                },
            )
            assert "Consent for likeness modeling granted" in granted.text
    finally:
        system.dispose()


def test_an_unexpected_error_shows_a_friendly_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = open_resources(load_settings(data_dir=tmp_path / "data"))
    initialise(system)
    set_password(system, EMAIL, PASSWORD)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("internal detail /secret/path")

    monkeypatch.setattr("agent.web.queries.dashboard", broken)
    with TestClient(create_app(system), raise_server_exceptions=False) as client:
        sign_in(client)
        response = client.get("/")
    system.dispose()
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "internal detail" not in response.text and "Traceback" not in response.text
