"""The web app audits sign-ins, sign-outs, failed sign-ins, consent and inbox decisions."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select

from agent.app.resources import Resources
from agent.app.runs import pending_review
from agent.web import create_app
from db.enums import AuditOrigin
from db.models import AuditLog
from tests.web.conftest import EMAIL, PASSWORD, WIRING, page_csrf, sign_in


def _rows(system: Resources, action: str) -> list[AuditLog]:
    with system.sessions() as session:
        return list(
            session.scalars(
                select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.created_at)
            )
        )


def test_sign_in_sign_out_and_failed_attempts_are_audited(system: Resources) -> None:
    with TestClient(create_app(system, wiring=WIRING)) as client:
        assert sign_in(client, password="wrong password!").status_code == 401
        assert sign_in(client, email=PASSWORD, password=PASSWORD).status_code == 401
        assert sign_in(client).status_code == 303
        client.post("/signout", data={"csrf_token": page_csrf(client, "/")})

    failed = _rows(system, "auth.signin_failed")
    assert [f.actor for f in failed] == [EMAIL, "[not an email]"], "a pasted password is not kept"
    assert all(f.new_values_json == {"reason": "wrong email or password"} for f in failed)
    (signin,) = _rows(system, "auth.signin")
    (signout,) = _rows(system, "auth.signout")
    assert (signin.actor, signin.origin) == (EMAIL, AuditOrigin.web)
    assert signin.user_id is not None and signout.user_id == signin.user_id
    assert signin.new_values_json["session"] == signout.new_values_json["session"]
    with system.sessions() as session:
        everything = " ".join(str(r.new_values_json) for r in session.scalars(select(AuditLog)))
    assert PASSWORD not in everything


def test_consent_and_inbox_decisions_are_audited_with_the_signed_in_email(
    client: TestClient, system: Resources, run_id: str
) -> None:
    client.post(
        "/consent",
        data={
            "csrf_token": page_csrf(client, "/accounts"),
            "consent_type": "likeness_modeling",
            "grant": "grant",
        },
    )
    review = pending_review(system, uuid.UUID(run_id))
    assert review is not None
    reel = review["reels"][0]["reel_id"]
    response = client.post(
        f"/inbox/{run_id}/decide",
        data={
            "csrf_token": page_csrf(client, "/inbox"),
            "reel_id": reel,
            "action": "reject",
            "reason": "off brand",
        },
    )
    assert response.status_code == 200
    jobs = client.app.state.web.jobs  # type: ignore[attr-defined]
    jobs.wait(jobs.latest_for(run_id).id, timeout=240)

    (consent,) = _rows(system, "consent.grant")
    assert (consent.actor, consent.origin) == (EMAIL, AuditOrigin.web)
    assert consent.new_values_json == {
        "type": "likeness_modeling",
        "granted": True,
        # what a withdrawal switched off; granting switches nothing off
        "deleted_remote_voices": [],
        "disabled_voices": [],
        "likeness_off": [],
    }
    (decision,) = _rows(system, "review.reject")
    assert (decision.actor, decision.origin, decision.subject_id) == (EMAIL, AuditOrigin.web, reel)
    assert decision.new_values_json == {"run_id": run_id, "reason": "off brand"}
