"""Social accounts and their status; grant or revoke consent for voice and likeness."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from agent.setup.consent import change_consent
from agent.setup.voices import voices_client_for
from agent.web import queries
from agent.web.auth import SignedIn, csrf_guard, require_user, web_state
from agent.web.pages import redirect, render
from db.engine import transaction
from db.enums import AuditOrigin, ConsentType

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
    from agent.web.routes.oauth import callback_url, oauth_platforms

    return render(
        request,
        "accounts.html",
        active="accounts",
        accounts=rows,
        consents=consents,
        oauth_platforms=oauth_platforms(),
        callback_url=callback_url(request),
    )


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
    system = web_state(request).system
    with transaction(system.sessions) as session:
        change = change_consent(
            session=session,
            user_id=user.user_id,
            actor=user.email,
            consent_type=kind,
            granted=granted,
            details=f"{'granted' if granted else 'revoked'} in the web app by {user.email}",
            voices=voices_client_for(system, session, user.user_id),
            origin=AuditOrigin.web,
        )
    label = kind.value.replace("_", " ")
    message = (
        f"Consent for {label} granted."
        if granted
        else f"Consent for {label} revoked; the agent stops using it from the next render."
    )
    if change.disabled_voices:
        message += f" Disabled voices: {', '.join(change.disabled_voices)}."
    if change.likeness_off:
        message += f" No longer using your likeness: {', '.join(change.likeness_off)}."
    for warning in change.warnings:
        web_state(request).flash(user.session_key, "error", warning)
    return redirect(request, "/accounts", message)
