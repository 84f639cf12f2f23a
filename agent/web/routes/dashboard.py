"""The dashboard: agent state, next run, latest report headline and counts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from agent.web import queries
from agent.web.auth import SignedIn, require_user, web_state
from agent.web.pages import render

router = APIRouter(dependencies=[Depends(require_user)])

User = Annotated[SignedIn, Depends(require_user)]


@router.get("/")
def dashboard(request: Request, user: User) -> Response:
    now = datetime.now(UTC)
    with web_state(request).system.sessions() as session:
        data = queries.dashboard(session, user.user_id, now)
    return render(request, "dashboard.html", active="dashboard", data=data, now=now)
