"""Sign-in, sessions stored hashed, cookies, redirects for anonymous users, CSRF on every POST."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import bcrypt
import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from agent.app.resources import Resources
from agent.web import create_app
from agent.web.auth import csrf_guard
from agent.web.routes import ROUTERS
from agent.web.security import hash_password, verify_password
from db.engine import transaction
from db.enums import SessionStatus
from db.models import AppSession
from tests.web.conftest import EMAIL, PASSWORD, WIRING, csrf_of, page_csrf, sign_in

PAGES = ["/", "/inbox", "/calendar", "/reports", "/chat", "/accounts", "/notifications"]


def _post_routes() -> list[tuple[APIRouter, APIRoute]]:
    return [
        (router, r)
        for router in ROUTERS
        for r in router.routes
        if isinstance(r, APIRoute) and "POST" in (r.methods or set())
    ]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)


def test_password_hashes_verify_and_refuse() -> None:
    stored = hash_password("a long passphrase")
    assert stored.startswith("scrypt$") and "a long passphrase" not in stored
    assert verify_password("a long passphrase", stored)
    assert not verify_password("a long passphrasE", stored)
    assert not verify_password("anything", None)
    assert not verify_password("anything", "scrypt$broken")
    legacy = bcrypt.hashpw(b"bcrypt secret", bcrypt.gensalt(rounds=4)).decode()
    assert verify_password("bcrypt secret", legacy)
    assert not verify_password("other", legacy)
    with pytest.raises(ValueError, match="at least 8 characters"):
        hash_password("short")


def test_sign_in_sets_a_private_cookie_and_stores_only_its_hash(
    anon: TestClient, system: Resources
) -> None:
    response = sign_in(anon)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "twin_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1
    token = anon.cookies["twin_session"]
    with system.sessions() as session:
        rows = list(session.scalars(select(AppSession)))
    assert [r.token_hash for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert rows[0].device_type.value == "web" and rows[0].status == SessionStatus.active
    assert anon.get("/").status_code == 200


def test_cookie_is_secure_over_https(system: Resources) -> None:
    with TestClient(create_app(system), base_url="https://testserver") as client:
        response = sign_in(client)
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_is_refused_with_a_message(anon: TestClient) -> None:
    response = sign_in(anon, password="not the password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.text
    assert "twin_session" not in anon.cookies
    assert sign_in(anon, email="nobody@example.com").status_code == 401
    assert anon.get("/", follow_redirects=False).status_code == 303


def test_repeated_failures_are_throttled(anon: TestClient) -> None:
    for _ in range(10):
        assert sign_in(anon, password="wrong password").status_code == 401
    response = sign_in(anon)  # even the right password waits now
    assert response.status_code == 429 and "Too many failed attempts" in response.text


@pytest.mark.parametrize(
    "path", [*PAGES, "/runs/00000000-0000-0000-0000-000000000000", "/reports/x"]
)
def test_pages_redirect_anonymous_users_to_sign_in(anon: TestClient, path: str) -> None:
    response = anon.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin?next=")


def test_sign_in_returns_to_the_page_asked_for(anon: TestClient) -> None:
    first = anon.get("/calendar?week=2026-W48", follow_redirects=True)
    assert first.url.path == "/signin"
    response = anon.post(
        "/signin",
        data={
            "email": EMAIL,
            "password": PASSWORD,
            "csrf_token": csrf_of(first.text),
            "next": "/calendar?week=2026-W48",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/calendar?week=2026-W48"


def test_sign_in_never_redirects_off_site(anon: TestClient) -> None:
    page = anon.get("/signin")
    response = anon.post(
        "/signin",
        data={
            "email": EMAIL,
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "//evil.example/steal",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_api_and_media_answer_401_to_anonymous_users(anon: TestClient, run_id: str) -> None:
    api = anon.get(f"/api/runs/{run_id}/status")
    assert api.status_code == 401 and api.json() == {"error": "sign in first"}
    assert anon.get("/media/media/anything.mp4").status_code == 401


def test_every_post_route_refuses_anonymous_users(anon: TestClient) -> None:
    routes = [r for _, r in _post_routes() if r.path not in ("/signin", "/signout")]
    assert len(routes) >= 7
    for route in routes:
        response = anon.post(
            _concrete(route.path), data={"csrf_token": "x"}, follow_redirects=False
        )
        assert response.status_code == 401, route.path


def test_every_post_route_checks_csrf(client: TestClient) -> None:
    routes = _post_routes()
    for router, route in routes:
        deps = [d.dependency for d in [*router.dependencies, *route.dependencies]]
        assert csrf_guard in deps, f"{route.path} has no CSRF check"
    for _, route in routes:
        for data in ({}, {"csrf_token": "forged"}):
            response = client.post(_concrete(route.path), data=data, follow_redirects=False)
            assert response.status_code == 403, (route.path, data)
            assert "Form expired" in response.text


def test_csrf_token_of_another_session_is_refused(system: Resources) -> None:
    app = create_app(system, wiring=WIRING)
    with TestClient(app) as first, TestClient(app) as second:
        sign_in(first)
        sign_in(second)
        foreign = page_csrf(first, "/accounts")
        refused = second.post(
            "/consent",
            data={"csrf_token": foreign, "consent_type": "voice_cloning", "grant": "grant"},
        )
        assert refused.status_code == 403
        accepted = second.post(
            "/consent",
            data={
                "csrf_token": page_csrf(second, "/accounts"),
                "consent_type": "voice_cloning",
                "grant": "grant",
            },
        )
        assert accepted.status_code == 200 and "granted" in accepted.text


def test_sign_in_form_needs_its_csrf_token(anon: TestClient) -> None:
    anon.get("/signin")
    response = anon.post(
        "/signin", data={"email": EMAIL, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403
    fresh = TestClient(anon.app)
    assert fresh.post("/signin", data={"email": EMAIL, "password": PASSWORD}).status_code == 403


def test_sign_out_ends_the_session(client: TestClient, system: Resources) -> None:
    token = client.cookies["twin_session"]
    response = client.post(
        "/signout", data={"csrf_token": page_csrf(client)}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/signin"
    with system.sessions() as session:
        row = session.scalar(select(AppSession))
    assert row is not None and row.status == SessionStatus.closed and row.ended_at is not None
    client.cookies.set("twin_session", token)  # a stolen copy of the cookie is useless now
    assert client.get("/", follow_redirects=False).status_code == 303


def test_old_sessions_expire(client: TestClient, system: Resources) -> None:
    with transaction(system.sessions) as session:
        row = session.scalar(select(AppSession))
        assert row is not None
        row.started_at = row.started_at - timedelta(days=15)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_pages_carry_security_headers(client: TestClient) -> None:
    response = client.get("/")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
