"""Chat tools that act: review decisions, directives, runs and the schedule."""

from __future__ import annotations

import uuid
from typing import Any

from langchain_core.tools import tool
from langgraph.prebuilt import ToolRuntime
from sqlalchemy import select

from agent.app.runs import RunOutcome, decisions_payload, pending_review, resume_run, start_run
from agent.chat.confirm import confirmed
from agent.chat.context import ChatContext
from agent.chat.limits import clean_directive
from agent.chat.lookups import (
    WaitingReel,
    describe_directive,
    directives_of,
    pick_reels,
    waiting_reels,
)
from agent.errors import UserError
from agent.records.audit import record_review
from agent.scheduling.config import update_schedule
from agent.schemas import ReelDecision
from agent.strategy.directives import parse_directive
from db.engine import transaction
from db.enums import RunStatus, TriggerType
from db.models import Agent, AITwin, Directive
from db.repo import audit, planning

Runtime = ToolRuntime[Any, Any]
"""Injected by the tool node (hidden from the model); its ``context`` is a ChatContext."""


def _ctx(runtime: Runtime) -> ChatContext:
    return ChatContext.of(runtime.context)


def _outcome(outcome: RunOutcome) -> str:
    short = outcome.run_id[:8]
    if outcome.status == RunStatus.waiting_review:
        count = len((outcome.review or {}).get("reels", []))
        return f"Run {short} (week {outcome.week}) waits for your approval of {count} reels."
    if outcome.status == RunStatus.error:
        return f"Run {short} (week {outcome.week}) stopped: {outcome.error}"
    return f"Run {short} (week {outcome.week}) finished: {outcome.summary.get('text', '')}"


def _decide(runtime: Runtime, picked: list[WaitingReel], decision: dict[str, Any]) -> str:
    """Send one decision per picked reel to its run and resume each run."""
    ctx = _ctx(runtime)
    by_run: dict[uuid.UUID, list[ReelDecision]] = {}
    for item in picked:
        by_run.setdefault(item.run_id, []).append(ReelDecision(reel_id=item.reel_id, **decision))
    results = []
    for run_id, decisions in by_run.items():
        review = pending_review(ctx.system, run_id) or {"request": None}
        payload = decisions_payload(review, decisions, ctx.user_email)
        with transaction(ctx.system.sessions) as session:
            record_review(
                session,
                actor=ctx.audit_actor,
                origin=ctx.origin,
                run_id=run_id,
                decisions=decisions,
            )
        outcome = resume_run(
            ctx.system,
            str(run_id),
            decisions=payload,
            wiring=ctx.wiring,
        )
        results.append(_outcome(outcome))
    return "\n".join(results)


def _titles(picked: list[WaitingReel]) -> str:
    names = ", ".join(repr(p.reel["title"]) for p in picked[:5])
    return names + (f" and {len(picked) - 5} more" if len(picked) > 5 else "")


@tool(parse_docstring=True)
def approve_reels(
    runtime: Runtime, reel_ids: list[str] | None = None, all_waiting: bool = False
) -> str:
    """Approve reels waiting for review; approved reels are published at their planned time.

    Args:
        reel_ids: Ids (or 8-character prefixes) of the reels to approve.
        all_waiting: Approve every reel waiting for review.
    """
    ids = sorted(reel_ids or [])
    args: dict[str, Any] = {"reel_ids": ids, "all_waiting": all_waiting}
    try:
        picked = pick_reels(
            waiting_reels(_ctx(runtime).system, _ctx(runtime).agent_id),
            ids,
            all_waiting,
        )
    except ValueError as exc:
        return str(exc)
    if not picked:
        return (
            "Nothing waits for approval."
            if all_waiting
            else "Say which reels to approve (ids from the approvals list), or 'approve all'."
        )
    refused = confirmed(
        "approve_reels", args, f"approve and publish {len(picked)} reel(s): {_titles(picked)}"
    )
    return refused if refused is not None else _decide(runtime, picked, {"action": "approve"})


