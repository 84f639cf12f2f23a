"""Notifications: approval needed, render complete, publish failed, report ready; mark read."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import update

from agent.web import queries
from agent.web.auth import SignedIn, csrf_guard, require_user, web_state
from agent.web.notices import describe
from agent.web.pages import redirect, render
from db.engine import transaction
from db.models import Notification

router = APIRouter(dependencies=[Depends(require_user), Depends(csrf_guard)])

User = Annotated[SignedIn, Depends(require_user)]


@router.get("/notifications")
def notifications_page(request: Request, user: User) -> Response:
    with web_state(request).system.sessions() as session:
        notices = [describe(n) for n in queries.notifications(session, user.user_id)]
    return render(request, "notifications.html", active="notifications", notices=notices)


@router.post("/notifications/{notification_id}/read")
def mark_read(request: Request, notification_id: str, user: User) -> Response:
    try:
        nid = uuid.UUID(notification_id)
    except ValueError:
        return redirect(request, "/notifications", "No such notification.", "error")
    with transaction(web_state(request).system.sessions) as session:
        row = session.get(Notification, nid)
        if row is None or row.user_id != user.user_id:
            return redirect(request, "/notifications", "No such notification.", "error")
        row.is_read = True
    return redirect(request, "/notifications")


@router.post("/notifications/read-all")
def mark_all_read(request: Request, user: User) -> Response:
    with transaction(web_state(request).system.sessions) as session:
        session.execute(
            update(Notification)
            .where(Notification.user_id == user.user_id, Notification.is_read.is_(False))
            .values(is_read=True)
        )
    return redirect(request, "/notifications", "All notifications marked read.")
