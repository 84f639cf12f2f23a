"""review: the human-in-the-loop gate. Nothing reaches publishing without an approval status.

Reels the policy may approve alone are approved here (never one with untrusted-text flags);
the others are asked about with a LangChain HITL interrupt (:mod:`agent.review.hitl`). An
answer that does not fit the request is asked again, with what was wrong, so one bad answer
never breaks the thread.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import interrupt
from sqlalchemy.orm import Session

from agent.context import Context
from agent.creating.limits import fit_caption
from agent.creating.untrusted import auto_approval
from agent.nodes.tracking import tracked
from agent.review.hitl import parse_answer, request_for
from agent.schemas import ReelDecision, ReelForReview
from agent.state import CycleState
from db.engine import transaction
from db.enums import (
    ApprovalMode,
    ApprovalStatus,
    EventType,
    NotificationType,
    RunStatus,
    SubjectType,
)
from db.models import AgentRun, CalendarItem, MediaAsset, Script, VideoReel
from db.repo import creative, identity, runs
from tools.untrusted import flags_from_checks

MAX_REVISIONS = 2


@tracked("review")
def review_node(state: CycleState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    run_id = uuid.UUID(state["run_id"])
    round_no = state.get("review_round", 0) + 1
    with transaction(ctx.sessions) as session:
        pending = _auto_approve(session, ctx, state)
        if pending:
            agent = identity.get_agent(session=session, name_or_id=state["agent_id"])
            runs.notify_once(
                session=session,
                user_id=agent.user_id,
                type=NotificationType.approval_needed,
                dedupe_key=f"review:{run_id}:{round_no}",
                payload={
                    "run_id": str(run_id),
                    "reels": [r.reel_id for r in pending],
                    "deeplink": f"/inbox/{run_id}",
                },
            )
            run = session.get(AgentRun, run_id)
            if run is not None:
                run.status = RunStatus.waiting_review
    if not pending:
        return {"review_round": round_no, "undecided": 0}
    ctx.report("review", f"{len(pending)} reels wait for approval")
    request = request_for(pending, media_url=ctx.tools.media_link).model_dump(mode="json")
    while True:  # each refused answer is asked about again, the reason in the request
        answer = interrupt(request)
        try:
            decisions, reviewer = parse_answer(answer, request)
            break
        except ValueError as exc:
            request = request_for(
                pending, media_url=ctx.tools.media_link, error=str(exc)
            ).model_dump(mode="json")
    return _apply(ctx, state, decisions, reviewer, {r.reel_id for r in pending}, round_no)


def _auto_approve(session: Session, ctx: Context, state: CycleState) -> list[ReelForReview]:
    """Approve what the policy lets through alone; the reels that need a human, for review."""
    agent = identity.get_agent(session=session, name_or_id=state["agent_id"])
    policy = identity.agent_policy(agent)
    mode = ApprovalMode.autonomous if state.get("auto_approve") else policy.approval_mode
    if state.get("spike_topic"):
        mode = ApprovalMode.manual  # an unplanned reel on breaking news: a person decides
    pending: list[ReelForReview] = []
    for raw in state.get("reel_ids", []):
        reel = session.get(VideoReel, uuid.UUID(raw))
        if reel is None or reel.approval_status != ApprovalStatus.pending:
            continue
        verdict = auto_approval(session, reel, policy, mode=mode.value)
        if verdict.approved:
            creative.auto_approve(
                session=session, reel=reel, note=f"auto-approved: {verdict.reason}"
            )
            runs.log_event(
                session=session,
                event_type=EventType.approval_recorded,
                subject_type=SubjectType.reel,
                subject_id=reel.id,
                user_id=agent.user_id,
                agent_id=agent.id,
                run_id=uuid.UUID(state["run_id"]),
                message=reel.review_note,
                at=ctx.clock.now(),
            )
            continue
        pending.append(_for_review(session, reel, verdict.reason))
    return pending


def _for_review(session: Session, reel: VideoReel, held: str) -> ReelForReview:
    item = session.get(CalendarItem, reel.calendar_item_id) if reel.calendar_item_id else None
    script = session.get(Script, item.script_id) if item and item.script_id else None
    thumb = session.get(MediaAsset, reel.thumbnail_asset_id) if reel.thumbnail_asset_id else None
    checks = reel.quality_checks_json or {}
    return ReelForReview(
        reel_id=str(reel.id),
        calendar_item_id=str(reel.calendar_item_id),
        title=reel.title,
        script=script.body_text if script else "",
        captions={p: str(c["caption"]) for p, c in reel.platform_captions_json.items()},
        hashtags=list(reel.hashtags),
        thumbnail_path=thumb.uri if thumb else None,
        video_path=reel.storage_uri,
        quality_score=reel.quality_score or 0.0,
        quality_issues=list(checks.get("issues", [])),
        planned_at=item.planned_at.isoformat() if item else "",
        platforms=list(item.planned_platforms) if item else [],
        flags=[f.note() for f in flags_from_checks(checks)],
        held_because=held,
    )


def _apply(
    ctx: Context,
    state: CycleState,
    decisions: list[ReelDecision],
    reviewer: str,
    asked: set[str],
    round_no: int,
) -> dict[str, Any]:
    """Record each decision; reels without one (deferred) stay pending and are asked again."""
    run_id = uuid.UUID(state["run_id"])
    revise: dict[str, str] = {}
    revisions = dict(state.get("revisions", {}))
    with transaction(ctx.sessions) as session:
        for decision in decisions:
            reel = (
                session.get(VideoReel, uuid.UUID(decision.reel_id))
                if decision.reel_id in asked
                else None
            )
            if reel is None:
                continue
            item_id = str(reel.calendar_item_id)
            if decision.action == "regenerate" and revisions.get(item_id, 0) >= MAX_REVISIONS:
                reason = f"regenerated {MAX_REVISIONS} times already; {decision.reason}".strip("; ")
                decision = ReelDecision(reel_id=decision.reel_id, action="reject", reason=reason)
            creative.record_decision(
                session=session,
                reel=reel,
                action=decision.action,
                reviewer=reviewer,
                reason=decision.reason,
                captions=_edited_captions(reel, decision) if decision.action == "edit" else None,
                caption=decision.caption,
                hashtags=decision.hashtags,
            )
            if decision.action == "regenerate":
                revise[item_id] = decision.reason or "make it better"
                revisions[item_id] = revisions.get(item_id, 0) + 1
            runs.log_event(
                session=session,
                event_type=EventType.approval_recorded,
                subject_type=SubjectType.reel,
                subject_id=reel.id,
                user_id=reel.user_id,
                run_id=run_id,
                message=f"{decision.action} by {reviewer}"
                + (f": {decision.reason}" if decision.reason else ""),
                at=ctx.clock.now(),
            )
        runs.mark_running(session=session, run_id=run_id)
    undecided = len(asked - {d.reel_id for d in decisions})
    return {
        "review_round": round_no,
        "revise": revise,
        "revisions": revisions,
        "undecided": undecided,
    }


def _edited_captions(reel: VideoReel, decision: ReelDecision) -> dict[str, dict[str, Any]]:
    captions = dict(reel.platform_captions_json)
    for platform, current in captions.items():
        caption, tags = fit_caption(
            decision.caption or str(current["caption"]),
            decision.hashtags if decision.hashtags is not None else list(current["hashtags"]),
            platform,
        )
        captions[platform] = {"caption": caption, "hashtags": tags}
    return captions


def after_review(state: CycleState) -> Literal["creating", "review", "publishing"]:
    """Back to creating for reels to regenerate; ask again for undecided ones; else publish."""
    if state.get("revise"):
        return "creating"
    if state.get("undecided"):
        return "review"
    return "publishing"
