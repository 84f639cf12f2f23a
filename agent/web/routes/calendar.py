"""The week calendar: planned items of a week and the next, with their status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from agent.strategy.weeks import next_week, parse_week
from agent.web import queries
from agent.web.auth import SignedIn, require_user, web_state
from agent.web.pages import render

router = APIRouter(dependencies=[Depends(require_user)])

User = Annotated[SignedIn, Depends(require_user)]


@router.get("/calendar")
def calendar(request: Request, user: User, week: str | None = None) -> Response:
    first = week or queries.current_week(datetime.now(UTC))
    try:
        parse_week(first)
    except ValueError as exc:
        return render(
            request, "error.html", status_code=400, title="Unknown week", message=str(exc)
        )
    with web_state(request).system.sessions() as session:
        weeks = [queries.week_calendar(session, user.user_id, w) for w in (first, next_week(first))]
    return render(
        request, "calendar.html", active="calendar", weeks=weeks, today=datetime.now(UTC).date()
    )
