"""Replies to comments in the web inbox: see the drafted reply under the quoted comment, approve
(posted once, in the background) or reject. Same sign-in and CSRF rules as the reel inbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from agent.context import SystemClock
from agent.engagement.inbox import action_rows, approve_and_send, reject
from agent.engagement.wiring import reply_publishers
from agent.web.auth import SignedIn, csrf_guard, require_user, web_state
from agent.web.jobs import Job, JobBusyError
from agent.web.pages import redirect, render
from agent.web.state import WebState
from db.enums import EngagementStatus
from db.repo import engagement as repo
from db.repo.identity import NotFoundError
from tools.publish.base import Publisher

router = APIRouter(dependencies=[Depends(require_user), Depends(csrf_guard)])

User = Annotated[SignedIn, Depends(require_user)]
RECENT = [
    EngagementStatus.approved,
    EngagementStatus.sending,
    EngagementStatus.completed,
    EngagementStatus.failed,
]


def pending_replies(state: WebState, user: SignedIn) -> list[dict[str, Any]]:
    """The user's replies waiting for approval, oldest first (the inbox shows them)."""
    with state.system.sessions() as session:
        return action_rows(session, user_id=user.user_id, statuses=[EngagementStatus.pending])


def _publishers(state: WebState) -> Callable[[str], Publisher]:
    clock = SystemClock()
    if state.wiring.publishers is not None:
        return state.wiring.publishers(clock)
    return reply_publishers(state.system.settings, clock)


def _owned(state: WebState, user: SignedIn, action_id: str) -> uuid.UUID | None:
    with state.system.sessions() as session:
        try:
            return repo.find_action(session=session, ref=action_id, user_id=user.user_id).id
        except NotFoundError:
            return None


def _send(state: WebState, user: SignedIn, ids: list[uuid.UUID], key: str) -> Job:
    def work(job: Job) -> str:
        decision = approve_and_send(
            sessions=state.system.sessions,
            cipher=state.system.cipher(),
            clock=SystemClock(),
            publisher_for=_publishers(state),
            action_ids=ids,
            by=user.email,
        )
        job.progress("engage", decision.sent.summary())
        for reason in [*decision.refused.values(), *decision.sent.failed.values()]:
            job.progress("engage", reason)
        return "sent" if not decision.sent.failed else "failed"

    return state.jobs.submit(key, f"Approved {len(ids)} replies", work)


@router.get("/inbox/replies")
def replies_page(request: Request, user: User) -> Response:
    state = web_state(request)
    with state.system.sessions() as session:
        recent = action_rows(session, user_id=user.user_id, statuses=RECENT)[-20:]
    return render(
        request,
        "replies.html",
        active="inbox",
        replies=pending_replies(state, user),
        recent=list(reversed(recent)),
    )


@router.post("/inbox/replies/{action_id}/approve")
def approve(request: Request, action_id: str, user: User) -> Response:
    state = web_state(request)
    found = _owned(state, user, action_id)
    if found is None:
        return redirect(request, "/inbox/replies", "No such reply.", "error")
    try:
        _send(state, user, [found], f"reply:{found}")
    except JobBusyError:
        return redirect(request, "/inbox/replies", "This reply is being sent already.", "info")
    return redirect(request, "/inbox/replies", "Approved: the reply is being posted.")


@router.post("/inbox/replies/approve-all")
def approve_all(request: Request, user: User) -> Response:
    state = web_state(request)
    ids = [uuid.UUID(r["id"]) for r in pending_replies(state, user) if r["reply"]]
    if not ids:
        return redirect(request, "/inbox/replies", "No replies wait for approval.", "info")
    try:
        _send(state, user, ids, f"replies:{user.user_id}")
    except JobBusyError:
        return redirect(request, "/inbox/replies", "Replies are being sent already.", "info")
    return redirect(request, "/inbox/replies", f"Approved {len(ids)} replies: posting them now.")


@router.post("/inbox/replies/{action_id}/reject")
def reject_reply(
    request: Request, action_id: str, user: User, reason: Annotated[str, Form()] = ""
) -> Response:
    state = web_state(request)
    found = _owned(state, user, action_id)
    if found is None:
        return redirect(request, "/inbox/replies", "No such reply.", "error")
    done = reject(
        sessions=state.system.sessions,
        clock=SystemClock(),
        action_id=found,
        by=user.email,
        reason=reason.strip()[:300],
    )
    if not done:
        return redirect(
            request, "/inbox/replies", "This reply was already sent or decided.", "error"
        )
    return redirect(request, "/inbox/replies", "Rejected: the reply will not be posted.")