@tool(parse_docstring=True)
def reject_reels(
    runtime: Runtime, reason: str, reel_ids: list[str] | None = None, all_waiting: bool = False
) -> str:
    """Reject reels waiting for review so they are not published; the reason is kept as feedback.

    Args:
        reason: Why, in the creator's words.
        reel_ids: Ids (or 8-character prefixes) of the reels to reject.
        all_waiting: Reject every reel waiting for review.
    """
    ids = sorted(reel_ids or [])
    args: dict[str, Any] = {"reason": reason.strip(), "reel_ids": ids, "all_waiting": all_waiting}
    try:
        picked = pick_reels(
            waiting_reels(_ctx(runtime).system, _ctx(runtime).agent_id),
            ids,
            all_waiting,
        )
    except ValueError as exc:
        return str(exc)
    if not picked:
        return "Say which reels to reject (ids from the approvals list)."
    refused = confirmed("reject_reels", args, f"reject {len(picked)} reel(s): {_titles(picked)}")
    if refused is not None:
        return refused
    return _decide(runtime, picked, {"action": "reject", "reason": args["reason"]})


@tool(parse_docstring=True)
def edit_reel(
    runtime: Runtime, reel_id: str, caption: str, hashtags: list[str] | None = None
) -> str:
    """Change a waiting reel's caption (and hashtags), which approves it for publishing.

    Args:
        reel_id: Id (or 8-character prefix) of the reel.
        caption: The new caption.
        hashtags: New hashtags without '#'; keep the current ones when omitted.
    """
    args: dict[str, Any] = {
        "reel_id": reel_id.strip().lower(),
        "caption": caption.strip(),
        "hashtags": hashtags,
    }
    try:
        picked = pick_reels(
            waiting_reels(_ctx(runtime).system, _ctx(runtime).agent_id), [args["reel_id"]], False
        )
    except ValueError as exc:
        return str(exc)
    refused = confirmed(
        "edit_reel",
        args,
        f"set the caption of {_titles(picked)} to {args['caption']!r} and publish it",
    )
    if refused is not None:
        return refused
    return _decide(
        runtime, picked, {"action": "edit", "caption": args["caption"], "hashtags": hashtags}
    )


@tool(parse_docstring=True)
def add_directive(runtime: Runtime, text: str) -> str:
    """Store a standing instruction planning follows from the next plan on.

    Understands "more X", "less X", "nothing on Sundays", "use the Goddess twin on Instagram",
    "be more educational on LinkedIn"; anything else is kept as a note for the planner.

    Args:
        text: The instruction in the creator's words.
    """
    ctx = _ctx(runtime)
    try:
        text = clean_directive(text)
    except UserError as exc:
        return str(exc)
    with ctx.system.sessions() as session:
        agent = session.get(Agent, ctx.agent_id)
        assert agent is not None
        user_id = agent.user_id
        twins = [t.name for t in session.scalars(select(AITwin).where(AITwin.user_id == user_id))]
    parsed = parse_directive(text, twin_names=twins)
    clauses = [_clause(kind, value, text) for kind, value in parsed]
    refused = confirmed(
        "add_directive", {"text": text}, "follow from the next plan on: " + "; ".join(clauses)
    )
    if refused is not None:
        return refused
    with transaction(ctx.system.sessions) as session:
        rows = [
            planning.add_directive(
                session=session, agent_id=ctx.agent_id, kind=kind, value=value, text=clause
            )
            for (kind, value), clause in zip(parsed, clauses, strict=True)
        ]
        for row in rows:
            audit_directive(session, ctx, row, "directive.add", user_id)
    lines = [describe_directive(r) for r in rows]
    return "Noted; the next plan follows:\n" + "\n".join(lines)


def audit_directive(
    session: Any, ctx: ChatContext, row: Directive, action: str, user_id: uuid.UUID | None
) -> None:
    audit.record(
        session=session,
        actor=ctx.audit_actor,
        action=action,
        subject_type="directive",
        subject_id=row.id,
        origin=ctx.origin,
        details={"kind": row.kind, "value": row.value_json, "text": row.text},
        user_id=user_id,
    )


