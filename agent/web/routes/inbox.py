"""The approval inbox and run progress: decisions resume the waiting run in the background."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, Response

from agent.app.runs import RunError, decisions_payload, pending_review, resume_run
from agent.records.audit import AuditOrigin, record_review
from agent.schemas import ReelDecision
from agent.web import queries
from agent.web.auth import SignedIn, csrf_guard, require_user, web_state
from agent.web.jobs import Job, JobBusyError
from agent.web.pages import redirect, render
from agent.web.routes.engagement import pending_replies
from agent.web.state import WebState
from db.engine import transaction
from db.enums import RunStatus

router = APIRouter(dependencies=[Depends(require_user), Depends(csrf_guard)])

User = Annotated[SignedIn, Depends(require_user)]
ACTION_WORDS = {
    "approve": "Approved",
    "reject": "Rejected",
    "edit": "Approved with edits",
    "regenerate": "Sent back to be made again",
}


class DecisionError(ValueError):
    """A decision that cannot be applied; the message says why."""


def parse_hashtags(text: str) -> list[str]:
    """``"#a, b  #c"`` -> ``["#a", "#b", "#c"]``."""
    tags = [t.strip().lstrip("#") for t in re.split(r"[\s,]+", text) if t.strip().lstrip("#")]
    return [f"#{t}" for t in tags]


def _waiting(state: WebState, user: SignedIn, run_id: str | None = None) -> list[dict[str, Any]]:
    with state.system.sessions() as session:
        runs = queries.waiting_runs(session, user.user_id)
        rows = [(str(r.id), r.week_key) for r in runs if run_id is None or str(r.id) == run_id]
    items = []
    for rid, week in rows:
        job = state.jobs.active_for(rid)
        review = None if job else pending_review(state.system, uuid.UUID(rid))
        items.append({"run_id": rid, "short": rid[:8], "week": week, "review": review, "job": job})
    return items


@router.get("/inbox")
def inbox(request: Request, user: User) -> Response:
    state = web_state(request)
    return render(
        request,
        "inbox.html",
        active="inbox",
        items=_waiting(state, user),
        single=None,
        replies=pending_replies(state, user),
    )


@router.get("/inbox/{run_id}")
def inbox_run(request: Request, run_id: str, user: User) -> Response:
    state = web_state(request)
    with state.system.sessions() as session:
        run = queries.owned_run(session, user.user_id, run_id)
        status = run.status if run else None
    if run is None:
        return render(
            request,
            "error.html",
            status_code=404,
            title="Run not found",
            message="No run with this id. It may have been deleted.",
        )
    if status != RunStatus.waiting_review:
        return redirect(
            request, f"/runs/{run_id}", "This run is not waiting for review any more.", "info"
        )
    return render(
        request, "inbox.html", active="inbox", items=_waiting(state, user, run_id), single=run_id
    )


def _decide(state: WebState, user: SignedIn, run_id: str, decisions: list[ReelDecision]) -> Job:
    """Check the run still waits for these reels, then resume it in the background."""
    with state.system.sessions() as session:
        run = queries.owned_run(session, user.user_id, run_id)
        if run is None:
            raise DecisionError("no such run")
        rid, status = run.id, run.status
    if status != RunStatus.waiting_review or state.jobs.active_for(str(rid)) is not None:
        raise DecisionError("this run is not waiting for review any more; reload the inbox")
    review = pending_review(state.system, rid) or {"reels": [], "request": None}
    waiting = {r["reel_id"]: r for r in review["reels"]}
    for decision in decisions:
        reel = waiting.get(decision.reel_id)
        if reel is None:
            raise DecisionError("this reel is not waiting for review any more; reload the inbox")
        if decision.action not in reel.get("allowed_actions", []):
            raise DecisionError(f"'{decision.action}' is not allowed for this reel")
    payload = decisions_payload(review, decisions, user.email)

    def work(job: Job) -> str:
        outcome = resume_run(
            state.system,
            str(rid),
            decisions=payload,
            progress=job.progress,
            wiring=state.wiring,
        )
        if outcome.error:
            raise RunError(outcome.error)
        return outcome.status.value

    titles = ", ".join(f"'{waiting[d.reel_id]['title']}'" for d in decisions)
    words = (
        ACTION_WORDS[decisions[0].action] if len({d.action for d in decisions}) == 1 else "Decided"
    )
    job = state.jobs.submit(str(rid), f"{words}: {titles}", work)
    with transaction(state.system.sessions) as session:
        record_review(
            session, actor=user.email, origin=AuditOrigin.web, run_id=rid, decisions=decisions
        )
    return job


@router.post("/inbox/{run_id}/decide")
def decide(
    request: Request,
    run_id: str,
    user: User,
    reel_id: Annotated[str, Form()],
    action: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    caption: Annotated[str, Form()] = "",
    hashtags: Annotated[str, Form()] = "",
) -> Response:
    state = web_state(request)
    if action not in ACTION_WORDS:
        return redirect(request, "/inbox", f"Unknown action '{action[:20]}'.", "error")
    if action == "edit" and not caption.strip():
        return redirect(request, f"/inbox/{run_id}", "An edit needs a caption.", "error")
    decision = ReelDecision(
        reel_id=reel_id,
        action=action,  # type: ignore[arg-type]
        reason=reason.strip()[:500],
        caption=caption.strip() if action == "edit" else None,
        hashtags=parse_hashtags(hashtags) if action == "edit" and hashtags.strip() else None,
    )
    try:
        job = _decide(state, user, run_id, [decision])
    except (DecisionError, JobBusyError) as exc:
        return redirect(request, "/inbox", str(exc).capitalize(), "error")
    return redirect(
        request, f"/runs/{run_id}", f"{job.description}. The run continues in the background."
    )


@router.post("/inbox/{run_id}/approve-all")
def approve_all(request: Request, run_id: str, user: User) -> Response:
    state = web_state(request)
    with state.system.sessions() as session:
        run = queries.owned_run(session, user.user_id, run_id)
    review = pending_review(state.system, run.id) if run is not None else None
    if not review or not review.get("reels"):
        return redirect(request, "/inbox", "This run is not waiting for review any more.", "error")
    decisions = [ReelDecision(reel_id=r["reel_id"], action="approve") for r in review["reels"]]
    try:
        job = _decide(state, user, run_id, decisions)
    except (DecisionError, JobBusyError) as exc:
        return redirect(request, "/inbox", str(exc).capitalize(), "error")
    return redirect(
        request, f"/runs/{run_id}", f"{job.description}. The run continues in the background."
    )


def run_status(state: WebState, user: SignedIn, run_id: str) -> dict[str, Any] | None:
    """Everything the run page shows, as JSON-ready data."""
    with state.system.sessions() as session:
        run = queries.owned_run(session, user.user_id, run_id)
        if run is None:
            return None
        report = queries.report_for_run(session, run.id)
        data: dict[str, Any] = {
            "run": queries.run_row(run),
            "reels": queries.run_reels(session, run.id),
            "posts": queries.run_posts(session, run.id),
            "report": {"id": str(report.id), "headline": queries.headline(report)}
            if report
            else None,
        }
    job = state.jobs.latest_for(run_id)
    data["job"] = job.as_dict() if job else None
    data["busy"] = bool(job and job.state in ("queued", "running"))
    return data


@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: str, user: User) -> Response:
    data = run_status(web_state(request), user, run_id)
    if data is None:
        return render(
            request,
            "error.html",
            status_code=404,
            title="Run not found",
            message="No run with this id.",
        )
    return render(request, "run.html", active="inbox", data=data)


@router.get("/api/runs/{run_id}/status")
def run_status_json(request: Request, run_id: str, user: User) -> Response:
    data = run_status(web_state(request), user, run_id)
    if data is None:
        return JSONResponse({"error": "no such run"}, status_code=404)
    return JSONResponse(_jsonable(data))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
