"""planning: strategy + directives + trends -> the week decided in code -> the model's words -> the ContentCalendar."""

from __future__ import annotations

import json
import uuid
from typing import Any

from langgraph.runtime import Runtime
from sqlalchemy.orm import Session

from agent.context import Context
from agent.llm import StructuredOutputError
from agent.nodes.tracking import tracked
from agent.schemas import PlanDraft
from agent.state import CycleState
from agent.strategy import (
    Conformed,
    HookChoice,
    StrategyEvidence,
    TopicClusters,
    WeekInputs,
    WeekSkeleton,
    build_directive_set,
    conform,
)
from agent.strategy.decide import spike_week
from agent.strategy.weeks import parse_week, week_bounds
from agent.trends import candidate_of, collect_niche_trends
from db.engine import transaction
from db.enums import EventType, SubjectType
from db.repo import analytics, hooks, identity, planning, runs
from db.repo.campaigns import campaign_for
from memory.models import MemoryRecord
from tools.trends import local_embed

RECALLED_TOPICS = 6
"""Trend topics whose past outcomes are recalled from memory for the model's words."""


@tracked("planning")
def planning_node(state: CycleState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    run_id = uuid.UUID(state["run_id"])
    with transaction(ctx.sessions) as session:
        existing = planning.calendar_for_run(session=session, run_id=run_id)
        if existing is not None:  # re-run after a crash: the plan is already written
            items = planning.items_of(session=session, calendar_id=existing.id)
            return {"calendar_id": str(existing.id), "item_ids": [str(i.id) for i in items]}
        inputs, twin_ids, notes = _week_inputs(session, ctx, state)
    skeleton = ctx.decide(inputs)
    if state.get("spike_topic"):
        skeleton = spike_week(skeleton, state["spike_topic"], inputs)
    if not skeleton.slots:
        return {
            "calendar_id": "",
            "item_ids": [],
            "failures": ["planning: no slot to fill (no connected account or every day excluded)"],
        }
    plan = conform(_words(ctx, skeleton, inputs, notes), skeleton)
    with transaction(ctx.sessions) as session:
        agent = identity.get_agent(session=session, name_or_id=state["agent_id"])
        campaign = campaign_for(session=session, agent=agent, week=state["week"])
        calendar, items = planning.save_plan(
            campaign_id=uuid.UUID(campaign.id) if campaign else None,
            session=session,
            user_id=agent.user_id,
            agent_id=agent.id,
            run_id=run_id,
            period_start=parse_week(state["week"]),
            period_end=week_bounds(state["week"])[1].date(),
            summary=plan.summary or f"{len(plan.items)} videos planned for {state['week']}",
            rows=[
                planning.PlanRow(
                    slot=p.decision.slot,
                    planned_date=p.decision.day,
                    planned_at=p.decision.at,
                    platforms=p.decision.platforms,
                    pillar=p.decision.pillar,
                    topic=p.decision.topic,
                    hook=p.hook,
                    hook_category=p.decision.hook_category,
                    tone=p.decision.tone,
                    target_length_sec=p.decision.target_length_sec,
                    twin_id=twin_ids.get(p.decision.twin),
                    rationale=p.rationale,
                )
                for p in plan.items
            ],
        )
        saved = {"calendar_id": str(calendar.id), "item_ids": [str(i.id) for i in items]}
        _log_plan(session, ctx, state, agent.user_id, calendar.id, skeleton, plan)
        hooks.bump_usage_by_category(
            session=session, categories=[p.decision.hook_category for p in plan.items]
        )
    ctx.report("planning", f"{len(items)} videos planned for {state['week']}")
    return saved


def _week_inputs(
    session: Session, ctx: Context, state: CycleState
) -> tuple[WeekInputs, dict[str, uuid.UUID], dict[str, Any]]:
    """What the week is decided from, the twins' ids, and context for the model's words."""
    agent = identity.get_agent(session=session, name_or_id=state["agent_id"])
    policy = identity.agent_policy(agent)
    monday = parse_week(state["week"])
    learning = ctx.settings.learning_mode != "fixed"  # "fixed": a baseline that never learns
    strategy = (
        analytics.latest_strategy(session=session, agent_id=agent.id, before=monday)
        if learning
        else None
    )
    evidence = (
        StrategyEvidence.from_update(strategy.adjustments_json, strategy.evidence_json)
        if strategy
        else None
    )
    active = planning.active_directives(session=session, agent_id=agent.id)
    directives = build_directive_set([(d.kind, d.value_json, d.text) for d in active])
    accounts = identity.list_accounts(session=session, user_id=agent.user_id, connected_only=True)
    platforms = sorted(
        {
            a.platform.value
            for a in accounts
            if not policy.platforms or a.platform.value in policy.platforms
        }
    )
    found = collect_niche_trends(
        settings=ctx.settings,
        session=session,
        niche=policy.niche,
        clock=ctx.clock.now,
        embed=local_embed,
        sources=ctx.tools.trends,
    )
    for failure in found.collected.failures:
        runs.log_event(
            session=session,
            event_type=EventType.trend_source_failed,
            subject_type=SubjectType.run,
            subject_id=state["run_id"],
            agent_id=agent.id,
            run_id=uuid.UUID(state["run_id"]),
            message=f"trend source {failure.source} failed: {failure.error}",
            meta=failure.model_dump(),
            at=ctx.clock.now(),
        )
    trends = [candidate_of(row) for row in found.rows]
    twins = identity.list_twins(session=session, user_id=agent.user_id)
    hooks = [
        HookChoice(category=h.category, template=h.template, effectiveness=h.effectiveness_score)
        for h in planning.hook_templates(session=session)
    ]
    clusters = TopicClusters(ctx.memory.embed if ctx.memory is not None else None)
    anchors = sorted(
        {o.f["topic"] for o in (evidence.observations if evidence else []) if o.f.get("topic")}
    )
    labels = clusters.labels([t.topic for t in trends], anchors=anchors)
    campaign = campaign_for(session=session, agent=agent, week=state["week"])
    inputs = WeekInputs(
        week=state["week"],
        policy=policy,
        platforms=platforms,
        trends=trends,
        twins=[t.name for t in twins],
        hooks=hooks,
        seed=f"{ctx.settings.planning_seed}:{agent.name}:{state['week']}",
        directives=directives,
        evidence=evidence,
        mode="learning" if learning else "fixed",
        not_before=ctx.clock.now(),
        topic_label=lambda topic: labels.get(topic, topic),
        campaign=campaign.name if campaign else "",
        campaign_topics=list(campaign.topics) if campaign else [],
    )
    _remember_directives(ctx, [(str(d.id), str(d.kind), d.text) for d in active if d.text])
    notes = {
        "niche": policy.niche,
        "language": policy.language,
        "twins": [{"name": t.name, "style": t.style_preset.value} for t in twins],
        "directive_notes": directives.notes,
        "strategy": {
            "summary": evidence.summary if evidence else "",
            "adjustments": dict(strategy.adjustments_json) if strategy else {},
        },
        "memory": _recall(ctx, [t.topic for t in trends[:RECALLED_TOPICS]]) if learning else [],
    }
    return inputs, {t.name: t.id for t in twins}, notes


def _words(
    ctx: Context, skeleton: WeekSkeleton, inputs: WeekInputs, notes: dict[str, Any]
) -> PlanDraft | None:
    """The model's hooks, rationales and summary for the decided week (None if it wrote none)."""
    slots = [
        {
            "slot": s.slot,
            "when": s.local,
            "platforms": s.platforms,
            "topic": s.topic,
            "pillar": s.pillar,
            "tone": s.tone,
            "hook_category": s.hook_category,
            "hook_template": s.hook_template,
            "twin": s.twin,
            "target_length_sec": s.target_length_sec,
            "why": s.reason,
            "trend_tags": s.trend.tags if s.trend else [],
            "trend_points": len(s.trend.points) if s.trend else 0,
        }
        for s in skeleton.slots
    ]
    try:
        return ctx.write(
            PlanDraft,
            "plan",
            week=skeleton.week,
            inputs=json.dumps({**notes, "slots": slots}, indent=1, default=str),
        )
    except StructuredOutputError:
        return None  # the decided week stands; its words come from the hook templates


def _log_plan(
    session: Session,
    ctx: Context,
    state: CycleState,
    user_id: uuid.UUID,
    calendar_id: uuid.UUID,
    skeleton: WeekSkeleton,
    plan: Conformed,
) -> None:
    run_id, agent_id = uuid.UUID(state["run_id"]), uuid.UUID(state["agent_id"])
    at = ctx.clock.now()
    runs.log_event(
        session=session,
        event_type=EventType.plan_created,
        subject_type=SubjectType.calendar,
        subject_id=calendar_id,
        message=f"planned {len(plan.items)} videos for {state['week']}",
        meta={
            "topics": [p.decision.topic for p in plan.items],
            "mode": skeleton.mode,
            "posts_behind": round(skeleton.posts_behind, 2),
        },
        user_id=user_id,
        agent_id=agent_id,
        run_id=run_id,
        at=at,
    )
    if plan.disagreements or plan.replaced_hooks:
        runs.log_event(
            session=session,
            event_type=EventType.model_overruled,
            subject_type=SubjectType.calendar,
            subject_id=calendar_id,
            message=(
                f"the model's plan differed from the decided week in {plan.disagreements} "
                f"fields ({dict(plan.contradictions)}); the decided week was kept"
            ),
            meta={
                "contradictions": dict(plan.contradictions),
                "missing_items": plan.missing,
                "replaced_hooks": plan.replaced_hooks,
            },
            user_id=user_id,
            agent_id=agent_id,
            run_id=run_id,
            at=at,
        )


def _recall(ctx: Context, topics: list[str]) -> list[dict[str, Any]]:
    """How similar past topics did, and what the creator said about them, from vector memory."""
    if ctx.memory is None or not topics:
        return []
    vectors = ctx.memory.embed(topics)
    notes: list[dict[str, Any]] = []
    for topic, vector in zip(topics, vectors, strict=True):
        for kind in ("post_outcome", "feedback"):
            notes += [
                {"topic": topic, "kind": kind, "past": hit.text}
                for hit in ctx.memory.search_vector(vector, k=2, kind=kind)
            ]
    notes += [
        {"kind": "directive", "past": hit.text}
        for hit in ctx.memory.search_vector(vectors[0], k=3, kind="directive")
    ]
    return notes


def _remember_directives(ctx: Context, rows: list[tuple[str, str, str]]) -> None:
    """Keep the creator's active directives in vector memory too (upserted by directive id)."""
    if ctx.memory is None or not rows:
        return
    ctx.memory.add_many(
        [
            MemoryRecord(
                kind="directive",
                text=text,
                metadata={"directive_kind": kind},
                memory_id=f"directive:{rid}",
            )
            for rid, kind, text in rows
        ]
    )