def _clause(kind: str, value: dict[str, Any], text: str) -> str:
    if kind in ("more_topic", "less_topic"):
        return f"{'more' if kind == 'more_topic' else 'less'} {value['topic']}"
    if kind == "avoid_weekday":
        return f"no posts on {['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'][value['weekday']]}"
    if kind == "twin_for_platform":
        return f"use {value['twin']} on {value['platform']}"
    if kind == "tone_for_platform":
        return f"{value['tone']} tone on {value['platform']}"
    return str(value.get("text", text))


@tool(parse_docstring=True)
def remove_directive(runtime: Runtime, which: str) -> str:
    """Remove a standing directive, by its id or by words it contains.

    Args:
        which: The directive's id (or prefix) or words from it, e.g. "Sunday" or "price talk".
    """
    ctx = _ctx(runtime)
    needle = which.strip().lower()
    rows = directives_of(ctx.system, ctx.agent_id)
    matches = [r for r in rows if str(r.id).startswith(needle)] or [
        r for r in rows if needle and all(word in r.text.lower() for word in needle.split())
    ]
    if not matches:
        listing = "\n".join(describe_directive(r) for r in rows) or "none"
        return f"No directive matches '{which}'. Active directives:\n{listing}"
    args = {"which": needle}
    refused = confirmed(
        "remove_directive",
        args,
        f"remove {len(matches)} directive(s): " + "; ".join(r.text for r in matches),
    )
    if refused is not None:
        return refused
    with transaction(ctx.system.sessions) as session:
        agent = session.get(Agent, ctx.agent_id)
        for row in matches:
            if planning.remove_directive(session=session, directive_id=row.id):
                removed = session.get(Directive, row.id)
                assert removed is not None
                audit_directive(
                    session, ctx, removed, "directive.remove", agent.user_id if agent else None
                )
    return (
        "Removed: " + "; ".join(r.text for r in matches) + ". The next plan no longer follows it."
    )


@tool(parse_docstring=True)
def run_now(runtime: Runtime, week: str | None = None) -> str:
    """Start a weekly cycle now: plan, create, review (per the approval mode) and publish.

    Args:
        week: ISO week to plan, e.g. 2026-W48; the next unplanned week when omitted.
    """
    ctx = _ctx(runtime)
    args = {"week": week}
    refused = confirmed(
        "run_now",
        args,
        f"start a weekly cycle now for {week or 'the next unplanned week'}, which may publish posts",
    )
    if refused is not None:
        return refused
    outcome = start_run(
        ctx.system,
        agent=str(ctx.agent_id),
        week=week,
        trigger=TriggerType.manual,
        wiring=ctx.wiring,
        render_quality=ctx.render_quality,
        now=ctx.clock.now(),
    )
    return _outcome(outcome)


def _set_paused(runtime: Runtime, paused: bool) -> str:
    ctx = _ctx(runtime)
    what = (
        "pause the weekly schedule: no weekly run starts until you resume it"
        if paused
        else "resume the weekly schedule from its next slot"
    )
    refused = confirmed("pause_schedule" if paused else "resume_schedule", {}, what)
    if refused is not None:
        return refused
    with transaction(ctx.system.sessions) as session:
        agent = session.get(Agent, ctx.agent_id)
        assert agent is not None
        before = dict(agent.schedule_json or {})
        config = update_schedule(session, agent, paused=paused)
        audit.record(
            session=session,
            actor=ctx.audit_actor,
            action="schedule.pause" if paused else "schedule.resume",
            subject_type="agent",
            subject_id=agent.id,
            origin=ctx.origin,
            details=dict(agent.schedule_json or {}),
            before=before,
            user_id=agent.user_id,
        )
    if paused:
        return f"Schedule paused ({config.cron}, {config.timezone}): no weekly run starts until you resume it."
    following = config.next_run(ctx.clock.now())
    return (
        f"Schedule resumed: next weekly run {following:%a %d %b %H:%M %Z}."
        if following
        else "Schedule resumed."
    )


@tool(parse_docstring=True)
def pause_schedule(runtime: Runtime) -> str:
    """Pause the weekly schedule: no new weekly run starts (scheduled posts still go out)."""
    return _set_paused(runtime, True)


@tool(parse_docstring=True)
def resume_schedule(runtime: Runtime) -> str:
    """Resume the weekly schedule from its next slot."""
    return _set_paused(runtime, False)
