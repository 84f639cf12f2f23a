"""review: the human-in-the-loop gate. Nothing reaches publishing without an approval status."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import ValidationError

from agent.context import Context
from agent.creating.limits import fit_caption
from agent.nodes.tracking import tracked
from agent.schemas import ReelDecision, ReelForReview, ReviewRequest, ReviewResponse
from agent.state import CycleState
from db.engine import transaction
from db.enums import (
    ApprovalMode,
    ApprovalStatus,
    EventType,
    FeedbackSubject,
    NotificationType,
    RunStatus,
    SubjectType,
)
from db.models import Agent, AgentRun, CalendarItem, Feedback, MediaAsset, Script, VideoReel
from db.repo.identity import agent_policy
from db.repo.runs import log_event, notify_once

MAX_REVISIONS = 2


@tracked("review")
def review_node(state: CycleState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    run_id = uuid.UUID(state["run_id"])
    round_no = state.get("review_round", 0) + 1
    with transaction(ctx.sessions) as session:
        agent = session.get(Agent, uuid.UUID(state["agent_id"]))
        assert agent is not None
        policy = agent_policy(agent)
        mode = ApprovalMode.autonomous if state.get("auto_approve") else policy.approval_mode
        pending: list[ReelForReview] = []
        for raw in state.get("reel_ids", []):
            reel = session.get(VideoReel, uuid.UUID(raw))
            if reel is None or reel.approval_status != ApprovalStatus.pending:
                continue
            auto = mode == ApprovalMode.autonomous or (
                mode == ApprovalMode.auto_above and (reel.quality_score or 0) >= policy.auto_approve_threshold
            )
            if auto:
                reel.approval_status = ApprovalStatus.auto_approved
                reel.review_note = f"auto-approved ({mode.value}, quality {reel.quality_score:.2f})"
                log_event(session=session, event_type=EventType.approval_recorded, subject_type=SubjectType.reel,
                          subject_id=reel.id, user_id=agent.user_id, agent_id=agent.id, run_id=run_id,
                          message=reel.review_note, at=ctx.clock.now())
                continue
            pending.append(_for_review(session, reel))
        if pending:
            request = ReviewRequest(run_id=str(run_id), round=round_no, reels=pending)
            notify_once(
                session=session,
                user_id=agent.user_id,
                type=NotificationType.approval_needed,
                dedupe_key=f"review:{run_id}:{round_no}",
                payload={"run_id": str(run_id), "reels": [r.reel_id for r in pending], "deeplink": f"/inbox/{run_id}"},
            )
            run = session.get(AgentRun, run_id)
            if run is not None:
                run.status = RunStatus.waiting_review
    if not pending:
        return {"review_round": round_no, "undecided": 0}

    ctx.report("review", f"{len(pending)} reels wait for approval")
    answer = interrupt(request.model_dump(mode="json"))
    try:
        response = ReviewResponse.model_validate(answer)
    except ValidationError as exc:
        raise ValueError(f"review answer is not valid: {exc.errors()[0]['msg']}") from exc
    return _apply(ctx, state, response, {r.reel_id for r in pending}, round_no)


def _for_review(session: Any, reel: VideoReel) -> ReelForReview:
    item = session.get(CalendarItem, reel.calendar_item_id) if reel.calendar_item_id else None
    script = session.get(Script, item.script_id) if item and item.script_id else None
    thumb = session.get(MediaAsset, reel.thumbnail_asset_id) if reel.thumbnail_asset_id else None
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
        quality_issues=list(reel.quality_checks_json.get("issues", [])),
        planned_at=item.planned_at.isoformat() if item else "",
        platforms=list(item.planned_platforms) if item else [],
    )


def _apply(ctx: Context, state: CycleState, response: ReviewResponse, asked: set[str], round_no: int) -> dict[str, Any]:
    """Record each decision; reels without a decision stay pending and are asked again."""
    run_id = uuid.UUID(state["run_id"])
    revise: dict[str, str] = {}
    revisions = dict(state.get("revisions", {}))
    with transaction(ctx.sessions) as session:
        for decision in response.decisions:
            if decision.reel_id not in asked:
                continue
            reel = session.get(VideoReel, uuid.UUID(decision.reel_id))
            if reel is None:
                continue
            item_id = str(reel.calendar_item_id)
            if decision.action == "regenerate" and revisions.get(item_id, 0) >= MAX_REVISIONS:
                decision = ReelDecision(reel_id=decision.reel_id, action="reject",
                                        reason=f"regenerated {MAX_REVISIONS} times already; {decision.reason}".strip("; "))
            _record(session, reel, decision, response.reviewer)
            if decision.action == "regenerate":
                revise[item_id] = decision.reason or "make it better"
                revisions[item_id] = revisions.get(item_id, 0) + 1
            log_event(session=session, event_type=EventType.approval_recorded, subject_type=SubjectType.reel,
                      subject_id=reel.id, user_id=reel.user_id, run_id=run_id,
                      message=f"{decision.action} by {response.reviewer}" + (f": {decision.reason}" if decision.reason else ""),
                      at=ctx.clock.now())
        run = session.get(AgentRun, run_id)
        if run is not None:
            run.status = RunStatus.running
    undecided = len(asked - {d.reel_id for d in response.decisions})
    return {"review_round": round_no, "revise": revise, "revisions": revisions, "undecided": undecided}


def _record(session: Any, reel: VideoReel, decision: ReelDecision, reviewer: str) -> None:
    if decision.action == "approve":
        reel.approval_status = ApprovalStatus.creator_approved
    elif decision.action == "edit":
        captions = dict(reel.platform_captions_json)
        for platform, current in captions.items():
            caption, tags = fit_caption(decision.caption or str(current["caption"]),
                                        decision.hashtags if decision.hashtags is not None else list(current["hashtags"]),
                                        platform)
            captions[platform] = {"caption": caption, "hashtags": tags}
        reel.platform_captions_json = captions
        if decision.caption:
            reel.caption_text = decision.caption
        if decision.hashtags is not None:
            reel.hashtags = decision.hashtags
        reel.approval_status = ApprovalStatus.creator_approved
    elif decision.action in ("reject", "regenerate"):
        reel.approval_status = ApprovalStatus.rejected
    reel.review_note = f"{decision.action} by {reviewer}" + (f": {decision.reason}" if decision.reason else "")
    if decision.action in ("reject", "regenerate") and decision.reason:
        session.add(Feedback(user_id=reel.user_id, subject_type=FeedbackSubject.reel, subject_id=str(reel.id),
                             rating=1 if decision.action == "reject" else 2, comment=decision.reason))


def after_review(state: CycleState) -> Literal["creating", "review", "publishing"]:
    """Back to creating for reels to regenerate; ask again for undecided ones; else publish."""
    if state.get("revise"):
        return "creating"
    if state.get("undecided"):
        return "review"
    return "publishing"
