"""Connect an account from the web app: OAuth with PKCE, redirected back to ``/oauth/callback``.

The redirect URI is ``TWIN_PUBLIC_BASE_URL`` (or the address the app is served on) plus
``/oauth/callback``: one exact URI to register with each platform's app.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from agent.errors import USER_ERRORS
from agent.web.auth import SignedIn, csrf_guard, require_user, web_state
from agent.web.pages import redirect
from tools.publish.base import PublishError
from tools.publish.oauth import CALLBACK_PATH, DEFAULT_ENDPOINTS, PkceFlow

router = APIRouter(dependencies=[Depends(require_user), Depends(csrf_guard)])

User = Annotated[SignedIn, Depends(require_user)]
FLOW_TTL_SECONDS = 900.0
SHOWN_ERRORS: tuple[type[BaseException], ...] = (PublishError, *USER_ERRORS)


@dataclass
class PendingOAuth:
    """An authorization sent to the platform, waiting for the browser to come back."""

    user_id: uuid.UUID
    platform: str
    flow: PkceFlow
    started: float


def callback_url(request: Request) -> str:
    """The exact redirect URI of this app (``TWIN_PUBLIC_BASE_URL`` when set)."""
    base = web_state(request).system.settings.public_base_url or str(request.base_url)
    return base.rstrip("/") + CALLBACK_PATH


def oauth_platforms() -> list[str]:
    """Platforms with a built-in OAuth flow (the others connect with a pasted token)."""
    return sorted(DEFAULT_ENDPOINTS)


@router.get("/accounts/connect/{platform}")
def start_connect(request: Request, user: User, platform: str) -> Response:
    """Send the browser to the platform's consent page (a link, not a form: CSP's form-action
    would block a form redirected to another origin; the flow is bound to this user)."""
    from agent.publishing.adapters import client_setting_names, oauth_client, oauth_endpoints

    state = web_state(request)
    settings = state.system.settings
    if platform not in DEFAULT_ENDPOINTS:
        return redirect(
            request,
            "/accounts",
            f"{platform} has no OAuth flow; use 'twin accounts connect {platform} --token'.",
            "error",
        )
    client_id, client_secret = oauth_client(platform, settings)
    if not client_id:
        id_var, secret_var = client_setting_names(platform)
        return redirect(
            request,
            "/accounts",
            f"No OAuth app is configured for {platform}: set {id_var} and {secret_var}, and "
            f"register {callback_url(request)} as its redirect URI.",
            "error",
        )
    flow = PkceFlow(
        endpoints=oauth_endpoints(platform, settings),
        client_id=client_id,
        client_secret=client_secret,
        redirect=callback_url(request),
    )
    now = time.monotonic()
    with state.lock:
        for key in [k for k, p in state.oauth_flows.items() if now - p.started > FLOW_TTL_SECONDS]:
            del state.oauth_flows[key]
        state.oauth_flows[flow.state] = PendingOAuth(user.user_id, platform, flow, now)
    return RedirectResponse(flow.authorize_url(), status_code=303)


@router.get(CALLBACK_PATH)
def finish_connect(request: Request, user: User) -> Response:
    from agent.app.wiring import publishers_for
    from agent.context import SystemClock
    from agent.publishing.accounts import connect_account, resolve_identity

    state = web_state(request)
    query = dict(request.query_params)
    with state.lock:
        pending = state.oauth_flows.pop(query.get("state", ""), None)
    if pending is None or pending.user_id != user.user_id:
        return redirect(
            request,
            "/accounts",
            "This authorization is unknown or expired; connect again.",
            "error",
        )
    try:
        code = pending.flow.code_from(query)
        credentials = pending.flow.exchange(code)
        clock = SystemClock()
        publisher = publishers_for(state.system.settings, clock)(pending.platform)
        identity = resolve_identity(publisher, credentials, handle=None, external_id=None)
        result = connect_account(
            sessions=state.system.sessions,
            cipher=state.system.cipher(),
            platform=pending.platform,
            credentials=credentials,
            identity=identity,
            user_email=user.email,
        )
    except SHOWN_ERRORS as exc:
        return redirect(request, "/accounts", f"{pending.platform}: {exc}", "error")
    verb = "Reconnected" if result.reconnected else "Connected"
    return redirect(request, "/accounts", f"{verb} {result.platform} account {result.handle}.")
