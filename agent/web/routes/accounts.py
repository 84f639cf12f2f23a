"""Social accounts and their status; grant or revoke consent for voice and likeness."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from agent.web import queries
from agent.web.auth import SignedIn, csrf_guard, require_user, web_state
from agent.web.pages import redirect, render
from db.engine import transaction
from db.enums import AuditOrigin, ConsentType
from db.repo import audit
from db.repo.identity import record_consent

router = APIRouter(dependencies=[Depends(require_user), Depends(csrf_guard)])

User = Annotated[SignedIn, Depends(require_user)]
CONSENT_WORDS = {
    ConsentType.voice_cloning: "Cloning your voice for the twin's speech",
    ConsentType.likeness_modeling: "Modelling the twin on your own face and body",
}


@router.get("/accounts")
def accounts_page(request: Request, user: User) -> Response:
    now = datetime.now(UTC)
    with web_state(request).system.sessions() as session:
        rows = queries.accounts(session, user.user_id, now)
        consents = queries.consents(session, user.user_id)
    for item in consents:
        item["explain"] = CONSENT_WORDS[ConsentType(item["type"])]
    return render(request, "accounts.html", active="accounts", accounts=rows, consents=consents)


@router.post("/consent")
def set_consent(
    request: Request,
    user: User,
    consent_type: Annotated[str, Form()],
    grant: Annotated[str, Form()],
) -> Response:
    try:
        kind = ConsentType(consent_type)
    except ValueError:
        kind = None
    if kind not in queries.CONSENT_TYPES or grant not in ("grant", "revoke"):
        return redirect(request, "/accounts", "Unknown consent choice.", "error")
    assert kind is not None
    granted = grant == "grant"
    with transaction(web_state(request).system.sessions) as session:
        row = record_consent(
            session=session,
            user_id=user.user_id,
            consent_type=kind,
            granted=granted,
            details=f"{'granted' if granted else 'revoked'} in the web app by {user.email}",
        )
        audit.record(
            session=session,
            actor=user.email,
            action=f"consent.{grant}",
            subject_type="consent",
            subject_id=row.id,
            origin=AuditOrigin.web,
            details={"type": kind.value, "granted": granted},
            user_id=user.user_id,
        )
    label = kind.value.replace("_", " ")
    message = (
        f"Consent for {label} granted."
        if granted
        else f"Consent for {label} revoked; the agent stops using it from the next render."
    )
    return redirect(request, "/accounts", message)
